"""Writes for partners: organisations, keys, and the open → attach → finish report workflow."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import filetype
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, insert_at_end, record
from safeguard.core.bulk import insert_many
from safeguard.core.rows import cache_related, new_rows
from safeguard.core.vault.storage import Vault
from safeguard.reporting import intake
from safeguard.reporting.intake import Incoming, StoredUpload
from safeguard.reporting.models import Report, Source
from safeguard.reporting.services import create_report

from . import keys
from .mapping import report_fields
from .models import (
    ApiKey,
    Partner,
    PartnerFile,
    PartnerReport,
    PartnerReportState,
    PartnerStatus,
    Scope,
    new_button_secret,
)

logger = logging.getLogger(__name__)

UNFINISHED_LIFETIME = timedelta(hours=24)
MAX_FILES_PER_REPORT = 50


class WorkflowError(Exception):
    """The report is not in a state that allows this step (e.g. attaching to a finished report)."""

    def __init__(self, message: str, *, type: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.type = type


def partner_actor(partner: Partner) -> Actor:
    return Actor(label=f"partner:{partner.slug}")


# --- organisations and keys ---------------------------------------------------------------------


def create_partner(
    *,
    actor: Actor,
    name: str,
    slug: str,
    platforms: list[str] | None = None,
    contact_name: str = "",
    contact_email: str = "",
    requests_per_minute: int = 600,
    daily_quota: int = 100_000,
) -> Partner:
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name,
            slug=slug,
            platforms=platforms or [],
            contact_name=contact_name,
            contact_email=contact_email,
            requests_per_minute=requests_per_minute,
            daily_quota=daily_quota,
        )
        record(action=Action.COLLECTION, actor=actor, obj=partner, detail={"created": "partner"})
    return partner


def set_partner_status(*, actor: Actor, partner: Partner, status: PartnerStatus) -> Partner:
    with transaction.atomic():
        partner.status = status
        partner.save(update_fields=["status"])
        record(action=Action.ALTERATION, actor=actor, obj=partner, detail={"fields": ["status"], "status": status})
    return partner


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str  # shown once; only its SHA-256 is stored


def create_api_key(
    *, actor: Actor, partner: Partner, name: str, scopes: list[str], expires_at: datetime | None
) -> NewKey:
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValueError(
            f"Scopes must be some of {', '.join(Scope.values)}; got {', '.join(sorted(unknown)) or 'none'}"
        )
    prefix, secret = keys.new_key_material()
    with transaction.atomic():
        key = ApiKey.objects.create(
            partner=partner,
            name=name,
            prefix=prefix,
            secret_sha256=keys.sha256_hex(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        record(
            action=Action.COLLECTION,
            actor=actor,
            obj=key,
            detail={"created": "api_key", "partner": partner.slug, "scopes": key.scopes},
        )
    return NewKey(key=key, plaintext=keys.format_key(prefix, secret))


def revoke_api_key(*, actor: Actor, key: ApiKey) -> ApiKey:
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            record(action=Action.ALTERATION, actor=actor, obj=key, detail={"fields": ["revoked_at"]})
    return key


def rotate_button_secret(*, actor: Actor, partner: Partner) -> Partner:
    with transaction.atomic():
        partner.button_secret = new_button_secret()
        partner.button_secret_rotated_at = timezone.now()
        partner.save(update_fields=["button_secret", "button_secret_rotated_at"])
        record(action=Action.ALTERATION, actor=actor, obj=partner, detail={"fields": ["button_secret"]})
    return partner


# --- the report workflow --------------------------------------------------------------------------


def open_report(*, partner: Partner, payload: dict, finish: bool = False) -> PartnerReport:
    """Store a validated report document; with finish=True, create the centre's report at once."""
    now = timezone.now()
    # Without Model.__init__ (core/rows.py): one instance less to build field by field per submission.
    [partner_report] = new_rows(
        PartnerReport,
        [
            {
                "partner_id": partner.pk,
                "payload": payload,
                "expires_at": now + UNFINISHED_LIFETIME,
                "state": PartnerReportState.OPEN,
            }
        ],
    )
    cache_related(partner_report, "partner", partner)  # as PartnerReport(partner=partner) would
    if finish:
        # savepoint=False: inside the API's transaction a savepoint here would buy nothing.
        with transaction.atomic(savepoint=False):
            return _finish(partner_report, files=[], insert=True)
    with transaction.atomic():
        partner_report.save()
        record(
            action=Action.COLLECTION,
            actor=partner_actor(partner),
            obj=partner_report,
            detail={"opened": "partner_report", "partner": partner.slug},
        )
    return partner_report


