"""The priority a report's triage task is queued at (the scale is core/task_priority.py, issue 20).

A single report's `triage_report` takes its priority from the report's first band, set before its INSERT
(intake_stage.prioritise): a child in danger now is triaged, linked and its supervisors notified first. Used by
the usual enqueue (intake_stage.enqueue_triage) and by the task row forged in the report's INSERT (enqueue.py),
so both queue the same row.
"""

from safeguard.core import task_priority
from safeguard.reporting.models import Priority

from .tasks import triage_report

BAND_PRIORITY = {
    Priority.P1: task_priority.TRIAGE_P1,
    Priority.P2: task_priority.TRIAGE_P2,
    Priority.P3: task_priority.TRIAGE_P3,
    Priority.P4: task_priority.TRIAGE_P4,
}


def triage_priority(band) -> int:
    """The task priority of a report in this band (a report with no band yet: P4's)."""
    try:
        return BAND_PRIORITY[Priority(band)]
    except (ValueError, TypeError):
        return task_priority.TRIAGE_P4


def triage_report_task(band):
    """`triage_report` as a report of this band queues it."""
    return triage_report.using(priority=triage_priority(band))
