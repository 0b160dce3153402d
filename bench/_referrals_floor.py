"""Floors of the bulk referral import (issue 7, ADR 0076): what PostgreSQL alone and the per-line Python alone
must spend, whatever the pipeline around them does, and a rough cost of a set-based staging design.

    .venv/bin/python bench/_referrals_floor.py --lines 50000 --staging-lines 200000

(a) Write floor: after a real import of N lines, each table's new rows are COPYed out (binary) and timed being
    COPYed back (binary) into fresh tables with the same indexes, constraints and FKs, commit included;
    wall time and the PostgreSQL backend's CPU (/proc/<pid>/stat of pg_backend_pid()), per table, with rows
    and index entries per line and seconds per 1,000,000 lines. Also without FKs and without indexes, to show
    what each costs.
(b) Python floors per line (us) on a fresh chunk of 5,000 lines, normaliser caches cleared: each prepare
    stage alone, the whole prepare, and commit's Python CPU (row building and COPY encoding separately).
(c) Set-based staging: raw lines COPYed into an unlogged table, then the main set-based statements over it
    (jsonb extraction into report, triage, identifier, link and line rows with all their indexes and FKs),
    PostgreSQL CPU per statement, scaled to 1,000,000 lines.

Not part of `make bench` (a study, not a regression figure): the leading underscore keeps it out.
"""

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import setup, sized
from _pg import postmaster_pid, throwaway_postgres
from _proc import process_cpu_seconds, tree_cpu_seconds


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """Wall, this process's CPU, our backend's CPU and the whole server's CPU over a block."""

    def __init__(self, backend: int, postmaster: int):
        self.backend, self.postmaster = backend, postmaster

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), own_cpu()
        self.b0, self.s0 = process_cpu_seconds(self.backend), tree_cpu_seconds([self.postmaster])
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.python = own_cpu() - self.c0
        self.backend_cpu = process_cpu_seconds(self.backend) - self.b0
        self.server = tree_cpu_seconds([self.postmaster]) - self.s0


def tables():
    from safeguard.audit.models import AuditEntry
    from safeguard.referrals.models import ReferralError, ReferralLine
    from safeguard.reporting.models import Report
    from safeguard.subjects.models import ReportIdentifier, ReportSubject, Subject
    from safeguard.triage.models import ReportTriage

    # (table, the column whose value is above the pre-import maximum for new rows)
    return [
        (Report._meta.db_table, "id", "id"),
        (ReportTriage._meta.db_table, "report_id", Report._meta.db_table),
        (ReportIdentifier._meta.db_table, "id", "id"),
        (ReportSubject._meta.db_table, "id", "id"),
        (Subject._meta.db_table, "id", "id"),
        (ReferralLine._meta.db_table, "id", "id"),
        (ReferralError._meta.db_table, "id", "id"),
        (AuditEntry._meta.db_table, "id", "id"),
    ]


def max_ids(cursor) -> dict[str, int]:
    out = {}
    for table, _column, source in tables():
        source_table = table if source == "id" else source
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {source_table}")  # noqa: S608 - our names
        out[table] = cursor.fetchone()[0]
    return out


def indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
    return cursor.fetchall()


def foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return cursor.fetchall()


def copy_out(cursor, query: str) -> bytes:
    out = bytearray()
    with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        for block in copy:
            out += block
    return bytes(out)


def copy_in(connection, cursor, table: str, data: bytes) -> None:
    with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
        for start in range(0, len(data), 1 << 20):
            copy.write(data[start : start + (1 << 20)])
    connection.commit()


