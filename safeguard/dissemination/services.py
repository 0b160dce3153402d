"""Writes for disseminations: drafting, grading, sanitising, routing, approving, sending, acknowledging, outcomes.

Every function checks the actor's capability itself (views check too) and writes its audit entry in the same
transaction as the change. Releasing a package (sending it, or a force downloading it) is a disclosure, logged
with its recipient.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability, has_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record
from safeguard.evidence.models import EvidenceFile
from safeguard.reporting.models import Attachment
from safeguard.routing.services import RecipientSuggester, RecipientSuggestion, record_routing_decision
from safeguard.subjects.models import ReportIdentifier, ReportSubject

from .handling import check_releasable
from .models import (
    Dissemination,
    DisseminationStatus,
    HandlingCode,
    IntelligenceAssessment,
    IntelligenceItem,
    Outcome,
    OutcomeKind,
    SourceEvaluation,
)
from .references import new_dissemination_reference
from .tasks import notify_recipient

RELEASED = (DisseminationStatus.SENT, DisseminationStatus.ACKNOWLEDGED)


def acknowledgement_period() -> timedelta:
    """How long a recipient has to acknowledge a package before the centre chases it."""
    return timedelta(days=getattr(settings, "DISSEMINATION_ACKNOWLEDGE_WITHIN_DAYS", 3))


def recipient_label(recipient) -> str:
    """How a recipient is named in the audit log: readable and stable."""
    return f"{recipient.name} ({recipient.code})"


def _require_draft(package: Dissemination) -> None:
    if package.status != DisseminationStatus.DRAFT:
        raise ValidationError(
            f"{package.reference} is {package.get_status_display().lower()}: only a draft package can be changed."
        )


# ---------------------------------------------------------------------------------------------- drafting


@transaction.atomic
def create_draft_dissemination(*, actor, recipient, case=None, report_ids=(), summary: str = "") -> Dissemination:
    """Start a package for `recipient` (a routing.Recipient); `actor` is the preparing user.

    With `report_ids`, the reports' subjects, identifiers and evidence hashes are gathered into the package.
    """
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    package = Dissemination.objects.create(
        reference=new_dissemination_reference(), recipient=recipient, case=case, summary=summary, prepared_by=actor
    )
    report_ids = list(report_ids)
    if case is not None and not report_ids:
        report_ids = list(case.reports.values_list("pk", flat=True))
    if report_ids:
        # A new package has no links yet: insert them in batches (a bulk referral can bring tens of thousands of
        # reports, more than one IN list or one statement's parameters should carry).
        through = Dissemination.reports.through
        through.objects.bulk_create(
            [through(dissemination_id=package.pk, report_id=rid) for rid in dict.fromkeys(report_ids)],
            batch_size=500,
        )
        _gather_from_reports(package)
    record(
        action=Action.COMBINATION,
        actor=Actor.of(actor),
        obj=package,
        detail={
            "recipient": recipient.code,
            "reports": [str(i) for i in report_ids],
            "case": case.pk if case else None,
        },
    )
    return package


def _gather_from_reports(package: Dissemination) -> None:
    """Subjects, identifiers of the reported person, and evidence as hashes, from the package's reports."""

    # Joins through the package's report links rather than IN lists of ids, so size does not matter.
    in_package = {"report__disseminations": package}
    subject_ids = set(ReportSubject.objects.filter(**in_package).values_list("subject_id", flat=True))
    if package.case_id:
        subject_ids |= set(package.case.subjects.values_list("pk", flat=True))
    package.subjects.clear()
    through = Dissemination.subjects.through
    through.objects.bulk_create(
        [through(dissemination_id=package.pk, subject_id=sid) for sid in sorted(subject_ids)], batch_size=500
    )

    seen, identifiers = set(), []
    rows = ReportIdentifier.objects.filter(**in_package, role="subject", valid=True).order_by("id")
    for row in rows:
        key = (row.kind, row.platform, row.value or row.raw)
        if key not in seen:
            seen.add(key)
            identifiers.append({"kind": row.kind, "platform": row.platform, "value": row.value or row.raw})
    package.identifiers = identifiers

    evidence, seen_hashes = [], set()
    for attachment in Attachment.objects.filter(**in_package).select_related("report").order_by("id"):
        if attachment.sha256 and attachment.sha256 not in seen_hashes:
            seen_hashes.add(attachment.sha256)
            evidence.append(
                {
                    "sha256": attachment.sha256,
                    "size": attachment.size,
                    "type": attachment.content_type,
                    "report": attachment.report.reference,
                }
            )
    # Files that reached the evidence vault another way (partner uploads) are referenced the same way: by hash.

    vault = EvidenceFile.objects.filter(**in_package).select_related("report").order_by("id")
    for file in vault:
        if file.sha256 and file.sha256 not in seen_hashes:
            seen_hashes.add(file.sha256)
            evidence.append(
                {"sha256": file.sha256, "size": file.size, "type": file.detected_type, "report": file.report.reference}
            )
    package.evidence_references = evidence
    package.save(update_fields=["identifiers", "evidence_references", "updated_at"])


