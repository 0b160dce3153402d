"""Someone is threatening them: with consent, a report through reporting's one intake, scored P1 or P2."""

import pytest
from django.test import Client

from safeguard.removal import services
from safeguard.removal.models import RemovalRequest
from safeguard.reporting import entry_context
from safeguard.reporting.models import Category, Priority, Report, ReporterRole
from safeguard.triage.features import report_features
from safeguard.triage.models import ReportTriage

from .conftest import image_item

pytestmark = pytest.mark.django_db


def test_no_report_without_consent():
    with pytest.raises(services.RemovalError) as refused:
        services.report_threat(consent=False, danger_now="no")
    assert refused.value.code == "no_consent"
    assert Report.objects.count() == 0


def test_a_threat_report_goes_through_intake_and_lands_p2():
    sent = services.report_threat(consent=True, danger_now="no", platform_name="ChatApp", account="they want money")
    report = Report.objects.get(reference=sent.reference)
    assert sent.secret and report.follow_up_secret_hash
    assert report.reporter_role == ReporterRole.YOUNG_PERSON
    assert report.categories == [Category.THREATENED_TO_SHARE]
    assert entry_context.THREAT_TO_SHARE_OWN_IMAGES in entry_context.concerns(report.details)
    assert report.priority == Priority.P2
    assert ReportTriage.objects.get(report=report).threats == 1.0  # the triage task ran (immediate backend)
    assert any("sextortion" in reason for reason in report.priority_reasons)


def test_in_danger_now_lands_p1():
    sent = services.report_threat(consent=True, danger_now="yes")
    assert Report.objects.get(reference=sent.reference).priority == Priority.P1


def test_the_concern_alone_feeds_the_threats_factor():
    report = Report(categories=[], details={entry_context.CONCERNS_KEY: [entry_context.THREAT_TO_SHARE_OWN_IMAGES]})
    assert report_features(report)["threats"] == 1.0
    for details in ({}, {entry_context.CONCERNS_KEY: "nonsense"}, {entry_context.CONCERNS_KEY: ["unknown"]}):
        assert report_features(Report(categories=[], details=details))["threats"] == 0.0


def test_the_threat_page_sends_with_consent_and_shows_the_report_reference(client):
    html = client.get("/remove-it/someone-is-threatening-me/").content.decode()
    for words in ("It is not your fault", "Do not pay", "Keep the messages", "999"):
        assert words in html
    refused = client.post("/remove-it/someone-is-threatening-me/", {"danger_now": "no"}).content.decode()
    assert "Tick the box to say we can send this to our team" in refused and Report.objects.count() == 0
    response = client.post(
        "/remove-it/someone-is-threatening-me/", {"danger_now": "not_sure", "consent": "on", "age": "15"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.priority == Priority.P2 and report.details["public_web"]["child_age"] == 15
    html = client.get("/remove-it/someone-is-threatening-me/sent/").content.decode()
    assert report.reference in html and 'id="secret"' in html


def test_a_signed_in_young_persons_threat_report_names_their_remove_it_reference(client):
    sent = services.submit(items=[image_item(1)], threatened=True)
    client.post("/remove-it/come-back/", {"reference": sent.removal.reference, "secret": sent.secret})
    client.post("/remove-it/someone-is-threatening-me/", {"danger_now": "no", "consent": "on"})
    assert Report.objects.get().details["remove_it"] == {"reference": RemovalRequest.objects.get().reference}


def test_the_threat_honeypot_keeps_nothing():
    client = Client()
    client.post("/remove-it/someone-is-threatening-me/", {"danger_now": "no", "consent": "on", "website": "x"})
    assert Report.objects.count() == 0
    assert "SG-" in client.get("/remove-it/someone-is-threatening-me/sent/").content.decode()
