"""Synthetic reports for the insight tests (made directly: the intake path is not what is under test)."""

import itertools
from datetime import datetime

from django.utils import timezone

from safeguard.reporting.models import Report, Source

_numbers = itertools.count(1)


def report(*, received: datetime, source=Source.PUBLIC_WEB, **fields) -> Report:
    made = Report.objects.create(reference=f"INS-{next(_numbers):07d}", source=source, **fields)
    Report.objects.filter(pk=made.pk).update(created_at=received)  # auto_now_add: set the date afterwards
    made.created_at = received
    return made


def at(year: int, month: int, day: int = 15) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def partner_details(
    *, incident="online_enticement_of_children", annotations=(), internet=None, ages=(), area=None, country=None
):
    payload = {
        "incidentSummary": {"incidentType": incident, "reportAnnotations": list(annotations)},
        "internetDetails": internet or {},
        "victims": [{"age": a, **({"area": area} if area else {})} for a in ages],
    }
    if country:
        payload["personOrUserReported"] = {"estimatedLocation": {"countryCode": country}}
    return {"partner_api": {"payload": payload}}
