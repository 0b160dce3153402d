from django_tasks import task

from safeguard.triage.tasks import triage_reports

from . import limits, services


@task()
def triage_batch(report_ids: list[int]) -> None:
    """Triage a batch's reports in one background task rather than queueing thousands of tasks.

    Each report is triaged as `triage_report` triages it, a chunk of reports per transaction (ADR 0031).
    """
    triage_reports(report_ids=report_ids)


@task()
def expire_partner_reports() -> int:
    """Erase unfinished partner reports past 24 hours; schedule it hourly (cron or a worker loop)."""
    limits.purge_old_counters()
    return services.expire_unfinished()
