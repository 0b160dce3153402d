"""Retention reads: what is due for review, a record's decisions, the schedules."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability

from .kinds import KINDS
from .models import RecordType, RetentionDecision, RetentionSchedule


@dataclass(frozen=True)
class DueRecord:
    record_type: RecordType
    object_id: str
    label: str
    made_at: datetime | None
    due_on: date
    reviewed_before: bool


def _schedule(record_type) -> RetentionSchedule:
    return RetentionSchedule.objects.get(record_type=record_type)


def _latest_review_date(record_type: str):
    latest = RetentionDecision.objects.filter(
        record_type=record_type, object_id=Cast(OuterRef("pk"), output_field=CharField())
    ).order_by("-decided_at", "-pk")
    return Subquery(latest.values("next_review_on")[:1])


def due_on(kind, obj) -> date:
    """The record's next review date: after its last 'retain' decision, else the schedule's first review."""
    latest = (
        RetentionDecision.objects.filter(record_type=kind.record_type, object_id=str(obj.pk))
        .order_by("-decided_at", "-pk")
        .values_list("next_review_on", flat=True)
        .first()
    )
    if latest:
        return latest
    made = kind.made_at(obj)
    return timezone.localdate(made) + timedelta(days=_schedule(kind.record_type).review_after_days)


def due_records(
    *, user, record_type: str | None = None, today: date | None = None, limit: int = 200
) -> list[DueRecord]:
    """Records whose review date has come, oldest first, up to `limit` of each kind."""

    check_capability(user, Capability.REVIEW_RETENTION)
    today = today or timezone.localdate()
    rows: list[DueRecord] = []
    for kind in KINDS.values():
        if record_type and kind.record_type != record_type:
            continue
        schedule = _schedule(kind.record_type)
        # Due when (day made + review period) <= today, i.e. made before the start of the day after.
        cutoff_day = today - timedelta(days=schedule.review_after_days - 1)
        first_review_cutoff = timezone.make_aware(datetime.combine(cutoff_day, time.min))
        first_review = Q(next_review__isnull=True, **{f"{kind.made_field}__lt": first_review_cutoff})
        records = (
            kind.model()
            .objects.filter(kind.reviewable)
            .annotate(next_review=_latest_review_date(kind.record_type))
            .filter(first_review | Q(next_review__lte=today))
            .order_by(kind.made_field, "pk")[:limit]
        )
        for obj in records:
            made = kind.made_at(obj)
            due = obj.next_review or timezone.localdate(made) + timedelta(days=schedule.review_after_days)
            rows.append(
                DueRecord(kind.record_type, str(obj.pk), kind.label(obj), made, due, obj.next_review is not None)
            )
    return sorted(rows, key=lambda row: (row.due_on, row.record_type, row.object_id))


def decisions_for(*, user, record_type: str, object_id: str) -> list[RetentionDecision]:
    check_capability(user, Capability.REVIEW_RETENTION)
    return list(
        RetentionDecision.objects.filter(record_type=record_type, object_id=str(object_id)).select_related("decided_by")
    )


def recent_decisions(*, user, limit: int = 20) -> list[RetentionDecision]:
    check_capability(user, Capability.REVIEW_RETENTION)
    return list(RetentionDecision.objects.select_related("decided_by")[:limit])


def schedules(*, user) -> list[RetentionSchedule]:
    check_capability(user, Capability.REVIEW_RETENTION)
    return list(RetentionSchedule.objects.all())
