"""Deconfliction: who else is already working a subject, so two teams never work the same person unknowingly.

Extension point: cases and disseminations (not built yet) register a provider with
`register_provider(fn)`; `fn(subject, exclude_report_id)` yields `Holding`s. Reports with an
assignee are the first provider. A restricted holding reveals only whom to contact, nothing of its content.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from safeguard.reporting.models import Status

from .models import ReportSubject, Subject

if TYPE_CHECKING:
    from safeguard.accounts.models import User

OPEN = (Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW)


@dataclass(frozen=True)
class Holding:
    owner: "User"
    kind: str  # "report", later "case", "dissemination"
    label: str  # e.g. the report reference; empty when restricted
    restricted: bool = False
    report_id: int | None = None

    def notice(self) -> str:
        who = self.owner.get_full_name() or self.owner.username
        if self.restricted:
            return f"Talk to {who} before acting on this subject."
        return f"{who} is working this subject on {self.kind} {self.label}. Talk to them before acting."


Provider = Callable[[Subject, int | None], Iterable[Holding]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


@register_provider
def assigned_open_reports(subject: Subject, exclude_report_id: int | None) -> Iterable[Holding]:
    # Usually nobody is assigned yet: a plain existence check first, the ORM's joined read only when there is
    # something to read (it runs on every report about a known person, in the triage worker).
    if not _any_assigned_open(subject.pk, exclude_report_id):
        return
    links = (
        ReportSubject.objects.filter(subject=subject, report__status__in=OPEN, report__assigned_to__isnull=False)
        .exclude(report_id=exclude_report_id)  # type: ignore[misc]  # None excludes nothing (stubs refuse None)
        .select_related("report__assigned_to")
    )
    for link in links:
        yield Holding(
            owner=link.report.assigned_to,  # type: ignore[arg-type]  # filtered: assigned_to is set
            kind="report",
            label=link.report.reference,
            report_id=link.report_id,
        )


def _any_assigned_open(subject_id: int, exclude_report_id: int | None) -> bool:
    from django.db import connection

    from safeguard.reporting.models import Report

    marks = ", ".join(["%s"] * len(OPEN))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {ReportSubject._meta.db_table} l JOIN {Report._meta.db_table} r ON r.id = l.report_id "  # noqa: S608
            f"WHERE l.subject_id = %s AND r.status IN ({marks}) AND r.assigned_to_id IS NOT NULL AND l.report_id <> %s "
            "LIMIT 1",
            [subject_id, *OPEN, exclude_report_id or 0],
        )
        return cursor.fetchone() is not None


def holdings(subject: Subject, *, exclude_report_id: int | None = None) -> list[Holding]:
    return [h for provider in _PROVIDERS for h in provider(subject, exclude_report_id)]


def who_to_talk_to(report) -> list[Holding]:
    """For the report page: other owners of the report's subject, excluding the report's own assignee."""
    link = ReportSubject.objects.filter(report=report).select_related("subject").first()
    if link is None:
        return []
    return [h for h in holdings(link.subject, exclude_report_id=report.pk) if h.owner.pk != report.assigned_to_id]


def deconflict(report, *, subject: Subject | None = None) -> list[Holding]:
    """Notify both sides when a new report touches a subject someone else works. Idempotent per report.

    `subject`: the report's subject when the caller has just linked it (the triage task), saving the lookup.
    """
    from safeguard.triage.models import Notification
    from safeguard.triage.notifications import notify

    if subject is None:
        others = who_to_talk_to(report)
    else:
        others = [h for h in holdings(subject, exclude_report_id=report.pk) if h.owner.pk != report.assigned_to_id]
    for holding in others:
        notify(
            recipient=holding.owner,
            kind=Notification.Kind.DECONFLICTION,
            report=report,
            message=f"New report {report.reference} concerns a subject you are working. Its owner will contact you.",
        )
        if report.assigned_to_id:
            notify(
                recipient=report.assigned_to,
                kind=Notification.Kind.DECONFLICTION,
                report=report,
                message=holding.notice(),
            )
    return others