@transaction.atomic
def remove_identifier(*, actor, package: Dissemination, index: int) -> dict:
    """Leave an identifier out of the release (e.g. one that is the reporter's or not needed by the recipient)."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    package = Dissemination.objects.select_for_update().get(pk=package.pk)
    _require_draft(package)
    if not 0 <= index < len(package.identifiers):
        raise ValidationError("That identifier is no longer in the package: the page may be out of date.")
    removed = package.identifiers.pop(index)
    package.save(update_fields=["identifiers", "updated_at"])
    record(
        action=Action.ALTERATION,
        actor=Actor.of(actor),
        obj=package,
        detail={"identifier_removed": {"kind": removed.get("kind"), "platform": removed.get("platform", "")}},
    )
    return removed


@transaction.atomic
def update_package(
    *,
    actor,
    package: Dissemination,
    summary: str,
    risk_assessment: str,
    actions_requested: str,
    include_evidence_files: bool = False,
) -> Dissemination:
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(package)
    errors = {}
    if not summary.strip():
        errors["summary"] = "Enter a summary of what the package is about."
    for field, value, limit in (
        ("summary", summary, 5000),
        ("risk_assessment", risk_assessment, 5000),
        ("actions_requested", actions_requested, 5000),
    ):
        if len(value) > limit:
            errors[field] = f"Must be {limit} characters or fewer (it has {len(value)})."
    if errors:
        raise ValidationError(errors)
    package.summary = summary.strip()
    package.risk_assessment = risk_assessment.strip()
    package.actions_requested = actions_requested.strip()
    package.include_evidence_files = include_evidence_files
    package.save()
    record(action=Action.ALTERATION, actor=Actor.of(actor), obj=package, detail={"changed": "package text"})
    return package


def _choice(value: str, choices, field: str, what: str, errors: dict) -> str:
    value = (value or "").strip().upper()
    if value not in choices.values:
        allowed = ", ".join(label for _, label in choices.choices)
        errors[field] = f"Choose the {what} ({allowed})."
    return value


@transaction.atomic
def add_item(
    *,
    actor,
    package: Dissemination,
    original_text: str,
    source_evaluation: str,
    intelligence_assessment: str,
    handling_code: str,
    handling_conditions: str = "",
    no_overseas_sharing: bool = False,
    uk_territorial_only: bool = False,
    no_evidence_files: bool = False,
) -> IntelligenceItem:
    """Add one graded intelligence item (3x5x2). Handling code C needs its conditions written out."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(package)
    errors: dict[str, str] = {}
    if not original_text.strip():
        errors["original_text"] = "Enter the intelligence text."
    elif len(original_text) > 5000:
        errors["original_text"] = f"Must be 5000 characters or fewer (it has {len(original_text)})."
    source_evaluation = _choice(source_evaluation, SourceEvaluation, "source_evaluation", "source evaluation", errors)
    intelligence_assessment = _choice(
        intelligence_assessment, IntelligenceAssessment, "intelligence_assessment", "intelligence assessment", errors
    )
    handling_code = _choice(handling_code, HandlingCode, "handling_code", "handling code", errors)
    has_conditions = no_overseas_sharing or uk_territorial_only or no_evidence_files
    if handling_code == HandlingCode.CONDITIONS and not handling_conditions.strip():
        errors["handling_conditions"] = "Handling code C: write out the conditions the recipient must follow."
    if handling_code == HandlingCode.PERMITTED and (has_conditions or handling_conditions.strip()):
        errors["handling_code"] = "An item with conditions must have handling code C, not P."
    if len(handling_conditions) > 2000:
        errors["handling_conditions"] = f"Must be 2000 characters or fewer (it has {len(handling_conditions)})."
    if errors:
        raise ValidationError(errors)
    position = package.items.count() + 1
    item = IntelligenceItem.objects.create(
        dissemination=package,
        position=position,
        original_text=original_text.strip(),
        source_evaluation=source_evaluation,
        intelligence_assessment=intelligence_assessment,
        handling_code=handling_code,
        handling_conditions=handling_conditions.strip(),
        no_overseas_sharing=no_overseas_sharing,
        uk_territorial_only=uk_territorial_only,
        no_evidence_files=no_evidence_files,
    )
    record(
        action=Action.COLLECTION,
        actor=Actor.of(actor),
        obj=item,
        detail={"package": package.reference, "grade": item.grade},
    )
    return item


