"""Coming back with a reference and secret: one report per secret, same error for any wrong pair."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor
from safeguard.reporting.models import ReportAddition, Source, Status
from safeguard.reporting.services import create_report

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("reporting:follow_up")
YOUR_REPORT = reverse("reporting:follow_up_report")


def make_report(**fields):
    return create_report(
        actor=Actor(label="member of the public (other_adult)"),
        source=Source.PUBLIC_WEB,
        fields={"platform_name": "Blocktopia", "account": "Asked to keep it secret.", **fields},
    )


def sign_in(client, reference, secret):
    return client.post(SIGN_IN, {"reference": reference, "secret": secret})


def test_correct_reference_and_secret_show_status_and_allow_adding(client):
    new = make_report()
    response = sign_in(client, new.report.reference, new.follow_up_secret)
    assert response["Location"] == YOUR_REPORT
    page = client.get(YOUR_REPORT).content.decode()
    assert new.report.reference in page
    assert 'id="report-status"' in page
    assert "Blocktopia" not in page  # the status page does not show back what was reported

    response = client.post(YOUR_REPORT, {"text": "They messaged again today from a new account @newfox"})
    assert response.status_code == 302
    addition = ReportAddition.objects.get()
    assert addition.report == new.report
    assert "@newfox" in addition.text
    assert AuditEntry.objects.filter(object_id=str(new.report.pk), detail__added="reporter_addition").exists()
    assert "We have added this to your report" in client.get(YOUR_REPORT).content.decode()


def test_what_a_person_types_is_normalised(client):
    new = make_report()
    sloppy_reference = new.report.reference.lower().replace("-", " ").replace("0", "o")
    sloppy_secret = " " + new.follow_up_secret.lower().replace("-", "") + " "
    assert sign_in(client, sloppy_reference, sloppy_secret)["Location"] == YOUR_REPORT


def test_a_secret_for_one_report_does_not_open_another(client):
    first, second = make_report(), make_report()
    response = sign_in(client, second.report.reference, first.follow_up_secret)
    assert response.status_code == 200
    assert "The reference or secret code is not right" in response.content.decode()
    assert client.get(YOUR_REPORT)["Location"] == SIGN_IN

    # Signed in to the first, the session still does not open the second.
    sign_in(client, first.report.reference, first.follow_up_secret)
    page = client.get(YOUR_REPORT).content.decode()
    assert first.report.reference in page and second.report.reference not in page
    client.post(YOUR_REPORT, {"text": "More detail"})
    assert ReportAddition.objects.get().report == first.report
    assert not second.report.additions.exists()

    # A failed attempt at the second does not widen what the session can see.
    sign_in(client, second.report.reference, first.follow_up_secret)
    page = client.get(YOUR_REPORT).content.decode()
    assert second.report.reference not in page


def test_wrong_reference_and_wrong_secret_get_the_same_message(client):
    new = make_report()
    wrong_secret = sign_in(client, new.report.reference, "AAAA-BBBB-CCCC").content.decode()
    wrong_reference = sign_in(client, "SG-ZZZZ-ZZZZ", new.follow_up_secret).content.decode()
    nonsense = sign_in(client, "hello", new.follow_up_secret).content.decode()
    message = "The reference or secret code is not right. Check them and try again"
    for page in (wrong_secret, wrong_reference, nonsense):
        assert message in page
        assert "<title>Error: " in page
        assert 'href="#reference"' in page


def test_empty_fields_get_specific_messages(client):
    page = client.post(SIGN_IN, {}).content.decode()
    assert "Enter your report reference" in page
    assert "Enter your secret code" in page


def test_status_in_plain_words(client):
    new = make_report()
    new.report.status = Status.IN_REVIEW
    new.report.save()
    sign_in(client, new.report.reference, new.follow_up_secret)
    assert "Someone on our team is looking at your report now." in client.get(YOUR_REPORT).content.decode()


def test_authorisation_expires(client):
    new = make_report()
    sign_in(client, new.report.reference, new.follow_up_secret)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get(YOUR_REPORT)["Location"] == SIGN_IN


def test_sign_out_forgets_the_report(client):
    new = make_report()
    sign_in(client, new.report.reference, new.follow_up_secret)
    client.post(reverse("reporting:follow_up_sign_out"))
    assert client.get(YOUR_REPORT)["Location"] == SIGN_IN


def test_add_information_validates(client):
    new = make_report()
    sign_in(client, new.report.reference, new.follow_up_secret)
    page = client.post(YOUR_REPORT, {"text": ""}).content.decode()
    assert "Enter the information you want to add" in page
    page = client.post(YOUR_REPORT, {"text": "x" * 5001}).content.decode()
    assert "must be 5,000 characters or fewer" in page
    page = client.post(YOUR_REPORT, {"text": "<script>alert(1)</script>\x00"}).content.decode()
    assert "<script>alert(1)" not in page
    assert "hidden characters" in page
    assert not ReportAddition.objects.exists()


def test_signed_in_session_goes_straight_to_the_report(client):
    new = make_report()
    sign_in(client, new.report.reference, new.follow_up_secret)
    assert client.get(SIGN_IN)["Location"] == YOUR_REPORT
