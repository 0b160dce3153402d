"""Writes for Most Wanted records: drafting, the two-person approval, publication and removal.

Every change is audited in the same transaction. Publication is a disclosure to the public website.
"""

from django.db import transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record

from .models import FOUND_STATUSES, WantedEvent, WantedPerson, WantedStatus
from .photos import placeholder_png
from .tasks import fan_out_alerts

PUBLIC_WEBSITE = "public website"

EDITABLE_FIELDS = (
    "full_name",
    "aliases",
    "physical_description",
    "last_known_area",
    "area",
    "offences",
    "leading_force",
    "date_missing",
)

# Which status may follow which. Located, arrested and withdrawn are final except located -> arrested.
ALLOWED = {
    WantedStatus.DRAFT: {WantedStatus.AWAITING_APPROVAL, WantedStatus.WITHDRAWN},
    WantedStatus.AWAITING_APPROVAL: {WantedStatus.PUBLISHED, WantedStatus.DRAFT, WantedStatus.WITHDRAWN},
    WantedStatus.PUBLISHED: {WantedStatus.LOCATED, WantedStatus.ARRESTED, WantedStatus.WITHDRAWN},
    WantedStatus.LOCATED: {WantedStatus.ARRESTED},
    WantedStatus.ARRESTED: set(),
    WantedStatus.WITHDRAWN: set(),
}


class WantedError(ValueError):
    """A change that is not allowed; the message says why, in words staff can act on."""


def _check_move(person: WantedPerson, to: WantedStatus) -> None:
    if to not in ALLOWED[WantedStatus(person.status)]:
        raise WantedError(
            f"A record that is {person.get_status_display().lower()} cannot become {WantedStatus(to).label.lower()}."
        )


def _locked(person: WantedPerson) -> WantedPerson:
    return WantedPerson.objects.select_for_update().get(pk=person.pk)


def create_wanted_person(*, user, fields: dict) -> WantedPerson:
    check_capability(user, Capability.MANAGE_WANTED)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise WantedError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        person = WantedPerson(created_by=user, **fields)
        person.photo_png = placeholder_png(initials=person.initials, seed=person.public_id)
        person.full_clean()
        person.save()
        record(action=Action.COLLECTION, actor=Actor.of(user), obj=person, detail={"status": person.status})
    return person


def update_wanted_person(*, user, person: WantedPerson, fields: dict) -> WantedPerson:
    """Change a record before publication. An edit while awaiting approval sends it back to draft,
    so the approver always approves exactly what will be published."""
    check_capability(user, Capability.MANAGE_WANTED)
    with transaction.atomic():
        person = _locked(person)
        if person.status not in (WantedStatus.DRAFT, WantedStatus.AWAITING_APPROVAL):
            raise WantedError("Only a draft or a record awaiting approval can be edited.")
        changed = [name for name in EDITABLE_FIELDS if name in fields and getattr(person, name) != fields[name]]
        if not changed:
            return person
        for name in changed:
            setattr(person, name, fields[name])
        if "full_name" in changed:
            person.photo_png = placeholder_png(initials=person.initials, seed=person.public_id)
        previous = person.status
        person.status = WantedStatus.DRAFT
        person.full_clean()
        person.save()
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=person,
            detail={"fields": changed, "status_before": previous, "status": person.status},
        )
    return person


def submit_for_approval(*, user, person: WantedPerson) -> WantedPerson:
    check_capability(user, Capability.MANAGE_WANTED)
    with transaction.atomic():
        person = _locked(person)
        _check_move(person, WantedStatus.AWAITING_APPROVAL)
        person.status = WantedStatus.AWAITING_APPROVAL
        person.submitted_by = user
        person.save(update_fields=["status", "submitted_by", "updated_at"])
        record(action=Action.ALTERATION, actor=Actor.of(user), obj=person, detail={"status": person.status})
    return person


def return_to_draft(*, user, person: WantedPerson, reason: str) -> WantedPerson:
    check_capability(user, Capability.APPROVE_WANTED)
    if not reason.strip():
        raise WantedError("Say what needs to change before it can be approved.")
    with transaction.atomic():
        person = _locked(person)
        _check_move(person, WantedStatus.DRAFT)
        person.status = WantedStatus.DRAFT
        person.save(update_fields=["status", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=person,
            detail={"status": person.status, "returned": True},
            justification=reason.strip()[:500],
        )
    return person


def approve_and_publish(*, user, person: WantedPerson) -> WantedPerson:
    """The second person's approval publishes the record and starts the email alerts.

    Two-person rule: whoever wrote the record or sent it for approval cannot approve it.
    """
    check_capability(user, Capability.APPROVE_WANTED)
    with transaction.atomic():
        person = _locked(person)
        _check_move(person, WantedStatus.PUBLISHED)
        if user.pk in {person.created_by_id, person.submitted_by_id}:
            raise WantedError("A second person must approve this: you wrote it or sent it for approval.")
        now = timezone.now()
        person.status = WantedStatus.PUBLISHED
        person.approved_by = user
        person.published_at = now
        person.save(update_fields=["status", "approved_by", "published_at", "updated_at"])
        WantedEvent.objects.create(person=person, status=person.status, at=now)
        record(
            action=Action.DISCLOSURE,
            actor=Actor.of(user),
            obj=person,
            recipient=PUBLIC_WEBSITE,
            detail={"status": person.status, "author": person.created_by_id, "approved_by": user.pk},
        )

        fan_out_alerts.enqueue(person.pk)  # on commit: never mail about a publication that rolled back
    return person


def change_public_status(*, user, person: WantedPerson, to: WantedStatus, note: str = "") -> WantedPerson:
    """Located, arrested or withdrawn: the public pages change at once (they are rendered from status)."""
    check_capability(user, Capability.MANAGE_WANTED)
    to = WantedStatus(to)
    if to not in (*FOUND_STATUSES, WantedStatus.WITHDRAWN):
        raise WantedError("Use this only to record that a person was located or arrested, or to withdraw a record.")
    with transaction.atomic():
        person = _locked(person)
        _check_move(person, to)
        was_public = person.status == WantedStatus.PUBLISHED
        now = timezone.now()
        previous = person.status
        person.status = to
        if to in FOUND_STATUSES and person.found_at is None:
            person.found_at = now
        person.save(update_fields=["status", "found_at", "updated_at"])
        if previous != WantedStatus.DRAFT and previous != WantedStatus.AWAITING_APPROVAL:
            WantedEvent.objects.create(person=person, status=to, at=now)
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=person,
            detail={
                "status_before": previous,
                "status": to,
                "removed_from_public_pages": was_public,
            },
            justification=note.strip()[:500],
        )
    return person
