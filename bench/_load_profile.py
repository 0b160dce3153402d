"""Where a request's CPU goes: the production settings and middleware, in-process, on a throwaway PostgreSQL.

Not part of `make bench`. Calls the WSGI application directly (no gunicorn, no socket) N times per URL and
prints CPU microseconds per request for the whole stack, then a cProfile of the slowest URL's calls.

Run: .venv/bin/python bench/_load_profile.py [--requests 2000] [--profile /most-wanted/]
"""

import argparse
import base64
import cProfile
import io
import os
import pstats
import secrets
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from _pg import throwaway_postgres  # noqa: E402

URLS = ["/healthz", "/", "/most-wanted/"]


def production_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "SAFEGUARD_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SAFEGUARD_BEHIND_TLS": "false",
        "SAFEGUARD_EVIDENCE_KEYS": "p-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": database_url,
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "safeguard.settings",
    }
    if redis_url:
        env["CACHE_URL"] = redis_url
    return env


def call(app, path: str, cookies: str = "") -> int:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookies,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status = []
    body = app(environ, lambda s, h, *a: status.append(s))
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def child(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    app = get_wsgi_application()
    for path in URLS:
        for _ in range(50):
            call(app, path)
        started = time.process_time()
        for _ in range(args.requests):
            code = call(app, path)
        used = time.process_time() - started
        print(f"profile {path} cpu: {1e6 * used / args.requests:.0f} us/request (status {code})", flush=True)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
        profiler.enable()
        for _ in range(args.requests):
            call(app, args.profile)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", default="")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with throwaway_postgres(settings={"synchronous_commit": "off"}) as database_url:
        env = {**os.environ, **production_env(database_url, os.environ.get("PROFILE_REDIS_URL"))}
        demo = {**env, "SAFEGUARD_ENV": "development"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=demo, cwd=ROOT, check=True)
        for command in ("createcachetable", "load_demo_data", "load_wanted_demo"):
            subprocess.run([sys.executable, "manage.py", command], env=demo, cwd=ROOT, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child", "--requests", str(args.requests), "--profile", args.profile],
            env=env,
            cwd=ROOT,
            check=True,
        )


if __name__ == "__main__":
    main()