@transaction.atomic
def sanitise_item(*, actor, item: IntelligenceItem, sanitised_text: str) -> IntelligenceItem:
    """Keep the original; release the sanitised text (source-identifying detail removed) instead."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(item.dissemination)
    if not sanitised_text.strip():
        raise ValidationError({"sanitised_text": "Enter the sanitised text (the original is kept as it was)."})
    if len(sanitised_text) > 5000:
        raise ValidationError({"sanitised_text": f"Must be 5000 characters or fewer (it has {len(sanitised_text)})."})
    item.sanitised_text = sanitised_text.strip()
    item.sanitised_by = actor
    item.sanitised_at = timezone.now()
    item.save(update_fields=["sanitised_text", "sanitised_by", "sanitised_at"])
    record(action=Action.ALTERATION, actor=Actor.of(actor), obj=item, detail={"sanitised": True})
    return item


@transaction.atomic
def remove_item(*, actor, item: IntelligenceItem) -> None:
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(item.dissemination)
    record(
        action=Action.ERASURE,
        actor=Actor.of(actor),
        obj=item,
        detail={"package": item.dissemination.reference, "grade": item.grade},
    )
    item.delete()


# ---------------------------------------------------------------------------------------------- routing


def subject_ips(package: Dissemination) -> list[str]:
    return [i["value"] for i in package.identifiers if i.get("kind") == "ip" and i.get("value")]


def suggest_for_package(package: Dissemination) -> RecipientSuggestion:
    """Ask the routing directory, from the subject's postcode (as the analyst gave it) or IP addresses.

    A full-postcode match wins; otherwise the first exact answer from any IP, else the first approximate one.
    """
    suggester = RecipientSuggester(preload_postcodes=False)
    postcode = package.subject_postcode or None
    best, notes = None, []
    for ip in subject_ips(package) or [None]:
        result = suggester.suggest(postcode=postcode, ip=ip)
        notes.extend(n for n in result.notes if n not in notes)
        if result.recipient is not None and (best is None or (best.approximate and not result.approximate)):
            best = result
    if best is None:
        return RecipientSuggestion(None, "no usable location", False, tuple(notes))
    return best


@transaction.atomic
def set_subject_postcode(*, actor, package: Dissemination, postcode: str) -> Dissemination:
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(package)
    cleaned = " ".join(postcode.upper().split())
    if len(cleaned) > 10:
        raise ValidationError({"postcode": "Enter a UK postcode, like AB1 2CD."})
    package.subject_postcode = cleaned
    package.save(update_fields=["subject_postcode", "updated_at"])
    record(action=Action.COLLECTION, actor=Actor.of(actor), obj=package, detail={"subject_postcode": bool(cleaned)})
    return package


@transaction.atomic
def confirm_routing(*, actor, package: Dissemination, recipient, reason: str = "") -> Dissemination:
    """The analyst confirms the suggested recipient, or chooses another and says why (the reason is kept)."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    _require_draft(package)
    suggestion = suggest_for_package(package)
    overriding = suggestion.recipient is not None and suggestion.recipient.pk != recipient.pk
    if overriding and not reason.strip():
        raise ValidationError(
            {"reason": f"You chose {recipient.name} over the suggested {suggestion.recipient.name}: say why."}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": f"Must be 500 characters or fewer (it has {len(reason)})."})
    package.recipient = recipient
    package.suggested_recipient = suggestion.recipient
    package.suggestion_basis = suggestion.basis
    package.routing_reason = reason.strip()
    package.save()
    # The routing app keeps every decision (confirmation or override, with the reason) and audits it.
    record_routing_decision(
        actor=actor, suggestion=suggestion, chosen=recipient, reason=reason.strip(), subject_obj=package
    )
    return package


# ---------------------------------------------------------------------------------------------- release


@transaction.atomic
def approve(*, actor, package: Dissemination) -> Dissemination:
    """The second person's approval: someone other than the preparer, holding APPROVE_DISSEMINATION."""
    check_capability(actor, Capability.APPROVE_DISSEMINATION)
    package = Dissemination.objects.select_for_update().get(pk=package.pk)
    _require_draft(package)
    if package.prepared_by_id == actor.pk:
        raise PermissionDenied("You prepared this package: a second person must approve it.")
    check_releasable(package)
    package.status = DisseminationStatus.APPROVED
    package.approved_by = actor
    package.approved_at = timezone.now()
    package.save()
    record(action=Action.ALTERATION, actor=Actor.of(actor), obj=package, detail={"status": "approved"})
    return package


@transaction.atomic
def send(*, actor, package: Dissemination) -> Dissemination:
    """Release an approved package to its recipient: a disclosure, logged with the recipient."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    package = Dissemination.objects.select_for_update().select_related("recipient").get(pk=package.pk)
    if package.status != DisseminationStatus.APPROVED:
        raise ValidationError(f"{package.reference} must be approved by a second person before it is sent.")
    check_releasable(package)  # again: the directory may have changed since approval
    now = timezone.now()
    package.status = DisseminationStatus.SENT
    package.sent_at = now
    package.acknowledgement_due = now + acknowledgement_period()
    package.save()
    record(
        action=Action.DISCLOSURE,
        actor=Actor.of(actor),
        obj=package,
        recipient=recipient_label(package.recipient),
        detail={
            "reports": list(package.reports.values_list("reference", flat=True)),
            "items": package.items.count(),
            "evidence_files": package.include_evidence_files,
        },
    )

    transaction.on_commit(lambda: notify_recipient.enqueue(package.pk))
    return package


def _check_force_scope(user, package: Dissemination) -> None:
    """A force officer acts only on their own force's released packages; staff may act on the recipient's behalf."""
    if has_capability(user, Capability.FORCE_PORTAL):
        if user.force_id is None or user.force_id != package.recipient_id or package.status not in RELEASED:
            raise PermissionDenied("This package was not sent to your force.")
        return
    check_capability(user, Capability.PREPARE_DISSEMINATION)


@transaction.atomic
def acknowledge(*, package: Dissemination, user=None, name: str = "") -> Dissemination:
    """Record receipt: by a signed-in force officer (`user`), or by name through a signed link (`name`)."""
    package = Dissemination.objects.select_for_update().select_related("recipient").get(pk=package.pk)
    if user is not None:
        _check_force_scope(user, package)
        label = f"staff:{user.username}"
    else:
        name = " ".join(name.split())
        if not name:
            raise ValidationError({"name": "Enter your name so the centre knows who received the package."})
        if len(name) > 150:
            raise ValidationError({"name": "Your name must be 150 characters or fewer."})
        label = f"{name} via signed link for {package.recipient.code}"
    if package.status == DisseminationStatus.ACKNOWLEDGED:
        return package  # a second click changes nothing
    if package.status != DisseminationStatus.SENT:
        raise ValidationError(f"{package.reference} has not been sent, so it cannot be acknowledged.")
    package.status = DisseminationStatus.ACKNOWLEDGED
    package.acknowledged_at = timezone.now()
    package.acknowledged_by = user
    package.acknowledged_by_label = label
    package.save()
    record(
        action=Action.ALTERATION,
        actor=Actor.of(user) if user is not None else Actor(label=label),
        obj=package,
        detail={"status": "acknowledged"},
    )
    return package


@transaction.atomic
def record_outcome(
    *,
    actor,
    package: Dissemination,
    kind: str,
    occurred_on: date | None,
    count: int | None = 1,
    reason: str = "",
    notes: str = "",
) -> Outcome:
    """A result the recipient reports: force officers for their own packages, centre staff on their behalf."""
    package = Dissemination.objects.select_related("recipient").get(pk=package.pk)  # the status as stored now
    _check_force_scope(actor, package)
    if package.status not in RELEASED:
        raise ValidationError(f"{package.reference} has not been sent: outcomes come after dissemination.")
    errors: dict[str, str] = {}
    if kind not in OutcomeKind.values:
        errors["kind"] = "Choose what happened."
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date it happened, like 27 3 2026."
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date it happened must be today or in the past."
    elif package.sent_at and occurred_on < package.sent_at.date() - timedelta(days=1):
        errors["occurred_on"] = (
            f"The date must be on or after the package was sent ({package.sent_at.date():%-d %B %Y})."
        )
    if kind == OutcomeKind.CHILDREN_SAFEGUARDED:
        if count is None or count < 1:
            errors["count"] = "Enter how many children were safeguarded (1 or more)."
        elif count > 10000:
            errors["count"] = "Enter a number of children of 10,000 or fewer."
    else:
        count = 1
    if kind == OutcomeKind.NO_FURTHER_ACTION and not reason.strip():
        errors["reason"] = "Say why no further action is being taken."
    if len(reason) > 500:
        errors["reason"] = f"Must be 500 characters or fewer (it has {len(reason)})."
    if len(notes) > 2000:
        errors["notes"] = f"Must be 2000 characters or fewer (it has {len(notes)})."
    if errors:
        raise ValidationError(errors)
    outcome = Outcome.objects.create(
        dissemination=package,
        kind=kind,
        count=count,
        reason=reason.strip(),
        occurred_on=occurred_on,
        notes=notes.strip(),
        recorded_by=actor,
        recorded_by_label=f"staff:{actor.username}",
    )
    record(
        action=Action.COLLECTION,
        actor=Actor.of(actor),
        obj=outcome,
        detail={"package": package.reference, "kind": kind, "count": count},
    )
    return outcome
