"""Retention writes: record a retain or dispose decision; disposal deletes the record's content.

A disposal keeps only metadata (type, id, non-personal label, when the record was made, who decided and
why) in RetentionDecision and an ERASURE entry in the audit log. Records that others depend on are
refused with a specific reason rather than cascaded away: evidence protects its report on purpose
(chain of custody), a case protects its reports and subjects, and a subject protects its reports.
"""

import logging
from datetime import timedelta

from django.core.files.storage import storages
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record

from .kinds import KINDS, Kind
from .models import Decision, RecordType, RetentionDecision, RetentionSchedule
from .selectors import due_on

logger = logging.getLogger(__name__)

MAX_RETAIN_DAYS = 20 * 365


# The review periods migration 0002 seeds (kept here too, as a migration is frozen history): put back by
# ensure_default_schedules() when a database has lost them (`manage.py flush`, a test that flushes).
DEFAULT_SCHEDULES = (
    (
        RecordType.REPORT,
        6 * 365,
        10 * 365,
        "MoPI group 3 style: first review 6 years after the report; 10-year cycle if kept",
    ),
    (RecordType.SUBJECT, 10 * 365, 10 * 365, "MoPI group 1/2 style (child protection): review every 10 years"),
    (RecordType.CASE, 10 * 365, 10 * 365, "MoPI group 1/2 style (child protection): review every 10 years"),
    (RecordType.EVIDENCE, 6 * 365, 10 * 365, "Reviewed with the report it came with: 6 years, then a 10-year cycle"),
)


def ensure_default_schedules() -> int:
    """Create any missing schedule with its default period; existing ones are left as changed. Returns how many."""
    made = 0
    for record_type, review_after, retain_for, basis in DEFAULT_SCHEDULES:
        _, created = RetentionSchedule.objects.get_or_create(
            record_type=record_type,
            defaults={"review_after_days": review_after, "retain_for_days": retain_for, "basis": basis},
        )
        made += created
    return made


class RetentionError(Exception):
    """A decision that cannot be recorded, with the reason in words for the reviewer."""


def record_decision(
    *,
    actor,
    record_type: RecordType | str,
    object_id: str,
    decision: Decision | str,
    reason: str,
    retain_days: int | None = None,
) -> RetentionDecision:
    check_capability(actor, Capability.REVIEW_RETENTION)
    kind = _kind(record_type)
    reason = (reason or "").strip()
    if not reason:
        raise RetentionError("Give the reason for this decision.")
    if decision not in Decision.values:
        raise RetentionError("Choose whether to retain or dispose of the record.")
    with transaction.atomic():
        obj = kind.model().objects.select_for_update().filter(pk=object_id).first()
        if obj is None:
            raise RetentionError(f"There is no {kind.noun} {object_id} (it may have been disposed of already).")
        if decision == Decision.RETAIN:
            return _retain(actor=actor, kind=kind, obj=obj, reason=reason, retain_days=retain_days)
        return _dispose(actor=actor, kind=kind, obj=obj, reason=reason)


def _retain(*, actor, kind: Kind, obj, reason: str, retain_days: int | None) -> RetentionDecision:
    schedule = RetentionSchedule.objects.get(record_type=kind.record_type)
    days = schedule.retain_for_days if retain_days is None else retain_days
    if not 1 <= days <= MAX_RETAIN_DAYS:
        raise RetentionError(f"The next review must be between 1 and {MAX_RETAIN_DAYS} days away.")
    decision = RetentionDecision.objects.create(
        record_type=kind.record_type,
        object_id=str(obj.pk),
        label=kind.label(obj),
        record_made_at=kind.made_at(obj),
        decision=Decision.RETAIN,
        reason=reason,
        next_review_on=timezone.localdate() + timedelta(days=days),
        decided_by=actor,
    )
    record(
        action=Action.ALTERATION,
        actor=Actor.of(actor),
        obj=obj,
        detail={"retention": "retain", "decision": decision.pk, "next_review_on": str(decision.next_review_on)},
        justification=reason[:500],
    )
    return decision


def _dispose(*, actor, kind: Kind, obj, reason: str) -> RetentionDecision:
    due = due_on(kind, obj)
    if due > timezone.localdate():
        raise RetentionError(
            f"{kind.label(obj)} is not due for review until {due:%d %B %Y}; it cannot be disposed of before then."
        )
    blocker = kind.blocker(obj)
    if blocker:
        raise RetentionError(f"{kind.label(obj)} cannot be disposed of yet: {blocker}")
    label, made_at, object_key = kind.label(obj), kind.made_at(obj), (kind.audit_type, str(obj.pk))
    files = kind.stored_files(obj)
    try:
        with transaction.atomic():
            _, deleted = obj.delete()
    except (ProtectedError, RestrictedError) as error:
        found = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", None) or []
        names = sorted({f"{o._meta.verbose_name} {o.pk}" for o in found})
        depends = ", ".join(names[:5])
        raise RetentionError(f"{label} cannot be disposed of yet: other records depend on it ({depends}).") from None
    decision = RetentionDecision.objects.create(
        record_type=kind.record_type,
        object_id=object_key[1],
        label=label,
        record_made_at=made_at,
        decision=Decision.DISPOSE,
        reason=reason,
        decided_by=actor,
    )
    # Metadata only: what kind of record, which one, how much went. Never its content.
    record(
        action=Action.ERASURE,
        actor=Actor.of(actor),
        obj=object_key,
        detail={
            "retention": "dispose",
            "decision": decision.pk,
            "label": label,
            "made_at": made_at.isoformat() if made_at else None,
            "rows_deleted": {model: count for model, count in deleted.items() if count},
            "files_deleted": len(files),
        },
        justification=reason[:500],
    )
    # Files go only once the rows are gone for good: a rolled-back disposal must leave the record whole.
    transaction.on_commit(lambda: _delete_files(files))
    return decision


def _delete_files(files: list[tuple[str, str]]) -> None:
    for storage_name, name in files:
        try:
            storages[storage_name].delete(name)
        except Exception:  # the rows are gone; an orphaned ciphertext is logged for the operators to clear
            logger.exception("retention: could not delete stored file %s from %s", name, storage_name)


def update_schedule(*, actor, record_type: RecordType | str, review_after_days: int, retain_for_days: int, basis: str):
    check_capability(actor, Capability.REVIEW_RETENTION)
    for value, what in ((review_after_days, "first review"), (retain_for_days, "period after a decision to keep")):
        if not 1 <= value <= MAX_RETAIN_DAYS:
            raise RetentionError(f"The {what} must be between 1 and {MAX_RETAIN_DAYS} days.")
    schedule = RetentionSchedule.objects.get(record_type=_kind(record_type).record_type)
    before = {"review_after_days": schedule.review_after_days, "retain_for_days": schedule.retain_for_days}
    schedule.review_after_days, schedule.retain_for_days = review_after_days, retain_for_days
    schedule.basis, schedule.updated_by = basis.strip()[:300], actor
    schedule.save()
    record(
        action=Action.ALTERATION,
        actor=Actor.of(actor),
        obj=schedule,
        detail={
            "before": before,
            "after": {"review_after_days": review_after_days, "retain_for_days": retain_for_days},
        },
    )
    return schedule


def _kind(record_type) -> Kind:
    try:
        return KINDS[RecordType(record_type)]
    except ValueError:
        raise RetentionError(f"Unknown kind of record {record_type!r}.") from None
