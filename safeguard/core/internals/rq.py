"""django-tasks-rq's backend, with retries: a job whose worker died mid-way is run again.

RQ notices an abandoned job (its worker stopped heart-beating) in its started-job registry clean-up and
requeues it only if the job has retries left; the upstream backend enqueues with none, so a killed worker
would leave the task failed. Safeguard's tasks are transactional and idempotent (see tasks_recovery.py),
so a retry is safe. Configured by its domain-facing path, TASKS_BACKEND=safeguard.core.rq_backend.RetryingRQBackend.

Private or undocumented names relied on (django-tasks-rq 0.12.0, django-tasks 0.12.0):

- `RQBackend.enqueue`'s body, copied here with `retry=` added and the Redis queue chosen by priority
  (`rq_queue_name`): upstream has no hook for job options, and ignores priority but for the maximum (at_front).
- `django_tasks_rq.backend.Job`, `failed_callback`, `success_callback` (undocumented module names): the
  job class and callbacks upstream's enqueue uses, so results are recorded as upstream records them.
- `object.__setattr__` on the frozen `TaskResult` for `enqueued_at`, as upstream does.

Tests: `safeguard/core/tests/test_internals.py` (`test_rq_*`).
"""

import django_rq
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME, TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.job import Callback, JobStatus, Retry

from safeguard.core.task_priority import rq_queue_for

MAX_RETRIES = 3
RETRY_INTERVALS = [10, 60, 300]  # seconds: soon, then after a restart has had time to finish


def rq_queue_name(task) -> str:
    """The Redis queue for this task: one named explicitly as it is; one on the default queue, the queue of its
    priority's range (core/task_priority.py) among those configured, since RQ runs each queue in arrival order
    and workers listen to `urgent default bulk` in that order (issue 20)."""
    from django_rq.settings import QUEUES

    if task.queue_name != DEFAULT_TASK_QUEUE_NAME:
        return task.queue_name
    return rq_queue_for(task.priority, QUEUES)


class RetryingRQBackend(RQBackend):
    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        task_result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(rq_queue_name(task), job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            retry=Retry(max=MAX_RETRIES, interval=RETRY_INTERVALS),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result
