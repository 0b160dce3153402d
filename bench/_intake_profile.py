"""Where the time of one partner API submission (and one batch) goes: cProfile and the SQL it sends.

In-process (Django test client) against a throwaway PostgreSQL with the bench's settings, so the
figures leave out the HTTP server but keep middleware, validation, limits, idempotency, audit and the
task enqueue. A development aid for bench_intake.py, not part of `make bench`.
Run: .venv/bin/python bench/_intake_profile.py [single-count] [batch-count] [--sort=cumulative] [--no-profile]
(--no-profile: only the CPU figures, Python and this connection's PostgreSQL backend, per report)
"""

import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from _pg import throwaway_postgres  # noqa: E402
from _proc import process_cpu_seconds  # noqa: E402
from bench_intake import BATCH_SIZE, REPORT  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    singles = int(args[0]) if args else 300
    batches = int(args[1]) if len(args) > 1 else 5
    sort = "cumulative" if "--sort=cumulative" in sys.argv else "tottime"
    profile = "--no-profile" not in sys.argv
    with throwaway_postgres(settings={"synchronous_commit": "off"}) as database_url:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "_intake_settings",
                "SAFEGUARD_ENV": "development",
                "DJANGO_DEBUG": "false",
                "DATABASE_URL": database_url,
                "DATABASE_CONN_MAX_AGE": "600",
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                "CACHE_URL": "dbcache://safeguard_cache",
                "SAFEGUARD_EVIDENCE_ROOT": tempfile.mkdtemp(prefix="safeguard-profile-"),
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_row (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz)"
            )
        from safeguard.audit.services import Actor
        from safeguard.partners import services
        from safeguard.partners.models import Scope

        partner = services.create_partner(
            actor=Actor.system("bench"), name="P", slug="p", requests_per_minute=10**8, daily_quota=10**9
        )
        key = services.create_api_key(
            actor=Actor.system("bench"), partner=partner, name="k", scopes=list(Scope.values), expires_at=None
        ).plaintext
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        single = json.dumps({**REPORT, "finish": True})
        batch = json.dumps({"reports": [REPORT] * BATCH_SIZE})
        counter = iter(range(10**9))

        def post(path, body):
            response = client.post(
                path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"k{next(counter)}"
            )
            assert response.status_code in (200, 201), response.content[:500]

        for _ in range(20):
            post("/api/v1/reports", single)
        post("/api/v1/reports/batch", batch)
        with CaptureQueriesContext(connection) as queries:
            post("/api/v1/reports", single)
        print(f"# {len(queries)} queries for one single submission:")
        for q in queries.captured_queries:
            print("   ", q["sql"][:160])
        with CaptureQueriesContext(connection) as queries:
            post("/api/v1/reports/batch", batch)
        print(f"# {len(queries)} queries for one batch of {BATCH_SIZE}")
        for _ in range(20):
            post("/bench/minimal-insert", single)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

        def backend_cpu() -> float:
            # This connection's PostgreSQL backend (same machine): its CPU, to set beside Python's.
            return process_cpu_seconds(backend)

        started, cpu, db_cpu = time.perf_counter(), time.process_time(), backend_cpu()
        for _ in range(singles):
            post("/bench/minimal-insert", single)
        if singles:  # `0 20`: batches only
            print(f"minimal in-process ms per request: {1000 * (time.perf_counter() - started) / singles:.3f}")
            print(f"minimal python cpu ms per request: {1000 * (time.process_time() - cpu) / singles:.3f}")
            print(f"minimal postgres cpu ms per request: {1000 * (backend_cpu() - db_cpu) / singles:.3f}")

        for name, path, body, count in (
            ("single", "/api/v1/reports", single, singles),
            ("batch", "/api/v1/reports/batch", batch, batches),
        ):
            if not count:
                continue
            if profile:
                profiler = cProfile.Profile(time.process_time)  # CPU time: steadier on a busy machine
                started = time.perf_counter()
                profiler.enable()
                for _ in range(count):
                    post(path, body)
                profiler.disable()
                elapsed = time.perf_counter() - started
                per = 1000 * elapsed / (count * (BATCH_SIZE if name == "batch" else 1))
                print(f"\n# {name}: {count} requests, {per:.3f} ms per report (profiled)")
                pstats.Stats(profiler).sort_stats(sort).print_stats(os.environ.get("PROFILE_FILTER", ""), 45)
            # unprofiled timing
            started, cpu, db_cpu = time.perf_counter(), time.process_time(), backend_cpu()
            for _ in range(count):
                post(path, body)
            reports = count * (BATCH_SIZE if name == "batch" else 1)
            print(f"{name} in-process ms per report: {1000 * (time.perf_counter() - started) / reports:.3f}")
            print(f"{name} python cpu ms per report: {1000 * (time.process_time() - cpu) / reports:.3f}")
            print(f"{name} postgres cpu ms per report: {1000 * (backend_cpu() - db_cpu) / reports:.3f}")


if __name__ == "__main__":
    main()
