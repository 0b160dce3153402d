"""`make run-production-like`: PostgreSQL, Redis, an S3-compatible server, nginx, gunicorn and RQ workers on this
machine (docs/production.md). Ctrl+C stops everything; data stays under var/production-like/ for next time
(except the S3 stand-in's, which lives in memory)."""

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.topology import REPO, Topology, http_status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=str(REPO / "var" / "production-like"))
    parser.add_argument("--port", type=int, default=8080, help="web port (8000 is make run's)")
    # Sync workers behind nginx (which buffers slow clients): 3 per core on the 2-core reference machine,
    # as part of each request waits on PostgreSQL and Redis (ADR 0094).
    parser.add_argument("--web-workers", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1, help="threads per web worker (more than 1: gthread)")
    parser.add_argument("--no-proxy", action="store_true", help="no nginx in front: clients reach gunicorn")
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--demo-data", action="store_true", help="load the demo reports, staff and Most Wanted records")
    parser.add_argument("--no-s3", action="store_true", help="evidence on local disk instead of the S3 stand-in")
    args = parser.parse_args()

    topology = Topology(root=Path(args.root), web_port=args.port, pg_port=55433, redis_port=6381, s3_port=9100)
    topology.use_s3 = not args.no_s3
    topology.use_proxy = not args.no_proxy
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("Starting PostgreSQL, Redis" + ("" if args.no_s3 else ", S3 stand-in") + " ...", flush=True)
        if topology.use_postgres:
            topology.start_postgres()
        topology.start_redis()
        if topology.use_s3:
            topology.start_s3()
        print("Migrating and collecting static files ...", flush=True)
        topology.prepare()
        if args.demo_data:
            # The demo loaders refuse to run in production; they only write rows, so run them as development.
            demo_env = topology.env(SAFEGUARD_ENV="development")
            for command in (
                "load_demo_data",
                "load_wanted_demo",
                "load_education_demo",
                "load_dissemination_demo",
                "load_demo_coverage",
            ):
                topology.manage(command, env=demo_env)
            print(topology.manage("demo_login", env=demo_env).stdout, flush=True)
        topology.start_web(workers=args.web_workers, threads=args.threads)
        topology.start_workers(args.task_workers)
        topology.start_scheduler()
        ready = http_status(topology.base_url + "/readyz")
        print(
            f"Safeguard (production settings) on {topology.base_url}  readyz={ready}\n"
            f"  metrics: curl -H 'Authorization: Bearer {topology.metrics_token}' {topology.base_url}/metrics\n"
            f"  logs:    {topology.logs}/\n"
            "Ctrl+C stops everything.",
            flush=True,
        )
        while not stopping:
            for number in range(1, args.task_workers + 1):
                worker = topology.processes.get(f"worker-{number}")
                if worker is not None and worker.poll() is not None:
                    print(f"task worker {number} exited ({worker.returncode}); restarting it", flush=True)
                    topology.start_worker(number)
            if topology.processes["web"].poll() is not None:
                print("gunicorn exited; stopping", flush=True)
                return 1
            time.sleep(1)
        return 0
    finally:
        print("Stopping ...", flush=True)
        topology.stop_all()


if __name__ == "__main__":
    sys.exit(main())
