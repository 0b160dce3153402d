"""Writes for reports. Accepting them is `intake.accept`, the one pipeline every route in goes through;
`create_report` is its one-report form."""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record

from . import intake
from .intake import Incoming, StoredUpload
from .models import Report, ReportAddition, Source
from .references import ALPHABET

logger = logging.getLogger(__name__)


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
    keep_uploads_on_failure: bool = False,
) -> NewReport:
    """Accept one report through the intake pipeline (`intake.accept`): the report, its files and its audit entry
    commit together or not at all, and it goes on to triage.

    Sources that follow their reports another way (partners, through the API's status endpoint) pass
    with_follow_up_secret=False: no secret is issued. The other switches are `intake.accept`'s.
    """
    secret = new_follow_up_secret() if with_follow_up_secret else ""
    (report,) = intake.accept(
        actor=actor,
        source=source,
        items=[
            Incoming(
                fields=fields,
                uploads=uploads,
                audit_detail=audit_detail or {},
                follow_up_secret_hash=hash_follow_up_secret(secret) if secret else "",
            )
        ],
        part_of_callers_transaction=part_of_callers_transaction,
        follow_on_in_insert=triage_in_report_insert,
        keep_uploads_on_failure=keep_uploads_on_failure,
    )
    return NewReport(report=report, follow_up_secret=secret)


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
        # Triage reads the new words and re-scores the report (queued on commit).
        intake.amended(report=report, cause=intake.Amendment.FOLLOW_UP, detail={"addition_id": addition.pk})
    return addition


def mark_opened(*, report: Report, user) -> bool:
    """Note that a person on the team has opened the report, the first time only.

    One `UPDATE ... WHERE first_opened_at IS NULL`: two people opening it at once cannot both be first, and a
    later opening changes nothing (not even `updated_at`). True when this call was the first. Automatic triage
    never calls this, so the follow-up page says "received" until a person has really looked.
    """
    check_capability(user, Capability.VIEW_REPORT)
    now = timezone.now()
    first = Report.objects.filter(pk=report.pk, first_opened_at__isnull=True).update(
        first_opened_at=now, first_opened_by=user
    )
    if first:
        report.first_opened_at, report.first_opened_by = now, user
    return bool(first)
