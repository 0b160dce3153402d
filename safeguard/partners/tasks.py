from django_tasks import task

# Batches were triaged by a task of this name before it moved to triage (issue 19): rows still queued under
# it find it here.
from safeguard.triage.tasks import triage_batch  # noqa: F401

from . import limits, services


@task()
def expire_partner_reports() -> int:
    """Erase unfinished partner reports past 24 hours; schedule it hourly (cron or a worker loop)."""
    limits.purge_old_counters()
    return services.expire_unfinished()
