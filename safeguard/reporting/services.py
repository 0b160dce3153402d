"""Writes for reports. Every route in (public form, partner API, referrals, sightings) ends here."""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction

from safeguard.audit.services import Action, Actor, record
from safeguard.core.bulk import insert_sql
from safeguard.core.prepared import fetch_all
from safeguard.core.rows import new_rows
from safeguard.triage.enqueue import insert_with_triage
from safeguard.triage.priority import initial_priority

from .models import Attachment, Report, ReportAddition, Source
from .references import ALPHABET, new_reference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredUpload:
    """A file already written to evidence storage and checked, waiting to join a report."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class NewReport:
    report: Report
    follow_up_secret: str


def new_follow_up_secret() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_secret(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def hash_follow_up_secret(secret: str) -> str:
    """Keyed hash of a follow-up secret.

    The secret is 60 random bits, so a slow password hash buys nothing against guessing (the
    follow-up page is rate-limited) and would cost intake speed; the key (from SECRET_KEY) means a
    copy of the database alone is not enough to test guesses offline.
    """
    key = hashlib.sha256(b"safeguard.follow-up-secret:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, normalise_secret(secret).encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${digest}"


def create_report(
    *,
    actor: Actor,
    source: Source,
    fields: dict,
    uploads: Sequence[StoredUpload] = (),
    audit_detail: dict | None = None,
    with_follow_up_secret: bool = True,
    part_of_callers_transaction: bool = False,
    triage_in_report_insert: bool = False,
) -> NewReport:
    """Accept a report: the report, its files and its audit entry commit together or not at all.

    If anything fails the files already written for it are removed, so nothing is left half-stored.
    Sources that follow their reports another way (partners, through the API's status endpoint)
    pass with_follow_up_secret=False: no secret is issued. A caller whose own transaction already
    makes its whole request all-or-nothing (the partner API) passes part_of_callers_transaction=True:
    no savepoint, saving two round trips, but a failure here then spoils the caller's transaction.
    triage_in_report_insert=True queues triage in the report's own INSERT where the task backend
    allows it (triage/enqueue.py, ADR 0019): the partner API's hot path.
    """
    secret = new_follow_up_secret() if with_follow_up_secret else ""
    evidence_written: list[str] = []  # renditions stored by evidence ingest, removed too on failure
    try:
        with transaction.atomic(savepoint=not part_of_callers_transaction):
            report, triage_queued = _insert_with_unique_reference(
                source=source,
                fields=fields,
                follow_up_secret_hash=hash_follow_up_secret(secret) if secret else "",
                with_triage=triage_in_report_insert,
            )
            if uploads:  # (bulk_create of nothing still costs a partner submission measurable Python)
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
                _ingest_evidence(report, attachments, actor, evidence_written)
            record(
                action=Action.COLLECTION,
                actor=actor,
                obj=report,
                detail={"source": str(source), "attachments": len(uploads), **(audit_detail or {})},
            )
            if not triage_queued:
                _enqueue_triage(report)
    except Exception:
        discard_uploads(uploads)
        _discard_evidence_written(evidence_written)
        raise
    return NewReport(report=report, follow_up_secret=secret)


@cache
def _report_attnames() -> frozenset[str]:
    return frozenset(f.attname for f in Report._meta.concrete_fields)


def _insert_with_unique_reference(
    *, source: Source, fields: dict, follow_up_secret_hash: str, with_triage: bool = False
) -> tuple[Report, bool]:
    """The inserted report, and whether its triage task went in with it."""
    values = {"source": source, "follow_up_secret_hash": follow_up_secret_hash, **fields}
    # Without Model.__init__ (core/rows.py), which asks each of Report's ~45 fields for its default on
    # every report; anything but plain column values (a related object by name) takes the constructor.
    report = new_rows(Report, [values])[0] if values.keys() <= _report_attnames() else Report(**values)
    decision = initial_priority(report)
    report.priority = decision.priority
    report.priority_reasons = decision.reasons
    for _attempt in range(5):
        report.reference = new_reference()
        inserted = _insert_unless_reference_taken(report, with_triage=with_triage)
        if inserted:
            return report, inserted == "with triage"
        # 32^8 references make a clash very rare; try again with a fresh one.
    raise RuntimeError("Could not allocate a unique report reference")


def _insert_unless_reference_taken(report: Report, *, with_triage: bool = False) -> str:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id: one statement, and a clash needs no savepoint
    to recover from (it inserts nothing rather than failing the transaction). See ADR 0015.
    "" when the reference was taken; "with triage" when the same statement also queued triage."""
    sql, params = insert_sql([report], on_conflict_do_nothing=True)
    combined = insert_with_triage(sql, params) if with_triage else None
    if combined is not None:
        sql, params = combined
    # Prepared on PostgreSQL: the same text every time, ~80 parameters (core/prepared.py, ADR 0018 round 4).
    rows = fetch_all(sql, params)
    row = rows[0] if rows else None
    if row is None:
        if not Report.objects.filter(reference=report.reference).exists():
            # SQLite's INSERT OR IGNORE also skips rows that break NOT NULL or CHECK: not a clash.
            raise IntegrityError("The report row was refused by a database constraint.")
        return ""
    report.pk = row[0]
    report._state.adding = False
    report._state.db = connection.alias
    return "with triage" if combined is not None else "inserted"


def _ingest_evidence(report: Report, attachments: list[Attachment], actor: Actor, written: list[str]) -> None:
    """Hash, type, PDQ and hash-list match each file (docs/evidence-wiring.md); bad files are quarantined.

    A known-material match raises the report here; triage keeps that raise when it re-scores.
    """
    from safeguard.evidence.services import ingest_attachments

    if any(a.pk is None for a in attachments):  # databases whose bulk insert returns no keys
        attachments = list(report.attachments.order_by("pk"))
    ingest_attachments(attachments=attachments, actor=actor, written=written)


def _discard_evidence_written(names: list[str]) -> None:
    if names:
        from safeguard.evidence.services import discard_written

        discard_written(names)


def _enqueue_triage(report: Report) -> None:
    from safeguard.triage.tasks import triage_report

    # ENQUEUE_ON_COMMIT: the task is queued only if the report is committed.
    triage_report.enqueue(report.pk)


def discard_uploads(uploads: Sequence[StoredUpload]) -> None:
    storage = storages["evidence"]
    for upload in uploads:
        try:
            storage.delete(upload.stored_name)
        except OSError:
            logger.exception("Could not remove evidence file %s", upload.stored_name)


def check_follow_up(*, reference: str, secret: str) -> Report | None:
    """The report this reference and secret open, or None. Both must match the same report."""
    report = Report.objects.filter(reference=reference).only("pk", "follow_up_secret_hash").first()
    presented = hash_follow_up_secret(secret)
    if report is None or not hmac.compare_digest(presented, report.follow_up_secret_hash):
        return None
    return Report.objects.get(pk=report.pk)


def add_information(*, report: Report, text: str) -> ReportAddition:
    with transaction.atomic():
        addition = ReportAddition.objects.create(report=report, text=text)
        record(
            action=Action.COLLECTION,
            actor=Actor(label="reporter (follow-up)"),
            obj=report,
            detail={"added": "reporter_addition", "addition_id": addition.pk},
        )
    return addition
