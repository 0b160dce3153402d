"""Triage's part of accepting a report (reporting.intake, registered in TriageConfig.ready):

- before the INSERT, the first priority from the active scoring model (a child in danger now is P1 at once);
- a single report's triage task folded into its INSERT where the backend allows it (enqueue.py, ADR 0019);
- once accepted, triage queued on commit: one `triage_report` task per report, one `triage_batch` for a batch;
- on the set path (the referral import scores its lines as it goes), the reports' stored scores and search index.
"""

from safeguard.core.bulk import write_rows
from safeguard.reporting.intake import IntakeStage

from .enqueue import insert_with_triage
from .features import STORED_FEATURES, ActiveModel
from .models import ReportTriage
from .priority import initial_priorities, initial_priority
from .scoring import Scored
from .search import index_new_rows
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


def amended(report, cause: str, detail: dict) -> None:
    """New information on an accepted report (the reporter's follow-up): triage it again, on commit, recording
    what changed for staff."""
    triage_report.enqueue(report.pk, cause, detail)


def triage_row(*, report_id: int, features: dict, scored: Scored, prior: int, model: ActiveModel, at) -> dict:
    """The ReportTriage row of a report scored on the set path, as `triage_report` would store it."""
    return {
        "report_id": report_id,
        **{name: features[name] for name in STORED_FEATURES},
        "occurred_day": features["_occurred_day"],
        "youngest_victim_age": features["_youngest"],
        "prior_report_count": prior,
        "score": scored.score,
        "model_version": model.number,
        "scored_at": at,
        "words": features.get("_words", {}),
    }


def store_rows(report_rows: list[dict], triage_rows: list[dict]) -> None:
    write_rows(ReportTriage, triage_rows)
    index_new_rows(report_rows)


STAGE = IntakeStage(
    name="triage",
    order=30,
    prioritise=prioritise,
    in_insert=insert_with_triage,
    accepted=queue,
    rows_accepted=store_rows,
    amended=amended,
)
