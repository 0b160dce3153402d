"""Issue 21: /readyz said ready while no task worker was running. Workers now beat (core/worker_heartbeat.py) and
readiness has a `task_worker` check that fails when none has beaten within 60 s."""

import json
import time

import pytest

from safeguard.core import readiness, worker_heartbeat

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DB_QUEUE
    from django.core.cache import cache

    cache.delete(worker_heartbeat.KEY)
    yield
    cache.delete(worker_heartbeat.KEY)


def test_readyz_reports_a_missing_worker(client, database_queue):
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert body["status"] == "degraded" and response.status_code == 200  # reported, not required (ADR 0100)
    assert "no task worker has ever beaten" in body["checks"]["task_worker"]


def test_a_worker_silent_for_over_a_minute_is_missing(client, database_queue):
    worker_heartbeat.beat("worker-1", at=time.time() - 61)
    body = json.loads(client.get("/readyz").content)
    assert body["status"] == "degraded"
    assert "no task worker has beaten for 61 s (last: worker-1)" in body["checks"]["task_worker"]


def test_a_worker_that_beat_recently_is_ready(client, database_queue):
    worker_heartbeat.beat("worker-1")
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["checks"]["task_worker"].startswith("worker-1 beat")


def test_a_missing_worker_answers_503_where_it_is_required(client, database_queue, settings):
    settings.SAFEGUARD_READYZ_REQUIRES_TASK_WORKER = True
    response = client.get("/readyz")
    assert response.status_code == 503 and json.loads(response.content)["status"] == "unavailable"


def test_in_process_tasks_need_no_worker():
    check = readiness.check_task_worker()  # the test settings' ImmediateBackend
    assert check.ok and check.detail == "tasks run in this process (ImmediateBackend)"


def test_the_worker_thread_beats_until_stopped(database_queue):
    stop = worker_heartbeat.start_beating("worker-7", every_s=0.05)
    try:
        deadline = time.monotonic() + 5
        while worker_heartbeat.last_beat() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
    last = worker_heartbeat.last_beat()
    assert last is not None and last["worker"] == "worker-7"
    assert readiness.check_task_worker().ok


def test_task_worker_command_beats_while_it_runs(database_queue, monkeypatch):
    from django.core.management import call_command

    from safeguard.core.management.commands import task_worker

    seen: dict = {}

    def fake_db_worker(*args, **kwargs):
        deadline = time.monotonic() + 5
        while worker_heartbeat.last_beat() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        seen["beat"] = worker_heartbeat.last_beat()

    monkeypatch.setattr(task_worker, "call_command", fake_db_worker)
    call_command("task_worker", "--worker-id", "worker-9", "--batch")
    assert seen["beat"]["worker"] == "worker-9"
