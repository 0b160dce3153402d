"""Triage engine speed: linking a new report against many stored identifiers, and rescoring a million reports.

Prints
- `link median ms: N`: median time of `subjects.services.link_report` for a new report, called as the triage
  task calls it (extraction, storing its identifiers, the strong-identifier lookup, attaching or creating the
  subject, commit; its audit entry is handed back and appended with the task's own entry, so it is not in
  this figure), with the largest identifier table measured;
- `link cpu median ms: N`: the same in CPU time of this process (user + system), which the neighbours on a
  shared machine do not inflate;
- `link lookup median ms: N` (per size): the index lookup alone (`subjects_for_keys`);
- `link scaling ratio: R`: link CPU median at the largest size / at the smallest size (and
  `link scaling ratio wall`, the same with wall-clock medians)
  (BENCH_LINK_SIZES, default 100k and 1M; add 10000000 for the issue's 10M when there are ~5 spare minutes);
- `rescore 1M s: N`: `triage.engine.rescore()` over BENCH_RESCORE open reports (default 1,000,000).

Filler rows are generated inside the database (a recursive CTE); the probes go through the real code.
`rescore 1M first pass s` is the first scoring of imported reports (every row written); `rescore 1M s` is
the measured case: the weights change and every open report is rescored (only changed rows written).
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import emit, setup, sized

# 10M is opt-in (BENCH_LINK_SIZES=100000,1000000,10000000): generating it takes about five minutes here.
SIZES = [int(s) for s in os.environ.get("BENCH_LINK_SIZES", "100000,1000000").split(",")]
RESCORE = int(os.environ.get("BENCH_RESCORE", "1000000"))
IDS_PER_REPORT = 5
ROUNDS = sized(200, 4)


def _sql(statement: str, params=()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table names
        return cursor.fetchone()[0]


def _fill_reports(template_id: int, first: int, count: int) -> None:
    """`count` report rows copied from a template in one statement, ids first..first+count-1."""
    from django.db import connection

    from safeguard.reporting.models import Report

    table = Report._meta.db_table
    columns = [f.column for f in Report._meta.concrete_fields if f.column != "id"]
    chosen = []
    for column in columns:
        if column == "reference":
            chosen.append("'B' || x")
        elif column == "priority":
            chosen.append("1 + (x % 4)")
        else:
            chosen.append(column)
    names = ", ".join(["id", *columns])
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE seq(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM seq WHERE x < %s) "  # noqa: S608
            f"INSERT INTO {table} ({names}) SELECT x, {', '.join(chosen)} FROM seq, "
            f"(SELECT * FROM {table} WHERE id = %s)",
            [first, first + count - 1, template_id],
        )


def _fill_identifiers(first_report: int, reports: int, start_seq: int) -> None:
    """IDS_PER_REPORT noise identifiers per report: unique keys that no probe will hit."""
    from safeguard.subjects.models import ReportIdentifier

    table = ReportIdentifier._meta.db_table
    _sql(
        f"WITH RECURSIVE seq(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM seq WHERE x < %s) "  # noqa: S608
        f"INSERT INTO {table} (report_id, role, kind, platform, raw, value, key, valid, problem, strong, mergeable, "
        "detail) "
        f"SELECT %s + (x - %s) / {IDS_PER_REPORT}, 'subject', 'email', '', 'u' || x || '@example.net', "
        f"'u' || x || '@example.net', printf('%%040x', x * 2654435761 % 1099511627776) || '', 1, '', 1, 1, '' FROM seq",
        [start_seq, start_seq + reports * IDS_PER_REPORT - 1, first_report, start_seq],
    )


def _max_report_id() -> int:
    from django.db.models import Max

    from safeguard.reporting.models import Report

    return Report.objects.aggregate(top=Max("id"))["top"] or 0


def _new_report(text: str):
    from safeguard.reporting.models import Report
    from safeguard.reporting.references import new_reference

    return Report.objects.create(reference=new_reference(), subject_identifiers=text, platform_name="ChatterBox")


def _measure_link(seeds: list[str]) -> tuple[float, float, float]:
    """Medians of (link wall ms, link CPU ms, lookup wall ms) over ROUNDS new reports."""
    from django.db import transaction

    from safeguard.audit.services import record_many
    from safeguard.subjects.extraction import from_identifier_box
    from safeguard.subjects.services import link_report, subjects_for_keys

    link_times, link_cpu, lookup_times = [], [], []
    for n in range(ROUNDS):
        # Half the probes are about a person already known (a hit), half are new people.
        known = random.choice(seeds) if n % 2 else f"new{random.randrange(10**12)}@example.org"
        report = _new_report(f"{known} @probe_{n} 07911 {100000 + n}")
        keys = [f.key for f in from_identifier_box(report.subject_identifiers, platform="chatterbox") if f.mergeable]
        start = time.perf_counter()
        subjects_for_keys(keys)
        lookup_times.append((time.perf_counter() - start) * 1000)
        # As the triage task calls it: the combination entry joins the task's own audit append.
        entries: list = []
        start, start_cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            link_report(report, audit_entries=entries)
        link_cpu.append((time.process_time() - start_cpu) * 1000)
        link_times.append((time.perf_counter() - start) * 1000)
        record_many(entries)
    return statistics.median(link_times), statistics.median(link_cpu), statistics.median(lookup_times)


def bench_link() -> None:
    from safeguard.subjects.models import ReportIdentifier
    from safeguard.subjects.services import link_report

    template = _new_report("template@example.org")
    seeds = [f"seed{n}@example.org" for n in range(50)]
    for seed in seeds:
        link_report(_new_report(seed))
    medians = {}
    next_seq = 1
    for size in SIZES:
        missing = size - ReportIdentifier.objects.count()
        if missing > 0:
            reports = -(-missing // IDS_PER_REPORT)
            started = time.perf_counter()
            next_report = _max_report_id() + 1_000
            _fill_reports(template.pk, next_report, reports)
            _fill_identifiers(next_report, reports, next_seq)
            _sql("ANALYZE")
            next_seq += reports * IDS_PER_REPORT
            print(
                f"# filled to {_count(ReportIdentifier._meta.db_table)} identifiers "
                f"in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        link, cpu, lookup = _measure_link(seeds)
        medians[size] = (link, cpu)
        emit(f"link median ms at {size}", link, "ms")
        emit(f"link cpu median ms at {size}", cpu, "ms")
        emit(f"link lookup median ms at {size}", lookup, "ms")
    largest, smallest = max(medians), min(medians)
    emit("link median ms", medians[largest][0], "ms")
    emit("link cpu median ms", medians[largest][1], "ms")
    # On a shared machine the wall clock mostly measures the neighbours: the ratio uses CPU time
    # (user + system: SQLite page reads and WAL writes are system time in this process).
    emit("link scaling ratio", medians[largest][1] / medians[smallest][1])
    emit("link scaling ratio wall", medians[largest][0] / medians[smallest][0])


def bench_rescore() -> None:
    from safeguard.reporting.models import Report
    from safeguard.triage import engine
    from safeguard.triage.features import ActiveModel
    from safeguard.triage.models import ReportTriage
    from safeguard.triage.scoring import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS

    template = _new_report("rescore-template@example.org")
    first = _max_report_id() + 1_000
    started = time.perf_counter()
    _fill_reports(template.pk, first, RESCORE)
    _sql(f"UPDATE {Report._meta.db_table} SET status = 'triaged' WHERE id >= %s", [first])  # noqa: S608
    table = ReportTriage._meta.db_table
    _sql(
        f"INSERT INTO {table} (report_id, danger_now, partner_escalation, offline_meeting, images, threats, "  # noqa: S608
        "victim_age, "
        "victims, prior_reports, hash_match, role_access, wanted_sighting, danger_words, self_harm, secrecy, gifts, "
        "adult_age, words, occurred_day, prior_report_count, score, model_version) "
        "SELECT id, (id % 97 = 0), 0, (id % 7 = 0), (id % 3 = 0), (id % 11 = 0), (id % 18) / 18.0, (id % 5) / 5.0, "
        "(id % 6) / 5.0, (id % 113 = 0), (id % 17 = 0), 0, (id % 89 = 0), (id % 101 = 0), (id % 13 = 0), "
        "(id % 19 = 0), (id % 23 = 0), '{}', 739000 + (id % 60), 0, 0, 0 "
        f"FROM {Report._meta.db_table} WHERE id >= %s",
        [first],
    )
    print(f"# {RESCORE} open reports with features in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    label = "rescore 1M" if RESCORE == 1_000_000 else f"rescore {RESCORE}"
    # First pass: every report gets the engine's band and reasons (all rows written, as after an import).
    start = time.perf_counter()
    _, _, total, changed = engine.rescore()
    emit(f"{label} first pass s", time.perf_counter() - start, "s")
    print(f"# first pass: {total} scored, {changed} rewritten", file=sys.stderr)
    # The measured case: a supervisor changes the weights, every open report is rescored.
    weights = {**DEFAULT_WEIGHTS, "images": 35, "victim_age": 30, "prior_reports": 20}
    model = ActiveModel(1, weights, DEFAULT_THRESHOLDS)
    start = time.perf_counter()
    before, after, total, changed = engine.rescore(model=model)
    seconds = time.perf_counter() - start
    print(
        f"# after a model change: {total} scored, {changed} rewritten; before {dict(before)} after {dict(after)}",
        file=sys.stderr,
    )
    emit(f"{label} s", seconds, "s")


def main() -> None:
    import shutil

    workdir = setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        _sql("PRAGMA journal_mode = WAL")
        _sql("PRAGMA synchronous = NORMAL")
        _sql("PRAGMA cache_size = -200000")
    random.seed(5)
    try:
        bench_link()
        bench_rescore()
    finally:
        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file runs to gigabytes


if __name__ == "__main__":
    main()
