from django.db import transaction
from django_tasks import task

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report, Status

from .priority import initial_priority


@task()
def triage_report(report_id: int) -> None:
    """Score a newly accepted report in the background.

    Submission already sets a first priority synchronously, so the queue is right even if
    the worker is behind; this task is where richer scoring happens and is idempotent.
    """
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != Status.RECEIVED:
            return
        decision = initial_priority(report)
        report.priority = decision.priority
        report.priority_reasons = decision.reasons
        report.status = Status.TRIAGED
        report.save(update_fields=["priority", "priority_reasons", "status", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=Actor.system("triage"),
            obj=report,
            detail={"fields": ["priority", "status"], "priority": int(decision.priority)},
        )
