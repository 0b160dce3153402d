"""The database restarted under load: 503 fast while it is down, recovery without restarting Safeguard,
and nothing accepted is lost."""

import threading
import time
import uuid

import pytest

from deploy.topology import http_status

from ._client import submit

pytestmark = pytest.mark.faults


def test_database_restart_under_load(topology, sql):
    master = topology.processes["web"].pid
    outcomes = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            outcomes.append(submit(topology.base_url, topology.partner_key, f"db-restart-{uuid.uuid4()}", timeout=20))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        topology.stop_postgres()
        down_since = time.monotonic()
        time.sleep(2)
        while_down = [submit(topology.base_url, topology.partner_key, f"db-down-{uuid.uuid4()}") for _ in range(5)]
        healthz_down = http_status(topology.base_url + "/healthz")
        readyz_down = http_status(topology.base_url + "/readyz")
        time.sleep(max(0.0, 6 - (time.monotonic() - down_since)))
        topology._pg_ctl("start")
        recovered_after = None
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if http_status(topology.base_url + "/readyz") == 200:
                recovered_after = time.monotonic() - started
                break
            time.sleep(0.25)
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    # Fast, honest failure while it was down.
    assert all(o.status == 503 for o in while_down), [(o.status, o.error) for o in while_down]
    assert max(o.seconds for o in while_down) < 5
    assert healthz_down == 503 and readyz_down == 503
    # Back by itself, same gunicorn master (no restart of Safeguard).
    assert recovered_after is not None
    assert topology.processes["web"].poll() is None and topology.processes["web"].pid == master
    # Nothing accepted was lost; nothing but 201 or 503 was answered.
    accepted = [o for o in outcomes if o.status == 201]
    assert accepted
    assert {o.status for o in outcomes} <= {201, 503}, {(o.status, o.error[:80]) for o in outcomes if o.status != 201}
    stored = sql("SELECT count(*) FROM reporting_report WHERE reference = ANY(%s)", [o.reference for o in accepted])
    assert stored[0][0] == len(accepted)
    refused = sum(o.status == 503 for o in outcomes)
    print(f"{len(accepted)} accepted, {refused} answered 503; ready {recovered_after:.1f} s after restart")
