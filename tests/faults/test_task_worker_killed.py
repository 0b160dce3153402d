"""A task worker killed mid-job: the job runs again and takes effect exactly once."""

import time
import uuid

import pytest

pytestmark = pytest.mark.faults


def _wait(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_job_is_retried_and_takes_effect_once(topology, sql):
    sql("CREATE TABLE IF NOT EXISTS fault_job_attempts (id serial PRIMARY KEY, key text NOT NULL)")
    sql("CREATE TABLE IF NOT EXISTS fault_job_effects (key text PRIMARY KEY, runs int NOT NULL)")
    key = f"job-{uuid.uuid4()}"
    topology.manage("shell", "-c", f"from tests.faults.jobs import slow_effect; slow_effect.enqueue({key!r})")

    topology.start_worker(1)
    _wait(lambda: sql("SELECT count(*) FROM fault_job_attempts WHERE key = %s", key)[0][0] == 1, what="job start")
    topology.kill("worker-1")  # SIGKILL mid-transaction

    assert sql("SELECT count(*) FROM fault_job_effects WHERE key = %s", key)[0][0] == 0  # rolled back
    status = sql("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s", "%slow_effect")
    assert [row[0] for row in status] == ["RUNNING"]  # what the dead worker left

    topology.start_worker(1)  # the same slot starts again and requeues what it held
    _wait(
        lambda: (
            sql("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s", "%slow_effect")[0][0]
            == "SUCCESSFUL"
        ),
        what="the retried job to finish",
    )
    topology.kill("worker-1")
    assert sql("SELECT count(*) FROM fault_job_attempts WHERE key = %s", key)[0][0] == 2  # ran twice
    assert sql("SELECT runs FROM fault_job_effects WHERE key = %s", key)[0][0] == 1  # took effect once


def test_reports_accepted_while_the_worker_is_down_are_all_triaged_once(topology, sql):
    from ._client import submit

    keys = [f"triage-{uuid.uuid4()}" for _ in range(10)]
    outcomes = [submit(topology.base_url, topology.partner_key, key) for key in keys]
    assert all(o.status == 201 for o in outcomes)
    references = [o.reference for o in outcomes]
    topology.start_worker(2)
    try:
        _wait(
            lambda: (
                sql(
                    "SELECT count(*) FROM reporting_report WHERE reference = ANY(%s) AND status = 'triaged'", references
                )[0][0]
                == len(references)
            ),
            timeout=120,
            what="triage of every report",
        )
    finally:
        topology.kill("worker-2")
    per_report = sql(
        "SELECT object_id, count(*) FROM audit_auditentry "
        "WHERE actor_label = 'system:triage' AND action = 'alteration' "
        "AND object_type = 'reporting.report' AND object_id IN "
        "(SELECT id::text FROM reporting_report WHERE reference = ANY(%s)) GROUP BY object_id",
        references,
    )
    assert len(per_report) == len(references) and all(count == 1 for _, count in per_report)
