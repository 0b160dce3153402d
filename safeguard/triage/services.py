"""Staff changes to reports. Each change and its audit entry commit together or not at all."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguard.accounts.roles import Capability, check_capability, has_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report, Status, StatusChange

from .features import forget_active_model
from .models import RescoreRun, ScoringModelVersion
from .scoring import validate_model
from .tasks import rescore_open_reports


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def change_status(*, user, report: Report, to_status: Status | str, note: str = "") -> StatusChange:
    check_capability(user, Capability.CHANGE_REPORT)
    if to_status not in Status.values:
        raise ValidationError({"to_status": "Choose a status from the list"})
    note = note.strip()
    if len(note) > 1000:
        raise ValidationError({"note": "The note must be 1000 characters or fewer"})
    with transaction.atomic():
        current = _locked(report)
        if current.status == to_status:
            label = Status(to_status).label
            raise ValidationError({"to_status": f"The report is already ‘{label}’. Choose a different status"})
        change = StatusChange.objects.create(
            report=current, from_status=current.status, to_status=to_status, changed_by=user, note=note
        )
        current.status = to_status
        current.save(update_fields=["status", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=current,
            detail={"field": "status", "from": change.from_status, "to": change.to_status, "with_note": bool(note)},
        )
    report.status = current.status
    return change


def assign_report(*, user, report: Report, assignee) -> Report:
    """Give a report to someone (supervisors), to oneself (anyone who works reports), or to nobody (None)."""
    taking_or_releasing_own = (assignee is not None and assignee.pk == user.pk) or (
        assignee is None and report.assigned_to_id == user.pk
    )
    if taking_or_releasing_own:
        check_capability(user, Capability.ASSIGN_REPORT_TO_SELF)
    else:
        check_capability(user, Capability.ASSIGN_REPORT)
    if assignee is not None and (not assignee.is_active or not has_capability(assignee, Capability.CHANGE_REPORT)):
        raise ValidationError({"assignee": f"{assignee.username} cannot work on reports, so cannot be assigned one"})
    with transaction.atomic():
        current = _locked(report)
        previous_id = current.assigned_to_id
        new_id = assignee.pk if assignee is not None else None
        if previous_id == new_id:
            return current
        current.assigned_to = assignee
        current.save(update_fields=["assigned_to", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=current,
            detail={"field": "assigned_to", "from": previous_id, "to": new_id},
        )
    report.assigned_to = current.assigned_to
    return current


def publish_scoring_model(*, user, weights: dict, thresholds: dict, note: str = ""):
    """Publish a new version of the scoring model and rescore every open report in the background.

    Returns the RescoreRun that will hold the before/after band counts.
    """

    check_capability(user, Capability.EDIT_SCORING_MODEL)
    weights, thresholds = validate_model(weights, thresholds)
    note = note.strip()
    if len(note) > 500:
        raise ValidationError({"note": "The note must be 500 characters or fewer"})
    with transaction.atomic():
        latest = ScoringModelVersion.objects.select_for_update().order_by("-number").first()
        number = (latest.number if latest else 0) + 1
        ScoringModelVersion.objects.filter(active=True).update(active=False)
        version = ScoringModelVersion.objects.create(
            number=number, weights=weights, thresholds=thresholds, note=note, active=True, created_by=user
        )
        run = RescoreRun.objects.create(model_version=number, requested_by=user)
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=version,
            detail={"version": number, "weights": weights, "thresholds": thresholds, "rescore_run": run.pk},
        )
        transaction.on_commit(forget_active_model)
        rescore_open_reports.enqueue(run.pk)
    return run
