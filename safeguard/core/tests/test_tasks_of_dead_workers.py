"""A heartbeat-based requeue (docs/adr/0100): tasks of a task_worker that stopped beating a minute ago go back on
the queue in about a minute, not after the 30-minute timer; tasks of a live worker, or of a worker that never beat
(a bare db_worker), are left alone."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from safeguard.core import worker_heartbeat
from safeguard.core.tasks_recovery import requeue_tasks_of_dead_workers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def _running(worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="safeguard.referrals.tasks.run_referral_import",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(minutes=2),
        worker_ids=[worker_id],
    )


def test_tasks_of_a_worker_silent_for_a_minute_are_requeued():
    dead, alive, bare = _running("worker-1"), _running("worker-2"), _running("db-worker-without-heartbeat")
    worker_heartbeat.beat("worker-1", at=time.time() - 61)
    worker_heartbeat.beat("worker-2")
    assert requeue_tasks_of_dead_workers() == [str(dead.pk)]
    for task, status in ((dead, TaskResultStatus.READY), (alive, TaskResultStatus.RUNNING), (bare, "RUNNING")):
        task.refresh_from_db()
        assert task.status == status


def test_the_scheduled_command_requeues_them():
    dead = _running("worker-1")
    worker_heartbeat.beat("worker-1", at=time.time() - 120)
    call_command("requeue_stale_tasks", "--dead-workers", verbosity=0)
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.READY
