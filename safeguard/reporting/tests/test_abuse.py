"""Bots, floods and failures: the honeypot, rate limits, and all-or-nothing submission."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Attachment, Report

from .conftest import files_under, png_bytes
from .journey_helpers import answer_all, submit

pytestmark = pytest.mark.django_db


def test_honeypot_is_hidden_from_people_and_screen_readers(client):
    answer_all(client)
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert '<div class="sg-honeypot" aria-hidden="true">' in page
    assert 'name="website" tabindex="-1" autocomplete="off"' in page


def test_honeypot_hit_looks_like_success_but_stores_nothing(client, evidence_dir, caplog):
    answer_all(client)
    client.post(
        reverse("reporting:screenshots"),
        {"action": "upload", "screenshot": SimpleUploadedFile("a.png", png_bytes())},
    )
    with caplog.at_level(logging.WARNING, logger="safeguard.reporting.journey"):
        response = submit(client, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:confirmation")
    page = client.get(response["Location"]).content.decode()
    assert "Report sent" in page and 'id="secret"' in page
    assert Report.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert files_under(evidence_dir) == []
    assert "honeypot" in caplog.text


def test_submit_is_rate_limited_per_client(client, settings):
    settings.SAFEGUARD_REPORT_RATE = "2/h"
    for _ in range(2):
        answer_all(client)
        assert submit(client).status_code == 302
    answer_all(client)
    response = submit(client)
    assert response.status_code == 429
    assert "Please wait before trying again" in response.content.decode()
    assert Report.objects.count() == 2
    # Someone else, from another address, is not affected.
    other = client_from("10.0.0.9")
    answer_all(other)
    assert submit(other).status_code == 302


def client_from(address: str):
    from django.test import Client

    return Client(REMOTE_ADDR=address)


def test_follow_up_is_rate_limited(client, settings):
    settings.SAFEGUARD_FOLLOW_UP_RATE = "3/h"
    for _ in range(3):
        response = client.post(reverse("reporting:follow_up"), {"reference": "SG-0000-0000", "secret": "nope"})
        assert response.status_code == 200
    response = client.post(reverse("reporting:follow_up"), {"reference": "SG-0000-0000", "secret": "nope"})
    assert response.status_code == 429


def test_failed_submission_rolls_back_and_leaves_no_file(client, evidence_dir, monkeypatch):
    answer_all(client)
    client.post(
        reverse("reporting:screenshots"),
        {"action": "upload", "screenshot": SimpleUploadedFile("a.png", png_bytes())},
    )
    pending = files_under(evidence_dir)

    def broken_enqueue(report):
        raise RuntimeError("task queue unavailable")

    monkeypatch.setattr("safeguard.triage.intake_stage.enqueue_triage", broken_enqueue)
    response = submit(client)
    assert response.status_code == 500
    assert "Your report has not been sent" in response.content.decode()
    assert Report.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    # No final copy is left; the pending file stays with the draft so the person can try again.
    assert files_under(evidence_dir) == pending
    assert len(client.session["report_draft"]["uploads"]) == 1

    monkeypatch.undo()
    assert submit(client).status_code == 302
    report = Report.objects.get()
    stored = files_under(evidence_dir)
    originals = [name for name in stored if not name.startswith("renditions/")]
    assert [a.stored_name for a in report.attachments.all()] == originals
    assert len(stored) == 2 and report.evidence_files.get().rendition_name in stored  # plus its blurred thumbnail


def test_rate_limited_page_keeps_exit_this_page(client, settings):
    settings.SAFEGUARD_REPORT_RATE = "1/h"
    answer_all(client)
    submit(client)
    answer_all(client)
    response = submit(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert 'class="govuk-exit-this-page"' in page
    assert "Your answers have not been lost" in page
    assert client.session["report_draft"]["answers"]


def test_long_honeypot_value_is_still_a_quiet_success(client):
    answer_all(client)
    response = submit(client, website="x" * 5000)
    assert response["Location"] == reverse("reporting:confirmation")
    assert Report.objects.count() == 0


def test_sending_twice_makes_one_report(client):
    answer_all(client)
    assert submit(client)["Location"] == reverse("reporting:confirmation")
    assert submit(client)["Location"] == reverse("reporting:confirmation")
    assert Report.objects.count() == 1


def test_screenshot_upload_checks_csrf(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("reporting:screenshots"), {"action": "continue"})
    assert response.status_code == 403
