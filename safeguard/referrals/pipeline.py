"""Processing one chunk of referral records: validate, de-duplicate, map, extract, link, score, route, write.

Everything for a chunk happens in the caller's transaction with the import's checkpoint, so a chunk is
either wholly committed or not at all: a crash never leaves half a chunk, and a resume starts after the
last committed record (docs/adr/0070). Work is per chunk, not per row: one query finds duplicates for the
whole chunk, one finds the known subjects of all its identifiers, and the rows go in with COPY.
"""

import hashlib
import json
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from pydantic import ValidationError

from safeguard.audit.services import Action, Actor, PendingEntry, record_many
from safeguard.core.bulk import allocate_ids, write_rows
from safeguard.partners.mapping import report_fields
from safeguard.reporting.models import Report, Source, Status
from safeguard.reporting.references import ALPHABET
from safeguard.subjects import extraction
from safeguard.subjects.models import ReportIdentifier, ReportSubject, Subject
from safeguard.subjects.normalise import Kind
from safeguard.triage.features import MAX_COUNTED_PRIOR_REPORTS, STORED_FEATURES, ActiveModel, report_features
from safeguard.triage.models import ReportTriage
from safeguard.triage.scoring import score

from .models import LineOutcome, ReferralError, ReferralImport, ReferralLine
from .parsers import Record, decoded
from .routing import Suggester
from .schemas import ReferralIn


@dataclass
class ChunkResult:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    linked: int = 0
    notices: int = 0
    report_ids: list[int] = field(default_factory=list)


_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % 32]) for b in range(256))  # 256 is a multiple of 32: no bias


def _references(count: int) -> set[str]:
    """`count` new references in reporting's format: 8 random Crockford base32 characters, from one OS read."""
    chars = secrets.token_bytes(8 * count).translate(_BYTE_TO_CHAR).decode()
    return {f"SG-{chars[i : i + 4]}-{chars[i + 4 : i + 8]}" for i in range(0, 8 * count, 8)}


def _fresh_references(count: int) -> list[str]:
    """Unique among themselves and against the table (8 random characters collide rarely, but over a million do)."""
    references = _references(count)
    while True:
        while len(references) < count:
            references |= _references(count - len(references))
        found = {row[0] for row in _any("reference", Report._meta.db_table, "reference", list(references))}
        if not found:
            return list(references)
        references -= found