def _require_open(partner_report: PartnerReport) -> None:
    if partner_report.state != PartnerReportState.OPEN:
        raise WorkflowError(f"This report is {partner_report.state}; only an open report can be changed.")
    if partner_report.expires_at <= timezone.now():
        raise WorkflowError("This report was not finished within 24 hours and has expired.", type="expired")


def attach_file(*, partner_report: PartnerReport, upload, details: dict) -> PartnerFile:
    """Store one evidence file against an open report. Type comes from the bytes, not the name."""
    _require_open(partner_report)
    max_bytes = settings.SAFEGUARD_MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        raise WorkflowError(f"A file may be at most {max_bytes} bytes.", type="too_large")
    if partner_report.files.count() >= MAX_FILES_PER_REPORT:
        raise WorkflowError(f"A report may have at most {MAX_FILES_PER_REPORT} files.", type="too_many_files")
    # Sealed in the evidence vault as it is read (hashed on the way): never stored in plaintext.
    sealed = Vault().put(upload, kind="partners", max_bytes=max_bytes)
    stored_name = sealed.stored_name
    kind = filetype.guess(sealed.head)
    content_type = kind.mime if kind else "application/octet-stream"
    storage = storages["evidence"]
    try:
        with transaction.atomic():
            partner_file = PartnerFile.objects.create(
                partner_report=partner_report,
                stored_name=stored_name,
                original_name=_storable(details.get("originalFileName") or upload.name or "file")[:255],
                content_type=content_type,
                size=sealed.size,
                sha256=sealed.hashes["sha256"],
                details=details,
            )
            record(
                action=Action.COLLECTION,
                actor=partner_actor(partner_report.partner),
                obj=partner_file,
                detail={"file_for": str(partner_report.public_id), "size": upload.size, "content_type": content_type},
            )
    except Exception:
        storage.delete(stored_name)
        raise
    return partner_file


