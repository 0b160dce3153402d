"""The triage worker's cost per report: what the background job that triages each accepted report spends.

Reports are created through the real partner batch service (validation done as the API does it), then the
real tasks run in this process against a throwaway PostgreSQL: `triage_report` once per report ("single"),
and `triage_batch` once per batch of 200 ("batch"), for reports that name distinct people and reports that
all name the same person (as bench_intake's do). Prints, for each of the four runs:
  triage worker cpu ms/report (<mode>, <people>): N   this process + its PostgreSQL backend, CPU per report
  triage worker python cpu ms/report (...): N          this process alone
  triage worker postgres cpu ms/report (...): N        the backend alone
  triage worker reports/s (<mode>, <people>): N        wall clock, one worker
  triage worker queries/report (<mode>, <people>): N
Run: .venv/bin/python bench/bench_triage_worker.py [REPORTS]  (default 600 per run; about a minute)
      add --profile for a cProfile of each run (CPU time, top 30 by own time; PROFILE_SORT=cumulative and
      PROFILE_FILTER=safeguard to change that).
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from _django import emit  # noqa: E402
from _pg import throwaway_postgres  # noqa: E402
from _proc import process_cpu_seconds  # noqa: E402
from bench_intake import BATCH_SIZE, REPORT  # noqa: E402


def _payloads(count: int, *, distinct: bool, tag: str) -> list[dict]:
    from safeguard.partners.schemas import ReportIn

    out = []
    for n in range(count):
        item = {**REPORT}
        if distinct:
            person = dict(REPORT["personOrUserReported"])
            person["espIdentifier"] = f"cb-{tag}-{n}"
            person["screenName"] = f"Skater_{tag}_{n}"
            item["personOrUserReported"] = person
        out.append(ReportIn.model_validate(item).model_dump(mode="json", exclude_none=True, exclude={"finish"}))
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else int(os.environ.get("BENCH_TRIAGE_WORKER_REPORTS", "600"))
    profile = "--profile" in sys.argv
    with throwaway_postgres(settings={"synchronous_commit": "off"}) as database_url:
        import tempfile

        os.environ.update(
            {
                "SAFEGUARD_ENV": "development",
                "DJANGO_DEBUG": "false",
                "DATABASE_URL": database_url,
                "DATABASE_CONN_MAX_AGE": "600",
                "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
                "CACHE_URL": "dbcache://safeguard_cache",  # as production-like: a cache read is a query
                "SAFEGUARD_EVIDENCE_ROOT": tempfile.mkdtemp(prefix="safeguard-bench-"),
                "DJANGO_SETTINGS_MODULE": "safeguard.settings",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        from safeguard.audit.services import Actor
        from safeguard.partners import services
        from safeguard.triage.tasks import triage_batch, triage_report

        partner = services.create_partner(
            actor=Actor.system("bench"), name="P", slug="p", requests_per_minute=10**8, daily_quota=10**9
        )

        def create(distinct: bool, tag: str) -> list[list[int]]:
            batches = []
            payloads = _payloads(count, distinct=distinct, tag=tag)
            for start in range(0, count, BATCH_SIZE):
                created = services.submit_batch(partner=partner, payloads=payloads[start : start + BATCH_SIZE])
                batches.append([report.pk for _, report in created])
            return batches

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

        def backend_cpu() -> float:
            # This connection's PostgreSQL backend (same machine): its CPU, to set beside Python's.
            return process_cpu_seconds(backend)

        def single(batches):
            for ids in batches:
                for report_id in ids:
                    triage_report.call(report_id)

        def batch(batches):
            for ids in batches:
                triage_batch.call(ids)

        # Warm-up: imports, the model, first statements.
        single(create(True, "warm-s"))
        batch(create(True, "warm-b"))
        for mode, run in (("single", single), ("batch", batch)):
            for people, distinct in (("distinct people", True), ("same person", False)):
                batches = create(distinct, f"{mode}-{int(distinct)}")
                label = f"({mode}, {people})"
                first, rest = batches[:1], batches[1:] or batches[:1]
                sent = [0]

                def counting(execute, sql, params, many, context, sent=sent):
                    sent[0] += 1
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(counting):
                    run(first)
                per_query = sent[0] / len(first[0])
                reports = sum(len(ids) for ids in rest) if len(batches) > 1 else len(first[0])
                if len(batches) == 1:  # measure a second fresh set
                    rest = create(distinct, f"{mode}-{int(distinct)}-b")
                    reports = sum(len(ids) for ids in rest)
                profiler = cProfile.Profile(time.process_time) if profile else None
                started, cpu, db_cpu = time.perf_counter(), time.process_time(), backend_cpu()
                if profiler:
                    profiler.enable()
                run(rest)
                if profiler:
                    profiler.disable()
                wall = time.perf_counter() - started
                python = 1000 * (time.process_time() - cpu) / reports
                postgres = 1000 * (backend_cpu() - db_cpu) / reports
                emit(f"triage worker cpu ms/report {label}", python + postgres, "ms")
                emit(f"triage worker python cpu ms/report {label}", python, "ms")
                emit(f"triage worker postgres cpu ms/report {label}", postgres, "ms")
                emit(f"triage worker reports/s {label}", reports / wall, "reports/s")
                emit(f"triage worker queries/report {label}", per_query, "queries")
                if profiler:
                    print(f"# profile {label} (profiled: figures above include cProfile's overhead)")
                    stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
                    stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 30)
        connection.close()


if __name__ == "__main__":
    main()
