"""Tasks a dead worker left RUNNING go back on the queue (the fault test kills a real worker: tests/faults)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from safeguard.core.tasks_recovery import requeue_stale_tasks, requeue_tasks_of_worker

pytestmark = pytest.mark.django_db


def _running(worker_id: str, started_minutes_ago: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="safeguard.triage.tasks.triage_report",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=["old-run", worker_id],
    )


def test_a_restarting_worker_requeues_only_what_it_had_claimed():
    mine, other = _running("worker-1"), _running("worker-2")
    assert requeue_tasks_of_worker("worker-1") == [str(mine.pk)]
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == TaskResultStatus.READY and mine.started_at is None
    assert other.status == TaskResultStatus.RUNNING


def test_tasks_running_too_long_are_requeued():
    stale, fresh = _running("w", started_minutes_ago=45), _running("w", started_minutes_ago=2)
    assert requeue_stale_tasks(older_than=timedelta(minutes=30)) == [str(stale.pk)]
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING
