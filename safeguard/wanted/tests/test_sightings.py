"""A sighting becomes a report linked to the person, at P2 or higher, and the leading force is told."""

import pytest
from django.core import mail
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.reporting.models import Priority, Report, Source
from safeguard.wanted import services
from safeguard.wanted.models import ForceNotification, Sighting, WantedStatus

pytestmark = pytest.mark.django_db


def good_answers(**overrides):
    today = timezone.localdate()
    answers = {
        "day": str(today.day),
        "month": str(today.month),
        "year": str(today.year),
        "seen_time": "about 3pm",
        "seen_where": "Outside the library on Fictional Road, Little Wobbling",
        "description": "Wearing a green coat, walking towards the bus station.",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "website": "",
    }
    return {**answers, **overrides}


def send(client, person, **overrides):
    return client.post(f"/most-wanted/{person.public_id}/sighting/", good_answers(**overrides))


def test_an_anonymous_sighting_becomes_a_linked_p2_report_and_the_force_is_told(
    client, published, settings, django_capture_on_commit_callbacks
):
    settings.SAFEGUARD_FORCE_ADDRESSES = {"Kent": "wanted-desk@kent.police.example"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, published)
    assert response.status_code == 302
    sighting = Sighting.objects.get(person=published)
    report = Report.objects.get(pk=sighting.report_id)
    assert report.source == Source.SIGHTING
    assert report.priority <= Priority.P2
    assert any("Most Wanted" in reason for reason in report.priority_reasons)
    assert "Fictional Road" in report.account and "green coat" in report.account
    assert report.details["wanted_person"] == published.public_id
    assert not report.wants_contact and report.contact_email == ""
    # Triage ran after submission (on commit) and the sighting is still P2.
    report.refresh_from_db()
    assert report.status == "triaged"
    assert report.priority <= Priority.P2
    notice = ForceNotification.objects.get(sighting=sighting)
    assert notice.force == "Kent" and notice.sent_at is not None
    sent = [m for m in mail.outbox if m.to == ["wanted-desk@kent.police.example"]]
    assert len(sent) == 1 and report.reference in sent[0].body
    assert AuditEntry.objects.filter(
        action=Action.DISCLOSURE, object_id=str(report.pk), recipient="Kent (leading force)"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert report.reference in page


def test_contact_details_are_kept_when_given(client, published):
    send(client, published, contact_name="Pat Example", contact_email="pat@example.org", contact_phone="01632 960001")
    report = Sighting.objects.get().report
    assert report.wants_contact and report.contact_email == "pat@example.org"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": "", "month": "", "year": ""}, "Enter the date you saw them"),
        ({"month": ""}, "The date must include a month"),
        ({"day": "31", "month": "2"}, "The date must be a real date"),
        ({"year": "2999"}, "The date must be today or in the past"),
        ({"seen_where": ""}, "Enter where you saw them"),
        ({"description": "   "}, "Describe what you saw"),
        ({"description": "x" * 5001}, "What you saw must be 5,000 characters or fewer"),
        ({"contact_email": "not-an-address"}, "Enter an email address in the correct format"),
        ({"contact_phone": "call me maybe"}, "Enter a phone number"),
        ({"seen_where": "Library\x00 steps"}, "hidden characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_the_answers(client, published, overrides, message):
    response = send(client, published, **overrides)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "green coat" in body or "description" in overrides  # what was typed is shown again
    assert Sighting.objects.count() == 0 and Report.objects.count() == 0


def test_the_honeypot_sends_nothing(client, published):
    response = send(client, published, website="http://spam.example")
    assert response.status_code == 302
    assert Report.objects.count() == 0


def test_sightings_are_rate_limited(client, published, settings):
    settings.SAFEGUARD_REPORT_RATE = "2/h"
    assert send(client, published).status_code == 302
    assert send(client, published).status_code == 302
    assert send(client, published).status_code == 429
    assert Sighting.objects.count() == 2


def test_no_sightings_for_found_or_withdrawn_people(client, make_published, author):
    found = make_published()
    services.change_public_status(user=author, person=found, to=WantedStatus.LOCATED)
    assert "has been found" in send(client, found).content.decode()
    gone = make_published()
    services.change_public_status(user=author, person=gone, to=WantedStatus.WITHDRAWN)
    assert send(client, gone).status_code == 404
    assert Sighting.objects.count() == 0


def test_the_sighting_form_is_accessible(client, published):
    body = client.get(f"/most-wanted/{published.public_id}/sighting/").content.decode()
    for field in ("day", "month", "year", "seen_time", "seen_where", "description", "contact_email"):
        assert f'for="{field}"' in body and f'id="{field}"' in body
    assert "<h1" in body
