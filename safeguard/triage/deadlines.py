"""Response deadlines per band. Configurable with TRIAGE_BAND_DEADLINE_HOURS in settings."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

DEFAULT_HOURS = {1: 1, 2: 24, 3: 24 * 7, 4: 24 * 30}


def band_deadline(priority: int) -> timedelta:
    hours = {**DEFAULT_HOURS, **{int(k): v for k, v in getattr(settings, "TRIAGE_BAND_DEADLINE_HOURS", {}).items()}}
    return timedelta(hours=hours[int(priority)])


def due_at(report):
    return report.created_at + band_deadline(report.priority)


def time_left(report, now=None) -> timedelta:
    return due_at(report) - (now or timezone.now())


def describe(delta: timedelta) -> str:
    """'3 h 5 min left' / 'overdue by 2 days'. Plain words for the queue."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"{text} left" if delta.total_seconds() >= 0 else f"overdue by {text}"


def overdue_filter(now=None):
    """A Q for open reports past their band's deadline (created before now minus the band's allowance)."""
    from django.db.models import Q

    now = now or timezone.now()
    q = Q()
    for band in DEFAULT_HOURS:
        q |= Q(priority=band, created_at__lt=now - band_deadline(band))
    return q
