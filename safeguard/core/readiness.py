"""Readiness checks: can this process do useful work right now?

`/healthz` answers whether the process is alive; `/readyz` asks each dependency a cheap question
(database, cache, task queue, evidence storage) so a load balancer stops sending traffic to an instance
that would only fail, and starts again by itself once the dependency is back.
"""

import logging
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


def check_storage() -> Check:
    """Evidence storage must accept a write: a report with files is refused when it cannot be stored."""
    storage = storages["evidence"]
    name = storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ready"))
    storage.delete(name)
    return Check("storage", True)


CHECKS: list[Callable[[], Check]] = [check_database, check_cache, check_task_queue, check_storage]


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            results.append(check())
        except Exception as error:  # any failure of a dependency means "not ready", never a 500
            logger.warning("readiness check %s failed", name, exc_info=True)
            results.append(Check(name, False, f"{type(error).__name__}: {error}"[:300]))
    return results
