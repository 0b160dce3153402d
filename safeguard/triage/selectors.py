"""Reads for staff-side report work, scoped by role (see accounts/roles.py)."""

from django.db.models import Exists, OuterRef, QuerySet

from safeguard.accounts.models import User
from safeguard.accounts.roles import ROLE_CAPABILITIES, Capability, check_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Priority, Report, Status
from safeguard.reporting.selectors import find_report

from .deadlines import overdue_filter
from .models import ReportTriage, TriageChange

# Reports still needing someone: the queue shows these unless a status filter says otherwise.
OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW)


def report_queue(*, user, status: str = "", priority: int | None = None) -> QuerySet[Report]:
    """Open reports, most urgent band first and, within a band, oldest first."""
    check_capability(user, Capability.VIEW_REPORT_QUEUE)
    unseen = TriageChange.objects.filter(report=OuterRef("pk"), seen_at__isnull=True)
    reports = Report.objects.select_related("assigned_to").annotate(has_new_information=Exists(unseen))
    reports = reports.filter(status=status) if status else reports.filter(status__in=OPEN_STATUSES)
    if priority is not None:
        reports = reports.filter(priority=priority)
    return reports.order_by("priority", "created_at", "pk")


def open_p1_count(*, user) -> int:
    """How many open reports say a child may be in danger now: shown above the queue, whatever the filter."""
    check_capability(user, Capability.VIEW_REPORT_QUEUE)
    return Report.objects.filter(status__in=OPEN_STATUSES, priority=Priority.P1).count()


def overdue_count(*, user) -> int:
    """Open reports past their band's response deadline (see deadlines.py)."""

    check_capability(user, Capability.VIEW_REPORT_QUEUE)
    return Report.objects.filter(status__in=OPEN_STATUSES).filter(overdue_filter()).count()


def record_queue_consultation(*, user, reports, filters: dict, page_number: int) -> None:
    """The queue shows references, categories and platforms: one consultation entry per page seen,
    naming the reports on it (by id, so the audit log page can find them)."""
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("triage.queue", str(page_number)),
        detail={"view": "staff_report_queue", "filters": filters, "reports": [r.pk for r in reports]},
    )


def consult_report(*, user, reference: str) -> Report:
    """One report with everything staff see about it, and the audit entry saying who looked.

    Reading and logging are one call so no staff page can show a report without the
    DPA 2018 s.62 consultation entry.
    """
    report = find_report(user=user, reference=reference)
    record(action=Action.CONSULTATION, actor=Actor.of(user), obj=report, detail={"view": "staff_report_detail"})
    return report


def triage_changes(*, user, report: Report) -> list[TriageChange]:
    """The report's re-scorings, newest first (read on the report page, whose consultation is logged)."""
    check_capability(user, Capability.VIEW_REPORT)
    return list(TriageChange.objects.filter(report=report)[:50])


def matched_words(*, user, report: Report) -> dict[str, list[str]]:
    """Per factor, the words in the report's text that made it count."""
    check_capability(user, Capability.VIEW_REPORT)
    stored = ReportTriage.objects.filter(report=report).values_list("words", flat=True).first()
    return stored or {}


def assignable_staff(*, user):
    """People a supervisor can give a report to: active staff whose role can work on reports."""

    check_capability(user, Capability.ASSIGN_REPORT)
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.CHANGE_REPORT in caps]
    return User.objects.filter(is_active=True, role__in=roles).order_by("username")
