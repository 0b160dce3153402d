"""The child in danger goes first under load (issue 20): how long a public P1 report waits for its triage while a
50,000-report partner batch is being triaged by the same workers.

A fresh database (SQLite, or a throwaway PostgreSQL with --postgres) and the database task queue. The batch goes
through the real partner batch path (`partners.services.submit_batch` -> `reporting.intake.accept`, Source.PARTNER_API,
every report naming a different person), which queues its triage as it would in service. Then real worker processes
start (`manage.py db_worker`), and once they are triaging the batch, public P1 reports (child_in_danger_now=True,
through `reporting.services.create_report`, as the public journey submits) arrive one every INTERVAL seconds. For
each: seconds from submission until the staff queue selector (`triage.selectors.report_queue`, a supervisor's view)
lists it triaged (status TRIAGED, band P1, its triage row scored).

Prints:
  p1 time to queue p99 s: N          (a P1 not triaged when the run ends counts as its wait so far: a lower bound)
  p1 time to queue median s: N
  p1 time to queue max s: N
  p1 reports: N
  p1 not triaged by the end: N
  batch reports triaged during run: N
  batch triage reports/s: N          (batch reports triaged a second, from the first P1 to the end of the run)
  batch triage tasks: N              (task rows the batch was queued as)
  p1 submission max s: N             (create_report itself, included in the waits: on SQLite, the write lock)
  p1 task wait in queue p99 s: N     (its task row queued -> claimed by a worker: what the queue's order decides)

Run: .venv/bin/python bench/bench_p1_under_load.py [--batch 50000] [--p1 30] [--interval 1.5] [--workers 1]
     [--wait 60] [--postgres]   (about 3 minutes on 2 cores, most of it accepting the batch). BENCH_SMOKE=1: tiny.
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from _django import SMOKE, emit, sized  # noqa: E402


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=sized(50_000, 300), help="reports in the partner batch")
    parser.add_argument("--p1", type=int, default=sized(30, 3), help="public P1 reports submitted meanwhile")
    parser.add_argument("--interval", type=float, default=sized(1.5, 0.3), help="seconds between P1 reports")
    parser.add_argument("--workers", type=int, default=1, help="db_worker processes")
    parser.add_argument("--wait", type=float, default=sized(60, 30), help="seconds to wait after the last P1")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL instead of SQLite")
    return parser.parse_args()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(0.99 * len(ordered)) - 1))]


def times_in_order(waited: dict[int, float], late: dict[int, float]) -> list[float]:
    return [seconds for _, seconds in sorted({**waited, **late}.items())]


def main() -> None:
    options = _options()
    if options.postgres:
        from _pg import PG_BIN, throwaway_postgres

        if not (PG_BIN / "initdb").exists():
            print(f"skipped: PostgreSQL not found in {PG_BIN} (set PG_BIN)")
            return
        with throwaway_postgres(settings={"synchronous_commit": "off"}) as database_url:
            os.environ["DATABASE_URL"] = database_url
            run(options)
    else:
        run(options)


def run(options: argparse.Namespace) -> None:
    from _django import setup

    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if SMOKE:
        os.environ.setdefault("SAFEGUARD_TRIAGE_BATCH_TASK_SIZE", "50")
    workdir = setup(tasks_backend="django_tasks_db.DatabaseBackend")
    from bench_triage_worker import _payloads
    from django.conf import settings
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from safeguard.accounts.models import User
    from safeguard.audit.services import Actor
    from safeguard.partners import services as partners
    from safeguard.reporting.models import Priority, Report, Source, Status
    from safeguard.reporting.services import create_report
    from safeguard.triage.models import ReportTriage
    from safeguard.triage.selectors import report_queue

    vendor = connection.vendor
    size = getattr(settings, "SAFEGUARD_TRIAGE_BATCH_TASK_SIZE", None)
    print(f"# {vendor}, batch {options.batch}, {options.p1} P1 every {options.interval} s, {options.workers} worker(s)")
    print(f"# SAFEGUARD_TRIAGE_BATCH_TASK_SIZE: {size if size is not None else '(not a setting in this code)'}")

    supervisor = User.objects.create_user(username="bench-supervisor", password=None, role="supervisor")
    partner = partners.create_partner(
        actor=Actor.system("bench"), name="Bench partner", slug="bench", requests_per_minute=10**8, daily_quota=10**9
    )
    started = time.perf_counter()
    payloads = _payloads(options.batch, distinct=True, tag="load")
    created = partners.submit_batch(partner=partner, payloads=payloads)  # one batch: its triage queued on commit
    batch_ids = [report.pk for _, report in created]
    del created, payloads
    tasks = DBTaskResult.objects.filter(task_path="safeguard.triage.tasks.triage_batch").count()
    print(f"# batch of {len(batch_ids)} accepted in {time.perf_counter() - started:.1f} s, queued as {tasks} task(s)")
    first_batch, last_batch = min(batch_ids), max(batch_ids)

    def batch_triaged() -> int:
        return ReportTriage.objects.filter(report_id__gte=first_batch, report_id__lte=last_batch).count()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    workers = []
    log = open(workdir / "workers.log", "w")  # noqa: SIM115 - closed below
    for number in range(options.workers):
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own manage.py
                [
                    sys.executable,
                    str(BENCH.parent / "manage.py"),
                    "db_worker",
                    "--queue-name",
                    "default",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                    "--worker-id",
                    f"bench-{number}",
                    "--verbosity",
                    "0",
                ],
                cwd=BENCH.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        deadline = time.monotonic() + 120
        while batch_triaged() == 0:  # the workers are on the batch before the first P1 arrives
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit(f"the workers triaged nothing: see {workdir / 'workers.log'}")
            time.sleep(0.2)
        time.sleep(sized(2, 0))

        pending: dict[int, float] = {}  # report id -> submitted at
        waited: dict[int, float] = {}
        run_started, triaged_at_start = time.monotonic(), batch_triaged()
        next_at, submitted = run_started, 0

        def visible() -> None:
            if not pending:
                return
            now = time.monotonic()
            seen = report_queue(user=supervisor, status=Status.TRIAGED, priority=Priority.P1).filter(
                pk__in=list(pending), triage__scored_at__isnull=False
            )
            for report_id in seen.values_list("pk", flat=True):
                waited[report_id] = now - pending.pop(report_id)

        last_submission = None
        submit_seconds: list[float] = []  # create_report itself (on SQLite it waits for the write lock)
        while submitted < options.p1 or pending:
            now = time.monotonic()
            if submitted < options.p1 and now >= next_at:
                at = time.monotonic()
                report = create_report(
                    actor=Actor(label="member of the public (young person)"),
                    source=Source.PUBLIC_WEB,
                    fields={
                        "child_in_danger_now": True,
                        "account": f"Bench {submitted}: someone I met in a game is asking to meet offline tonight.",
                    },
                ).report
                assert report.priority == Priority.P1
                pending[report.pk] = at
                submit_seconds.append(time.monotonic() - at)
                submitted += 1
                next_at += options.interval
                last_submission = time.monotonic()
            visible()
            if submitted == options.p1 and pending and time.monotonic() - last_submission > options.wait:
                break
            time.sleep(0.05)
        run_seconds = time.monotonic() - run_started
        triaged_during = batch_triaged() - triaged_at_start
        end = time.monotonic()
        late = {report_id: end - at for report_id, at in pending.items()}  # still waiting: a lower bound
        times = list(waited.values()) + list(late.values())
        emit("p1 time to queue p99 s", _p99(times), "s")
        emit("p1 time to queue median s", statistics.median(times), "s")
        emit("p1 time to queue max s", max(times), "s")
        emit("p1 reports", len(times))
        emit("p1 not triaged by the end", len(late))
        emit("batch reports triaged during run", triaged_during)
        emit("batch triage reports/s", triaged_during / run_seconds, "reports/s")
        emit("batch triage tasks", tasks)
        emit("p1 submission max s", max(submit_seconds), "s")
        # The part the queue's order decides: from the P1's task row being queued to a worker claiming it.
        queue_waits = [
            (row.started_at - row.enqueued_at).total_seconds()
            for row in DBTaskResult.objects.filter(
                task_path="safeguard.triage.tasks.triage_report", started_at__isnull=False
            )
        ]
        if queue_waits:
            emit("p1 task wait in queue p99 s", _p99(queue_waits), "s")
        print("# p1 waits s, in submission order: " + " ".join(f"{t:.2f}" for t in times_in_order(waited, late)))
        print("# p1 submission s, in order: " + " ".join(f"{t:.2f}" for t in submit_seconds))
        untriaged_p1 = Report.objects.filter(pk__in=list(late), status=Status.RECEIVED).count()
        print(f"# run {run_seconds:.1f} s; P1 reports still RECEIVED at the end: {untriaged_p1}")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)  # a worker finishes its task first: the old single batch task is long
            except subprocess.TimeoutExpired:
                worker.kill()
        log.close()
        connection.close()


if __name__ == "__main__":
    main()
