"""Deconfliction notices: telling whoever holds a subject (subjects.deconfliction's providers: assigned reports,
cases, operations, sent packages) that something new concerns it, and telling the new work's owner whom to talk to.
Here rather than in subjects because notices are triage's (ADR 0096)."""

from collections.abc import Iterable

from safeguard.subjects.deconfliction import Holding, holdings, who_to_talk_to
from safeguard.subjects.models import Subject

from .models import Notification
from .notifications import notify


def notify_holders(found: Iterable[Holding], *, report, message: str) -> int:
    """Tell each holder (once per person) that something new concerns a subject they work; returns notices sent.

    `report`: the report the notice is about (idempotent per person and report), or None (a new case)."""
    sent, told = 0, set()
    for holding in found:
        if holding.owner.pk in told:
            continue
        told.add(holding.owner.pk)
        notice = notify(recipient=holding.owner, kind=Notification.Kind.DECONFLICTION, report=report, message=message)
        sent += notice is not None
    return sent


def deconflict(report, *, subject: Subject | None = None) -> list[Holding]:
    """Notify both sides when a new report touches a subject someone else works. Idempotent per report.

    `subject`: the report's subject when the caller has just linked it (the triage task), saving the lookup.
    """
    if subject is None:
        others = who_to_talk_to(report)
    else:
        others = [h for h in holdings(subject, exclude_report_id=report.pk) if h.owner.pk != report.assigned_to_id]
    notify_holders(
        others,
        report=report,
        message=f"New report {report.reference} concerns a subject you are working. Its owner will contact you.",
    )
    if report.assigned_to_id:
        for holding in others:
            notify(
                recipient=report.assigned_to,
                kind=Notification.Kind.DECONFLICTION,
                report=report,
                message=holding.notice(),
            )
    return others
