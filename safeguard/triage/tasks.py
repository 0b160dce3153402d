from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django_tasks import task

from safeguard.audit.services import Action, Actor, PendingEntry, appended_at_end, record_many
from safeguard.core.bulk import column_of
from safeguard.core.task_priority import BATCH_TRIAGE, BULK
from safeguard.reporting.models import Priority, Report, Status, StatusChange
from safeguard.subjects.models import ReportSubject
from safeguard.subjects.services import link_report

from . import changes, engine, search
from .deconfliction_notices import deconflict
from .engine import rescore_all_open
from .features import MAX_COUNTED_PRIOR_REPORTS, ActiveModel, read_active_model
from .models import ReportTriage, TriageChange
from .notifications import notify_p1, on_duty_supervisors

if TYPE_CHECKING:
    from django.db.models import Field


# Reports triaged in one transaction by a batch task: one lock of each chunk's reports, one read of their
# follow-up additions and hash matches, one audit chain append. Small enough that the chain head, taken only
# at the end (ADR 0014), and the reports' row locks are held for a fraction of a second.
CHUNK = 50


@task()
def triage_report(report_id: int, cause: str = "", detail: dict | None = None) -> None:
    """Link, score, deconflict and index a newly accepted report in the background.

    Queued at its report's band's priority (task_priority.triage_report_task: a P1 first, ahead of batch work).

    Submission already sets a first priority synchronously, so the queue is right even if the worker
    is behind. Idempotent: running it twice leaves the same identifiers, subject, score and notices.
    `cause`: why a report already triaged is triaged again (a `TriageChange.Cause`, e.g. the reporter's
    follow-up): the re-scoring is recorded as new information for staff.
    """
    triage_reports(report_ids=[report_id], cause=cause, detail=detail or {})


@task(priority=BATCH_TRIAGE)
def triage_batch(report_ids: list[int]) -> None:
    """Triage these reports of a partner batch in one background task rather than a task per report.

    Each report is triaged as `triage_report` triages it, a chunk of reports per transaction (ADR 0031). Intake
    queues a batch as tasks of at most SAFEGUARD_TRIAGE_BATCH_TASK_SIZE reports at batch priority
    (`enqueue_batch_triage`), so a worker is back at the queue between them and a P1 report's task goes first
    (issue 20); called with more, it still triages them all. Idempotent, as `triage_report` is.
    """
    triage_reports(report_ids=report_ids)


def triage_reports(*, report_ids: list[int], cause: str = "", detail: dict | None = None) -> None:
    """Triage these reports in order, a chunk of them per transaction, each exactly as `triage_report` would.

    What does not depend on the report (the active model, the duty rota) is read once per call, and what
    can be read for a chunk at once (row locks, follow-up additions, hash matches) is, instead of per report.
    """

    context = _Context(model=read_active_model(), cause=cause, detail=detail or {})
    for start in range(0, len(report_ids), CHUNK):
        _triage_chunk(report_ids[start : start + CHUNK], context)


@dataclass
class _Context:
    model: "ActiveModel"
    supervisors: list | None = None  # the on-duty supervisors, read at the first P1
    cause: str = ""  # why these reports are triaged again (changes.py); "" for new reports
    detail: dict | None = None


def _triage_chunk(report_ids: list[int], context: "_Context") -> None:

    # appended_at_end: every audit entry of the chunk (each link's, each report's alteration, any merge's)
    # goes on the chain as the transaction ends, so the chain head, which every writer in the service waits
    # on, is locked from there to COMMIT only, not through the linking, rescoring and indexing (ADR 0014).
    with transaction.atomic(), appended_at_end():
        # Locked in id order (as concurrent batches would take them: no deadlock between two workers).
        reports = list(
            Report.objects.select_for_update().filter(pk__in=report_ids).order_by("pk").prefetch_related("additions")
        )
        by_id = {report.pk: report for report in reports}
        matches = engine.hash_match_counts(list(by_id))
        before = changes.before_rescoring(list(by_id)) if context.cause else {}
        for report_id in report_ids:
            report = by_id.get(report_id)
            if report is not None:
                _triage_one(report, context, hash_matches=matches.get(report_id, 0), before=before.get(report_id))


