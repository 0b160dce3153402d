"""A deliberately slow task for the worker-kill test: one transaction that takes long enough to be killed in.

It counts its attempts outside the transaction and its effect inside it, so the test can see that it ran
twice but took effect once.
"""

import time

from django.db import connection, transaction
from django_tasks import task


@task()
def slow_effect(key: str, seconds: float = 4.0) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fault_job_attempts (key) VALUES (%s)", [key])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO fault_job_effects (key, runs) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET runs = fault_job_effects.runs + 1",
            [key],
        )
        time.sleep(seconds)  # the worker is killed here, before the commit
