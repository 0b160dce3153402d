"""A member of the public's sighting becomes a report, linked to the person, raised to P2, and the
leading force is told."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Category, Source
from safeguard.reporting.services import create_report

from .alerts import from_address, public_base_url
from .models import ForceNotification, Sighting, WantedPerson


@dataclass(frozen=True)
class SightingDetails:
    seen_on: date
    seen_time: str
    seen_where: str
    description: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def force_address(force: str) -> str:
    """Where a force's sighting notices go. Forces get their own records in a later issue; until then a
    setting maps force names to addresses, with one fallback address for the rest."""
    addresses = getattr(settings, "SAFEGUARD_FORCE_ADDRESSES", {})
    return addresses.get(force) or getattr(settings, "SAFEGUARD_FORCE_FALLBACK_ADDRESS", "wanted-sightings@localhost")


def report_sighting(*, person: WantedPerson, details: SightingDetails) -> Sighting:
    wants_contact = bool(details.contact_name or details.contact_email or details.contact_phone)
    with transaction.atomic():
        new = create_report(
            actor=Actor(label="member of the public (Most Wanted sighting)"),
            source=Source.SIGHTING,
            fields={
                "categories": [Category.SOMETHING_ELSE],
                "other_category_detail": "Sighting of a person on the Most Wanted list",
                "subject_identifiers": f"Most Wanted: {person.full_name} (record {person.public_id})",
                "incident_date": details.seen_on,
                "incident_when_description": details.seen_time,
                "account": f"Where they were seen: {details.seen_where}\n\n{details.description}",
                "wants_contact": wants_contact,
                "contact_name": details.contact_name,
                "contact_email": details.contact_email,
                "contact_phone": details.contact_phone,
                "contact_consent": wants_contact,
                "details": {"wanted_person": person.public_id, "seen_where": details.seen_where},
            },
            audit_detail={"wanted_person": person.public_id},
            with_follow_up_secret=False,
        )
        # Triage's "Sighting of a Most Wanted person" factor puts the report at P2 or higher.
        sighting = Sighting.objects.create(person=person, report=new.report)
        notification = ForceNotification.objects.create(
            sighting=sighting, force=person.leading_force, address=force_address(person.leading_force)
        )
        from .tasks import notify_leading_force

        notify_leading_force.enqueue(notification.pk)
    return sighting


def send_force_notification(notification: ForceNotification) -> None:
    """The email carries the report reference and where/when, not the reporter's contact details:
    the force reads those in the report itself, under its own access controls."""
    sighting = notification.sighting
    report = sighting.report
    person = sighting.person
    staff_link = public_base_url() + reverse("staff:report", args=[report.reference])
    body = (
        f"A member of the public reported seeing {person.full_name} (Most Wanted record {person.public_id}).\n\n"
        f"Seen on: {report.incident_date:%d %B %Y} {report.incident_when_description}\n"
        f"{report.account}\n\n"
        f"Report reference: {report.reference} (priority {report.get_priority_display()}).\n"
        f"Open the report: {staff_link}\n"
    )
    with transaction.atomic():
        EmailMessage(
            f"Most Wanted sighting: {person.full_name} ({report.reference})",
            body,
            from_address(),
            [notification.address],
        ).send()
        record(
            action=Action.DISCLOSURE,
            actor=Actor.system("wanted sightings"),
            obj=report,
            recipient=f"{notification.force} (leading force)",
            detail={"notification": notification.pk, "wanted_person": person.public_id},
        )
