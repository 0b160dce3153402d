"""Reads for evidence, scoped by role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safeguard.accounts.models import Role
from safeguard.accounts.roles import Capability, check_capability
from safeguard.reporting.models import Priority, Report

from .models import EvidenceFile, EvidenceMatch, FileStatus

# Roles that may download an original file (always as an attachment, never shown inline).
DOWNLOAD_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
# Roles that may see evidence details and blurred renditions at all.
VIEW_ROLES = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})
EVIDENCE_OBJECT_TYPE = "evidence.evidencefile"  # as the audit log names EvidenceFile entries


def can_view_evidence(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in VIEW_ROLES)


def can_download_original(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in DOWNLOAD_ROLES)


def evidence_for_report(*, report: Report, user) -> QuerySet[EvidenceFile]:
    if not can_view_evidence(user):
        return EvidenceFile.objects.none()
    return report.evidence_files.prefetch_related("matches").order_by("uploaded_at", "pk")


def matches_for_report(*, report: Report, user) -> QuerySet[EvidenceMatch]:
    if not can_view_evidence(user):
        return EvidenceMatch.objects.none()
    return EvidenceMatch.objects.filter(evidence__report=report).select_related("evidence")


def quarantined(*, user) -> QuerySet[EvidenceFile]:
    if not can_view_evidence(user):
        return EvidenceFile.objects.none()
    return EvidenceFile.objects.filter(status=FileStatus.QUARANTINED).order_by("-uploaded_at")


def match_priority_finding(report: Report) -> tuple[Priority, str] | None:
    """For triage rules: the band and plain reason a known-material match gives this report, if any.

    Triage recomputes priority from rules; including this one keeps a match's raise from being undone.
    """
    from .services import MATCH_PRIORITY, match_reason

    matches = list(EvidenceMatch.objects.filter(evidence__report=report).order_by("distance", "matched_at"))
    if not matches:
        return None
    return MATCH_PRIORITY, match_reason(matches)


@dataclass(frozen=True)
class Exposure:
    user_id: int | None
    label: str
    images_viewed: int  # distinct files whose picture was shown, at any step
    image_views: int  # every time a picture was shown
    reveals: int  # steps towards full fidelity asked for
    full_size: int  # of those, to full size


def daily_exposure(*, day: date, user) -> list[Exposure]:
    """Per member of staff, what they were shown on one day, counted from the audit log (so it cannot drift
    from what really happened). For supervisors looking after their team's welfare."""
    from safeguard.audit.models import Action, AuditEntry

    check_capability(user, Capability.VIEW_STAFF_EXPOSURE)
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    shown = Q(detail__what__in=["rendition", "image"])
    rows = (
        AuditEntry.objects.filter(
            action=Action.CONSULTATION,
            object_type=EVIDENCE_OBJECT_TYPE,
            at__gte=start,
            at__lt=start + timedelta(days=1),
        )
        .values("actor_id", "actor_label")
        .annotate(
            images_viewed=Count("object_id", filter=shown, distinct=True),
            image_views=Count("pk", filter=shown),
            reveals=Count("pk", filter=Q(detail__what="reveal")),
            full_size=Count("pk", filter=Q(detail__what="reveal", detail__step=3)),
        )
        .order_by("-image_views", "actor_label")
    )
    return [
        Exposure(r["actor_id"], r["actor_label"], r["images_viewed"], r["image_views"], r["reveals"], r["full_size"])
        for r in rows
        if r["image_views"] or r["reveals"]
    ]
