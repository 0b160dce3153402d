"""Keeps the rollup (models.MonthlyCount, models.PlatformCount) in step with the reports.

Reports are counted in id order from a watermark, each exactly once, by `refresh_rollup` (run by the
`refresh_insight` command and the `refresh_insight_rollup` task). Only reports older than `SETTLE_SECONDS` are
counted, and never past the lowest id of a newer one, so a transaction still committing a lower id cannot be
skipped. `rebuild_rollup` starts again from nothing (after records are erased, or a change to the rules in
dimensions.py). Counting uses the same `dimensions.classify` as every other reader.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, JSONField, Max
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting import partner_payload
from safeguard.reporting.models import Report
from safeguard.subjects.normalise import normalise_platform

from .dimensions import REPORT_COLUMNS, classify
from .models import Dimension, MonthlyCount, PlatformCount, RollupState

SETTLE_SECONDS = 60
_ENVIRONMENT, _ACTIVITY, _AGE_BAND = Dimension.ENVIRONMENT.value, Dimension.ACTIVITY.value, Dimension.AGE_BAND.value
_ZONE = timezone.get_default_timezone()
CHUNK = 20_000

CountKey = tuple[date, str, str, str, str]  # month, source, area, dimension, value
PlatformKey = tuple[date, str, str, str]  # month, dimension, value, platform_key


# What classify() reads of `details`, fetched as separate expressions so that the database can group reports
# whose inputs are identical: each distinct combination is classified once and counted `n` times. The
# reproduction test (tests/test_figures_reproduce.py) checks this gives exactly the per-report counts.
_PAYLOAD = partner_payload.ORM_PAYLOAD
_DETAIL_PATHS = {
    "d_area": "details__area",
    "d_incident": _PAYLOAD + "incidentSummary__incidentType",
    "d_annotations": _PAYLOAD + "incidentSummary__reportAnnotations",
    "d_platform": _PAYLOAD + "incidentSummary__platform",
    "d_internet": _PAYLOAD + "internetDetails",
    "d_victims": _PAYLOAD + "victims",
    "d_located": _PAYLOAD + "personOrUserReported__estimatedLocation",
}
_PLAIN_COLUMNS = [c for c in REPORT_COLUMNS if c != "details"]


# On PostgreSQL only the victims' ages and areas are fetched, not whole victim records: a partner's victims
# usually carry screen names, which would make every partner report a combination of its own. The list
# [{"age": a}, ..., {"area": x}, ...] gives classify() the same youngest age and the same first named area.
_VICTIMS = partner_payload.JSON_VICTIMS_PATH
_PG_VICTIMS = (
    f"CASE WHEN jsonb_typeof(details #> '{{{_VICTIMS}}}') = 'array' "
    f"THEN jsonb_build_object("
    f"'ages', jsonb_path_query_array(details #> '{{{_VICTIMS}}}', 'lax $[*] ? (@.type() == \"object\").age'), "
    f"'areas', jsonb_path_query_array(details #> '{{{_VICTIMS}}}', 'lax $[*] ? (@.type() == \"object\").area')) END"
)


def _victims(value):
    if isinstance(value, dict) and "ages" in value:  # the PostgreSQL projection
        return [{"age": a} for a in value["ages"]] + [{"area": x} for x in value["areas"]]
    return value


def _details(row: dict) -> dict:
    """The parts of `details` that classify() reads, put back in their places."""
    summary = {
        "incidentType": row["d_incident"],
        "reportAnnotations": row["d_annotations"],
        "platform": row["d_platform"],
    }
    payload = {
        "incidentSummary": {k: v for k, v in summary.items() if v is not None},
        "internetDetails": row["d_internet"],
        "victims": _victims(row["d_victims"]),
        "personOrUserReported": {"estimatedLocation": row["d_located"]},
    }
    return {"area": row["d_area"], partner_payload.KEY: {"payload": payload}}


@dataclass
class Tally:
    counts: Counter
    platforms: Counter
    platform_labels: dict
    reports: int = 0

    @classmethod
    def empty(cls) -> "Tally":
        return cls(Counter(), Counter(), {})

    def add_counts(self, month: date, facets, n: int) -> None:
        counts, source, area = self.counts, facets.source, facets.area
        counts[(month, source, area, _ENVIRONMENT, facets.environment)] += n
        counts[(month, source, area, _ACTIVITY, facets.activity)] += n
        counts[(month, source, area, _AGE_BAND, facets.age_band)] += n
        self.reports += n

    def add_platform(self, month: date, facets, n: int) -> None:
        key = normalise_platform(facets.platform) if facets.platform else ""
        if key:
            self.platforms[(month, _ENVIRONMENT, facets.environment, key)] += n
            self.platforms[(month, _ACTIVITY, facets.activity, key)] += n
            self.platform_labels.setdefault(key, facets.platform)


def _state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _upper_bound(cutoff) -> int | None:
    """Count only ids below every report newer than the cutoff (None: no such report)."""
    return Report.objects.filter(created_at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()


def reports_to_count(*, after_id: int = 0, below_id: int | None = None, cutoff=None):
    reports = Report.objects.filter(pk__gt=after_id)
    if below_id is not None:
        reports = reports.filter(pk__lt=below_id)
    if cutoff is not None:
        reports = reports.filter(created_at__lt=cutoff)
    return reports


# Two groupings, so that neither multiplies the other's distinct values: the counts need everything but the
# platform; the platform counts need only the platform and what environment and activity are read from.
_COUNT_INPUTS = [c for c in _PLAIN_COLUMNS if c != "platform_name"], [k for k in _DETAIL_PATHS if k != "d_platform"]
_PLATFORM_INPUTS = (
    ["categories", "environment", "platform_name"],
    ["d_incident", "d_annotations", "d_internet", "d_platform"],
)
_NEUTRAL = dict.fromkeys(_DETAIL_PATHS) | {c: "" for c in _PLAIN_COLUMNS} | {"categories": []}


def _expression(key: str):
    if key == "d_victims" and connection.vendor == "postgresql":
        return RawSQL(_PG_VICTIMS, (), output_field=JSONField())  # noqa: S611 - constant SQL, no input
    return F(_DETAIL_PATHS[key])


def _grouped(reports, columns: list[str], paths: list[str], **extra):
    return (
        reports.order_by()
        .annotate(month_start=TruncMonth("created_at"), **{k: _expression(k) for k in paths})
        .values("month_start", *columns, *paths)
        .annotate(n=Count("pk"), **extra)
        .iterator(chunk_size=CHUNK)
    )


def _classified(row: dict):
    row = _NEUTRAL | row
    month = timezone.localtime(row["month_start"]).date().replace(day=1)
    return month, classify(details=_details(row), **{c: row[c] for c in _PLAIN_COLUMNS})


def tally_reports(reports) -> tuple[Tally, int]:
    """Count the reports of a queryset; returns the tally and the highest id counted."""
    tally = Tally.empty()
    last_id = 0
    for row in _grouped(reports, *_COUNT_INPUTS, top=Max("pk")):
        month, facets = _classified(row)
        tally.add_counts(month, facets, row["n"])
        last_id = max(last_id, row["top"])
    for row in _grouped(reports, *_PLATFORM_INPUTS):
        month, facets = _classified(row)
        tally.add_platform(month, facets, row["n"])
    return tally, last_id


def _merge_counts(counts: Counter) -> None:
    months = {key[0] for key in counts}
    existing = {
        (row.month, row.source, row.area, row.dimension, row.value): row
        for row in MonthlyCount.objects.filter(month__in=months)
    }
    changed, new = [], []
    for key, n in counts.items():
        row = existing.get(key)
        if row is None:
            month, source, area, dimension, value = key
            new.append(MonthlyCount(month=month, source=source, area=area, dimension=dimension, value=value, reports=n))
        else:
            row.reports += n
            changed.append(row)
    MonthlyCount.objects.bulk_update(changed, ["reports"], batch_size=2000)
    MonthlyCount.objects.bulk_create(new, batch_size=2000)


def _merge_platforms(platforms: Counter, labels: dict) -> None:
    months = {key[0] for key in platforms}
    existing = {
        (row.month, row.dimension, row.value, row.platform_key): row
        for row in PlatformCount.objects.filter(month__in=months)
    }
    changed, new = [], []
    for key, n in platforms.items():
        row = existing.get(key)
        if row is None:
            month, dimension, value, platform_key = key
            new.append(
                PlatformCount(
                    month=month,
                    dimension=dimension,
                    value=value,
                    platform_key=platform_key,
                    platform=labels[platform_key],
                    reports=n,
                )
            )
        else:
            row.reports += n
            changed.append(row)
    PlatformCount.objects.bulk_update(changed, ["reports"], batch_size=2000)
    PlatformCount.objects.bulk_create(new, batch_size=2000)


def refresh_rollup(*, now=None) -> int:
    """Count the reports received since the last refresh. Returns how many were counted."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=SETTLE_SECONDS)
    with transaction.atomic():
        state = _state()  # locked: two refreshes at once would count the same reports twice
        reports = reports_to_count(after_id=state.last_report_id, below_id=_upper_bound(cutoff), cutoff=cutoff)
        tally, last_id = tally_reports(reports)
        if tally.reports:
            _merge_counts(tally.counts)
            _merge_platforms(tally.platforms, tally.platform_labels)
            state.last_report_id = last_id
            state.reports_counted += tally.reports
        state.refreshed_at = now
        state.save()
        if tally.reports:
            # Reading reports to count them is automated processing of personal data (DPA 2018 s.62).
            record(
                action=Action.CONSULTATION,
                actor=Actor.system("insight rollup"),
                obj=state,
                detail={"purpose": "statistics", "reports": tally.reports, "up_to_report_id": last_id},
            )
    return tally.reports


def rebuild_rollup(*, now=None) -> int:
    with transaction.atomic():
        _state()
        MonthlyCount.objects.all().delete()
        PlatformCount.objects.all().delete()
        RollupState.objects.filter(pk=1).update(last_report_id=0, reports_counted=0)
        return refresh_rollup(now=now)
