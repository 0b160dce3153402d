"""Triage's part of accepting a report (reporting.intake, registered in TriageConfig.ready):

- before the INSERT, the first priority from the active scoring model (a child in danger now is P1 at once);
- a single report's triage task folded into its INSERT where the backend allows it (enqueue.py, ADR 0019);
- once accepted, triage queued on commit: one `triage_report` task per report, one `triage_batch` for a batch.
"""

from safeguard.reporting.intake import IntakeStage

from .enqueue import insert_with_triage
from .priority import initial_priorities, initial_priority
from .tasks import triage_batch, triage_report


def prioritise(reports: list) -> None:
    decisions = [initial_priority(reports[0])] if len(reports) == 1 else initial_priorities(reports)
    for report, decision in zip(reports, decisions, strict=True):
        report.priority = decision.priority
        report.priority_reasons = list(decision.reasons)  # a batch shares decisions between equal reports


def enqueue_triage(report) -> None:
    # ENQUEUE_ON_COMMIT: the task is queued only if the report is committed.
    triage_report.enqueue(report.pk)


def enqueue_batch_triage(report_ids: list[int]) -> None:
    triage_batch.enqueue(report_ids)


def queue(reports: list, batch: bool) -> None:
    if batch:
        enqueue_batch_triage([r.pk for r in reports])
        return
    for report in reports:
        enqueue_triage(report)


STAGE = IntakeStage(name="triage", order=30, prioritise=prioritise, in_insert=insert_with_triage, accepted=queue)
