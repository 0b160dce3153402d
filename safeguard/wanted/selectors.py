"""Reads for Most Wanted: what the public may see, what staff see, and the annual-review measures."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability

from .models import FOUND_STATUSES, PUBLIC_STATUSES, WantedEvent, WantedPerson, WantedStatus

# Only what a public page shows: the photo bytes are fetched by the photo view alone.
_PUBLIC_COLUMNS = (
    "public_id",
    "full_name",
    "aliases",
    "physical_description",
    "last_known_area",
    "area",
    "offences",
    "leading_force",
    "date_missing",
    "status",
    "published_at",
    "found_at",
    "updated_at",
)


def published_people():
    return WantedPerson.objects.filter(status=WantedStatus.PUBLISHED).only(*_PUBLIC_COLUMNS).order_by("-published_at")


def recently_found(limit: int = 10):
    return WantedPerson.objects.filter(status__in=FOUND_STATUSES).only(*_PUBLIC_COLUMNS).order_by("-found_at")[:limit]


@dataclass(frozen=True)
class FoundLine:
    """People found, as the public list shows them: no details, so people alike on one line with their number."""

    posted_on: date
    outcome: str  # "arrested" or "located"
    found_on: date
    people: int


def recently_found_lines(limit: int = 10) -> list[FoundLine]:
    counts = Counter(
        (
            timezone.localdate(person.published_at) if person.published_at else None,
            "arrested" if person.status == WantedStatus.ARRESTED else "located",
            timezone.localdate(person.found_at) if person.found_at else None,
        )
        for person in recently_found(limit)
    )
    return [FoundLine(posted, outcome, found, n) for (posted, outcome, found), n in counts.items()]


def public_person(public_id: str) -> WantedPerson | None:
    """Published or found records; drafts and withdrawn records do not exist as far as the public knows."""
    return WantedPerson.objects.filter(public_id=public_id, status__in=PUBLIC_STATUSES).only(*_PUBLIC_COLUMNS).first()


def public_last_change() -> datetime | None:
    """When anything on the public list last changed (a withdrawal included: it removes an entry)."""
    return WantedPerson.objects.filter(published_at__isnull=False).aggregate(at=Max("updated_at"))["at"]


def public_person_last_change(public_id: str) -> datetime | None:
    return (
        WantedPerson.objects.filter(public_id=public_id, status__in=PUBLIC_STATUSES)
        .values_list("updated_at", flat=True)
        .first()
    )


def feed_events(limit: int = 50):
    """New postings and status changes, newest first; withdrawn records leave the feed entirely."""
    return (
        WantedEvent.objects.filter(person__status__in=PUBLIC_STATUSES)
        .exclude(status=WantedStatus.WITHDRAWN)
        .select_related("person")
        .defer("person__photo_png")[:limit]
    )


def staff_people(user, *, status: str = ""):
    check_capability(user, Capability.MANAGE_WANTED)
    people = WantedPerson.objects.defer("photo_png").select_related("created_by", "approved_by")
    return people.filter(status=status) if status else people.order_by("status", "-updated_at")


def staff_person(user, pk: int) -> WantedPerson | None:
    check_capability(user, Capability.MANAGE_WANTED)
    return WantedPerson.objects.defer("photo_png").filter(pk=pk).first()


@dataclass(frozen=True)
class Measures:
    posted: int
    located: int  # every found record: located, arrested or both
    arrested: int
    median_days_to_location: float | None
    still_wanted: int


def measures(*, since: datetime | None = None, until: datetime | None = None) -> Measures:
    """Counts for the annual review. 'Located' includes those later arrested: finding them is what counts."""
    posted = WantedPerson.objects.filter(published_at__isnull=False)
    if since:
        posted = posted.filter(published_at__gte=since)
    if until:
        posted = posted.filter(published_at__lt=until)
    counts = posted.aggregate(
        posted=Count("pk"),
        located=Count("pk", filter=Q(status__in=FOUND_STATUSES)),
        arrested=Count("pk", filter=Q(status=WantedStatus.ARRESTED)),
        still=Count("pk", filter=Q(status=WantedStatus.PUBLISHED)),
    )
    durations = [
        (found - published).total_seconds() / 86400
        for published, found in posted.filter(found_at__isnull=False).values_list("published_at", "found_at")
    ]
    return Measures(
        posted=counts["posted"],
        located=counts["located"],
        arrested=counts["arrested"],
        median_days_to_location=round(statistics.median(durations), 1) if durations else None,
        still_wanted=counts["still"],
    )
