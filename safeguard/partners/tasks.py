from django_tasks import task

from safeguard.triage.tasks import triage_report

from . import limits, services


@task()
def triage_batch(report_ids: list[int]) -> None:
    """Triage a batch's reports in one background task rather than queueing thousands of tasks."""
    for report_id in report_ids:
        triage_report.call(report_id)


@task()
def expire_partner_reports() -> int:
    """Erase unfinished partner reports past 24 hours; schedule it hourly (cron or a worker loop)."""
    limits.purge_old_counters()
    return services.expire_unfinished()
