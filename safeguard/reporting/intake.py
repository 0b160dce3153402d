"""The one way reports are accepted, whatever their source (issue 19). A single report is a batch of one.

Reporting owns accepting: it builds the report rows, gives each a unique reference (one retry loop for one or
many), inserts them, joins their files, writes the audit entries and hands them on, all in one transaction. The
work other apps do for a new report is theirs: each registers an `IntakeStage` in its AppConfig.ready() and
reporting calls the stages in order (evidence ingests the files; triage gives the first priority and queues
triage). Reporting imports none of them: they sit above it (ADR 0096).

The public journey and sightings (`services.create_report`), the partner API's single and batch submissions all
come through `accept`; the referral import, which scores its lines itself a chunk at a time, through `reserve`
and `accept_rows`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction

from safeguard.audit.services import Action, Actor, PendingEntry, record, record_many
from safeguard.core.bulk import allocate_ids, insert_many, insert_sql, rows_where_in, write_rows
from safeguard.core.prepared import fetch_all
from safeguard.core.rows import mark_saved, new_rows

from .models import Attachment, Report, Source
from .references import new_reference, new_references

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 5  # 32^8 references make a clash very rare; a clash takes a fresh one


@dataclass(frozen=True)
class StoredUpload:
    """A file already sealed in evidence storage and checked, waiting to join a report."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    note: str = ""  # said to the person who sent it (e.g. hidden content found: staff will check it by hand)


@dataclass(frozen=True)
class Incoming:
    """One report to accept: its column values, its files, what its audit entry adds."""

    fields: dict
    uploads: Sequence[StoredUpload] = ()
    audit_detail: dict = field(default_factory=dict)
    follow_up_secret_hash: str = ""


@dataclass(frozen=True)
class IntakeStage:
    """What an app above reporting does for every accepted report. Any hook may be None.

    prioritise(reports): before the INSERT, set each report's first `priority` and `priority_reasons`.
    in_insert(report, sql, params): fold follow-on work into a single report's INSERT (a task row in the same
        statement; the report as prioritised, not yet saved); returns the combined (sql, params), or None.
    files(report, attachments, actor, written): inside the transaction, once the report's files are joined;
        appends the names of anything it stores to `written`.
    discard(written): after a failure, remove what `files` stored.
    accepted(reports, batch): inside the transaction, after the audit entries (queue work on commit). Reports
        whose follow-on went in with their INSERT are left out.
    rows_accepted(rows, extra): the set path (`accept_rows`, the referral import), after the report rows are
        written: write the stage's own rows for them (`extra`, what the caller prepared for this stage by name).
    amended(report, cause, detail): inside the transaction that added new information to an accepted report
        (the reporter's follow-up): queue the stage's work again (triage re-scores and marks the report as
        having new information). `cause` is an `Amendment` value.
    """

    name: str
    order: int  # lower first: evidence 10, triage 30
    prioritise: Callable[[list[Report]], None] | None = None
    in_insert: Callable[[Report, str, list], tuple[str, list] | None] | None = None
    files: Callable[[Report, list[Attachment], Actor, list[str]], None] | None = None
    discard: Callable[[list[str]], None] | None = None
    accepted: Callable[[list[Report], bool], None] | None = None
    rows_accepted: Callable[[list[dict], Any], None] | None = None
    amended: Callable[[Report, str, dict], None] | None = None


class Amendment:
    """Why an accepted report is handed on again."""

    FOLLOW_UP = "follow_up"  # the reporter added information through the follow-up page


_STAGES: list[IntakeStage] = []


def register_stage(stage: IntakeStage) -> None:
    """For an app's AppConfig.ready(); registering a stage of the same name again replaces it."""
    _STAGES[:] = sorted([s for s in _STAGES if s.name != stage.name] + [stage], key=lambda s: s.order)


def stages() -> tuple[IntakeStage, ...]:
    return tuple(_STAGES)


def accept(
    *,
    actor: Actor,
    source: Source,
    items: Sequence[Incoming],
    part_of_callers_transaction: bool = False,
    follow_on_in_insert: bool = False,
    keep_uploads_on_failure: bool = False,
) -> list[Report]:
    """Accept the reports, all or nothing: rows, files and audit entries commit together, then go on to triage.

    If anything fails, the files already sealed for them are removed (unless `keep_uploads_on_failure`: the
    partner API keeps a partner's files so the submission can be retried), and so is anything a stage stored.
    `part_of_callers_transaction`: the caller's transaction already makes its request all-or-nothing (the
    partner API): no savepoint, saving two round trips, but a failure spoils the caller's transaction.
    `follow_on_in_insert`: a single report's triage task goes in its own INSERT where the backend allows it
    (triage/enqueue.py, ADR 0019).
    """
    if not items:
        return []
    written: list[str] = []
    try:
        with transaction.atomic(savepoint=not part_of_callers_transaction):
            reports = _build(source, items)
            for stage in _STAGES:
                if stage.prioritise:
                    stage.prioritise(reports)
            followed_on = _insert_with_unique_references(reports, follow_on_in_insert=follow_on_in_insert)
            for report, item in zip(reports, items, strict=True):
                if item.uploads:  # (bulk_create of nothing still costs a partner submission measurable Python)
                    _join_files(report, item.uploads, actor, written)
            _audit(actor, source, reports, items)
            if not followed_on:  # else the one report's triage task went in with its INSERT
                for stage in _STAGES:
                    if stage.accepted:
                        stage.accepted(reports, len(items) > 1)
    except Exception:
        if not keep_uploads_on_failure:
            discard_uploads([u for item in items for u in item.uploads])
        for stage in _STAGES:
            if stage.discard and written:
                stage.discard(written)
        raise
    return reports


