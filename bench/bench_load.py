"""Load test of the production-like topology (docs/production.md, ADR 0094): mixed traffic at a fixed rate.

Starts PostgreSQL, Redis, the S3 stand-in, nginx, gunicorn (6 sync workers) and 2 RQ task workers
(deploy/topology.py), loads the demo data, then sends, for --minutes at --rps requests per second in all, this mix:

  Most Wanted list / person pages / photos   20% / 30% / 12%  the most visited pages of such a centre
  home page / static files / health probe    18% / 12% / 1%   public information, CSS, the load balancer
  public report journey (Locust)              4%              ~12 requests a report: ~1.7 reports/s at 500/s
  partner API submissions                     2%              one request a report: 10 reports/s at 500/s
  staff queue pages                           1%              ~100 analysts on shift, a page every 20 s

Public pages dominate real traffic (people read far more than they report, and a Most Wanted appeal is
shared widely); the write paths are still tested far above their real rates: the largest national
tipline receives ~36 million reports a year, about 1.2 a second on average, almost all from platforms,
so 10 partner reports/s is ~8x that average, and 1.7 public reports/s (~150,000 a day) is a hundred times
a national centre's public reporting. Each class's CPU cost is in ADR 0094, to re-weigh the mix.
Stateless requests are sent by wrk (C, paced per endpoint, bench/_load_wrk.py),
the stateful journey by Locust; the generator's CPU is measured and printed, as is the server's CPU per
request (nginx, web, PostgreSQL, Redis, task workers). nginx in front keeps the anonymous public pages the
application marks public (deploy/nginx.conf.template); --no-proxy sends everything to gunicorn.

Prints (`name: value unit`):
  load target requests/s, load requests/s       offered and achieved
  load p50|p95|p99                               all requests together
  load errors                                    unexpected status or connection error, any endpoint
  load reports accepted, load reports stored     clients told "stored" (201, confirmation page); of those,
                                                 how many are in the database
  load <endpoint> p99 (and requests/s)           per endpoint
  load generator cpu share                       wrk + Locust CPU / (2 cores x duration)
  load server cpu ms/request                     web + PostgreSQL + Redis + task workers, per request
  load machine cpu busy, load machine cpu ms/request   the whole machine's CPU (/proc/stat), all processes
  load machine load average start|end

Usage: bench_load.py [--minutes 1] [--rps 100] [--web-workers 6] [--threads 1] [--no-proxy] [--keep]
Full run (the documented one): bench_load.py --minutes 10 --rps 500   (about 12 minutes in all: start-up
takes 1-3 minutes, then 10 minutes of load and ~20 s to stop)
"""

import argparse
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load_wrk import Stream
from _pg import postmaster_pid
from _proc import TICK, cpu_by_group

from deploy.topology import BIN, REPO, Topology

USER_RPS = 2.0  # requests per second each simulated reporter aims at (Locust)
MIX = {  # share of all requests (the docstring and ADR 0094 say why); the journey's share is sent by Locust
    "/most-wanted/": 0.20,
    "/most-wanted/[person]/": 0.30,
    "/most-wanted/[person]/photo.png": 0.12,
    "/ (home)": 0.18,
    "/static/[css]": 0.12,
    "/healthz": 0.01,
    "journey": 0.04,
    "/api/v1/reports POST": 0.02,
    "/staff/ (queue)": 0.01,
}

PARTNER_REPORT = {
    "incidentSummary": {
        "incidentType": "online_enticement_of_children",
        "incidentDateTime": "2026-11-20T18:30:00Z",
        "platform": "LoadTest Chat",
        "reportAnnotations": ["asked_to_keep_secret"],
    },
    "personOrUserReported": {"espIdentifier": "lt-user-1", "screenName": "Fictional_Load_Account"},
    "additionalInfo": "Adult account asked a child to keep the chat secret.",
    "finish": True,
}

