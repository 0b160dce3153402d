"""Reads about subjects for staff pages, with the consultation audit entry."""

from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record

from .models import ReportIdentifier, ReportSubject, Subject, SubjectMerge


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str  # "report", "identifier", "merge", later "case", "dissemination"
    title: str
    detail: str = ""
    report: object = None
    merge: object = None


@dataclass
class SubjectView:
    subject: Subject
    reports: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    merges: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)  # (other subject, shared identifier value)


def live_subject(subject: Subject) -> Subject:
    """Follow merges to the subject that holds the reports now."""
    seen = set()
    while subject.merged_into_id and subject.pk not in seen:
        seen.add(subject.pk)
        subject = Subject.objects.get(pk=subject.merged_into_id)
    return subject


def suggestions_for(subject: Subject, identifiers: list[ReportIdentifier]) -> list[tuple[Subject, str]]:
    """Other subjects sharing a weak or doubtful identifier (display name, IP, look-alike username): never merged."""
    weak = {i.key: i for i in identifiers if i.role == "subject" and i.key and not i.mergeable}
    if not weak:
        return []
    rows = (
        ReportIdentifier.objects.filter(key__in=list(weak), report__subject_link__isnull=False)
        .exclude(report__subject_link__subject=subject)
        .values_list("report__subject_link__subject_id", "key")
        .distinct()[:50]
    )
    subjects = Subject.objects.in_bulk({sid for sid, _ in rows})
    return [(subjects[sid], f"{weak[key].kind_label}: {weak[key].value}") for sid, key in rows]


def consult_subject(*, user, pk: int) -> SubjectView:
    check_capability(user, Capability.VIEW_REPORT)
    subject = Subject.objects.filter(pk=pk).first()
    if subject is None:
        raise Http404("No subject has that number")
    links = ReportSubject.objects.filter(subject=subject).select_related("report__assigned_to")
    reports = sorted((link.report for link in links), key=lambda r: r.created_at)
    identifiers = list(
        ReportIdentifier.objects.filter(report__in=[r.pk for r in reports])
        .select_related("report")
        .order_by("kind", "value")
    )
    merges = list(SubjectMerge.objects.filter(survivor=subject) | SubjectMerge.objects.filter(absorbed=subject))
    view = SubjectView(subject=subject, reports=reports, identifiers=identifiers, merges=merges)
    for report in reports:
        view.timeline.append(
            TimelineEntry(
                report.created_at, "report", f"Report {report.reference}", report.get_priority_display(), report=report
            )
        )
    first_seen: dict[tuple, ReportIdentifier] = {}
    for ident in identifiers:
        first_seen.setdefault((ident.role, ident.kind, ident.value or ident.raw), ident)
    for ident in first_seen.values():
        when = ident.observed_at or ident.report.created_at
        view.timeline.append(
            TimelineEntry(
                when,
                "identifier",
                f"{ident.kind_label}: {ident.value or ident.raw}",
                ident.problem,
                report=ident.report,
            )
        )
    for merge in merges:
        title = f"Subject S-{merge.absorbed_id:06d} merged into S-{merge.survivor_id:06d}"
        view.timeline.append(TimelineEntry(merge.merged_at, "merge", title, merge.reason, merge=merge))
        if merge.reversed_at:
            view.timeline.append(TimelineEntry(merge.reversed_at, "merge", f"{title}: reversed", "", merge=merge))
    view.timeline.sort(key=lambda e: e.when)
    view.suggestions = suggestions_for(subject, identifiers)
    record(action=Action.CONSULTATION, actor=Actor.of(user), obj=subject, detail={"view": "staff_subject_detail"})
    return view


@dataclass(frozen=True)
class ReportedAddress:
    identifier_id: int
    report_id: int
    report_reference: str
    report_source: str  # reporting.models.Source
    raw: str  # as the report wrote it
    reported_at: datetime


def reported_urls_after(*, after_id: int, limit: int) -> list[ReportedAddress]:
    """Web addresses found in reports, oldest first, after an identifier id: what takedown collects (issue 23).
    A system read for the collector, which audits what it keeps."""
    rows = (
        ReportIdentifier.objects.filter(pk__gt=after_id, kind="url")
        .order_by("pk")
        .values_list("pk", "report_id", "report__reference", "report__source", "raw", "report__created_at")[:limit]
    )
    return [ReportedAddress(*row) for row in rows]
