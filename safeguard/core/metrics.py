"""Prometheus metrics: queue depth, triage deadlines breached, intake, HTTP errors (docs/production.md).

Counts that live in the database (reports received, overdue reports, queued tasks) are read at scrape
time by a collector, so every web process reports the same truth. Request counters are per process;
with several gunicorn workers set PROMETHEUS_MULTIPROC_DIR so prometheus-client adds them up.
"""

import os
import time

from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

HTTP_REQUESTS = Counter(
    "safeguard_http_requests", "HTTP requests answered, by method and status class", ["method", "status"]
)
HTTP_ERRORS = Counter("safeguard_http_errors", "HTTP responses with a 5xx status (503 included)", ["status"])
HTTP_LATENCY = Histogram(
    "safeguard_http_request_duration_seconds",
    "Time to answer a request",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10),
)


# Figures the domain apps read from their own tables at each scrape: each app registers a function that yields
# prometheus metric families (reporting: reports received; triage: deadlines breached). Core knows none of them.
_FIGURES: list = []


def register_figures(figures):
    """Add `figures()` (yields MetricFamily objects) to every scrape; for an app's AppConfig.ready()."""
    if figures not in _FIGURES:
        _FIGURES.append(figures)
    return figures


class DatabaseCollector:
    """Figures read from the database at each scrape (a handful of indexed counts)."""

    def collect(self):
        for figures in _FIGURES:
            yield from figures()
        depth, failed = task_queue_figures()
        yield GaugeMetricFamily("safeguard_task_queue_depth", "Tasks waiting to run", value=depth)
        yield GaugeMetricFamily("safeguard_tasks_failed", "Tasks that ended in failure (kept results)", value=failed)


def task_queue_figures() -> tuple[int, int]:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count(), DBTaskResult.objects.failed().count()
    if backend.startswith(("django_tasks_rq.", "safeguard.core.rq_backend.")):
        import django_rq

        queue = django_rq.get_queue("default")
        return queue.count, queue.failed_job_registry.count
    return 0, 0


def render_metrics() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (HTTP_REQUESTS, HTTP_ERRORS, HTTP_LATENCY):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class MetricsMiddleware:
    """Count every response by status class and time it; first in the chain, so it sees 503s too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        HTTP_LATENCY.observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
        if response.status_code >= 500:
            HTTP_ERRORS.labels(str(response.status_code)).inc()
        return response
