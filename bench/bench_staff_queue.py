"""How fast staff get the report queue and a report page when the queue is long.

Prints: staff_queue_page_ms (median, first page of open reports), staff_queue_page_p95_ms,
staff_report_page_ms (median, includes its audit entry), for REPORTS open reports (default 20,000).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import emit, setup, sized

REPORTS = int(os.environ.get("BENCH_REPORTS", "20000"))
ROUNDS = sized(30, 3)


def main() -> None:
    setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.accounts.models import User
    from safeguard.reporting.models import Category, Priority, Report
    from safeguard.reporting.references import new_reference

    setup_test_environment()
    categories = [[Category.MEET_UP], [Category.ASKED_FOR_IMAGES], [], [Category.KEEP_SECRET]]
    Report.objects.bulk_create(
        (
            Report(
                reference=new_reference(),
                priority=list(Priority)[n % 4],
                categories=categories[n % 4],
                platform_name="ChatterBox",
                account="Asked to keep the chat secret.",
            )
            for n in range(REPORTS)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    user = User.objects.create_user(username="bench-analyst", password="x" * 20, role="analyst")
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def timed(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - start) * 1000

    timed("/staff/")  # warm up
    queue = sorted(timed("/staff/") for _ in range(ROUNDS))
    reference = Report.objects.order_by("?").values_list("reference", flat=True).first()
    detail = [timed(f"/staff/reports/{reference}/") for _ in range(ROUNDS)]
    emit("staff_queue_reports", Report.objects.count(), "reports")
    emit("staff_queue_page_ms", statistics.median(queue), "ms")
    emit("staff_queue_page_p95_ms", queue[int(len(queue) * 0.95) - 1], "ms")
    emit("staff_report_page_ms", statistics.median(detail), "ms")


if __name__ == "__main__":
    main()