def write_floor(pg, meter_for, before: dict[str, int], lines: int) -> list[dict]:
    """(a): each table's new rows COPYed into a fresh copy of the table, in three shapes."""
    results = []
    cursor = pg.cursor()
    for table, column, _source in tables():
        query = f"SELECT * FROM {table} WHERE {column} > {before[table]}"  # noqa: S608 - our names
        data = copy_out(cursor, query)
        cursor.execute(f"SELECT COUNT(*) FROM ({query}) q")  # noqa: S608
        rows = cursor.fetchone()[0]
        pg.commit()
        row = {"table": table, "rows": rows, "bytes": len(data)}
        for shape in ("full", "no_fk", "bare"):
            copy_table = f"floor_{shape}_{table}"
            like = "INCLUDING ALL" if shape != "bare" else "INCLUDING DEFAULTS"
            cursor.execute(f"DROP TABLE IF EXISTS {copy_table}")
            cursor.execute(f"CREATE TABLE {copy_table} (LIKE {table} {like})")
            if shape == "full":
                for name, definition in foreign_keys(cursor, table):
                    cursor.execute(f"ALTER TABLE {copy_table} ADD CONSTRAINT floor_{name[:40]} {definition}")
            pg.commit()
            cursor.execute("CHECKPOINT")  # start each from the same clean state
            pg.commit()
            with meter_for() as m:
                copy_in(pg, cursor, copy_table, data)
            row[shape] = m
            if shape == "full":
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid), pg_get_indexdef(i.indexrelid)"
                    " FROM pg_index i WHERE i.indrelid = %s::regclass",
                    [copy_table],
                )
                row["indexes"] = cursor.fetchall()
                cursor.execute("SELECT pg_relation_size(%s::regclass)", [copy_table])
                row["heap_bytes"] = cursor.fetchone()[0]
                row["fks"] = [name for name, _ in foreign_keys(cursor, copy_table)]
                pg.commit()
        results.append(row)
    for table, _c, _s in tables():
        for shape in ("full", "no_fk", "bare"):
            cursor.execute(f"DROP TABLE IF EXISTS floor_{shape}_{table}")
    pg.commit()
    return results


