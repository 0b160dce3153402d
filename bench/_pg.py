"""A throwaway PostgreSQL server for benchmarks: a temp data directory, a free port, gone afterwards."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postmaster_pid(port: int) -> int | None:
    """The PostgreSQL server process listening on this port (the benches count its CPU and its backends')."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ")
            except OSError:
                continue
            if b"postgres" in cmdline and f"port={port}".encode() in cmdline and b"-D" in cmdline:
                return int(entry)
    return None


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run it as the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextlib.contextmanager
def throwaway_postgres(*, settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start PostgreSQL on 127.0.0.1:<free port>; yield a DATABASE_URL; stop it and delete everything."""
    if not (PG_BIN / "initdb").exists():
        raise SystemExit(f"PostgreSQL binaries not found in {PG_BIN} (set PG_BIN)")
    datadir = Path(tempfile.mkdtemp(prefix="safeguard-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    port = free_port()
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    subprocess.run(  # noqa: S603
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(datadir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        **run,
    )
    options = {"listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": str(datadir)}
    options.update(settings or {})
    option_text = " ".join(f"-c {k}={v}" for k, v in options.items())
    log = datadir / "server.log"
    subprocess.run(  # noqa: S603
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(datadir / "data"), "-l", str(log), "-o", option_text, "-w", "start"]
        ),
        **run,
    )
    try:
        subprocess.run(  # noqa: S603
            _as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench"]),
            **run,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(  # noqa: S603
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(datadir / "data"), "-m", "fast", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.2)
        shutil.rmtree(datadir, ignore_errors=True)
