"""Partner API intake throughput against a minimal Django insert view, on a throwaway PostgreSQL.

Starts PostgreSQL (temp dir, free port), migrates, serves the project with gunicorn on a free port
and drives it with wrk (Debian package `wrk`), then prints:
  intake ratio: R          single-report API submissions/s divided by minimal-insert-view requests/s
  intake reports/s: N      POST /api/v1/reports with finish=true and a fresh Idempotency-Key
  intake p99 ms: N         99th percentile latency of those submissions
  batch reports/s: N       POST /api/v1/reports/batch, reports created per second
  minimal insert requests/s: N   the baseline, for reference
Each submission is validated, stored with its partner record, audited (hash chain), counted against
the partner's limits and queued for triage (database task backend), as in production.
Run: .venv/bin/python bench/bench_intake.py   (about a minute and a half)
"""

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _pg import PG_BIN, free_port, postmaster_pid, throwaway_postgres
from _proc import tree_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "10s")
# Sync gunicorn workers: two per core on this 2-core machine, as each request spends part of its
# time waiting on PostgreSQL. One client connection per worker: saturates the server without
# queueing requests in the listen backlog, where their wait would count as latency but add no
# throughput. Both views run under the same server settings (ADR 0018).
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", str(WORKERS)))
BATCH_SIZE = int(os.environ.get("BENCH_BATCH_SIZE", "200"))

REPORT = {
    "incidentSummary": {
        "incidentType": "online_enticement_of_children",
        "incidentDateTime": "2026-11-20T18:30:00Z",
        "platform": "ChatterBox messenger",
        "reportAnnotations": ["offline_meeting_proposed", "asked_to_keep_secret"],
    },
    "internetDetails": {"chatImIncident": {"chatClient": "ChatterBox Android", "conversationReference": "c/7731"}},
    "personOrUserReported": {
        "espIdentifier": "cb-user-40417",
        "screenName": "Skater_Sam_14",
        "displayNames": ["Sam"],
        "ipCaptureEvents": [{"ipAddress": "192.0.2.44", "eventName": "Login", "dateTime": "2026-11-20T18:00:00Z"}],
    },
    "victims": [{"age": 13, "espIdentifier": "cb-user-11802"}],
    "additionalInfo": "Adult account asked a child to keep the chat secret and proposed meeting offline.",
}

LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end
request = function()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer %(key)s"
  if %(idempotency)s then
    headers["Idempotency-Key"] = "%(tag)s-" .. thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  end
  return wrk.format("POST", "%(path)s", headers, %(body)s)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d duration_us=%%d p99_us=%%d p50_us=%%d non2xx=%%d errors=%%d\\n",
    summary.requests, summary.duration, latency:percentile(99), latency:percentile(50),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""  # noqa: E501


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(url: str, path: str, body: str, key: str, workdir: Path, *, idempotency: bool, connections: int) -> dict:
    script = workdir / f"wrk-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(
        LUA
        % {
            "tag": f"{path.strip('/').replace('/', '-')}-{time.time_ns()}",
            "key": key,
            "path": path,
            "body": lua_string(body),
            "idempotency": "true" if idempotency else "false",
        }
    )
    out = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{DURATION}",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{out}")
    result = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def measured(roots: list[int], run) -> dict:
    """Run a load test and add the server-side CPU it cost (web + database), which, unlike wall-clock
    throughput, hardly depends on what else the machine is doing. roots[0] is the web server; the
    rest (PostgreSQL) are counted apart too, to show where the CPU goes."""
    before_web, before_all = tree_cpu_seconds(roots[:1]), tree_cpu_seconds(roots)
    result = run()
    result["cpu_s"] = tree_cpu_seconds(roots) - before_all
    result["web_cpu_s"] = tree_cpu_seconds(roots[:1]) - before_web
    return result


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the bench server did not start")


def prepare_database(env: dict) -> str:
    """Migrate, create the baseline table and a partner with a key; return the key."""
    code = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0, interactive=False)
call_command("createcachetable", verbosity=0)
with connection.cursor() as c:
    c.execute("CREATE TABLE bench_row (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)")
from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import Scope
partner = services.create_partner(actor=Actor.system("bench"), name="Bench Partner", slug="bench",
                                  requests_per_minute=10_000_000, daily_quota=1_000_000_000)
print(services.create_api_key(actor=Actor.system("bench"), partner=partner, name="bench",
                              scopes=list(Scope.values), expires_at=None).plaintext)
"""
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=BENCH, capture_output=True, text=True)  # noqa: S603
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def emit(name: str, value: float, unit: str = "", *, digits: int | None = None) -> None:
    places = digits if digits is not None else (2 if abs(value) < 10 else 0)
    number = f"{value:.{places}f}"
    print(f"{name}: {number}{(' ' + unit) if unit else ''}", flush=True)


def main() -> None:
    if shutil.which("wrk") is None:
        print("# bench_intake skipped: wrk is needed (Debian: apt-get install wrk)")
        return
    if not (PG_BIN / "initdb").exists():
        print(f"# bench_intake skipped: PostgreSQL not found in {PG_BIN} (set PG_BIN)")
        return
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-intake-"))
    atexit.register(shutil.rmtree, workdir, True)  # also when a run fails part-way
    # Commits are not waited on (synchronous_commit=off): this sandbox's disk fsync is slow and
    # shared, and the figures should compare the code paths, not the disk. See docs/partners-api.md.
    with throwaway_postgres(settings={"synchronous_commit": "off", "max_connections": "200"}) as database_url:
        env = {
            **os.environ,
            "PYTHONPATH": f"{BENCH}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "_intake_settings",
            "SAFEGUARD_ENV": "development",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "600",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "CACHE_URL": "dbcache://safeguard_cache",
            "SAFEGUARD_EVIDENCE_ROOT": str(workdir / "evidence"),
            "LOG_LEVEL": "WARNING",
        }
        key = prepare_database(env)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "safeguard.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=BENCH,
            start_new_session=True,
        )
        try:
            wait_for(url)
            single = json.dumps({**REPORT, "finish": True})
            batch = json.dumps({"reports": [REPORT] * BATCH_SIZE})

            # Warm each path (connections, imports, caches) before measuring; batches too, on every worker at
            # once: a 10 s phase completes only a few dozen batches, so each worker's cold first one (lazy
            # imports, per-model plans) would otherwise be counted in the batch figures.
            def send(path: str, body: str) -> None:
                request = urllib.request.Request(  # noqa: S310
                    url + path,
                    data=body.encode(),
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
                )
                urllib.request.urlopen(request).read()  # noqa: S310 - local server

            for path, body in (("/bench/minimal-insert", single), ("/api/v1/reports", single)):
                for _ in range(20):
                    send(path, body)
            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(lambda _: send("/api/v1/reports/batch", batch), range(3 * WORKERS)))
            port_of_db = int(database_url.rsplit(":", 1)[1].split("/")[0])
            roots = [server.pid, *filter(None, [postmaster_pid(port_of_db)])]
            minimal = measured(
                roots,
                lambda: run_wrk(
                    url, "/bench/minimal-insert", single, key, workdir, idempotency=False, connections=CONNECTIONS
                ),
            )
            intake = measured(
                roots,
                lambda: run_wrk(
                    url, "/api/v1/reports", single, key, workdir, idempotency=True, connections=CONNECTIONS
                ),
            )
            batched = measured(
                roots,
                lambda: run_wrk(
                    url, "/api/v1/reports/batch", batch, key, workdir, idempotency=True, connections=WORKERS
                ),
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    for name, result in (("minimal", minimal), ("intake", intake), ("batch", batched)):
        if not result["requests"]:
            print(f"# warning: {name}: no request completed in {DURATION}: figures meaningless (raise BENCH_DURATION)")
        if result["non2xx"] or result["errors"]:
            print(f"# warning: {name}: {result['non2xx']} non-2xx responses, {result['errors']} socket errors")
    emit("intake ratio", intake["rps"] / minimal["rps"])
    emit("intake reports/s", intake["rps"])
    emit("intake p99 ms", intake["p99_us"] / 1000, "ms")
    emit("batch reports/s", batched["rps"] * BATCH_SIZE)
    emit("minimal insert requests/s", minimal["rps"])
    emit("minimal insert p99 ms", minimal["p99_us"] / 1000, "ms")
    # Server CPU per request (web workers + database backends): on a busy shared machine this is the
    # steadier comparison; "cpu ratio" is the throughput ratio a CPU-bound dedicated server would show.
    minimal_cpu = 1000 * minimal["cpu_s"] / max(minimal["requests"], 1)
    intake_cpu = 1000 * intake["cpu_s"] / max(intake["requests"], 1)
    batch_cpu = 1000 * batched["cpu_s"] / max(batched["requests"] * BATCH_SIZE, 1)
    emit("minimal insert cpu ms/request", minimal_cpu, "ms", digits=2)
    emit("intake cpu ms/report", intake_cpu, "ms", digits=2)
    emit("batch cpu ms/report", batch_cpu, "ms", digits=3)
    # Of which the web workers (Python); the rest is PostgreSQL's backends.
    for name, result, count in (
        ("minimal insert", minimal, minimal["requests"]),
        ("intake", intake, intake["requests"]),
        ("batch", batched, batched["requests"] * BATCH_SIZE),
    ):
        emit(
            f"{name} web cpu ms/{'request' if name == 'minimal insert' else 'report'}",
            1000 * result["web_cpu_s"] / max(count, 1),
            "ms",
            digits=3,
        )
    emit("intake cpu ratio", minimal_cpu / intake_cpu if intake_cpu else 0)
    emit("batch reports/s per cpu", 1000 / batch_cpu if batch_cpu else 0)


if __name__ == "__main__":
    main()
