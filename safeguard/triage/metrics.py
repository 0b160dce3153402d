"""Triage figures for /metrics (registered with core.metrics in TriageConfig.ready)."""

from prometheus_client.core import GaugeMetricFamily

from safeguard.reporting.models import Report

from .deadlines import overdue_filter
from .selectors import OPEN_STATUSES


def deadline_figures():
    yield GaugeMetricFamily(
        "safeguard_triage_deadlines_breached",
        "Open reports past their priority band's response deadline",
        value=Report.objects.filter(status__in=OPEN_STATUSES).filter(overdue_filter()).count(),
    )
