"""Intake figures for /metrics (registered with core.metrics in ReportingConfig.ready)."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import Report


def intake_figures():
    received = CounterMetricFamily(
        "safeguard_reports_received", "Reports accepted since the service began, by source", labels=["source"]
    )
    for row in Report.objects.values("source").order_by().annotate(n=Count("id")):
        received.add_metric([row["source"]], row["n"])
    yield received
    hour_ago = timezone.now() - timedelta(hours=1)
    yield GaugeMetricFamily(
        "safeguard_reports_received_last_hour",
        "Reports accepted in the last hour (intake rate)",
        value=Report.objects.filter(created_at__gte=hour_ago).count(),
    )