def _triage_one(report: Report, context: "_Context", *, hash_matches: int, before: changes.Before | None) -> None:

    audit_entries: list[PendingEntry] = []
    linked = link_report(report, audit_entries=audit_entries)
    stored = engine.score_and_store(
        report, prior_reports=len(linked.other_report_ids), model=context.model, hash_matches=hash_matches
    )
    scored = stored.scored
    if before is not None:
        changes.record_rescoring(
            report,
            cause=context.cause,
            detail=context.detail or {},
            before=before,
            points=scored.points,
            score=scored.score,
            words=stored.words,
        )
    fields = ["priority", "priority_reasons", "updated_at"]
    if report.status == Status.RECEIVED:
        report.status = Status.TRIAGED
        fields.append("status")
    elif context.cause == TriageChange.Cause.FOLLOW_UP and report.status in (Status.ACTIONED, Status.CLOSED):
        # The reporter came back to a finished report: it goes back on the queue, where someone will see it.
        StatusChange.objects.create(
            report=report,
            from_status=report.status,
            to_status=Status.TRIAGED,
            note="Reopened automatically: the reporter added information.",
        )
        report.status = Status.TRIAGED
        fields.append("status")
    _save_fields(report, fields)
    audit_entries.append(
        PendingEntry(
            action=Action.ALTERATION,
            actor=Actor.system("triage"),
            obj=report,
            detail={
                "fields": ["priority", "status"],
                "priority": int(report.priority),
                "score": scored.score,
                "subject": linked.subject.pk if linked.subject else None,
                **({"cause": context.cause} if context.cause else {}),
            },
        )
    )
    record_many(audit_entries)  # queued: appended with the chunk's other entries as the transaction ends
    if linked.other_report_ids:
        # A new report about the same person raises the others: their prior-reports factor grows.
        _refresh_prior_reports(
            linked.subject, prior=len(linked.other_report_ids), model=context.model, new_report=report
        )
    search.index_report(report)
    if report.priority == Priority.P1:
        if context.supervisors is None:
            context.supervisors = on_duty_supervisors()
        notify_p1(report, supervisors=context.supervisors)
    if linked.subject and not linked.created_subject:
        # A subject made just now for this report holds nothing else, so nobody else can be working it.
        deconflict(report, subject=linked.subject)


def _save_fields(report: Report, fields: list[str]) -> None:
    """`report.save(update_fields=fields)` as one plain UPDATE: the same values, prepared by the fields themselves
    (auto_now's time included), without the ORM's statement building on every report. Report has no save
    signal receivers and no save() override that this would skip."""
    from django.db import connection

    meta = Report._meta
    prepared = [cast("Field", meta.get_field(name)) for name in fields]  # update_fields: concrete fields only
    values = [field.get_db_prep_save(field.pre_save(report, False), connection) for field in prepared]
    assignments = ", ".join(f"{connection.ops.quote_name(column_of(field))} = %s" for field in prepared)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {meta.db_table} SET {assignments} WHERE id = %s", [*values, report.pk])  # noqa: S608


def _refresh_prior_reports(subject, *, prior: int, model, new_report: Report) -> None:
    """`prior`: how many other reports the subject holds (link_report has just listed them)."""
    from django.db import connection

    links = ReportSubject._meta.db_table
    # The factor stops at MAX_COUNTED_PRIOR_REPORTS, so reports already counted at the cap score the same however
    # many more arrive: only those below it are updated and rescored (a stored count at the cap means "at least
    # that many", as for bulk referrals, ADR 0074). Rescoring every report of a much-reported subject on each new
    # one made triage quadratic in that subject's reports and held the transaction open for seconds under load.
    # Plain SQL: this runs for every report about a known person, and the ORM's statement building cost more
    # than the query.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.report_id, t.prior_report_count FROM {ReportTriage._meta.db_table} t "  # noqa: S608
            f"JOIN {links} l ON l.report_id = t.report_id "
            "WHERE l.subject_id = %s AND t.prior_report_count < %s AND t.prior_report_count <> %s",
            [subject.pk, MAX_COUNTED_PRIOR_REPORTS, prior],
        )
        counts = dict(cursor.fetchall())
    changed = sorted(counts)
    if not changed:
        return
    bands_before = changes.bands_of(changed)

    ReportTriage.objects.filter(report_id__in=changed).update(
        prior_report_count=prior, prior_reports=min(prior, MAX_COUNTED_PRIOR_REPORTS) / MAX_COUNTED_PRIOR_REPORTS
    )
    engine.rescore(model=model, report_ids=changed)
    changes.record_linked(
        before=bands_before,
        detail={"linked_report": new_report.reference},
        factors_added={report_id: counts[report_id] == 0 for report_id in changed},
    )


@task(priority=BULK)  # every open report: behind single reports' triage and what people wait on
def rescore_open_reports(run_id: int) -> None:

    rescore_all_open(run_id=run_id)
