"""Every figure of the threat assessment and the annual review, read from the rollup, suppressed (ADR 0080-0083).

Reports are counted by the month they were received (Europe/London). A period is a run of whole months.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, Sum
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability

from . import trends
from .dimensions import AREA_LABELS, Activity, AgeBand, Environment, SourceGroup
from .models import Dimension, MonthlyCount, PlatformCount, RollupState
from .suppression import Cell, Table, figure, suppress

BREAKDOWNS = {
    Dimension.ENVIRONMENT.value: ("by_environment", "Reports by online environment", "Environment", Environment),
    Dimension.ACTIVITY.value: ("by_activity", "Reports by activity", "Activity", Activity),
    Dimension.AGE_BAND.value: ("by_age_band", "Reports by victim age band", "Age band", AgeBand),
}


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month (inclusive)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, add_months(first, 2))

    @property
    def months(self) -> list[date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out

    def previous(self) -> "Period":
        """The same months a year earlier (so seasons compare with seasons)."""
        return Period(add_months(self.start, -12), add_months(self.end, -12))

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12 and self.start.year == self.end.year:
            return str(self.start.year)
        if self.start == self.end:
            return f"{self.start:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"


def period_end_date(period: Period) -> date:
    return add_months(period.end, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Filters:
    period: Period
    area: str = ""
    source: str = ""

    def describe(self) -> str:
        parts = [self.period.label]
        if self.area:
            parts.append(AREA_LABELS.get(self.area, self.area))
        if self.source:
            parts.append(SourceGroup(self.source).label)
        return ", ".join(parts)


@dataclass
class Breakdown:
    """Raw counts for one filter set (not for display: `tables()` suppresses them)."""

    total: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, int] = field(default_factory=dict)
    by_month: dict[date, int] = field(default_factory=dict)
    by_dimension: dict[str, dict[str, int]] = field(default_factory=dict)


def breakdown(filters: Filters) -> Breakdown:
    rows = MonthlyCount.objects.filter(month__gte=filters.period.start, month__lte=filters.period.end)
    if filters.area:
        rows = rows.filter(area=filters.area)
    if filters.source:
        rows = rows.filter(source=filters.source)
    out = Breakdown(by_dimension={d: defaultdict(int) for d in BREAKDOWNS})
    by_source, by_area, by_month = defaultdict(int), defaultdict(int), defaultdict(int)
    for month, source, area, dimension, value, n in rows.values_list(
        "month", "source", "area", "dimension", "value", "reports"
    ):
        out.by_dimension[dimension][value] += n
        if dimension == Dimension.ENVIRONMENT:  # every report has exactly one environment: count reports once
            by_source[source] += n
            by_area[area] += n
            by_month[month] += n
            out.total += n
    out.by_source, out.by_area, out.by_month = dict(by_source), dict(by_area), dict(by_month)
    out.by_dimension = {d: dict(v) for d, v in out.by_dimension.items()}
    return out


def tables(filters: Filters, counts: Breakdown | None = None) -> dict[str, Table]:
    counts = counts or breakdown(filters)
    out = {
        "by_source": suppress(
            "by_source",
            "Reports by source",
            "Source",
            [(v, label, counts.by_source.get(v, 0)) for v, label in SourceGroup.choices],
        )
    }
    for dimension, (key, title, heading, choices) in BREAKDOWNS.items():
        values = counts.by_dimension.get(dimension, {})
        out[key] = suppress(key, title, heading, [(v, label, values.get(v, 0)) for v, label in choices.choices])
    out["by_area"] = suppress(
        "by_area", "Reports by area", "Area", [(v, label, counts.by_area.get(v, 0)) for v, label in AREA_LABELS.items()]
    )
    out["by_month"] = suppress(
        "by_month",
        "Reports by month received",
        "Month",
        [(m.isoformat(), f"{m:%b %Y}", counts.by_month.get(m, 0)) for m in filters.period.months],
    )
    return out


@dataclass
class Comparison:
    title: str
    heading: str
    rows: list[tuple[str, Cell, Cell, str]]  # label, this period, previous period, change


def compare(current: Table, previous: Table) -> Comparison:
    rows = []
    for now, before in zip(current.cells, previous.cells, strict=True):
        change = ""
        if now.count is not None and before.count:
            change = f"{(now.count - before.count) / before.count:+.0%}"
        rows.append((now.label, now, before, change))
    if current.total is not None and previous.total is not None:
        now, before = current.total, previous.total
        change = f"{(now.count - before.count) / before.count:+.0%}" if now.count is not None and before.count else ""
        rows.append(("Total", now, before, change))
    return Comparison(current.title, current.label_heading, rows)


def dashboard(user, filters: Filters) -> dict:
    check_capability(user, Capability.VIEW_INSIGHT)
    current = tables(filters)
    previous = tables(Filters(filters.period.previous(), filters.area, filters.source))
    comparisons = [compare(current[k], previous[k]) for k in ("by_source", "by_environment", "by_activity")]
    return {"tables": current, "comparisons": comparisons, "total": current["by_source"].total}


def _platforms(filters_period: Period, dimension: str) -> dict[str, dict[str, tuple[str, int]]]:
    rows = (
        PlatformCount.objects.filter(
            month__gte=filters_period.start, month__lte=filters_period.end, dimension=dimension
        )
        .values_list("value", "platform_key")
        .annotate(n=Sum("reports"), label=Min("platform"))
        .values_list("value", "platform_key", "label", "n")
    )
    out: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for value, key, label, n in rows:
        out[value][key] = (label, n)
    return out


def emerging_threats(user, filters: Filters) -> list[trends.Trend]:
    """Environment and activity shares, this period against the same months a year before, tested (trends.py).

    Platforms come from the whole centre (the platform rollup is not split by area or source).
    """
    check_capability(user, Capability.VIEW_INSIGHT)
    return _emerging(filters)


def _emerging(filters: Filters) -> list[trends.Trend]:
    before_filters = Filters(filters.period.previous(), filters.area, filters.source)
    now, before = breakdown(filters), breakdown(before_filters)
    groups = [
        (d, list(BREAKDOWNS[d][3].choices), before.by_dimension.get(d, {}), now.by_dimension.get(d, {}))
        for d in (Dimension.ENVIRONMENT.value, Dimension.ACTIVITY.value)
    ]
    results = trends.compare_shares(groups)
    for dimension in (Dimension.ENVIRONMENT.value, Dimension.ACTIVITY.value):
        emerging = [t for t in results if t.dimension == dimension and t.emerging]
        if not emerging:
            continue
        platforms_now = _platforms(filters.period, dimension)
        platforms_before = _platforms(before_filters.period, dimension)
        for trend in emerging:
            trend.platforms = trends.drivers(platforms_before.get(trend.key, {}), platforms_now.get(trend.key, {}))
    results.sort(key=lambda t: (not t.emerging, -(t.change_points or -1000)))
    return results


def trend_table(results: list[trends.Trend]) -> list[list]:
    """Rows for CSV/XLSX of the emerging-threat tests."""
    rows = []
    for t in results:
        rows.append(
            [
                BREAKDOWNS[t.dimension][2],
                t.label,
                t.previous.display if t.previous.suppressed else t.previous.count,
                t.current.display if t.current.suppressed else t.current.count,
                "" if t.previous_share is None else round(100 * t.previous_share, 2),
                "" if t.current_share is None else round(100 * t.current_share, 2),
                "" if t.z is None else round(t.z, 3),
                "" if t.p_value is None else f"{t.p_value:.3g}",
                "" if t.adjusted_p is None else f"{t.adjusted_p:.3g}",
                t.verdict,
                "; ".join(f"{label} ({b.display} to {c.display})" for label, b, c in t.platforms),
            ]
        )
    return rows


TREND_HEADER = [
    "dimension",
    "category",
    "previous_reports",
    "current_reports",
    "previous_share_pct",
    "current_share_pct",
    "z",
    "p",
    "p_holm",
    "verdict",
    "platforms_driving",
]


def years_with_data() -> list[int]:
    first = MonthlyCount.objects.aggregate(m=Min("month"))["m"]
    this_year = timezone.localdate().year
    start = first.year if first else this_year
    return list(range(this_year, start - 1, -1))


def rollup_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1).first()


def headline(label: str, key: str, n: int) -> Cell:
    return figure(key, label, n)