@cache
def _report_attnames() -> frozenset[str]:
    return frozenset(f.attname for f in Report._meta.concrete_fields)


def _build(source: Source, items: Sequence[Incoming]) -> list[Report]:
    rows = [{"source": source, "follow_up_secret_hash": item.follow_up_secret_hash, **item.fields} for item in items]
    # Without Model.__init__ (core/rows.py), which asks each of Report's ~45 fields for its default on every
    # report; anything but plain column values (a related object by name) takes the constructor.
    if all(row.keys() <= _report_attnames() for row in rows):
        return new_rows(Report, rows)
    return [Report(**row) for row in rows]


def _insert_with_unique_references(reports: list[Report], *, follow_on_in_insert: bool) -> bool:
    """Insert the reports, each with a fresh unique reference. True when a single report's follow-on work
    (its triage task) went into the same statement."""
    for _attempt in range(REFERENCE_ATTEMPTS):
        for report in reports:
            report.reference = new_reference()
        if len(reports) == 1:
            inserted = _insert_one(reports[0], follow_on_in_insert=follow_on_in_insert)
            if inserted:
                return inserted == "with follow-on"
            continue
        try:
            with transaction.atomic():
                insert_many(Report, reports)
            return False
        except IntegrityError:
            if not Report.objects.filter(reference__in=[r.reference for r in reports]).exists():
                raise  # refused for another reason than a taken reference
            for report in reports:
                report.pk = None
    raise RuntimeError("Could not allocate a unique report reference")


def _insert_one(report: Report, *, follow_on_in_insert: bool) -> str:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id: one statement, and a clash needs no savepoint to recover
    from (it inserts nothing rather than failing the transaction). See ADR 0015.
    "" when the reference was taken; "with follow-on" when the same statement also queued triage."""
    sql, params = insert_sql([report], on_conflict_do_nothing=True)
    combined = None
    if follow_on_in_insert:
        for stage in _STAGES:
            if stage.in_insert and (combined := stage.in_insert(report, sql, params)) is not None:
                sql, params = combined
                break
    # Prepared on PostgreSQL: the same text every time, ~80 parameters (core/prepared.py, ADR 0018 round 4).
    rows = fetch_all(sql, params)
    row = rows[0] if rows else None
    if row is None:
        if not Report.objects.filter(reference=report.reference).exists():
            # SQLite's INSERT OR IGNORE also skips rows that break NOT NULL or CHECK: not a clash.
            raise IntegrityError("The report row was refused by a database constraint.")
        return ""
    report.pk = row[0]
    mark_saved([report], connection.alias)
    return "with follow-on" if combined is not None else "inserted"


def _join_files(report: Report, uploads: Sequence[StoredUpload], actor: Actor, written: list[str]) -> None:
    attachments = Attachment.objects.bulk_create(
        Attachment(
            report=report,
            stored_name=u.stored_name,
            original_name=u.original_name,
            content_type=u.content_type,
            size=u.size,
            sha256=u.sha256,
        )
        for u in uploads
    )
    if any(a.pk is None for a in attachments):  # databases whose bulk insert returns no keys
        attachments = list(report.attachments.order_by("pk"))
    for stage in _STAGES:
        if stage.files:
            stage.files(report, attachments, actor, written)


def _detail(source: Source, item: Incoming) -> dict:
    return {"source": str(source), "attachments": len(item.uploads), **item.audit_detail}


def _audit(actor: Actor, source: Source, reports: list[Report], items: Sequence[Incoming]) -> None:
    if len(reports) == 1:
        record(action=Action.COLLECTION, actor=actor, obj=reports[0], detail=_detail(source, items[0]))
        return
    record_many(
        [
            PendingEntry(action=Action.COLLECTION, actor=actor, obj=report, detail=_detail(source, item))
            for report, item in zip(reports, items, strict=True)
        ]
    )


def amended(*, report: Report, cause: str, detail: dict) -> None:
    """New information joined an accepted report: every stage that wants it hears, in the caller's transaction."""
    for stage in _STAGES:
        if stage.amended:
            stage.amended(report, cause, detail)


def reserve(count: int) -> list[tuple[int, str]]:
    """Ids and references for `count` reports the set path will write: ids from the table's sequence, references
    unique among themselves and against the table (8 random characters collide rarely, but over a million do)."""
    references = new_references(count)
    while True:
        while len(references) < count:
            references |= new_references(count - len(references))
        taken = _taken_references(sorted(references))
        if not taken:
            return list(zip(allocate_ids(Report, count), references, strict=True))
        references -= taken


def _taken_references(references: list[str]) -> set[str]:
    return {row[0] for row in rows_where_in("reference", Report._meta.db_table, "reference", references)}


def accept_rows(*, rows: list[dict], extras: dict[str, Any]) -> None:
    """The set path for reports already scored by their caller (the referral import, a chunk at a time), in the
    caller's transaction: the report rows (each with an id and reference from `reserve`) in one COPY, then each
    stage's rows (`extras[stage.name]`: subjects' identifiers and links, triage's scores and search index).

    The caller audits the collection (one entry per chunk listing the reports, DPA 2018 s.62)."""
    write_rows(Report, rows)
    for stage in _STAGES:
        if stage.rows_accepted and stage.name in extras:
            stage.rows_accepted(rows, extras[stage.name])


def discard_uploads(uploads: Sequence[StoredUpload]) -> None:
    storage = storages["evidence"]
    for upload in uploads:
        try:
            storage.delete(upload.stored_name)
        except OSError:
            logger.exception("Could not remove evidence file %s", upload.stored_name)
