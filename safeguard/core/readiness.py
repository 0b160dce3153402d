"""Readiness checks: can this process do useful work right now?

`/healthz` answers whether the process is alive; `/readyz` asks each dependency a cheap question
(database, cache, task queue, evidence storage) so a load balancer stops sending traffic to an instance
that would only fail, and starts again by itself once the dependency is back.

`task_worker` says whether any task worker is alive (docs/adr/0100). It is reported, not required, unless
SAFEGUARD_READYZ_REQUIRES_TASK_WORKER is set: without a worker this instance still takes reports (their triage
waits in the queue), and taking every web instance out of service because the worker died would stop the public
form too. With it failing, /readyz answers 200 with status "degraded" and names it.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = "ok"
    required: bool = True  # a failing check that is not required makes the answer "degraded", not 503


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check("database", True)


def check_cache() -> Check:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    found = cache.get(key)
    cache.delete(key)
    return Check("cache", found == "1", "ok" if found == "1" else "value written was not read back")


def task_backend_path() -> str:
    return settings.TASKS["default"]["BACKEND"]


def check_task_queue() -> Check:
    backend = task_backend_path()
    if backend.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("id").first()  # the queue is a table: reading it proves it is there
        return Check("task_queue", True, "database queue")
    if backend.startswith(("django_tasks_rq.", "safeguard.core.rq_backend.")):
        import django_rq

        django_rq.get_connection("default").ping()
        return Check("task_queue", True, "redis queue")
    return Check("task_queue", True, "tasks run in process")


def _worker_required() -> bool:
    return bool(getattr(settings, "SAFEGUARD_READYZ_REQUIRES_TASK_WORKER", False))


_IN_PROCESS = ("django_tasks.backends.immediate.", "django_tasks.backends.dummy.")


def check_task_worker() -> Check:
    """Database queue: a `task_worker` beat within DEAD_AFTER_S (core.worker_heartbeat). RQ: a worker registered in
    Redis (RQ drops a worker whose own heartbeat stopped). In-process backends (ImmediateBackend in tests, the
    dummy one in benches) run tasks in the web process itself: there is no worker to miss, so it is ok."""
    from . import worker_heartbeat

    required = _worker_required()
    backend = task_backend_path()
    if backend.startswith(_IN_PROCESS):
        return Check("task_worker", True, f"tasks run in this process ({backend.rsplit('.', 1)[-1]})", required)
    if backend.startswith(("django_tasks_rq.", "safeguard.core.rq_backend.")):
        import django_rq
        from rq import Worker

        count = Worker.count(connection=django_rq.get_connection("default"))
        detail = f"{count} RQ worker(s) registered" if count else "no RQ worker is registered: start rqworker"
        return Check("task_worker", count > 0, detail, required)
    last = worker_heartbeat.last_beat()
    if last is None:
        return Check("task_worker", False, "no task worker has ever beaten: start manage.py task_worker", required)
    age = time.time() - float(last["at"])
    if age > worker_heartbeat.DEAD_AFTER_S:
        detail = f"no task worker has beaten for {age:.0f} s (last: {last.get('worker')}): is task_worker running?"
        return Check("task_worker", False, detail, required)
    return Check("task_worker", True, f"{last.get('worker')} beat {age:.0f} s ago", required)


def check_storage() -> Check:
    """Evidence storage must accept a write: a report with files is refused when it cannot be stored."""
    storage = storages["evidence"]
    name = storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ready"))
    storage.delete(name)
    return Check("storage", True)


CHECKS: list[Callable[[], Check]] = [check_database, check_cache, check_task_queue, check_task_worker, check_storage]


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            results.append(check())
        except Exception as error:  # any failure of a dependency means "not ready", never a 500
            logger.warning("readiness check %s failed", name, exc_info=True)
            required = name != "task_worker" or _worker_required()
            results.append(Check(name, False, f"{type(error).__name__}: {error}"[:300], required))
    return results