def print_write_floor(results: list[dict], lines: int) -> None:
    scale = 1_000_000 / lines
    print(f"\n## (a) PostgreSQL write floor: new rows of a {lines:,}-line import COPYed (binary) into fresh tables")
    print(
        "| table | rows/line | index entries/line | indexes | heap+index bytes/line | "
        "full: wall s/1M | full: backend CPU s/1M | full: server CPU s/1M | no FK: backend CPU s/1M | "
        "no index, no FK: backend CPU s/1M |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    totals = [0.0] * 5
    for r in results:
        full, nofk, bare = r["full"], r["no_fk"], r["bare"]
        n_idx = len(r["indexes"])
        size = r["heap_bytes"] + sum(s for _, s, _ in r["indexes"])
        per_line = r["rows"] / lines
        figures = [
            full.wall * scale,
            full.backend_cpu * scale,
            full.server * scale,
            nofk.backend_cpu * scale,
            bare.backend_cpu * scale,
        ]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(
            f"| {r['table']} | {per_line:.3f} | {per_line * n_idx:.2f} | {n_idx} | {size / lines:.0f} | "
            + " | ".join(f"{v:.1f}" for v in figures)
            + " |"
        )
    print("| **all** | | | | | " + " | ".join(f"**{v:.1f}**" for v in totals) + " |")
    print("\nIndexes and FKs per table:")
    for r in results:
        print(f"- {r['table']}: FKs {len(r['fks'])}; indexes:")
        for _name, size, definition in r["indexes"]:
            print(
                f"    - {definition.split(' ON ')[0].replace('CREATE ', '')} USING {definition.split(' USING ')[1]} "
                f"({size / lines:.0f} B/line)"
            )


def fresh_records(first: int, count: int, suspects: int):
    from bench_referrals import line

    from safeguard.referrals.parsers import Record

    rng = random.Random(first)
    records, offset = [], 0
    for n in range(first, first + count + count // 50):
        if n % 100 == 7 or len(records) == count:  # the generator's invalid lines: stages are timed on valid ones
            continue
        raw = json.dumps(line(n, rng, suspects)).encode()
        offset += len(raw) + 1
        records.append(Record(line_no=n, raw=raw, offset=offset))
    return records


def python_floor(imp, first_line: int, suspects: int) -> None:
    """(b): per-line CPU of each prepare stage alone, the whole prepare and commit's Python part."""
    import hashlib

    from django.db import connection, transaction

    from safeguard.core import bulk
    from safeguard.partners.mapping import report_fields
    from safeguard.referrals import pipeline
    from safeguard.referrals.routing import make_suggester
    from safeguard.referrals.schemas import ReferralIn
    from safeguard.subjects import extraction, normalise
    from safeguard.triage.features import active_model, report_features

    def clear():
        normalise.normalise.cache_clear()
        normalise.normalise_platform.cache_clear()

    n = sized(5000, 200)
    records = fresh_records(first_line, n, suspects)
    stages: dict[str, float] = {}

    def timed(name, fn):
        start = time.process_time()
        out = fn()
        stages[name] = (time.process_time() - start) / n * 1e6
        return out

    models = timed(
        "validate from bytes (model_validate_json)", lambda: [ReferralIn.model_validate_json(r.raw) for r in records]
    )
    dumped = timed("model_dump_json (canonical JSON)", lambda: [m.model_dump_json(exclude_none=True) for m in models])
    timed(
        "content hash (blake2b-128)", lambda: [hashlib.blake2b(d.encode(), digest_size=16).hexdigest() for d in dumped]
    )
    documents = timed("json.loads of the dump (document dict)", lambda: [json.loads(d) for d in dumped])
    partner = pipeline._Partner(name="Bench NCB", slug="referral-1")

    def mapping():
        out = []
        for document in documents:
            payload = {
                k: v for k, v in document.items() if k not in ("partnerReference", "suspectPostcode", "fileDetails")
            }
            out.append(report_fields(partner=partner, payload=payload, partner_report_id="x", files=[]))
        return out

    fields = timed("mapping (partners.mapping.report_fields)", mapping)
    clear()
    timed(
        "identifier extraction + normalisation (cold caches)",
        lambda: [
            [(i, i.key) for i in pipeline._found(d, extraction.normalise_platform(f["platform_name"]))]
            for d, f in zip(documents, fields, strict=True)
        ],
    )
    timed(
        "identifier extraction + normalisation (warm caches)",
        lambda: [
            [(i, i.key) for i in pipeline._found(d, extraction.normalise_platform(f["platform_name"]))]
            for d, f in zip(documents, fields, strict=True)
        ],
    )
    timed(
        "scoring factors (triage.features.report_features)",
        lambda: [report_features(pipeline._features_subject(f), prior_reports=0) for f in fields],
    )
    clear()
    prepared = timed(
        "whole prepare_chunk (cold caches)",
        lambda: pipeline.prepare_chunk(records, import_pk=imp.pk, partner=imp.partner),
    )

    # Commit: this process's CPU (Python, psycopg encoding) apart from PostgreSQL's; write_rows measured alone.
    encode: dict[str, float] = {}
    original = bulk.write_rows

    def measured(model, rows):
        start = time.process_time()
        values = bulk._dict_values(rows, *_names_defaults_converters(model, rows)) if rows else []
        encode[f"row building ({model.__name__})"] = encode.get(f"row building ({model.__name__})", 0) + (
            time.process_time() - start
        )
        start = time.process_time()
        original(model, rows)
        encode[f"write_rows total ({model.__name__})"] = encode.get(f"write_rows total ({model.__name__})", 0) + (
            time.process_time() - start
        )
        del values

    pipeline.write_rows = measured
    model, suggester = active_model(fresh=True), make_suggester()
    from safeguard.audit.services import Actor

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]

    class Rollback(Exception):
        pass

    start_wall, start_cpu, start_backend = time.perf_counter(), time.process_time(), process_cpu_seconds(backend)
    try:
        with transaction.atomic():
            pipeline.commit_chunk(
                imp=imp, prepared=prepared, model=model, suggester=suggester, actor=Actor.system("floor")
            )
            commit_python = time.process_time() - start_cpu
            commit_backend = process_cpu_seconds(backend) - start_backend
            commit_wall = time.perf_counter() - start_wall
            raise Rollback
    except Rollback:
        pass
    finally:
        pipeline.write_rows = original
    # building rows is measured twice inside `measured` (once alone, once inside write_rows): take it out once.
    built = sum(v for k, v in encode.items() if k.startswith("row building"))
    commit_python -= built
    print(f"\n## (b) Python floors per line (us of CPU, {n:,} fresh lines, suspects={suspects or 'all distinct'})")
    print("| stage | us/line |\n|---|--:|")
    for name, value in stages.items():
        print(f"| {name} | {value:.1f} |")
    print(f"| commit_chunk: this process's CPU (Python + psycopg) | {commit_python / n * 1e6:.1f} |")
    for name, value in sorted(encode.items()):
        if name.startswith("write_rows"):
            label = name.replace("write_rows total", "write_rows (build + encode + send)")
            print(f"| . {label} | {value / n * 1e6:.1f} |")
        else:
            print(f"| . {name} | {value / n * 1e6:.1f} |")
    print(f"| commit_chunk: PostgreSQL backend CPU (before commit; rolled back) | {commit_backend / n * 1e6:.1f} |")
    print(f"| commit_chunk: wall | {commit_wall / n * 1e6:.1f} |")
    prep = stages["whole prepare_chunk (cold caches)"]
    total = prep + commit_python / n * 1e6
    print(f"\nPython per line (prepare + commit's Python): {total:.0f} us -> {1e6 / total:,.0f} lines per CPU second")


def _names_defaults_converters(model, rows):
    from django.db import models as m

    from safeguard.core import bulk

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    defaults = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(None)
        elif f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        elif isinstance(f, m.CharField | m.TextField):
            defaults.append("")
        else:
            defaults.append(None)
    return [f.attname for f in fields], defaults, [bulk._dict_converter(f) for f in fields]


STAGING_STATEMENTS = [
    (
        "parse: raw text -> jsonb + md5 content hash (unlogged)",
        "CREATE UNLOGGED TABLE stg AS SELECT n AS line_no, line::jsonb AS doc, md5(line) AS h "
        "FROM (SELECT row_number() OVER () AS n, line FROM stg_raw) r",
    ),
    (
        "de-duplicate in file and against held lines (DISTINCT ON hash, anti-join)",
        "CREATE UNLOGGED TABLE stg_ok AS SELECT DISTINCT ON (h) s.*, nextval(pg_get_serial_sequence("
        "'reporting_report', 'id')) AS report_id FROM stg s WHERE doc->'incidentSummary'->>'incidentType' <> "
        "'not_a_known_type' AND NOT EXISTS (SELECT 1 FROM referrals_referralline l WHERE l.content_hash = s.h) "
        "ORDER BY h, line_no",
    ),
    (
        "INSERT report rows (jsonb -> columns, details jsonb)",
        "INSERT INTO floor_report ({report_columns}) SELECT {report_values} FROM stg_ok",
    ),
    (
        "INSERT identifier rows (screen name, e-mails, IPs: lower(), sha256 key)",
        "INSERT INTO floor_identifier ({identifier_columns}) SELECT {identifier_values} FROM ("
        "SELECT report_id, 'subject' AS role, 'username' AS kind, doc->'personOrUserReported'->>'screenName' AS raw, "
        "lower(doc->'personOrUserReported'->>'screenName') AS value FROM stg_ok "
        "UNION ALL SELECT report_id, 'subject', 'email', e, lower(e) FROM stg_ok, "
        "jsonb_array_elements_text(doc->'personOrUserReported'->'emails') e "
        "UNION ALL SELECT report_id, 'subject', 'ip', i->>'ipAddress', i->>'ipAddress' FROM stg_ok, "
        "jsonb_array_elements(doc->'personOrUserReported'->'ipCaptureEvents') i) x",
    ),
    (
        "link: known subjects of the file's keys (join with held identifiers)",
        "CREATE UNLOGGED TABLE stg_known AS SELECT DISTINCT i.report_id, l.subject_id FROM floor_identifier i "
        "JOIN subjects_reportidentifier h ON h.key = i.key AND h.mergeable JOIN subjects_reportsubject l "
        "ON l.report_id = h.report_id",
    ),
    (
        "subjects: matched or a new id per report (left join, nextval)",
        "CREATE UNLOGGED TABLE stg_subj AS SELECT o.report_id, COALESCE(k.subject_id, nextval("
        "pg_get_serial_sequence('subjects_subject', 'id'))) AS subject_id, k.subject_id IS NOT NULL AS matched "
        "FROM stg_ok o LEFT JOIN (SELECT DISTINCT ON (report_id) * FROM stg_known ORDER BY report_id, subject_id) k "
        "ON k.report_id = o.report_id",
    ),
    (
        "INSERT new subject rows",
        "INSERT INTO subjects_subject ({subject_columns}) SELECT {subject_values} FROM stg_subj WHERE NOT matched",
    ),
    (
        "INSERT link rows",
        "INSERT INTO floor_link (report_id, subject_id, linked_at) SELECT report_id, subject_id, now() FROM stg_subj",
    ),
    (
        "INSERT triage rows (factors from jsonb, CASE scoring)",
        "INSERT INTO floor_triage ({triage_columns}) SELECT {triage_values} FROM stg_ok",
    ),
    (
        "INSERT line rows",
        "INSERT INTO floor_line (referral_import_id, line_no, content_hash, outcome, report_id, priority, score, "
        "subject_id, matched_subject, recipient_basis) SELECT {import_id}, line_no, h, 'accepted', report_id, 3, 0.5, "
        "NULL, false, '' FROM stg_ok",
    ),
]


def _column_list(cursor, table: str, skip: tuple = ("id",)) -> list[tuple[str, str, bool]]:
    cursor.execute(
        "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row for row in cursor.fetchall() if row[0] not in skip]


def _filler(column: str, data_type: str, nullable: bool, known: dict[str, str]) -> str:
    if column in known:
        return known[column]
    if nullable:
        return "NULL"
    return {
        "character varying": "''",
        "text": "''",
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "double precision": "0",
        "real": "0",
        "numeric": "0",
        "jsonb": "'{}'::jsonb",
        "date": "current_date",
        "timestamp with time zone": "now()",
    }.get(data_type, "NULL")


def staging_cost(pg, meter_for, lines: int, suspects: int, import_id: int, workdir: Path) -> None:
    """(c): the set-based design's PostgreSQL cost, statement by statement."""
    from bench_referrals import write_file

    path = workdir / "staging.jsonl"
    write_file(path, lines, suspects)
    cursor = pg.cursor()
    targets = {
        "floor_report": "reporting_report",
        "floor_identifier": "subjects_reportidentifier",
        "floor_link": "subjects_reportsubject",
        "floor_triage": "triage_reporttriage",
        "floor_line": "referrals_referralline",
    }
    for copy_table, table in targets.items():
        cursor.execute(f"DROP TABLE IF EXISTS {copy_table} CASCADE")
        cursor.execute(f"CREATE TABLE {copy_table} (LIKE {table} INCLUDING ALL)")
        for name, definition in foreign_keys(cursor, table):
            # Rows of the staged reports are in floor_report, not in the real table.
            definition = definition.replace("REFERENCES reporting_report(", "REFERENCES floor_report(")
            cursor.execute(f"ALTER TABLE {copy_table} ADD CONSTRAINT stg_{name[:40]} {definition}")
    pg.commit()
    doc = "doc"
    report_known = {
        # Unique by construction here; the pipeline draws random ones and checks them against the table.
        "reference": "'SG-' || lpad(to_hex(report_id), 9, '0')",
        "source": "'referral'",
        "status": "'triaged'",
        "priority": "3",
        "platform_name": f"left({doc}->'incidentSummary'->>'platform', 200)",
        "other_category_detail": f"replace({doc}->'incidentSummary'->>'incidentType', '_', ' ')",
        "subject_identifiers": f"concat_ws(' ', {doc}->'personOrUserReported'->>'screenName', "
        f"{doc}->'personOrUserReported'->'emails'->>0)",
        "incident_date": f"left({doc}->'incidentSummary'->>'incidentDateTime', 10)::date",
        "account": f"left({doc}->>'additionalInfo', 10000)",
        "details": f"jsonb_build_object('partner_escalated', false, "
        f"'partner_api', jsonb_build_object('payload', {doc}))",
        "priority_reasons": "'[]'::jsonb",
        "categories": "'[]'::jsonb",
        "created_at": "now()",
        "updated_at": "now()",
    }
    report_columns = _column_list(cursor, "reporting_report", skip=())
    report_known["id"] = "report_id"
    identifier_known = {
        "report_id": "report_id",
        "role": "role",
        "kind": "kind",
        "platform": "''",
        "raw": "raw",
        "value": "value",
        "key": "left(encode(sha256(convert_to(kind || '|' || value, 'UTF8')), 'hex'), 40)",
        "valid": "true",
        "problem": "''",
        "strong": "kind <> 'ip'",
        "mergeable": "kind <> 'ip'",
        "observed_at": "NULL",
        "detail": "'{}'::jsonb",
    }
    identifier_columns = _column_list(cursor, "subjects_reportidentifier")
    subject_columns = _column_list(cursor, "subjects_subject", skip=())
    triage_columns = _column_list(cursor, "triage_reporttriage", skip=())
    triage_known = {
        "report_id": "report_id",
        "score": f"(CASE WHEN {doc}->'incidentSummary'->'reportAnnotations' ? 'sextortion' THEN 0.3 ELSE 0 END"
        f" + CASE WHEN ({doc}->'victims'->0->>'age')::int < 13 THEN 0.4 ELSE 0.1 END"
        f" + CASE WHEN {doc}->>'additionalInfo' ~* 'secret|meet' THEN 0.2 ELSE 0 END)",
        "model_version": "1",
        "scored_at": "now()",
        "prior_report_count": "0",
        "youngest_victim_age": f"({doc}->'victims'->0->>'age')::int",
        "occurred_day": f"current_date - left({doc}->'incidentSummary'->>'incidentDateTime', 10)::date",
    }

    def cols(columns):
        return ", ".join(c for c, _, _ in columns)

    def values(columns, known):
        return ", ".join(_filler(c, t, nullable, known) for c, t, nullable in columns)

    fmt = {
        "report_columns": cols(report_columns),
        "report_values": values(report_columns, report_known),
        "identifier_columns": cols(identifier_columns),
        "identifier_values": values(identifier_columns, identifier_known),
        "subject_columns": cols(subject_columns),
        "subject_values": values(subject_columns, {"id": "subject_id"}),
        "triage_columns": cols(triage_columns),
        "triage_values": values(triage_columns, triage_known),
        "import_id": import_id,
    }
    cursor.execute("DROP TABLE IF EXISTS stg_raw, stg, stg_ok, stg_known, stg_subj")
    cursor.execute("CREATE UNLOGGED TABLE stg_raw (line text)")
    pg.commit()
    results = []
    with meter_for() as m:
        with (
            path.open("rb") as source,
            cursor.copy("COPY stg_raw (line) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')") as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        pg.commit()
    results.append(("COPY raw lines into an unlogged staging table", m))
    for name, statement in STAGING_STATEMENTS:
        sql = statement.format(**fmt)
        with meter_for() as m:
            cursor.execute(sql)
            pg.commit()
        results.append((name, m))
    scale = 1_000_000 / lines
    print(f"\n## (c) Set-based staging design: PostgreSQL cost on {lines:,} lines, scaled to 1,000,000")
    print("| statement | wall s/1M | backend CPU s/1M | server CPU s/1M |\n|---|--:|--:|--:|")
    totals = [0.0, 0.0, 0.0]
    for name, m in results:
        figures = [m.wall * scale, m.backend_cpu * scale, m.server * scale]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(f"| {name} | " + " | ".join(f"{v:.1f}" for v in figures) + " |")
    print("| **all** | " + " | ".join(f"**{v:.1f}**" for v in totals) + " |")
    cursor.execute("DROP TABLE IF EXISTS stg_raw, stg, stg_ok, stg_known, stg_subj")
    for copy_table in targets:
        cursor.execute(f"DROP TABLE IF EXISTS {copy_table} CASCADE")
    pg.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50_000, help="lines imported for the write floor (a)")
    parser.add_argument("--suspects", type=int, default=0)
    parser.add_argument("--staging-lines", type=int, default=200_000, help="lines for the staging design (c)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-floor-"))
    try:
        with throwaway_postgres() as database_url:
            os.environ["DATABASE_URL"] = database_url
            django_dir = setup()
            import psycopg
            from bench_referrals import seed_known_subjects, write_file
            from django.db import connection

            from safeguard.referrals import services

            port = int(database_url.rsplit(":", 1)[1].split("/")[0])
            postmaster = postmaster_pid(port)
            seed_known_subjects()
            path = workdir / "referrals.jsonl"
            write_file(path, args.lines, args.suspects)
            imp = services.create_import(
                user=None, partner="Bench NCB", fmt="jsonl", original_name=path.name, path=path, check=False
            )
            with connection.cursor() as c:
                before = max_ids(c)
                c.execute("SELECT pg_backend_pid()")
                django_backend = c.fetchone()[0]
            print(f"# load average at start: {os.getloadavg()}", flush=True)
            with Meter(django_backend, postmaster) as m:
                done = services.run_import(imp.pk, workers=0)
            print(
                f"## The import itself: {done.records_read:,} lines, {done.accepted:,} accepted, "
                f"{done.duplicates:,} duplicates, {done.linked:,} linked"
            )
            print(
                f"wall {m.wall:.1f} s ({done.records_read / m.wall:,.0f} lines/s); Python CPU {m.python:.1f} s "
                f"({done.records_read / m.python:,.0f} lines/CPU s); backend CPU {m.backend_cpu:.1f} s; "
                f"whole server CPU {m.server:.1f} s; per 1M lines: Python {m.python * 1e6 / done.records_read:.0f}"
                f" s, server {m.server * 1e6 / done.records_read:.0f} s",
                flush=True,
            )
            pg = psycopg.connect(database_url)
            backend = pg.execute("SELECT pg_backend_pid()").fetchone()[0]
            pg.commit()

            def meter_for():
                return Meter(backend, postmaster)

            if "a" not in skip:
                print_write_floor(write_floor(pg, meter_for, before, args.lines), args.lines)
                sys.stdout.flush()
            if "b" not in skip:
                python_floor(imp, args.lines + 10_000_000, args.suspects)
                sys.stdout.flush()
            if "c" not in skip:
                staging_cost(pg, meter_for, args.staging_lines, args.suspects, imp.pk, workdir)
            print(f"# load average at end: {os.getloadavg()}")
            pg.close()
            connection.close()
            shutil.rmtree(django_dir, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