STAFF_SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from safeguard.accounts.models import User
user, _ = User.objects.get_or_create(username="load-analyst", defaults={"role": "analyst"})
user.set_password("load-test-password-not-secret-1")
user.save()
device, _ = TOTPDevice.objects.get_or_create(user=user, name="load", defaults={"confirmed": True})
store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store.save()
print(store.session_key)
"""


# --- CPU accounting from /proc --------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat.

    The per-group figures read long-lived processes only: they miss short-lived ones (RQ's forked work-horse
    per job, the PostgreSQL backend each opens) and the kernel's work for the connections, so the whole
    machine's busy time is printed beside them (ADR 0094).
    """
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest is counted in user)
    return (total - idle) / TICK, total / TICK


# --- figures ------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def stored_count(topology: Topology, references: list[str]) -> int:
    import psycopg

    with psycopg.connect(topology.database_url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*) FROM reporting_report WHERE reference = ANY(%s)", [references]).fetchone()
        return row[0]


def _get(url: str, headers: dict | None = None) -> str:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.read().decode(errors="replace")


def streams_for(*, rps: float, base_url: str, partner_key: str, session: str) -> list[Stream]:
    listing = _get(base_url + "/most-wanted/")
    people = sorted(set(re.findall(r'href="(/most-wanted/[a-z0-9-]+/)"', listing)) - {"/most-wanted/alerts/"})
    if not people:
        raise SystemExit("no Most Wanted pages found: is the demo data loaded?")
    home = _get(base_url + "/")
    css = re.search(r'href="(/static/[^"]+\.css)"', home)
    return [
        Stream("/most-wanted/", ["/most-wanted/"], rps * MIX["/most-wanted/"]),
        Stream("/most-wanted/[person]/", people, rps * MIX["/most-wanted/[person]/"]),
        Stream(
            "/most-wanted/[person]/photo.png",
            [p + "photo.png" for p in people],
            rps * MIX["/most-wanted/[person]/photo.png"],
        ),
        Stream("/ (home)", ["/"], rps * MIX["/ (home)"]),
        Stream("/static/[css]", [css.group(1) if css else "/static/dist/application.css"], rps * MIX["/static/[css]"]),
        Stream("/healthz", ["/healthz"], rps * MIX["/healthz"]),
        Stream(
            "/api/v1/reports POST",
            ["/api/v1/reports"],
            rps * MIX["/api/v1/reports POST"],
            method="POST",
            body=json.dumps(PARTNER_REPORT),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {partner_key}"},
            expected=201,
            idempotency=True,
            collect_references=True,
        ),
        Stream(
            "/staff/ (queue)",
            ["/staff/", "/staff/", "/staff/", "/staff/?page=2"],
            rps * MIX["/staff/ (queue)"],
            headers={"Cookie": f"sessionid={session}"},
        ),
    ]


def emit(name: str, value: float, unit: str = "") -> None:
    number = f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"
    print(f"load {name}: {number}{(' ' + unit) if unit else ''}", flush=True)


def _warm_up(streams: list[Stream], base_url: str, web_workers: int) -> None:
    """Warm every worker's imports, caches and connections before measuring: a web worker's first request
    on a path costs up to a second of CPU (imports, URL and template loading), which in a short run would
    be charged to the requests measured. Warm-up reports are not counted as accepted."""
    for stream in streams:
        for path in stream.paths[:3]:
            for _ in range(3 * web_workers):
                if stream.method == "GET":
                    _get(base_url + path, stream.headers)
                else:
                    headers = {**stream.headers, "Idempotency-Key": f"warm-up-{time.time_ns()}"}
                    request = urllib.request.Request(  # noqa: S310 - local server
                        base_url + path, data=stream.body.encode(), headers=headers, method="POST"
                    )
                    urllib.request.urlopen(request, timeout=30).read()  # noqa: S310
    for _ in range(3 * web_workers):
        _get(base_url + "/report/about-you/")


