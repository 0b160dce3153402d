"""Telling staff what they must know now: in the staff area, and by email through the task queue."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from safeguard.accounts.models import User
from safeguard.reporting.models import Report

from .deadlines import describe, overdue_filter, time_left
from .engine import OPEN_STATUSES
from .models import Notification


def on_duty_supervisors(now=None) -> list[User]:
    """Whoever's shift covers now; if the rota is empty, every active supervisor (a P1 must reach someone)."""
    now = now or timezone.now()
    on_shift = list(
        User.objects.filter(duty_shifts__starts_at__lte=now, duty_shifts__ends_at__gt=now, is_active=True).distinct()
    )
    return on_shift or list(User.objects.filter(role="supervisor", is_active=True))


def notify(*, recipient: User, kind: str, report, message: str) -> Notification | None:
    """One notice per person, kind and report (idempotent); the email goes after the commit."""
    try:
        with transaction.atomic():
            notice = Notification.objects.create(recipient=recipient, kind=kind, report=report, message=message[:500])
    except IntegrityError:
        return None
    send_notification_email.enqueue(notice.pk)
    return notice


@task()
def send_notification_email(notification_id: int) -> None:
    notice = Notification.objects.select_related("recipient", "report").filter(pk=notification_id).first()
    if notice is None or not notice.recipient.email:
        return
    # Only the reference and the kind of notice: report content never leaves the system by email.
    reference = notice.report.reference if notice.report else ""
    send_mail(
        subject=f"Safeguard: {notice.get_kind_display()} {reference}".strip(),
        message=f"{notice.message}\n\nSign in to the staff area to see it.",
        from_email=None,
        recipient_list=[notice.recipient.email],
    )


def notify_p1(report, *, supervisors: list[User] | None = None) -> list[Notification]:
    return notify_p1_many([report], supervisors=supervisors)


def notify_p1_many(reports, *, supervisors: list[User] | None = None) -> list[Notification]:
    """P1 notices for several reports, with the rota read once (a bulk import raises many at a time;
    the triage worker passes the rota it read for its batch)."""
    if supervisors is None:
        supervisors = on_duty_supervisors()
    notices = []
    for report in reports:
        message = f"Report {report.reference} is P1 immediate: it needs someone now."
        notices += [
            n
            for supervisor in supervisors
            if (n := notify(recipient=supervisor, kind=Notification.Kind.P1, report=report, message=message))
        ]
    return notices


def notify_breaches(limit: int = 500) -> int:
    """Notices for open reports past their deadline, most urgent first; returns how many were new."""

    overdue = (
        Report.objects.filter(status__in=OPEN_STATUSES).filter(overdue_filter()).order_by("priority", "created_at")
    )
    supervisors = on_duty_supervisors()
    sent = 0
    for report in overdue[:limit]:
        message = f"Report {report.reference} ({report.get_priority_display()}) is {describe(time_left(report))}."
        for supervisor in supervisors:
            if notify(recipient=supervisor, kind=Notification.Kind.BREACH, report=report, message=message):
                sent += 1
    return sent