def _storable(text: str) -> str:
    """Without NUL or unpaired surrogates, which PostgreSQL cannot store (file names come unchecked)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def finish_report(*, partner_report: PartnerReport) -> PartnerReport:
    with transaction.atomic():
        locked = PartnerReport.objects.select_for_update().select_related("partner").get(pk=partner_report.pk)
        _require_open(locked)
        return _finish(locked, files=list(locked.files.all()), insert=False)


def _file_summary(f: PartnerFile) -> dict:
    return {
        "id": str(f.public_id),
        "sha256": f.sha256,
        "size": f.size,
        "content_type": f.content_type,
        "details": f.details,
    }


def _finish(partner_report: PartnerReport, *, files: list[PartnerFile], insert: bool) -> PartnerReport:
    """Create the centre's report. Runs inside the caller's transaction.

    insert=True: the partner report is new (one-shot submission) and is inserted already
    finished, which saves an UPDATE on the hot path.
    """
    partner = partner_report.partner
    fields = report_fields(
        partner=partner,
        payload=partner_report.payload,
        partner_report_id=str(partner_report.public_id),
        files=[_file_summary(f) for f in files],
    )
    # A failure keeps the files the partner already gave us: the partner report stays open with them and the
    # submission can be retried.
    created = create_report(
        actor=partner_actor(partner),
        source=Source.PARTNER_API,
        fields=fields,
        uploads=[
            StoredUpload(
                stored_name=f.stored_name,
                original_name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
            )
            for f in files
        ],
        audit_detail={"partner": partner.slug, "partner_report": str(partner_report.public_id)},
        with_follow_up_secret=False,
        part_of_callers_transaction=True,  # the API request's transaction (idempotency.run_once)
        triage_in_report_insert=True,  # one statement for the report and its triage task (ADR 0019)
        keep_uploads_on_failure=True,
    )
    partner_report.state = PartnerReportState.FINISHED
    partner_report.report = created.report
    partner_report.payload = {}  # the document now lives in Report.details; no second copy
    partner_report.closed_at = timezone.now()
    if insert:
        insert_at_end(partner_report)  # with the audit entries, in one statement (audit.appended_at_end)
    else:
        partner_report.save(update_fields=["state", "report", "payload", "closed_at"])
    return partner_report


def retract_report(*, partner_report: PartnerReport) -> PartnerReport:
    """Withdraw an open report: its document and files are deleted, an erasure entry kept."""
    with transaction.atomic():
        locked = PartnerReport.objects.select_for_update().select_related("partner").get(pk=partner_report.pk)
        if locked.state != PartnerReportState.OPEN:
            raise WorkflowError(f"This report is {locked.state}; only an open report can be retracted.")
        names = _erase(locked, PartnerReportState.RETRACTED)
        record(
            action=Action.ERASURE,
            actor=partner_actor(locked.partner),
            obj=locked,
            detail={"reason": "retracted by partner", "files": len(names)},
        )
    _delete_files(names)
    return locked


def _erase(partner_report: PartnerReport, state: str) -> list[str]:
    names = list(partner_report.files.values_list("stored_name", flat=True))
    partner_report.files.all().delete()
    partner_report.payload = {}
    partner_report.state = state
    partner_report.closed_at = timezone.now()
    partner_report.save(update_fields=["payload", "state", "closed_at"])
    return names


def _delete_files(names: list[str]) -> None:
    storage = storages["evidence"]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not remove evidence file %s", name)


def expire_unfinished(*, now: datetime | None = None) -> int:
    """Erase partner reports left unfinished past their 24 hours. Keeps metadata-only audit entries."""
    now = now or timezone.now()
    expired = 0
    due = PartnerReport.objects.filter(state=PartnerReportState.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(due[:10_000]):
        with transaction.atomic():
            report = PartnerReport.objects.select_for_update().select_related("partner").filter(pk=pk).first()
            if report is None or report.state != PartnerReportState.OPEN:
                continue
            names = _erase(report, PartnerReportState.EXPIRED)
            record(
                action=Action.ERASURE,
                actor=Actor.system("partner report expiry"),
                obj=report,
                detail={"reason": "not finished within 24 hours", "partner": report.partner.slug, "files": len(names)},
            )
        _delete_files(names)
        expired += 1
    return expired


# --- batch ----------------------------------------------------------------------------------------


def submit_batch(*, partner: Partner, payloads: list[dict]) -> list[tuple[PartnerReport, Report]]:
    """Create many finished reports at once, all or nothing. Payloads must already be validated.

    The same guarantees as create_report (unique reference, first priority, audit entry, triage
    queued) but with one INSERT per table and one lock on the audit chain for the whole batch.
    """
    if not payloads:
        return []
    now = timezone.now()
    expires_at = now + UNFINISHED_LIFETIME
    # Instances made by core.rows.new_rows (defaults worked out once, not per instance): ADR 0019.
    partner_reports = new_rows(
        PartnerReport,
        [
            {
                "partner_id": partner.pk,
                "payload": {},  # the document is kept in Report.details only
                "state": PartnerReportState.FINISHED,
                "expires_at": expires_at,
                "closed_at": now,
            }
            for _ in payloads
        ],
    )
    actor = partner_actor(partner)
    items = [
        Incoming(
            fields=report_fields(
                partner=partner, payload=payload, partner_report_id=str(partner_report.public_id), files=[]
            ),
            audit_detail={"partner": partner.slug, "partner_report": str(partner_report.public_id), "batch": True},
        )
        for partner_report, payload in zip(partner_reports, payloads, strict=True)
    ]
    with transaction.atomic():
        reports = intake.accept(actor=actor, source=Source.PARTNER_API, items=items)
        for partner_report, report in zip(partner_reports, reports, strict=True):
            partner_report.report_id = report.pk
        insert_many(PartnerReport, partner_reports)
    return list(zip(partner_reports, reports, strict=True))
