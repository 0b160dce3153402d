from django.db import transaction
from django_tasks import task

from safeguard.audit.services import Action, Actor, PendingEntry, appended_at_end, record_many
from safeguard.reporting.models import Priority, Report, Status


@task()
def triage_report(report_id: int) -> None:
    """Link, score, deconflict and index a newly accepted report in the background.

    Submission already sets a first priority synchronously, so the queue is right even if the worker
    is behind. Idempotent: running it twice leaves the same identifiers, subject, score and notices.
    """
    from safeguard.subjects.deconfliction import deconflict
    from safeguard.subjects.services import link_report

    from . import engine, search
    from .notifications import notify_p1

    # appended_at_end: every audit entry of the job (the link's, this one, any deconfliction notice's) goes
    # on the chain as the transaction ends, so the chain head, which every writer in the service waits on,
    # is locked from there to COMMIT only, not through the linking, rescoring and indexing below (ADR 0014).
    with transaction.atomic(), appended_at_end():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return
        audit_entries: list[PendingEntry] = []
        linked = link_report(report, audit_entries=audit_entries)
        scored = engine.score_and_store(report, prior_reports=len(linked.other_report_ids))
        fields = ["priority", "priority_reasons", "updated_at"]
        if report.status == Status.RECEIVED:
            report.status = Status.TRIAGED
            fields.append("status")
        report.save(update_fields=fields)
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
                },
            )
        )
        record_many(audit_entries)  # the link's combination entry and this one, in one chain append
        if linked.other_report_ids:
            # A new report about the same person raises the others: their prior-reports factor grows.
            _refresh_prior_reports(linked.subject)
        search.index_report(report)
        if report.priority == Priority.P1:
            notify_p1(report)
        if linked.subject:
            deconflict(report)


def _refresh_prior_reports(subject) -> None:
    from safeguard.subjects.models import ReportSubject

    from . import engine
    from .features import MAX_COUNTED_PRIOR_REPORTS
    from .models import ReportTriage

    held = ReportSubject.objects.filter(subject=subject).values("report_id")
    prior = held.count() - 1
    # The factor stops at MAX_COUNTED_PRIOR_REPORTS, so reports already counted at the cap score the same however
    # many more arrive: only those below it are updated and rescored (a stored count at the cap means "at least
    # that many", as for bulk referrals, ADR 0074). Rescoring every report of a much-reported subject on each new
    # one made triage quadratic in that subject's reports and held the transaction open for seconds under load.
    changed = list(
        ReportTriage.objects.filter(report_id__in=held, prior_report_count__lt=MAX_COUNTED_PRIOR_REPORTS)
        .exclude(prior_report_count=prior)
        .values_list("report_id", flat=True)
    )
    if not changed:
        return
    ReportTriage.objects.filter(report_id__in=changed).update(
        prior_report_count=prior, prior_reports=min(prior, MAX_COUNTED_PRIOR_REPORTS) / MAX_COUNTED_PRIOR_REPORTS
    )
    engine.rescore(report_ids=changed)


@task()
def rescore_open_reports(run_id: int) -> None:
    from .engine import rescore_all_open

    rescore_all_open(run_id=run_id)
