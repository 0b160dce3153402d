"""Database-queue task workers say they are alive, so `/readyz` can tell when none is running (docs/adr/0100).

`manage.py task_worker` starts a thread that writes {"worker": id, "at": epoch seconds} to the shared cache
(the database cache, or Redis where configured) every EVERY_S; `readiness.check_task_worker` fails when the last
beat is older than DEAD_AFTER_S. The thread beats while the worker process lives (a task running for minutes does
not stop it); a killed or stopped worker stops beating at once. RQ workers keep their own heartbeat in Redis
(readiness reads RQ's worker registry instead).
"""

import logging
import threading
import time

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

KEY = "tasks:worker-heartbeat"
EVERY_S = 15.0
DEAD_AFTER_S = 60.0
_KEEP_S = 24 * 60 * 60  # long enough to say "last seen 3 hours ago", then forgotten


def beat(worker_id: str, *, at: float | None = None) -> None:
    value = {"worker": worker_id, "at": time.time() if at is None else at}
    cache.set_many({KEY: value, f"{KEY}:{worker_id}": value}, timeout=_KEEP_S)


def beat_of(worker_id: str) -> dict | None:
    """The latest beat of one worker, or None when it never beat (a bare db_worker) or was forgotten."""
    value = cache.get(f"{KEY}:{worker_id}")
    return value if isinstance(value, dict) and "at" in value else None


def last_beat() -> dict | None:
    """{"worker": id, "at": epoch seconds} of the latest beat from any worker, or None when none is known."""
    value = cache.get(KEY)
    return value if isinstance(value, dict) and "at" in value else None


def start_beating(worker_id: str, *, every_s: float = EVERY_S) -> threading.Event:
    """Beat now and then every `every_s` on a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                beat(worker_id)
            except Exception:  # a cache or database hiccup: try again next time; readiness shows the gap
                logger.warning("task worker %s could not record its heartbeat", worker_id, exc_info=True)
            finally:
                connection.close()  # this thread's own connection (the database cache), never held between beats
            stop.wait(every_s)

    threading.Thread(target=loop, name=f"heartbeat-{worker_id}", daemon=True).start()
    return stop
