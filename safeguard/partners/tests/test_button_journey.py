"""The Report Abuse button end to end: a partner-signed link into the public journey."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from safeguard.partners.button import NOTICE_EXPIRED, NOTICE_INVALID, sign_context
from safeguard.reporting.models import Report
from safeguard.reporting.tests.journey_helpers import answer_all, step_url, submit

CONTEXT = {
    "platform": "ChatterBox messenger",
    "reported_account_id": "cb-user-40417",
    "reported_display_name": "Skater_Sam_14",
    "content_reference": "conversation/7731",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_verified_context_prefills_and_is_kept_on_the_report(partner):
    client = Client()
    response = client.get("/report/", {"ctx": sign_context(partner, CONTEXT)})
    assert response.status_code == 200
    assert b"govuk-notification-banner" not in response.content

    assert client.session["report_draft"]["partner_context"]["verified"] is True
    answer_all(client)
    submit(client)
    report = Report.objects.get()
    assert report.details["partner_context"] == {
        **CONTEXT,
        "partner": "chatterbox",
        "partner_name": "ChatterBox",
        "verified": True,
    }
    # What the reporter typed stays theirs; the verified context sits beside it.
    assert report.platform_name == "Blocktopia Chat"


def test_where_and_who_steps_are_suggested_from_the_context(partner):
    client = Client()
    client.get("/report/", {"ctx": sign_context(partner, CONTEXT)})
    answers = {
        "about-you": {"role": "young_person"},
        "age": {"age_answer": "given", "age": "14"},
        "danger": {"danger_now": "no"},
    }
    answers["what-happened"] = {"categories": ["keep_secret"]}
    for slug, data in answers.items():
        assert client.post(step_url(slug), data).status_code == 302
    where = client.get(step_url("where")).content.decode()
    assert 'value="ChatterBox messenger"' in where
    client.post(step_url("where"), {"platform_name": "ChatterBox messenger", "environment": "instant_messaging"})
    who = client.get(step_url("who")).content.decode()
    assert "Name shown: Skater_Sam_14" in who and "Account id: cb-user-40417" in who


@pytest.mark.parametrize(
    ("make_token", "notice"),
    [
        (lambda p: sign_context(p, CONTEXT)[:-3] + "abc", NOTICE_INVALID),
        (lambda p: sign_context(p, CONTEXT, ttl=60, now=time.time() - 600), NOTICE_EXPIRED),
        (lambda p: "not-a-token", NOTICE_INVALID),
    ],
)
def test_bad_context_is_dropped_with_a_notice_not_an_error(partner, make_token, notice):
    client = Client()
    response = client.get("/report/", {"ctx": make_token(partner)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-notification-banner" in page and notice.replace("'", "&#x27;") in page
    assert "partner_context" not in client.session.get("report_draft", {})
    answer_all(client)
    submit(client)
    assert "partner_context" not in Report.objects.get().details
