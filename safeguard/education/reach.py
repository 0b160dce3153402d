"""Reach against the year's targets: totals, breakdowns, monthly trend and a forecast (read only).

Children reached: attendees of sessions in the children's age bands. Professionals trained: attendees of
sessions for professionals plus course bookings marked attended. Targets are per calendar year.

Forecast (docs/adr/0052): if last year has data up to today's date, *seasonal*: this year so far divided by the
share of last year's total that had been reached by the same day (schools' terms make reach very uneven);
otherwise *run rate*: so far divided by the share of the year's days gone. Both are stated on the page.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from .models import CHILD_AGE_BANDS, AgeBand, Booking, ReachTarget, Region, Session

PROFESSIONAL_BANDS = frozenset({AgeBand.PROFESSIONALS})


@dataclass
class Forecast:
    method: str  # "seasonal" or "run rate"
    explanation: str
    projected: int
    target: int | None

    @property
    def will_meet(self) -> bool | None:
        return None if self.target is None else self.projected >= self.target


@dataclass
class Measure:
    name: str
    reached: int
    target: int | None
    forecast: Forecast
    by_month: list[tuple[str, int]] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        return round(100 * self.reached / self.target) if self.target else None


@dataclass
class Dashboard:
    year: int
    today: date
    children: Measure
    professionals: Measure
    children_by_region: list[tuple[str, int]]
    children_by_age_band: list[tuple[str, int]]
    sessions: int


def _sessions(year: int, bands, until: date | None = None):
    sessions = Session.objects.filter(delivered_on__year=year, age_band__in=list(bands))
    return sessions.filter(delivered_on__lte=until) if until else sessions


def _attendees(queryset) -> int:
    return queryset.aggregate(n=Sum("attendees"))["n"] or 0


def _professionals(year: int, until: date | None = None) -> int:
    attended = Booking.objects.filter(course__starts_at__year=year, attended=True)
    if until:
        attended = attended.filter(course__starts_at__date__lte=until)
    return _attendees(_sessions(year, PROFESSIONAL_BANDS, until)) + attended.count()


def _monthly(year: int, bands, *, with_courses: bool = False) -> list[tuple[str, int]]:
    totals = dict(
        _sessions(year, bands)
        .annotate(month=ExtractMonth("delivered_on"))
        .values_list("month")
        .annotate(n=Sum("attendees"))
        .values_list("month", "n")
    )
    if with_courses:
        courses = (
            Booking.objects.filter(course__starts_at__year=year, attended=True)
            .annotate(month=ExtractMonth("course__starts_at"))
            .values_list("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        )
        for month, n in courses:
            totals[month] = totals.get(month, 0) + n
    return [(calendar.month_abbr[m], totals.get(m, 0)) for m in range(1, 13)]


def _same_day_last_year(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def forecast(*, so_far: int, last_year_to_date: int, last_year_total: int, today: date, target: int | None) -> Forecast:
    if last_year_total > 0 and last_year_to_date > 0:
        share = last_year_to_date / last_year_total
        projected = round(so_far / share)
        explanation = (
            f"Seasonal: by this date last year {share:.0%} of that year's total had been reached "
            f"({last_year_to_date:,} of {last_year_total:,}); {so_far:,} so far ÷ {share:.2f} = {projected:,}."
        )
        return Forecast("seasonal", explanation, projected, target)
    days_in_year = 366 if calendar.isleap(today.year) else 365
    elapsed = today.timetuple().tm_yday
    projected = round(so_far * days_in_year / elapsed)
    explanation = (
        f"Run rate (no data for last year to compare with): {so_far:,} in {elapsed} days, "
        f"so {so_far:,} × {days_in_year} ÷ {elapsed} = {projected:,} by the end of the year."
    )
    return Forecast("run rate", explanation, projected, target)


def dashboard(*, year: int | None = None, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    year = year or today.year
    # For a past year the whole year has happened: "today" is its last day.
    as_of = today if year == today.year else date(year, 12, 31)
    target = ReachTarget.objects.filter(year=year).first()
    last_day = _same_day_last_year(as_of)

    children_so_far = _attendees(_sessions(year, CHILD_AGE_BANDS, as_of))
    children = Measure(
        "Children and young people reached",
        children_so_far,
        target.children if target else None,
        forecast(
            so_far=children_so_far,
            last_year_to_date=_attendees(_sessions(year - 1, CHILD_AGE_BANDS, last_day)),
            last_year_total=_attendees(_sessions(year - 1, CHILD_AGE_BANDS)),
            today=as_of,
            target=target.children if target else None,
        ),
        _monthly(year, CHILD_AGE_BANDS),
    )
    professionals_so_far = _professionals(year, as_of)
    professionals = Measure(
        "Professionals trained",
        professionals_so_far,
        target.professionals if target else None,
        forecast(
            so_far=professionals_so_far,
            last_year_to_date=_professionals(year - 1, last_day),
            last_year_total=_professionals(year - 1),
            today=as_of,
            target=target.professionals if target else None,
        ),
        _monthly(year, PROFESSIONAL_BANDS, with_courses=True),
    )
    child_sessions = _sessions(year, CHILD_AGE_BANDS, as_of)
    by_region = dict(child_sessions.values_list("region").annotate(n=Sum("attendees")).values_list("region", "n"))
    by_band = dict(child_sessions.values_list("age_band").annotate(n=Sum("attendees")).values_list("age_band", "n"))
    return Dashboard(
        year=year,
        today=as_of,
        children=children,
        professionals=professionals,
        children_by_region=[(label, by_region.get(value, 0)) for value, label in Region.choices],
        children_by_age_band=[(AgeBand(b).label, by_band.get(b, 0)) for b in AgeBand.values if b in CHILD_AGE_BANDS],
        sessions=Session.objects.filter(delivered_on__year=year, delivered_on__lte=as_of).count(),
    )
