"""Issue 21: a referral import whose task worker is killed carries on by itself within a minute (heartbeat + the
scheduler's recover_stalled_imports, docs/adr/0100), and each line is imported once."""

import json
import time

import pytest

pytestmark = pytest.mark.faults

LINES = 60_000


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _file(path):
    with open(path, "w") as out:
        for n in range(LINES):
            out.write(
                json.dumps(
                    {
                        "incidentSummary": {
                            "incidentType": "online_enticement_of_children",
                            "incidentDateTime": "2026-10-01T12:00:00Z",
                            "platform": "Faultline",
                            "reportAnnotations": ["asked_to_keep_secret"],
                        },
                        "personOrUserReported": {"screenName": f"fault_lead_{n}"},
                        "additionalInfo": "Asked the child to keep the chat secret.",
                        "partnerReference": f"FAULT-{n}",
                    }
                )
                + "\n"
            )


def test_killed_import_is_recovered_within_a_minute_and_imports_each_line_once(topology, sql):
    path = topology.root / "fault-referrals.jsonl"
    _file(path)
    topology.manage(
        "shell",
        "-c",
        "from safeguard.referrals import services; from safeguard.referrals.tasks import run_referral_import; "
        f"imp = services.create_import(user=None, partner='Fault partner', fmt='jsonl', original_name='f.jsonl', "
        f"path={str(path)!r}, check=False); run_referral_import.enqueue(imp.pk)",
    )

    def imported():
        rows = sql(
            "SELECT state, checkpoint, heartbeat_at FROM referrals_referralimport WHERE original_name = 'f.jsonl'"
        )
        return rows[0] if rows else None

    topology.start_scheduler()  # as in production: already running when the worker dies
    topology.start_worker(1)
    try:
        _wait(lambda: (row := imported()) and row[1] >= 5_000 and row, 120, "the first chunks")
        topology.kill("worker-1")  # SIGKILL mid-import
        killed_at = time.monotonic()
        state, _, last_beat = imported()
        assert state == "running"  # what the dead worker left
        topology.start_worker(2)  # another slot: no same-id requeue, only the heartbeat can tell
        # Recovered: a new run claimed it (its claim writes a new heartbeat), or it is queued for one.
        _wait(lambda: (row := imported()) and (row[0] == "queued" or row[2] != last_beat), 90, "recovery")
        recovered_after = time.monotonic() - killed_at
        _wait(lambda: imported()[0] == "completed", 300, "the import to finish")
    finally:
        topology.kill("worker-2")
        topology.kill("scheduler")
    print(f"recovered after {recovered_after:.1f} s")
    assert recovered_after < 60, f"recovered after {recovered_after:.0f} s"
    counts = sql(
        "SELECT count(*), count(DISTINCT line_no) FROM referrals_referralline l "
        "JOIN referrals_referralimport i ON i.id = l.referral_import_id WHERE i.original_name = 'f.jsonl'"
    )[0]
    assert counts == (LINES, LINES)
