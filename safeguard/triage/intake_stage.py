"""Triage's part of accepting a report (reporting.intake, registered in TriageConfig.ready):

- before the INSERT, the first priority from the active scoring model (a child in danger now is P1 at once);
- a single report's triage task folded into its INSERT where the backend allows it (enqueue.py, ADR 0019);
- once accepted, triage queued on commit: one `triage_report` task per report at its band's priority, a batch's
  `triage_batch` tasks of at most SAFEGUARD_TRIAGE_BATCH_TASK_SIZE reports each at batch priority (issue 20);
- on the set path (the referral import scores its lines as it goes), the reports' stored scores and search index.
"""

from functools import partial

from django.db import transaction
from django_tasks.backends.dummy import DummyBackend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend

from safeguard.core.bulk import write_rows
from safeguard.core.task_priority import batch_triage_task_size
from safeguard.reporting.intake import IntakeStage
from safeguard.reporting.models import Priority

from .enqueue import insert_with_triage
from .features import STORED_FEATURES, ActiveModel
from .models import ReportTriage
from .priority import initial_priorities, initial_priority
from .scoring import Scored
from .search import index_new_rows
from .task_priority import triage_report_task
from .tasks import triage_batch

# Backends whose queue is this database (or that run the task in place): enqueued inside the transaction.
_QUEUES_IN_TRANSACTION = (DatabaseBackend, ImmediateBackend, DummyBackend)


def prioritise(reports: list) -> None:
    decisions = [initial_priority(reports[0])] if len(reports) == 1 else initial_priorities(reports)
    for report, decision in zip(reports, decisions, strict=True):
        report.priority = decision.priority
        report.priority_reasons = list(decision.reasons)  # a batch shares decisions between equal reports


def _enqueue(task, *args) -> None:
    """The database queue's row goes in the report's own transaction: queued if and only if the report commits, in
    the same write (on SQLite, one wait for the write lock, not two). A queue elsewhere (Redis) is told once the
    transaction has committed, so no worker can take the task before its report exists: django-tasks 0.12 has no
    ENQUEUE_ON_COMMIT (the setting is ignored), and an idle worker on the urgent queue would take a P1's at once."""
    if isinstance(task.get_backend(), _QUEUES_IN_TRANSACTION):
        task.enqueue(*args)
    else:
        transaction.on_commit(partial(task.enqueue, *args))


def enqueue_triage(report) -> None:
    """Queue the report's triage at its first band's priority (task_priority.py)."""
    _enqueue(triage_report_task(report.priority), report.pk)


def enqueue_batch_triage(report_ids: list[int]) -> None:
    """A batch's triage as tasks of at most SAFEGUARD_TRIAGE_BATCH_TASK_SIZE reports, at batch priority: a worker
    holds none for long, and takes any waiting P1 report's task before the next (issue 20)."""
    size = batch_triage_task_size()
    for start in range(0, len(report_ids), size):
        _enqueue(triage_batch, report_ids[start : start + size])


def queue(reports: list, batch: bool) -> None:
    if batch:
        enqueue_batch_triage([r.pk for r in reports])
        return
    for report in reports:
        enqueue_triage(report)


def amended(report, cause: str, detail: dict) -> None:
    """New information on an accepted report (the reporter's follow-up): triage it again, recording what changed
    for staff. Queued as a P1's triage whatever the report's band: a child who comes back may be writing that
    they are in danger now, and follow-ups are few."""
    _enqueue(triage_report_task(Priority.P1), report.pk, cause, detail)


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
