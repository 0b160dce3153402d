"""Load test of the production-like topology (docs/production.md): mixed traffic with Locust.

Starts PostgreSQL, Redis, the S3 stand-in, gunicorn (4 processes) and 2 RQ task workers (deploy/topology.py),
loads the demo data, then drives public report journeys, partner API submissions, staff queue pages and
Most Wanted pages at a target request rate. Prints:

  load requests/s: N req/s             (throughput achieved)
  load p50|p95|p99: N ms               (all requests)
  load errors: N                       (failed requests: non-2xx/3xx or connection errors)
  load reports accepted: N             (clients told "stored": 201 or the confirmation page)
  load reports stored: N               (of those references, how many are in the database)
  load target requests/s: N req/s
  load <endpoint> p99: N ms

Usage: bench_load.py [--minutes 1] [--rps 100]     (full run: --minutes 10 --rps 500)
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.topology import BIN, REPO, Topology

USER_RPS = 2.0  # requests per second each simulated user aims at

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


def stored_count(topology: Topology, references: list[str]) -> int:
    import psycopg

    with psycopg.connect(topology.database_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM reporting_report WHERE reference = ANY(%s)", [references]).fetchone()[
            0
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rps", type=float, default=100.0, help="target requests per second, all users together")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the topology folder (logs, Locust CSVs)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="safeguard-load-"))
    root.chmod(0o755)
    topology = Topology(root=root, use_s3=not args.no_s3)
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
        topology.start_web(workers=args.web_workers)
        topology.start_workers(2)
        print(f"# topology up in {time.monotonic() - started:.0f} s at {topology.base_url}", flush=True)

        users = max(4, round(args.rps / USER_RPS))
        accepted_file = root / "accepted.json"
        env = {
            **os.environ,
            "LOAD_PARTNER_KEY": partner_key,
            "LOAD_STAFF_SESSION": session,
            "LOAD_ACCEPTED_FILE": str(accepted_file),
            "LOAD_USER_RPS": str(USER_RPS),
        }
        seconds = int(args.minutes * 60)
        subprocess.run(  # noqa: S603
            [str(BIN / "locust"), "-f", str(REPO / "bench" / "_load_locustfile.py"), "--headless",
             "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s", "--host", topology.base_url,
             "--csv", str(root / "load"), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            env=env, check=False, stdout=subprocess.DEVNULL, stderr=open(root / "locust.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        with open(root / "load_stats.csv") as handle:
            rows = list(csv.DictReader(handle))
        total = next(row for row in rows if row["Name"] == "Aggregated")
        accepted = json.loads(accepted_file.read_text()) if accepted_file.exists() else []
        time.sleep(2)
        print(f"load target requests/s: {args.rps:.0f} req/s")
        print(f"load requests/s: {float(total['Requests/s']):.1f} req/s")
        for label, column in (("p50", "50%"), ("p95", "95%"), ("p99", "99%")):
            print(f"load {label}: {float(total[column]):.0f} ms")
        print(f"load requests: {total['Request Count']} requests")
        print(f"load errors: {total['Failure Count']} requests")
        print(f"load reports accepted: {len(accepted)} reports")
        print(f"load reports stored: {stored_count(topology, accepted) if accepted else 0} reports")
        for row in rows:
            if row["Name"] != "Aggregated":
                print(f"load {row['Name']} p99: {float(row['99%']):.0f} ms ({row['Request Count']} requests)")
        failures = root / "load_failures.csv"
        if failures.exists() and int(total["Failure Count"]):
            print("# failures:\n" + failures.read_text()[:1500])
        return 0
    finally:
        topology.stop_all()
        if args.keep:
            print(f"# kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
