"""Start Safeguard's production topology on one machine, from Debian and PyPI packages (docs/production.md).

  PostgreSQL   its own cluster under <root>/postgres (Debian's postgresql binaries)
  Redis        cache, rate limits and the RQ task queue (Debian's redis-server), append-only file on
  S3           moto's S3-compatible server (moto[server] from PyPI) for evidence: a stand-in, in memory
  proxy        nginx in front (optional, use_proxy): keeps anonymous public pages and static files the
               application marks `Cache-Control: public` for their max-age, so Python is not run for each
               visitor of a Most Wanted page (ADR 0094); everything else goes straight through
  web          gunicorn, several worker processes, whitenoise serving compressed, hashed static files
  workers      RQ task workers (TASKS_BACKEND=safeguard.core.rq_backend.RetryingRQBackend)

Used by `make run-production-like`, by the fault tests (tests/faults) and by bench/bench_load.py. Each
piece is optional, so a test can start only what it needs (e.g. PostgreSQL and gunicorn, with the
database task queue and evidence on disk).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
BIN = Path(PYTHON).parent


def pg_bin() -> Path | None:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run its programs as the postgres user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


def http_status(url: str, *, timeout: float = 5, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local URLs only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass
class Topology:
    root: Path
    web_port: int = field(default_factory=free_port)
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    s3_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)  # gunicorn's, when nginx listens on web_port
    use_postgres: bool = True
    use_redis: bool = True
    use_s3: bool = True
    use_proxy: bool = False
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs = self.root / "logs"
        self.logs.mkdir(exist_ok=True)
        (self.root / "prometheus").mkdir(exist_ok=True)

    # --- configuration ---------------------------------------------------------------------------------
    def _secret(self, name: str, make) -> str:
        """Secrets are made once per topology folder and kept, so a restart can read what it wrote."""
        path = self.root / "secrets" / name
        if not path.exists():
            path.parent.mkdir(mode=0o700, exist_ok=True)
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def database_url(self) -> str:
        if self.use_postgres:
            return f"postgres://safeguard:safeguard@127.0.0.1:{self.pg_port}/safeguard"
        return f"sqlite:///{self.root / 'safeguard.sqlite3'}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def metrics_token(self) -> str:
        return self._secret("metrics-token", lambda: secrets.token_urlsafe(32))

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "SAFEGUARD_ENV": "production",
            "DJANGO_SECRET_KEY": self._secret("django-secret-key", lambda: secrets.token_urlsafe(64)),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # TLS ends at the proxy in front in a real deployment; locally there is none.
            "SAFEGUARD_BEHIND_TLS": "false",
            "SAFEGUARD_EVIDENCE_KEYS": "local-1:"
            + self._secret("evidence-key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()),
            "SAFEGUARD_METRICS_TOKEN": self.metrics_token,
            "DATABASE_URL": self.database_url,
            "SAFEGUARD_PUBLIC_BASE_URL": self.base_url,
            "EMAIL_URL": "consolemail://",
            "PROMETHEUS_MULTIPROC_DIR": str(self.root / "prometheus"),
            "SAFEGUARD_EVIDENCE_ROOT": str(self.root / "evidence"),
            "SAFEGUARD_MEDIA_ROOT": str(self.root / "media"),
            # Load tests send far more than one person's reports from one address.
            "SAFEGUARD_REPORT_RATE": os.environ.get("SAFEGUARD_REPORT_RATE", "100000/m"),
            "SAFEGUARD_FOLLOW_UP_RATE": os.environ.get("SAFEGUARD_FOLLOW_UP_RATE", "100000/m"),
        }
        if self.use_redis:
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
            env["CACHE_URL"] = f"redis://127.0.0.1:{self.redis_port}/1"
            env["TASKS_BACKEND"] = "safeguard.core.rq_backend.RetryingRQBackend"
        else:
            env["CACHE_URL"] = "dbcache://safeguard_cache"
            env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
        if self.use_proxy:
            # nginx sets X-Forwarded-For to the client's address (never appends what the client sent), so
            # per-address rate limits still see each client rather than the proxy.
            env["SAFEGUARD_TRUST_X_FORWARDED_FOR"] = "true"
        if self.use_s3:
            env.update(
                SAFEGUARD_EVIDENCE_STORAGE="s3",
                SAFEGUARD_S3_BUCKET="safeguard-evidence",
                SAFEGUARD_S3_ENDPOINT_URL=f"http://127.0.0.1:{self.s3_port}",
                SAFEGUARD_S3_REGION="eu-west-2",
                SAFEGUARD_S3_ACCESS_KEY_ID="local",
                SAFEGUARD_S3_SECRET_ACCESS_KEY="local-secret",  # noqa: S106 - moto accepts anything
            )
        env.update(overrides)
        return env

    # --- processes -------------------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], env: dict | None = None, cwd: Path = REPO) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(  # noqa: S603
            args, cwd=cwd, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def manage(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=REPO, env=env or self.env(), capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def start_postgres(self) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        base = self.root / "postgres"
        data = base / "data"
        if not data.exists():
            base.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(base, "postgres", "postgres")
            subprocess.run(  # noqa: S603
                _as_postgres(
                    [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
                ),
                check=True,
                capture_output=True,
            )
        self._pg_ctl("start")
        subprocess.run(  # noqa: S603
            [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-q", "-c",
             "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='safeguard') THEN "
             "CREATE ROLE safeguard LOGIN CREATEDB PASSWORD 'safeguard'; END IF; END $$;"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        exists = subprocess.run(  # noqa: S603
            [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-tAc",
             "SELECT 1 FROM pg_database WHERE datname='safeguard'"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run(  # noqa: S603
                [str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                 "-O", "safeguard", "safeguard"],
                check=True, capture_output=True,
            )  # fmt: skip

    def _pg_ctl(self, action: str, *extra: str) -> None:
        base = self.root / "postgres"
        options = f"-c listen_addresses=127.0.0.1 -c port={self.pg_port} -c unix_socket_directories={base}"
        args = [str(pg_bin() / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "server.log"), "-w"]
        if action == "start":
            args += ["-o", options, "start"]
        else:
            args += [action, *extra]
        subprocess.run(_as_postgres(args), check=True, capture_output=True)  # noqa: S603

    def stop_postgres(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        folder = self.root / "redis"
        folder.mkdir(exist_ok=True)
        self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        )  # fmt: skip
        wait_for(lambda: _tcp_open(self.redis_port), timeout=15, what="Redis")

    def start_s3(self) -> None:
        server = BIN / "moto_server"
        if not server.exists():
            raise RuntimeError("moto_server is not installed (pip install 'moto[server]')")
        self._spawn("s3", [str(server), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_for(lambda: _tcp_open(self.s3_port), timeout=30, what="the S3-compatible server")
        import boto3

        env = self.env()
        client = boto3.client(
            "s3",
            endpoint_url=env["SAFEGUARD_S3_ENDPOINT_URL"],
            region_name=env["SAFEGUARD_S3_REGION"],
            aws_access_key_id=env["SAFEGUARD_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=env["SAFEGUARD_S3_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(
            Bucket=env["SAFEGUARD_S3_BUCKET"],
            CreateBucketConfiguration={"LocationConstraint": env["SAFEGUARD_S3_REGION"]},
        )

    def prepare(self, *, collectstatic: bool = True) -> None:
        """Migrations, cache table, and static files collected with compression and hashed names."""
        self.manage("migrate", "--noinput", "-v0")
        if not self.use_redis:
            self.manage("createcachetable")
        if collectstatic:
            self.manage("collectstatic", "--noinput", "-v0")

    def start_web(self, *, workers: int = 4, threads: int = 2, access_log: bool = True) -> subprocess.Popen:
        for stale in (self.root / "prometheus").glob("*.db"):  # counters start again with a new gunicorn
            stale.unlink()
        port = self.app_port if self.use_proxy else self.web_port
        # Behind nginx the access log is nginx's (one line per request, cache hits included); a second one
        # from gunicorn would cost CPU for the same information.
        log = ["--access-logfile", "-"] if access_log and not self.use_proxy else []
        process = self._spawn(
            "web",
            [str(BIN / "gunicorn"), "safeguard.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "10",
             "--max-requests", "20000", "--max-requests-jitter", "2000", "--backlog", "2048", *log,
             "--config", str(REPO / "deploy" / "gunicorn_conf.py")],
        )  # fmt: skip
        wait_for(lambda: http_status(f"http://127.0.0.1:{port}/healthz", timeout=2) == 200, timeout=90, what="gunicorn")
        if self.use_proxy:
            self.start_proxy()
        return process

    def start_proxy(self) -> subprocess.Popen:
        """nginx on web_port in front of gunicorn (deploy/nginx.conf.template)."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        folder = self.root / "nginx"
        for sub in ("cache", "temp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:  # nginx's workers drop to nobody when started as root
                shutil.chown(folder / sub, "nobody")
        config = folder / "nginx.conf"
        config.write_text(
            (REPO / "deploy" / "nginx.conf.template")
            .read_text()
            .replace("{root}", str(folder))
            .replace("{logs}", str(self.logs))
            .replace("{listen_port}", str(self.web_port))
            .replace("{app_port}", str(self.app_port))
        )
        process = self._spawn("proxy", [nginx, "-c", str(config), "-p", str(folder), "-g", "daemon off;"])
        wait_for(lambda: http_status(self.base_url + "/healthz", timeout=2) == 200, timeout=30, what="nginx")
        return process

    def start_workers(self, count: int = 2) -> None:
        for number in range(1, count + 1):
            self.start_worker(number)

    def start_worker(self, number: int) -> subprocess.Popen:
        if self.use_redis:
            # Urgent first (a P1 report's triage), bulk last (a partner batch's triage): core/task_priority.py.
            args = ["rqworker", "urgent", "default", "bulk", "--job-class", "django_tasks_rq.backend.Job"]
            args += ["--with-scheduler"]
            # RQ's default worker forks a work-horse per job, which opens its own PostgreSQL connection: ~2 ms of
            # machine CPU per request in the load test's mix, enough to saturate 2 cores. SimpleWorker runs jobs in
            # the worker process with its persistent connection (ADR 0094). A job that kills the process dies with
            # the worker; RQ's abandoned-job clean-up retries it (core/rq_backend.py) and the jobs are idempotent.
            if os.environ.get("SAFEGUARD_RQ_FORKING_WORKER") != "1":
                args += ["--worker-class", "rq.worker.SimpleWorker"]
        else:
            args = ["task_worker", "--worker-id", f"worker-{number}", "--interval", "0.2"]
        return self._spawn(f"worker-{number}", [PYTHON, "manage.py", *args])

    def start_scheduler(self) -> subprocess.Popen:
        """The one process that runs the periodic jobs (ADR 0093)."""
        return self._spawn("scheduler", [PYTHON, "manage.py", "run_schedule"])

    def start_all(self, *, web_workers: int = 4, task_workers: int = 2) -> None:
        if self.use_postgres:
            self.start_postgres()
        if self.use_redis:
            self.start_redis()
        if self.use_s3:
            self.start_s3()
        self.prepare()
        self.start_web(workers=web_workers)
        self.start_workers(task_workers)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.get(name)
        if process and process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
        if self.use_postgres and (self.root / "postgres" / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop_postgres()


def _tcp_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