def _any(columns: str, table: str, column: str, values: list, *, extra: tuple | None = None) -> list[tuple]:
    """Rows whose `column` is one of `values`: one `= ANY(array)` query on PostgreSQL, IN batches on SQLite.

    Plain SQL: the ORM's compilation of a 5,000-value IN list costs more than the index lookups themselves.
    """
    rows: list[tuple] = []
    condition, condition_params = (f" AND {extra[0]} = %s", [extra[1]]) if extra else ("", [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {column} = ANY(%s){condition}",  # noqa: S608 - our names
                [values, *condition_params],
            )
            return cursor.fetchall()
        for start in range(0, len(values), 900):
            part = values[start : start + 900]
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(part))}){condition}",  # noqa: S608
                [*part, *condition_params],
            )
            rows += cursor.fetchall()
    return rows


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _validate(record: Record) -> tuple[dict | None, str, list[tuple[str, str]]]:
    """(document as JSON-ready dict, its content hash, problems).

    A JSON Lines line is validated straight from its bytes (pydantic's JSON parser, no `json.loads` and no
    Python dict in between); a line that fails goes the reader's way (`parsers.decoded`) and is validated again
    from the dict, so its messages are the reader's and the validator's as ever (ADR 0075).
    The hash is of the validated model's own JSON (pydantic's, in schema field order): the same content gives
    the same bytes whatever the key order or spacing of the line, and it costs no second encoding in Python.
    """
    document = None
    if record.raw is not None:
        try:
            document = ReferralIn.model_validate_json(record.raw)
        except ValidationError:
            record = decoded(record)
            if record.problems:
                return None, "", record.problems
    if document is None:
        try:
            document = ReferralIn.model_validate(record.data)
        except ValidationError as exc:
            return None, "", [(_field_name(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
    dumped = document.model_dump_json(exclude_none=True)
    # The JSON-ready dict from the JSON already made for the hash: json.loads (C) costs about half of a second
    # `model_dump(mode="json")` walk (ADR 0075), and gives the same dict.
    # (json.loads of str, not bytes: bytes cost an encoding detection and a decode first.)
    return json.loads(dumped), hashlib.blake2b(dumped.encode(), digest_size=16).hexdigest(), []


def _found(document: dict, platform: str) -> list[extraction.Found]:
    found = extraction.from_partner_payload(document, platform=platform)
    for file in document.get("fileDetails", []):
        if file.get("originalFileHash"):
            found.append(extraction.make(extraction.Role.FILE, Kind.FILE_HASH, file["originalFileHash"]))
    unique: dict[tuple, extraction.Found] = {}
    for item in found:
        unique.setdefault((item.role, item.kind, item.platform, item.value or item.raw), item)
    return list(unique.values())


def _existing_duplicates(hashes: list[str]) -> dict[str, tuple[int, int, int | None]]:
    """content hash -> (import id, line number, report id) of the first accepted line with it, from any import."""
    if not hashes:
        return {}
    table = ReferralLine._meta.db_table
    rows = sorted(
        _any(
            "id, content_hash, referral_import_id, line_no, report_id",
            table,
            "content_hash",
            hashes,
            extra=("outcome", LineOutcome.ACCEPTED),
        )
    )
    rows = [row[1:] for row in rows]
    found: dict[str, tuple[int, int, int | None]] = {}
    for digest, import_id, line_no, report_id in rows:
        found.setdefault(digest, (import_id, line_no, report_id))
    return found


def _known_subjects(keys: list[str]) -> dict[str, set[int]]:
    """strong identifier key -> subjects already holding it (one query for the whole chunk)."""
    if not keys:
        return {}
    identifiers, links = ReportIdentifier._meta.db_table, ReportSubject._meta.db_table
    result: dict[str, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 5000):
            part = keys[start : start + 5000]
            if connection.vendor == "postgresql":
                where, params = "i.key = ANY(%s)", [part]
            else:
                where, params = f"i.key IN ({', '.join(['%s'] * len(part))})", part
            cursor.execute(
                f"SELECT i.key, l.subject_id FROM {identifiers} i JOIN {links} l ON l.report_id = i.report_id "  # noqa: S608
                f"WHERE {where} AND i.mergeable = %s",
                [*params, True],
            )
            for key, subject_id in cursor.fetchall():
                result[key].add(subject_id)
    return result


def _report_counts(subject_ids: set[int]) -> Counter:
    if not subject_ids:
        return Counter()
    rows = (
        ReportSubject.objects.filter(subject_id__in=list(subject_ids)).values_list("subject_id").annotate(n=Count("id"))
    )
    return Counter(dict(rows))


class _Groups:
    """Union-find over the chunk's accepted lines: lines sharing a strong identifier are one person."""

    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Accepted:
    line_no: int
    element: str
    digest: str
    fields: dict
    found: list
    subject_keys: list[str]
    strong_keys: list[str]
    features: dict
    route: tuple  # (postcode, ip, country) for the recipient suggestion
    subject_id: int | None = None
    matched: bool = False
    prior: int = 0


def _link(accepted: list[_Accepted], actor: Actor) -> tuple[set[int], list[int], set[int]]:
    """Give each line its subject. Returns (known subjects matched, new subject ids, known subjects refreshed).

    Known subjects that lines prove to be one person are merged in one go for the whole chunk
    (subjects.services.merge_subject_groups): a subject two groups of lines both name is merged once.
    """
    from safeguard.subjects.services import merge_subject_groups

    groups = _Groups(len(accepted))
    first_with_key: dict[str, int] = {}
    for n, item in enumerate(accepted):
        for key in item.strong_keys:
            if key in first_with_key:
                groups.union(first_with_key[key], n)
            else:
                first_with_key[key] = n
    known = _known_subjects(sorted(first_with_key))
    members: dict[int, list[int]] = defaultdict(list)
    for n, item in enumerate(accepted):
        if item.subject_keys:
            members[groups.find(n)].append(n)
    existing_of: dict[int, list[int]] = {}
    needs_new: list[int] = []
    for root, rows in members.items():
        existing = set().union(*(known.get(k, set()) for n in rows for k in accepted[n].strong_keys))
        if existing:
            existing_of[root] = sorted(existing)
        else:
            needs_new.append(root)
    # The same strong identifier proves these are one person, as in single-report linking.
    survivor_of = merge_subject_groups(
        groups=existing_of.values(), reason="Shares a strong identifier with a bulk referral line", actor=actor
    )
    matched: set[int] = set()
    for root, existing in existing_of.items():
        subject_id = survivor_of[existing[0]]
        matched.add(subject_id)
        for n in members[root]:
            accepted[n].subject_id, accepted[n].matched = subject_id, True
    new_ids = allocate_ids(Subject, len(needs_new))
    write_rows(Subject, [{"id": i} for i in new_ids])
    for root, subject_id in zip(needs_new, new_ids, strict=True):
        for n in members[root]:
            accepted[n].subject_id = subject_id
    counts = _report_counts(matched)
    group_size = Counter(item.subject_id for item in accepted if item.subject_id)
    for item in accepted:
        if item.subject_id:
            item.prior = counts.get(item.subject_id, 0) + group_size[item.subject_id] - 1
    # Reports already held gain prior reports, but the factor stops at MAX_COUNTED_PRIOR_REPORTS: a subject
    # with more held reports than that is saturated and needs nothing, unless a merge just joined reports
    # counted against a smaller subject (docs/adr/0074).
    merged = {survivor for absorbed, survivor in survivor_of.items() if absorbed != survivor}
    refresh = {s for s in matched if counts.get(s, 0) <= MAX_COUNTED_PRIOR_REPORTS} | merged
    return matched, new_ids, refresh


def _refresh_known_subjects(subject_ids: set[int]) -> None:
    """Reports already held about these subjects gain prior reports: one UPDATE of the factor for the reports
    whose factor can still change, then a rescore of just those.

    Stored counts at or above MAX_COUNTED_PRIOR_REPORTS are left as they are ("at least that many"): the
    factor cannot grow past it, and keeping exact counts would rewrite every report of a busy subject on
    every chunk (docs/adr/0074).
    """
    if not subject_ids:
        return
    from safeguard.triage import engine

    triage, links = ReportTriage._meta.db_table, ReportSubject._meta.db_table
    cap = MAX_COUNTED_PRIOR_REPORTS
    ids = sorted(subject_ids)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {triage} SET prior_report_count = c.n - 1, "  # noqa: S608 - our own table names
            f"prior_reports = {'LEAST' if postgres else 'MIN'}(c.n - 1, %s) * 1.0 / %s "
            f"FROM (SELECT l.report_id, s.n FROM {links} l JOIN (SELECT subject_id, COUNT(*) AS n FROM {links} "
            f"WHERE subject_id {'= ANY(%s)' if postgres else 'IN (' + ', '.join(['%s'] * len(ids)) + ')'} "
            "GROUP BY subject_id) s ON s.subject_id = l.subject_id) c "
            f"WHERE {triage}.report_id = c.report_id AND {triage}.prior_report_count < %s "
            f"AND {triage}.prior_report_count <> c.n - 1 RETURNING {triage}.report_id",
            [cap, cap, *([ids] if postgres else ids), cap],
        )
        changed = sorted(row[0] for row in cursor.fetchall())
    for start in range(0, len(changed), 500):
        engine.rescore(report_ids=changed[start : start + 500])


def _deconflict(imp: ReferralImport, matched: set[int], first_report_of: dict[int, int]) -> int:
    """Tell whoever works a matched subject that a referral line concerns it (one notice per holder and report).

    Every provider (assigned reports, cases, operations, sent packages) first says in one query which matched
    subjects it holds at all; only those are read in full."""
    from safeguard.subjects.deconfliction import holdings_for_subjects
    from safeguard.triage.deconfliction_notices import notify_holders

    sent = 0
    for subject_id, found in holdings_for_subjects(matched).items():
        report_id = first_report_of.get(subject_id)
        sent += notify_holders(
            [holding for holding in found if holding.report_id != report_id],
            report=Report(pk=report_id),
            message=(
                f"A bulk referral from {imp.partner} (import {imp.pk}) concerns a subject you are working. "
                "Talk to the supervisor allocating it before acting."
            ),
        )
    return sent


MAX_P1_NOTICES_PER_CHUNK = 50


def _notify_p1(rows: list[dict]) -> None:
    """P1 lines alert the on-duty supervisors as a P1 report from any source does.

    Capped per chunk so a file of escalated lines cannot bury the supervisors in notices: beyond the cap the
    import summary lists them first anyway.
    """
    from safeguard.triage.notifications import notify_p1_many

    if rows:
        notify_p1_many([Report(pk=row["id"], reference=row["reference"]) for row in rows[:MAX_P1_NOTICES_PER_CHUNK]])


def _features_subject(fields: dict) -> SimpleNamespace:
    # report_features reads attributes only; an unsaved stand-in avoids building Report instances.
    return SimpleNamespace(
        pk=None, source=Source.REFERRAL, child_in_danger_now=False, created_at=None, subject_claimed_age="", **fields
    )


class _Partner(SimpleNamespace):
    """What partners.mapping needs of a partner: its name and slug."""


@dataclass
class PreparedChunk:
    """The database-free part of a chunk's work, done where there is a spare core (see workers.py)."""

    read: int
    first_line: int
    last_line: int
    last_offset: int
    rejected: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, element, field, reason
    items: list[_Accepted] = field(default_factory=list)  # valid lines, duplicates not yet known


def prepare_chunk(records: list[Record], *, import_pk: int, partner: str) -> PreparedChunk:
    """Validate, hash, map, extract identifiers and compute scoring factors. Touches no database."""
    prepared = PreparedChunk(
        read=len(records),
        first_line=records[0].line_no,
        last_line=records[-1].line_no,
        last_offset=records[-1].offset,
    )
    mapping_partner = _Partner(name=partner, slug=f"referral-{import_pk}")
    _prepare_records(prepared, records, import_pk=import_pk, partner=partner, mapping_partner=mapping_partner)
    return prepared


def _prepare_records(
    prepared: PreparedChunk, records: list[Record], *, import_pk: int, partner: str, mapping_partner: _Partner
) -> None:
    for record in records:
        problems = record.problems
        if not problems:
            document, digest, problems = _validate(record)
        if problems:
            prepared.errors += [(record.line_no, record.element, f, r) for f, r in problems]
            prepared.rejected += 1
            continue
        payload = {k: v for k, v in document.items() if k not in ("partnerReference", "suspectPostcode", "fileDetails")}
        files = [{"details": f} for f in document.get("fileDetails", [])]
        fields = report_fields(
            partner=mapping_partner,
            payload=payload,
            partner_report_id=document.get("partnerReference", ""),
            files=files,
        )
        fields["details"]["referral"] = {
            "import": import_pk,
            "partner": partner,
            "line": record.line_no,
            "partnerReference": document.get("partnerReference", ""),
            "suspectPostcode": document.get("suspectPostcode", ""),
        }
        found = [(i, i.key) for i in _found(document, extraction.normalise_platform(fields["platform_name"]))]
        subject_items = [(i, key) for i, key in found if i.role == extraction.Role.SUBJECT and key]
        person = document.get("personOrUserReported") or {}
        ips = [e.get("ipAddress") for e in person.get("ipCaptureEvents", []) if e.get("ipAddress")]
        prepared.items.append(
            _Accepted(
                line_no=record.line_no,
                element=record.element,
                digest=digest,
                fields=fields,
                found=found,
                subject_keys=[key for _, key in subject_items],
                strong_keys=sorted({key for i, key in subject_items if i.mergeable}),
                features=report_features(_features_subject(fields), prior_reports=0),
                route=(
                    document.get("suspectPostcode"),
                    ips[0] if ips else None,
                    (person.get("estimatedLocation") or {}).get("countryCode"),
                ),
            )
        )


def process_chunk(
    *, imp: ReferralImport, records: list[Record], model: ActiveModel, suggester: Suggester, actor: Actor
) -> ChunkResult:
    prepared = prepare_chunk(records, import_pk=imp.pk, partner=imp.partner)
    return commit_chunk(imp=imp, prepared=prepared, model=model, suggester=suggester, actor=actor)


def commit_chunk(
    *, imp: ReferralImport, prepared: PreparedChunk, model: ActiveModel, suggester: Suggester, actor: Actor
) -> ChunkResult:
    """De-duplicate, link, score, route and write a prepared chunk, in the caller's transaction."""
    result = ChunkResult(read=prepared.read, rejected=prepared.rejected)
    errors = [_error(imp, *problem) for problem in prepared.errors]
    lines: list[dict] = []
    accepted: list[_Accepted] = []
    seen: dict[str, int] = {}
    held = _existing_duplicates(sorted({item.digest for item in prepared.items}))
    for item in prepared.items:
        digest = item.digest
        earlier = held.get(digest)
        if digest in seen or earlier:
            same_file = digest in seen or earlier[0] == imp.pk
            line_no = seen[digest] if digest in seen else earlier[1]
            outcome = LineOutcome.DUPLICATE_IN_FILE if same_file else LineOutcome.DUPLICATE_EXISTING
            where = f"line {line_no} of this file" if same_file else f"line {line_no} of import {earlier[0]}"
            lines.append(_line(imp, item.line_no, digest, outcome, report_id=None if same_file else earlier[2]))
            errors.append(_error(imp, item.line_no, item.element, "", f"Duplicate of {where}: not imported again"))
            result.duplicates += 1
            continue
        seen[digest] = item.line_no
        accepted.append(item)
    matched, new_subjects, refresh = _link(accepted, actor)
    report_ids = allocate_ids(Report, len(accepted))
    references = _fresh_references(len(accepted))
    reports, triage_rows, identifier_rows, link_rows, fts_rows = [], [], [], [], []
    stamp = timezone.now()
    first_report_of: dict[int, int] = {}
    for item, report_id, reference in zip(accepted, report_ids, references, strict=True):
        features = item.features
        if item.prior:
            features = {
                **features,
                "prior_reports": min(item.prior, MAX_COUNTED_PRIOR_REPORTS) / MAX_COUNTED_PRIOR_REPORTS,
            }
        scored = score(features, model.weights, model.thresholds)
        postcode, ip, country = item.route
        suggestion = suggester.suggest(postcode=postcode, ip=ip, country=country)
        reports.append(
            {
                **item.fields,
                "id": report_id,
                "reference": reference,
                "source": Source.REFERRAL,
                "status": Status.TRIAGED,
                "priority": int(scored.band),
                "priority_reasons": scored.reasons,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        triage_rows.append(
            {
                "report_id": report_id,
                **{name: features[name] for name in STORED_FEATURES},
                "occurred_day": features["_occurred_day"],
                "youngest_victim_age": features["_youngest"],
                "prior_report_count": item.prior,
                "score": scored.score,
                "model_version": model.number,
                "scored_at": stamp,
            }
        )
        for found, key in item.found:
            strong = found.strong
            identifier_rows.append(
                {
                    "report_id": report_id,
                    "role": found.role,
                    "kind": str(found.kind),
                    "platform": found.platform,
                    "raw": found.raw,
                    "value": found.value,
                    "key": key,
                    "valid": found.valid,
                    "problem": found.problem,
                    "strong": strong,
                    "mergeable": strong and found.valid,
                    "observed_at": found.observed_at,
                    "detail": found.detail,
                }
            )
        if item.subject_id:
            link_rows.append({"report_id": report_id, "subject_id": item.subject_id, "linked_at": stamp})
            first_report_of.setdefault(item.subject_id, report_id)
        recipient = suggestion.recipient
        lines.append(
            _line(
                imp,
                item.line_no,
                item.digest,
                LineOutcome.ACCEPTED,
                report_id=report_id,
                priority=int(scored.band),
                score=scored.score,
                subject_id=item.subject_id,
                matched_subject=item.matched,
                suggested_recipient_id=recipient.pk if recipient is not None else None,
                recipient_basis=(suggestion.basis or "")[:100],
            )
        )
        if connection.vendor == "sqlite":
            text = [item.fields["account"], item.fields["subject_identifiers"], item.fields["other_category_detail"]]
            fts_rows.append((report_id, "\n".join(t for t in [*text, item.fields["platform_name"]] if t)))
        result.linked += item.matched
    write_rows(Report, reports)
    write_rows(ReportTriage, triage_rows)
    write_rows(ReportIdentifier, identifier_rows)
    write_rows(ReportSubject, link_rows)
    write_rows(ReferralLine, lines)
    write_rows(ReferralError, errors)
    if fts_rows:
        from safeguard.triage.search import FTS_TABLE

        with connection.cursor() as cursor:
            # SQLite can reuse the id of a deleted report, and the full-text table (a virtual table) is not
            # cleared with it: drop any stale row first, as the triage indexer does.
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(row[0],) for row in fts_rows])  # noqa: S608
            cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", fts_rows)  # noqa: S608
    _refresh_known_subjects(refresh)
    result.notices = _deconflict(imp, matched, first_report_of)
    _notify_p1([row for row in reports if row["priority"] == 1])
    result.accepted = len(accepted)
    result.report_ids = report_ids
    _audit(imp, [prepared.first_line, prepared.last_line], report_ids, link_rows, new_subjects, result, actor)
    return result


def _audit(imp, span, report_ids, link_rows, new_subjects, result, actor) -> None:
    """One collection entry and one combination entry per chunk, each listing the records (DPA 2018 s.62)."""
    entries = [
        PendingEntry(
            action=Action.COLLECTION,
            actor=actor,
            obj=imp,
            detail={
                "partner": imp.partner,
                "lines": span,
                "reports": report_ids,
                "rejected": result.rejected,
                "duplicates": result.duplicates,
            },
        )
    ]
    if link_rows:
        entries.append(
            PendingEntry(
                action=Action.COMBINATION,
                actor=Actor.system("referral import linking"),
                obj=imp,
                detail={
                    "lines": span,
                    "links": [[row["report_id"], row["subject_id"]] for row in link_rows],
                    "new_subjects": new_subjects,
                },
            )
        )
    record_many(entries)


def _error(imp: ReferralImport, line_no: int, element: str, field_name: str, reason: str) -> dict:
    return {
        "referral_import_id": imp.pk,
        "line_no": line_no,
        "element": element[:100],
        "field": field_name[:300],
        "reason": reason[:1000],
    }


def _line(imp, line_no, digest, outcome, **values) -> dict:
    return {
        "referral_import_id": imp.pk,
        "line_no": line_no,
        "content_hash": digest,
        "outcome": outcome,
        **values,
    }
