"""Public report intake and the staff queue, on the embedded default (SQLite, WAL).

Prints:
  public report submissions/s: N   (create_report: report + audit entry + triage enqueue, one transaction)
  queue first page ms at 100k reports: N   (the analyst's queue: open reports by priority then age)
"""

import random
import statistics
import time

from _django import emit, setup, sized

setup()

from django.db import connection, transaction  # noqa: E402

from safeguard.audit.services import Actor  # noqa: E402
from safeguard.reporting.models import Category, Environment, Report, ReporterRole, Source, Status  # noqa: E402
from safeguard.reporting.services import create_report  # noqa: E402

random.seed(7)
CATEGORIES = [c.value for c in Category]


def synthetic_fields(i: int) -> dict:
    return {
        "reporter_role": random.choice(list(ReporterRole.values)),
        "child_in_danger_now": i % 50 == 0,
        "categories": random.sample(CATEGORIES, k=random.randint(1, 3)),
        "platform_name": random.choice(["ChatterBox", "PixelQuest", "SnapNest", "TalkTown"]),
        "environment": random.choice(list(Environment.values)),
        "subject_identifiers": f"user_{i % 5000}",
        # Every narrative its own text, as people's are (triage reads each one: a repeated text would be read
        # once and remembered, features.read_text, and measure nothing).
        "account": f"They asked me to keep our chat secret and proposed meeting offline. It started on day {i}.",
    }


def bench_submissions(n: int = 2000) -> float:
    actor = Actor(label="bench")
    start = time.perf_counter()
    for i in range(n):
        create_report(actor=actor, source=Source.PUBLIC_WEB, fields=synthetic_fields(i))
    return n / (time.perf_counter() - start)


def fill_reports(total: int) -> None:
    """Bulk-insert background reports (no audit) so the queue query runs at a realistic size."""
    have = Report.objects.count()
    batch = []
    for i in range(have, total):
        fields = synthetic_fields(i)
        batch.append(
            Report(
                reference=f"SG-B{i:07d}",
                source=Source.PUBLIC_WEB,
                priority=random.choice([1, 2, 3, 4, 4, 4]),
                status=random.choice([Status.RECEIVED, Status.TRIAGED, Status.CLOSED]),
                **fields,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)


def bench_queue_page(repeats: int = 30) -> float:
    open_statuses = [Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW]
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        list(
            Report.objects.filter(status__in=open_statuses)
            .order_by("priority", "created_at")
            .only("reference", "priority", "created_at", "source", "categories", "platform_name", "status")[:50]
        )
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    emit("public report submissions/s", bench_submissions(sized(2000, 20)))
    fill_reports(sized(100_000, 200))
    emit("queue first page ms at 100k reports", bench_queue_page(sized(30, 3)), "ms")
    connection.close()
