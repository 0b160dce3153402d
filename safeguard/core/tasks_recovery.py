"""Put tasks back on the queue when the worker that claimed them died mid-job.

The database task backend marks a task RUNNING when a worker claims it and never looks at it again, so a
worker killed with SIGKILL (or a lost machine) would leave its task stuck forever. Every Safeguard task
does its work in one database transaction and is idempotent (a re-run of triage, an import chunk or an
alert fan-out leaves the same result; alerts are deduplicated per subscriber), so running it again is
"exactly once in effect". Two triggers:

- a worker restarting under the same --worker-id requeues whatever that id had claimed: it is certainly dead;
- `requeue_stale_tasks --older-than N` requeues anything RUNNING for longer than N minutes (a worker whose
  machine never came back), for a timer;
- `requeue_stale_tasks --dead-workers` (the scheduler, every minute) requeues what a worker held once that worker
  has stopped beating for DEAD_AFTER_S (core/worker_heartbeat.py; only workers started with `task_worker` beat,
  so a bare db_worker's tasks are left to the timer). A worker killed with its machine is then found in about
  a minute and a half, not 30 minutes (docs/adr/0100).
"""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _running():
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)


def _requeue(queryset) -> list[str]:
    from django_tasks.base import TaskResultStatus

    with transaction.atomic():
        ids = [str(pk) for pk in queryset.select_for_update(skip_locked=True).values_list("id", flat=True)]
        queryset.model.objects.filter(id__in=ids).update(status=TaskResultStatus.READY, started_at=None)
    for task_id in ids:
        logger.warning("requeued task %s: its worker died before finishing it", task_id)
    return ids


def requeue_tasks_of_worker(worker_id: str) -> list[str]:
    """Tasks still RUNNING whose last claim was by `worker_id` (called as that worker starts again)."""
    running = [task.pk for task in _running().only("id", "worker_ids") if task.worker_ids[-1:] == [worker_id]]
    return _requeue(_running().filter(id__in=running)) if running else []


def requeue_stale_tasks(*, older_than: timedelta) -> list[str]:
    return _requeue(_running().filter(started_at__lt=timezone.now() - older_than))


def requeue_tasks_of_dead_workers(*, dead_after_s: float | None = None) -> list[str]:
    """Tasks still RUNNING whose worker beat once but not for `dead_after_s` (default DEAD_AFTER_S): it died."""
    from .worker_heartbeat import DEAD_AFTER_S, beat_of

    limit = DEAD_AFTER_S if dead_after_s is None else dead_after_s
    now = time.time()
    dead = []
    for task in _running().only("id", "worker_ids"):
        last = beat_of(task.worker_ids[-1]) if task.worker_ids else None
        if last is not None and now - float(last["at"]) > limit:
            dead.append(task.pk)
    return _requeue(_running().filter(id__in=dead)) if dead else []