def _results(
    streams: list[Stream], latency_file: Path
) -> tuple[list[tuple[str, int, float, int]], list[tuple[float, float]], int, int, list[str]]:
    """Per endpoint (name, requests, p99 ms, errors), the weighted latencies, totals and error notes of a run:
    the wrk streams' results, then the public journey's (Locust) from its latency file."""
    per_endpoint: list[tuple[str, int, float, int]] = []
    weighted: list[tuple[float, float]] = []  # (latency ms, weight)
    total_requests = total_errors = 0
    notes = []
    for stream in streams:
        result = stream.result()
        quantiles = [q / 1000 for q in result["quantiles_us"]]
        errors = result["unexpected"] + result["socket_errors"]
        per_endpoint.append((stream.name, result["requests"], quantiles[989], errors))
        weighted += [(q, result["requests"] / len(quantiles)) for q in quantiles]
        total_requests += result["requests"]
        total_errors += errors
        if errors:
            notes.append(f"# {stream.name}: {errors} errors, first: {result['first_unexpected']}")
    journey = json.loads(latency_file.read_text()) if latency_file.exists() else {"latencies_ms": {}, "errors": {}}
    for name, values in journey["latencies_ms"].items():
        errors = journey["errors"].get(name, 0)
        per_endpoint.append((name, len(values), percentile(values, 0.99), errors))
        weighted += [(v, 1.0) for v in values]
        total_requests += len(values)
        total_errors += errors
        if errors:
            notes.append(f"# {name}: {errors} errors (see locust.log)")
    return per_endpoint, weighted, total_requests, total_errors, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rps", type=float, default=100.0, help="target requests per second, all endpoints together")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("LOAD_WEB_WORKERS", "6")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("LOAD_THREADS", "1")))
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--no-proxy", action="store_true", help="clients straight to gunicorn, without nginx")
    parser.add_argument("--keep", action="store_true", help="keep the topology folder (logs, wrk and Locust files)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("# bench_load skipped: wrk is needed (Debian: apt-get install wrk)")
        return 0
    if shutil.which("redis-server") is None:
        print("# bench_load skipped: redis-server is needed (Debian: apt-get install redis-server)")
        return 0

    if not args.no_proxy and not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("# nginx is not installed (apt-get install nginx-light): every request goes to gunicorn")
        args.no_proxy = True
    load_start = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp(prefix="safeguard-load-"))
    root.chmod(0o755)
    topology = Topology(root=root, use_s3=not args.no_s3, use_proxy=not args.no_proxy)
    try:
        started = time.monotonic()
        topology.start_postgres()
        topology.start_redis()
        if topology.use_s3:
            topology.start_s3()
        topology.prepare()
        demo = topology.env(SAFEGUARD_ENV="development")
        for command in ("load_demo_data", "load_wanted_demo"):
            topology.manage(command, env=demo)
        topology.manage("create_partner", "loadtest", "LoadTest Chat", "--platform", "LoadTest Chat",
                        "--requests-per-minute", "1000000", "--daily-quota", "100000000")  # fmt: skip
        partner_key = topology.manage("create_partner_key", "loadtest", "bench").stdout.strip().splitlines()[-1]
        session = topology.manage("shell", "-c", STAFF_SESSION).stdout.strip().splitlines()[-1]
        topology.start_web(workers=args.web_workers, threads=args.threads)
        topology.start_workers(args.task_workers)
        print(
            f"# topology up in {time.monotonic() - started:.0f} s at {topology.base_url}: "
            f"{'gunicorn' if args.no_proxy else 'nginx, gunicorn'} {args.web_workers} workers x {args.threads} "
            f"threads, {args.task_workers} task workers",
            flush=True,
        )
        streams = streams_for(rps=args.rps, base_url=topology.base_url, partner_key=partner_key, session=session)
        _warm_up(streams, topology.base_url, args.web_workers)

        seconds = max(10, int(args.minutes * 60))
        journey_rps = args.rps * MIX["journey"]
        users = max(1, round(journey_rps / USER_RPS))
        accepted_file, latency_file = root / "accepted.json", root / "journey-latency.json"
        locust_env = {
            **os.environ,
            "LOAD_ACCEPTED_FILE": str(accepted_file),
            "LOAD_LATENCY_FILE": str(latency_file),
            "LOAD_USER_RPS": str(USER_RPS),
        }
        groups = {
            "web": [topology.processes["web"].pid],
            "postgres": list(filter(None, [postmaster_pid(topology.pg_port)])),
            "redis": [topology.processes["redis"].pid],
            "task workers": [p.pid for n, p in topology.processes.items() if n.startswith("worker-")],
        }
        for name in ("s3", "proxy"):
            if name in topology.processes:
                groups[name] = [topology.processes[name].pid]
        generator_before, server_before = _children_cpu(), cpu_by_group(groups)
        machine_before = machine_cpu()
        wall_started = time.monotonic()
        processes = [stream.start(base_url=topology.base_url, seconds=seconds, workdir=root) for stream in streams]
        locust = subprocess.Popen(  # noqa: S603
            [str(BIN / "locust"), "-f", str(REPO / "bench" / "_load_locustfile.py"), "--headless",
             "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", topology.base_url,
             "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            env=locust_env, stdout=subprocess.DEVNULL, stderr=open(root / "locust.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        for process in processes:
            process.wait()
        server_after = cpu_by_group(groups)  # before Locust's stop-timeout tail
        machine_after = machine_cpu()
        wall = time.monotonic() - wall_started
        locust.wait()
        generator_cpu = _children_cpu() - generator_before
        load_end = os.getloadavg()[0]
        time.sleep(2)  # let the last commits land before counting

        per_endpoint, weighted, total_requests, total_errors, notes = _results(streams, latency_file)

        weighted.sort()
        total_weight = sum(w for _, w in weighted)

        def overall(fraction: float) -> float:
            running = 0.0
            for value, weight in weighted:
                running += weight
                if running >= fraction * total_weight:
                    return value
            return weighted[-1][0] if weighted else 0.0

        accepted = json.loads(accepted_file.read_text()) if accepted_file.exists() else []
        partner_refs = next(s for s in streams if s.collect_references).references()
        references = accepted + partner_refs
        stored = stored_count(topology, references) if references else 0

        emit("target requests/s", args.rps, "req/s")
        emit("requests/s", total_requests / wall, "req/s")
        emit("p50", overall(0.50), "ms")
        emit("p95", overall(0.95), "ms")
        emit("p99", overall(0.99), "ms")
        emit("requests", total_requests, "requests")
        emit("errors", total_errors, "requests")
        emit("reports accepted", len(references), "reports")
        emit("reports stored", stored, "reports")
        emit("reports accepted partner api", len(partner_refs), "reports")
        emit("reports accepted public journey", len(accepted), "reports")
        for name, count, p99, errors in per_endpoint:
            emit(f"{name} p99", p99, f"ms ({count / wall:.1f} req/s, {errors} errors)")
        server = {name: server_after[name] - server_before[name] for name in groups}
        per_request = {name: 1000 * used / max(total_requests, 1) for name, used in server.items()}
        emit("generator cpu share", 100 * generator_cpu / (wall * (os.cpu_count() or 1)), "% of all cores")
        emit("generator cpu ms/request", 1000 * generator_cpu / max(total_requests, 1), "ms")
        emit("server cpu ms/request", sum(per_request.values()), "ms")
        for name, value in per_request.items():
            emit(f"server cpu ms/request {name}", value, "ms")
        emit("server cpu share", 100 * sum(server.values()) / (wall * (os.cpu_count() or 1)), "% of all cores")
        machine_busy = machine_after[0] - machine_before[0]
        machine_total = machine_after[1] - machine_before[1]
        if machine_total > 0:
            emit("machine cpu busy", 100 * machine_busy / machine_total, "% of all cores")
            emit("machine cpu ms/request", 1000 * machine_busy / max(total_requests, 1), "ms")
        emit("machine load average start", load_start)
        emit("machine load average end", load_end)
        for note in notes:
            print(note)
        return 0
    finally:
        topology.stop_all()
        if args.keep:
            print(f"# kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
