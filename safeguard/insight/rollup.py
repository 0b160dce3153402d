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

from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report
from safeguard.subjects.normalise import normalise_platform

from .dimensions import REPORT_COLUMNS, classify
from .models import Dimension, MonthlyCount, PlatformCount, RollupState

SETTLE_SECONDS = 60
CHUNK = 20_000

CountKey = tuple[date, str, str, str, str]  # month, source, area, dimension, value
PlatformKey = tuple[date, str, str, str]  # month, dimension, value, platform_key


@dataclass
class Tally:
    counts: Counter
    platforms: Counter
    platform_labels: dict
    reports: int = 0
    last_id: int = 0

    @classmethod
    def empty(cls) -> "Tally":
        return cls(Counter(), Counter(), {})

    def add(self, *, report_id: int, created_at, **columns) -> None:
        facets = classify(**columns)
        month = timezone.localtime(created_at).date().replace(day=1)
        head = (month, facets.source, facets.area)
        self.counts[(*head, Dimension.ENVIRONMENT.value, facets.environment)] += 1
        self.counts[(*head, Dimension.ACTIVITY.value, facets.activity)] += 1
        self.counts[(*head, Dimension.AGE_BAND.value, facets.age_band)] += 1
        if facets.platform:
            key = normalise_platform(facets.platform)
            if key:
                for dim, value in (
                    (Dimension.ENVIRONMENT.value, facets.environment),
                    (Dimension.ACTIVITY.value, facets.activity),
                ):
                    self.platforms[(month, dim, value, key)] += 1
                self.platform_labels.setdefault(key, facets.platform)
        self.reports += 1
        self.last_id = max(self.last_id, report_id)


def _state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _upper_bound(cutoff) -> int | None:
    """Count only ids below every report newer than the cutoff (None: no such report)."""
    return Report.objects.filter(created_at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()


def tally_reports(*, after_id: int = 0, below_id: int | None = None, cutoff=None) -> Tally:
    tally = Tally.empty()
    reports = Report.objects.filter(pk__gt=after_id)
    if below_id is not None:
        reports = reports.filter(pk__lt=below_id)
    if cutoff is not None:
        reports = reports.filter(created_at__lt=cutoff)
    rows = reports.order_by("pk").values_list("pk", "created_at", *REPORT_COLUMNS).iterator(chunk_size=CHUNK)
    for pk, created_at, *values in rows:
        tally.add(report_id=pk, created_at=created_at, **dict(zip(REPORT_COLUMNS, values, strict=True)))
    return tally


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
        tally = tally_reports(after_id=state.last_report_id, below_id=_upper_bound(cutoff), cutoff=cutoff)
        if tally.reports:
            _merge_counts(tally.counts)
            _merge_platforms(tally.platforms, tally.platform_labels)
            state.last_report_id = tally.last_id
            state.reports_counted += tally.reports
        state.refreshed_at = now
        state.save()
        if tally.reports:
            # Reading reports to count them is automated processing of personal data (DPA 2018 s.62).
            record(
                action=Action.CONSULTATION,
                actor=Actor.system("insight rollup"),
                obj=state,
                detail={"purpose": "statistics", "reports": tally.reports, "up_to_report_id": tally.last_id},
            )
    return tally.reports


def rebuild_rollup(*, now=None) -> int:
    with transaction.atomic():
        _state()
        MonthlyCount.objects.all().delete()
        PlatformCount.objects.all().delete()
        RollupState.objects.filter(pk=1).update(last_report_id=0, reports_counted=0)
        return refresh_rollup(now=now)
