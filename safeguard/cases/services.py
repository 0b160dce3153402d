"""Case work writes. Keyword-only; each checks the capability itself and audits inside its transaction.

Grouping reports and subjects into a case or an operation combines personal data, so it is audited as
COMBINATION with the ids grouped; everything else that changes a case is an ALTERATION of it.
"""

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability, has_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record
from safeguard.reporting.models import Report
from safeguard.routing.models import Recipient
from safeguard.subjects.models import Subject

from .deconfliction import notify_case_holders
from .models import (
    Case,
    CaseAttachment,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    Deployment,
    DeploymentKind,
    EnquiryKind,
    EnquiryStatus,
    LineOfEnquiry,
    Operation,
)


def _user_and_actor(actor):
    """Services take the acting user; an audit Actor wrapping a user is accepted too."""
    if isinstance(actor, Actor):
        return actor.user, actor
    return actor, Actor.of(actor)


def _ids(values: Iterable, what: str) -> list[int]:
    try:
        return sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be numbers.") from None


def _existing(model, ids: list[int], what: str) -> list:
    found = list(model.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {obj.pk for obj in found})
    if missing:
        raise ValidationError(f"No {what} with id {', '.join(map(str, missing))}.")
    return found


def _reports(values: Iterable) -> list[Report]:
    ids = _ids(values, "Report ids")
    return _existing(Report, ids, "report")


def open_case(*, actor, title: str, report_ids=(), subject_ids=(), summary: str = "") -> Case:
    """Open a case under the acting user, grouping the given reports and subjects."""
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    title = (title or "").strip()
    if not title:
        raise ValidationError("Give the case a title.")
    if len(title) > 200:
        raise ValidationError("The title must be 200 characters or fewer.")
    reports = _reports(report_ids)
    subjects = _existing(Subject, _ids(subject_ids, "Subject ids"), "subject")
    with transaction.atomic():
        case = Case.objects.create(reference=uuid.uuid4().hex[:20], title=title, owner=user, summary=summary)
        case.reference = f"CASE-{timezone.now():%Y}-{case.pk:05d}"
        case.save(update_fields=["reference"])
        CaseStatusChange.objects.create(case=case, to_status=CaseStatus.OPEN, reason="Opened", changed_by=user)
        record(action=Action.COLLECTION, actor=audit_actor, obj=case, detail={"reference": case.reference})
        _deconflict_case(case, _add_members(case, audit_actor, {"reports": reports, "subjects": subjects}))
    return case


def _add_members(container: Case | Operation, audit_actor: Actor, members: dict[str, list]) -> dict[str, list]:
    """Add reports, subjects or cases to a case or an operation, logging only what is new as a combination.

    `members` maps a many-to-many field's name to the objects to add; what is already held is left out of
    the entry (DPA 2018 s.62: a combination is logged when it is made, not again when repeated). Returns what
    was added, by field name.
    """
    added = {}
    for name, objs in members.items():
        held = set(getattr(container, name).filter(pk__in=[o.pk for o in objs]).values_list("pk", flat=True))
        added[name] = [o for o in objs if o.pk not in held]
    if not any(added.values()):
        return added
    for name, objs in added.items():
        getattr(container, name).add(*objs)
    record(
        action=Action.COMBINATION,
        actor=audit_actor,
        obj=container,
        detail={name: [o.pk for o in objs] for name, objs in added.items()},
    )
    return added


def _deconflict_case(case: Case, added: dict[str, list]) -> None:
    """Whoever else holds a subject the case has just taken on is told (deconfliction, as for a new report)."""
    subjects, reports = added.get("subjects", []), added.get("reports", [])
    if subjects or reports:
        notify_case_holders(case, subject_ids=[s.pk for s in subjects], report_ids=[r.pk for r in reports])


def add_to_case(*, actor, case: Case, report_ids=(), subject_ids=()) -> Case:
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    reports = _reports(report_ids)
    subjects = _existing(Subject, _ids(subject_ids, "Subject ids"), "subject")
    if not reports and not subjects:
        raise ValidationError("Give at least one report or subject to add.")
    with transaction.atomic():
        _deconflict_case(case, _add_members(case, audit_actor, {"reports": reports, "subjects": subjects}))
    return case


def change_case_status(*, actor, case: Case, status: str, reason: str = "") -> Case:
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    if status not in CaseStatus.values:
        raise ValidationError(f"{status!r} is not a case status.")
    if status == case.status:
        raise ValidationError(f"The case is already {case.get_status_display().lower()}.")
    reason = (reason or "").strip()
    if status == CaseStatus.CLOSED and not reason:
        raise ValidationError("Give a reason for closing the case.")
    with transaction.atomic():
        CaseStatusChange.objects.create(
            case=case, from_status=case.status, to_status=status, reason=reason[:500], changed_by=user
        )
        record(
            action=Action.ALTERATION,
            actor=audit_actor,
            obj=case,
            detail={"status": [case.status, status], "reason": reason},
        )
        case.status = status
        case.save(update_fields=["status", "updated_at"])
    return case


def _check_assignee(assignee) -> None:
    if assignee is not None and not has_capability(assignee, Capability.MANAGE_CASES):
        raise ValidationError(f"{assignee.username} cannot be given case work: choose an analyst or investigator.")


def _check_due(due_date: date | None) -> None:
    if due_date is not None and not isinstance(due_date, date):
        raise ValidationError("The due date must be a date.")


