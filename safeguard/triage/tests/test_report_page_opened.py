"""The staff report page: it marks the report opened (once) and shows the journey's age and professional answers."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguard.reporting.models import Report, ReporterRole

pytestmark = pytest.mark.django_db

PUBLIC_WEB = {
    "danger_now_answer": "no",
    "child_age": 13,
    "child_age_answer": "given",
    "professional": {
        "organisation": "Larkspur Academy",
        "job_role": "Head of year 8",
        "child_setting": "",
        "actions_taken": ["told_dsl", "told_social_care"],
        "action_other": "",
    },
}


def test_opening_the_report_page_marks_it_opened_once(staff_client, make_report):
    report = make_report(reporter_role=ReporterRole.PROFESSIONAL, details={"public_web": PUBLIC_WEB})
    assert Report.objects.get(pk=report.pk).first_opened_at is None  # triage ran; nobody has read it
    analyst = staff_client("analyst")
    page = analyst.get(reverse("staff:report", args=[report.reference])).content.decode()
    opened = Report.objects.get(pk=report.pk)
    assert opened.first_opened_by == analyst.user
    assert f"by {analyst.user.username}" in page

    supervisor = staff_client("supervisor")
    supervisor.get(reverse("staff:report", args=[report.reference]))
    assert Report.objects.get(pk=report.pk).first_opened_by == analyst.user


def test_the_report_page_shows_the_age_and_the_professionals_context_in_words(analyst_client, make_report):
    report = make_report(reporter_role=ReporterRole.PROFESSIONAL, details={"public_web": PUBLIC_WEB})
    page = analyst_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert 'id="child-age">13 years old<' in page
    assert "The professional's context" in page
    assert "Larkspur Academy" in page and "Head of year 8" in page
    assert "Told the designated safeguarding lead<br>Told children&#x27;s social care" in page
    assert "told_dsl</dd>" not in page


def test_a_report_without_the_answers_says_not_asked(analyst_client, make_report):
    report = make_report()
    page = analyst_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert 'id="child-age">Not asked<' in page
    assert "The professional's context" not in page


def test_the_reporter_sees_read_only_after_a_person_opened_it(analyst_client):
    from safeguard.audit.services import Actor
    from safeguard.reporting.models import Source
    from safeguard.reporting.services import create_report

    new = create_report(
        actor=Actor(label="member of the public (parent or carer)"),
        source=Source.PUBLIC_WEB,
        fields={"platform_name": "Blocktopia", "account": "Asked to keep it secret.", "reporter_role": "parent_carer"},
    )
    reporter = Client()
    reporter.post(reverse("reporting:follow_up"), {"reference": new.report.reference, "secret": new.follow_up_secret})
    status_page = reverse("reporting:follow_up_report")
    before = reporter.get(status_page).content.decode()
    assert "Nobody on our team has read it yet" in before
    assert "has read your report" not in before

    analyst_client.get(reverse("staff:report", args=[new.report.reference]))
    after = reporter.get(status_page).content.decode()
    assert "Someone on our team has read your report." in after
