"""Reads for evidence, scoped by role."""

from __future__ import annotations

from django.db.models import QuerySet

from safeguard.accounts.models import Role
from safeguard.reporting.models import Priority, Report

from .models import EvidenceFile, EvidenceMatch, FileStatus

# Roles that may download an original file (always as an attachment, never shown inline).
DOWNLOAD_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
# Roles that may see evidence details and blurred renditions at all.
VIEW_ROLES = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})


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