def add_enquiry(*, actor, case: Case, kind: str, action: str, due_date: date | None = None, assignee=None):
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    action = (action or "").strip()
    if not action:
        raise ValidationError("Describe the action, e.g. 'obtain subscriber details for IP 203.0.113.7 at 14:02'.")
    if kind not in EnquiryKind.values:
        raise ValidationError(f"{kind!r} is not a kind of line of enquiry.")
    _check_due(due_date)
    _check_assignee(assignee)
    with transaction.atomic():
        enquiry = LineOfEnquiry.objects.create(
            case=case, kind=kind, action=action, due_date=due_date, assignee=assignee, created_by=user
        )
        record(
            action=Action.ALTERATION,
            actor=audit_actor,
            obj=case,
            detail={"enquiry_added": enquiry.pk, "kind": kind, "assignee": getattr(assignee, "username", None)},
        )
    return enquiry


def update_enquiry(*, actor, enquiry: LineOfEnquiry, status: str, result: str = "", due_date=None, assignee=None):
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    if status not in EnquiryStatus.values:
        raise ValidationError(f"{status!r} is not a status of a line of enquiry.")
    result = (result or "").strip()
    if status == EnquiryStatus.COMPLETE and not result:
        raise ValidationError("Record the result before marking the line of enquiry complete.")
    _check_due(due_date)
    _check_assignee(assignee)
    changed = {}
    for name, value in (("status", status), ("result", result), ("due_date", due_date), ("assignee", assignee)):
        if getattr(enquiry, name) != value:
            changed[name] = value
            setattr(enquiry, name, value)
    if not changed:
        return enquiry
    with transaction.atomic():
        enquiry.save()
        record(
            action=Action.ALTERATION,
            actor=audit_actor,
            obj=enquiry.case,
            detail={
                "enquiry_updated": enquiry.pk,
                "changed": sorted(changed),
                "status": status,
            },
        )
    return enquiry


def add_note(*, actor, case: Case, text: str) -> CaseNote:
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    text = (text or "").strip()
    if not text:
        raise ValidationError("The note is empty.")
    if len(text) > 10000:
        raise ValidationError("A note must be 10,000 characters or fewer.")
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, text=text, author=user)
        record(action=Action.ALTERATION, actor=audit_actor, obj=case, detail={"note_added": note.pk})
    return note


def attach_evidence(*, actor, case: Case, evidence_id: int, description: str = "") -> CaseAttachment:
    """Reference an evidence-vault file of one of the case's reports (the bytes stay in the vault)."""
    from safeguard.evidence.models import EvidenceFile

    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    evidence = EvidenceFile.objects.filter(pk=evidence_id).first()
    if evidence is None:
        raise ValidationError(f"No evidence file with id {evidence_id}.")
    if evidence.report_id is None or not case.reports.filter(pk=evidence.report_id).exists():
        raise ValidationError("That evidence file does not belong to any of this case's reports: add the report first.")
    if case.attachments.filter(evidence=evidence).exists():
        raise ValidationError("That evidence file is already attached to this case.")
    with transaction.atomic():
        attachment = CaseAttachment.objects.create(
            case=case, evidence=evidence, description=(description or "").strip()[:500], added_by=user
        )
        record(
            action=Action.COMBINATION,
            actor=audit_actor,
            obj=case,
            detail={"evidence_attached": evidence.pk, "sha256": evidence.sha256},
        )
    return attachment


# --- Operations --------------------------------------------------------------------------------------------------


def create_operation(*, actor, name: str, description: str = "", case_ids=(), subject_ids=()) -> Operation:
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the operation a name, e.g. 'Operation Kestrel'.")
    if Operation.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already an operation named {name!r}.")
    cases = _existing(Case, _ids(case_ids, "Case ids"), "case")
    subjects = _existing(Subject, _ids(subject_ids, "Subject ids"), "subject")
    with transaction.atomic():
        operation = Operation.objects.create(name=name, description=description, created_by=user)
        record(action=Action.COLLECTION, actor=audit_actor, obj=operation, detail={"name": name})
        _add_members(operation, audit_actor, {"cases": cases, "subjects": subjects})
    return operation


def add_to_operation(*, actor, operation: Operation, case_ids=(), subject_ids=()) -> Operation:
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    cases = _existing(Case, _ids(case_ids, "Case ids"), "case")
    subjects = _existing(Subject, _ids(subject_ids, "Subject ids"), "subject")
    if not cases and not subjects:
        raise ValidationError("Give at least one case or subject to add.")
    with transaction.atomic():
        _add_members(operation, audit_actor, {"cases": cases, "subjects": subjects})
    return operation


def record_deployment(*, actor, operation: Operation, date: date, force: Recipient, kind: str, major: bool = True,
                      description: str = "") -> Deployment:  # fmt: skip
    user, audit_actor = _user_and_actor(actor)
    check_capability(user, Capability.MANAGE_CASES)
    if kind not in DeploymentKind.values:
        raise ValidationError(f"{kind!r} is not a kind of deployment.")
    if force is None:
        raise ValidationError("Choose the force deployed with.")
    if date > timezone.localdate():
        raise ValidationError("A deployment is recorded once it has happened: the date cannot be in the future.")
    with transaction.atomic():
        deployment = Deployment.objects.create(
            operation=operation,
            date=date,
            force=force,
            kind=kind,
            major=major,
            description=(description or "").strip()[:500],
            recorded_by=user,
        )
        record(
            action=Action.ALTERATION,
            actor=audit_actor,
            obj=operation,
            detail={"deployment": deployment.pk, "date": date.isoformat(), "force": force.code, "kind": kind},
        )
    return deployment
