"""The RQ task backend with retries: TASKS_BACKEND=safeguard.core.rq_backend.RetryingRQBackend.

A job whose worker died mid-way is run again (up to MAX_RETRIES, after RETRY_INTERVALS). The class copies
django-tasks-rq's enqueue, so it lives in `core.internals.rq` (ADR 0097); this path stays the setting's.
"""

from .internals.rq import MAX_RETRIES, RETRY_INTERVALS, RetryingRQBackend

__all__ = ["MAX_RETRIES", "RETRY_INTERVALS", "RetryingRQBackend"]
