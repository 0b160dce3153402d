"""A web process killed mid-submission: each client gets an error or a success; a success always means the
report is stored; retrying with the same Idempotency-Key never makes a second report."""

import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deploy.topology import http_status

from ._client import submit

pytestmark = pytest.mark.faults


def gunicorn_workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_killed_web_workers_lose_nothing_and_retries_never_duplicate(topology, sql):
    master = topology.processes["web"].pid
    keys = [f"web-kill-{uuid.uuid4()}" for _ in range(80)]
    reports_before = sql("SELECT count(*) FROM reporting_report")[0][0]

    killed = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(submit, topology.base_url, topology.partner_key, key) for key in keys]
        for _ in range(4):  # SIGKILL a worker mid-stream, four times; the gunicorn master starts new ones
            time.sleep(0.4)
            workers = gunicorn_workers(master)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
        outcomes = [future.result() for future in futures]
    assert killed, "no gunicorn worker was there to kill"

    successes = [o for o in outcomes if o.status == 201]
    others = [o for o in outcomes if o.status != 201]
    assert all(o.status in (None, 500, 502, 503) for o in others), [(o.status, o.error) for o in others]
    # A success always means stored.
    for outcome in successes:
        assert sql("SELECT count(*) FROM reporting_report WHERE reference = %s", outcome.reference)[0][0] == 1

    # The client retries everything with the same key once the service answers again.
    deadline = time.monotonic() + 60
    while http_status(topology.base_url + "/healthz") != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    retries = {o.key: submit(topology.base_url, topology.partner_key, o.key) for o in outcomes}
    assert all(r.status == 201 for r in retries.values()), [(r.status, r.error) for r in retries.values()]
    for outcome in successes:
        assert retries[outcome.key].reference == outcome.reference  # the stored answer, replayed

    # Never duplicated: exactly one report and one idempotency record per key.
    assert sql("SELECT count(*) FROM reporting_report")[0][0] - reports_before == len(keys)
    per_key = sql("SELECT key, count(*) FROM partners_idempotencyrecord WHERE key LIKE 'web-kill-%%' GROUP BY key")
    assert len(per_key) == len(keys) and all(count == 1 for _, count in per_key)
    print(f"{len(successes)} accepted before retry, {len(others)} failed mid-flight; {len(killed)} workers killed")
