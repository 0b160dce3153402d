"""Reads for evidence, scoped by role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safeguard.accounts.models import Role
from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import Actor, record
from safeguard.reporting.models import Priority, Report

from .models import (
    REMOVAL_ACTIONS,
    EvidenceFile,
    EvidenceMatch,
    FileStatus,
    PlatformMatch,
    ReviewState,
    SharedHash,
    SharedHashState,
)

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


# --- the self-reported hash list, for the supervisor's review (issue 22) --------------------------------

SELF_REPORTED_OBJECT_TYPE = "evidence.sharedhash"  # as the audit log names SharedHash entries
SELF_REPORTED_FILTERS = ("shared", "held", "withdrawn")  # what the list's state filter offers
_REQUEST_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")  # as self_reported accepts a request reference


class ReviewListError(ValueError):
    """A filter the review list cannot use; str() says what to enter instead."""


def self_reported_for_review(*, user, state: str = "", request_ref: str = "") -> QuerySet[SharedHash]:
    """Self-reported hashes, newest first, each with `match_count` (platform reports) and `removal_count`
    (of those, removed or upload blocked), counted in the same query. `state`: shared (in the feed), held
    (by a supervisor) or withdrawn (by the young person); `request_ref`: one removal request (any case).
    Raises ReviewListError for a filter it cannot use. Page it, then `record_review_list_consultation`."""
    check_capability(user, Capability.REVIEW_SELF_REPORTED)
    rows = SharedHash.objects.annotate(
        match_count=Count("platform_matches"),
        removal_count=Count("platform_matches", filter=Q(platform_matches__action__in=REMOVAL_ACTIONS)),
    )
    if state == "shared":
        rows = rows.filter(state=SharedHashState.ACTIVE, review_state=ReviewState.SHARED)
    elif state == "held":
        rows = rows.filter(state=SharedHashState.ACTIVE, review_state=ReviewState.HELD)
    elif state == "withdrawn":
        rows = rows.filter(state=SharedHashState.WITHDRAWN)
    elif state:
        raise ReviewListError("Choose shared, held or withdrawn, or any state")
    if request_ref:
        if not _REQUEST_REF.fullmatch(request_ref):
            raise ReviewListError(
                "Enter a request reference of letters, digits and dashes, like RI-ABCD-2345 (at most 40 characters)"
            )
        rows = rows.filter(request_ref__iexact=request_ref)
    return rows.order_by("-created_at", "-pk")


def record_review_list_consultation(*, user, rows, filters: dict, page_number: int) -> None:
    """The list shows request references and hashes (the young person's personal data): one consultation
    entry per page seen, naming the hashes on it."""
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=(SELF_REPORTED_OBJECT_TYPE, "list"),
        detail={
            "view": "self_reported_review_list",
            "filters": filters,
            "page": page_number,
            "shared_hashes": [row.pk for row in rows],
        },
    )


@dataclass(frozen=True)
class ReviewEvent:
    at: datetime
    what: str  # "added", "held", "released", "withdrawn"
    by: str  # who: a member of staff's username, or "the young person"
    reason: str


@dataclass(frozen=True)
class SelfReportedDetail:
    shared_hash: SharedHash
    matches: list[PlatformMatch]
    history: list[ReviewEvent]  # oldest first
    match_count: int
    removal_count: int


def self_reported_detail(*, user, shared_hash_id: int) -> SelfReportedDetail:
    """One self-reported hash with its platform matches and its history (added, each supervisor's decision
    with reason and who, withdrawn), and the consultation entry saying who looked. SharedHash.DoesNotExist
    if there is no such hash."""
    check_capability(user, Capability.REVIEW_SELF_REPORTED)
    shared = SharedHash.objects.get(pk=shared_hash_id)
    matches = list(shared.platform_matches.order_by("-reported_at", "-pk"))
    decisions = AuditEntry.objects.filter(
        action=Action.ALTERATION, object_type=SELF_REPORTED_OBJECT_TYPE, object_id=str(shared.pk)
    ).order_by("sequence")
    history = [ReviewEvent(shared.created_at, "added", "the young person", "")]
    for entry in decisions.values("at", "actor_label", "justification", "detail"):
        held = (entry["detail"] or {}).get("review_state") == ReviewState.HELD
        by = entry["actor_label"].removeprefix("staff:")  # a member of staff by username, as the other pages do
        history.append(ReviewEvent(entry["at"], "held" if held else "released", by, entry["justification"]))
    if shared.withdrawn_at:
        history.append(ReviewEvent(shared.withdrawn_at, "withdrawn", "the young person", ""))
    history.sort(key=lambda event: event.at)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=shared,
        detail={"view": "self_reported_review_detail", "request": shared.request_ref},
    )
    return SelfReportedDetail(
        shared_hash=shared,
        matches=matches,
        history=history,
        match_count=len(matches),
        removal_count=sum(1 for m in matches if m.action in REMOVAL_ACTIONS),
    )
