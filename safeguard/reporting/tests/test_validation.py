"""Every question's errors: GOV.UK error summary, "Error: " titles, specific messages, nothing lost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguard.reporting.models import Report

from .journey_helpers import ANSWERS, answer_all, step_url, submit

pytestmark = pytest.mark.django_db


def answer_until(client, slug: str) -> None:
    """Answer every question before `slug`."""
    for earlier, data in {**ANSWERS, "contact-details": {}}.items():
        if earlier == "contact":
            client.post(reverse("reporting:screenshots"), {"action": "continue"})
        if earlier == slug:
            return
        if earlier == "contact" and slug == "contact-details":
            data = {"wants_contact": "yes"}
        client.post(step_url(earlier), data)


def post_invalid(client, slug: str, data: dict) -> str:
    answer_until(client, slug)
    response = client.post(step_url(slug), data)
    assert response.status_code == 200, "an invalid answer must re-show the page"
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "There is a problem" in page
    return page


@pytest.mark.parametrize(
    ("slug", "data", "message", "link"),
    [
        ("about-you", {}, "Select which best describes you", "#role_0"),
        ("about-you", {"role": "wizard"}, "Select which best describes you", "#role_0"),
        ("danger", {}, "Select yes, no or I&#x27;m not sure", "#danger_now_0"),
        ("what-happened", {}, "Select what happened, or select &#x27;Something else&#x27;", "#categories_0"),
        ("what-happened", {"categories": ["something_else"]}, "Tell us what else happened", "#other_category_detail"),
        ("where", {"environment": "chat_room"}, "Enter the name of the app or website", "#platform_name"),
        ("where", {"platform_name": "Blocktopia"}, "Select what kind of place it was", "#environment_0"),
        (
            "where",
            {"platform_name": "x" * 201, "environment": "email"},
            "Name of the app or website must be 200 characters or fewer",
            "#platform_name",
        ),
        ("when", {}, "Enter the date it happened, or select &#x27;I&#x27;m not sure of the date&#x27;", "#day"),
        ("when", {"day": "31", "month": "2", "year": "2025"}, "The date must be a real date", "#day"),
        ("when", {"day": "1", "year": "2025"}, "The date must include a month", "#month"),
        ("when", {"day": "1", "month": "2", "year": "25"}, "The year must include 4 numbers", "#year"),
        ("when", {"day": "aa", "month": "2", "year": "2025"}, "written in numbers", "#day"),
        ("when", {"not_sure": "on"}, "Tell us roughly when it happened", "#incident_when_description"),
        ("your-words", {"account": "   "}, "Tell us what happened in your own words", "#account"),
        (
            "your-words",
            {"account": "a" * 10001},
            "What happened must be 10,000 characters or fewer",
            "#account",
        ),
        ("contact", {}, "Select yes if you want us to contact you", "#wants_contact_0"),
        (
            "contact-details",
            {"contact_consent": "on"},
            "Enter an email address or a phone number so that we can contact you",
            "#contact_email",
        ),
        (
            "contact-details",
            {"contact_email": "not-an-email", "contact_consent": "on"},
            "Enter an email address in the correct format, like name@example.com",
            "#contact_email",
        ),
        (
            "contact-details",
            {"contact_phone": "call me maybe", "contact_consent": "on"},
            "Enter a phone number, like 01632 960 001 or 07700 900 982",
            "#contact_phone",
        ),
        (
            "contact-details",
            {"contact_email": "robin@example.com"},
            "Select the box to agree that we can contact you",
            "#contact_consent",
        ),
    ],
)
def test_question_errors(client, slug, data, message, link):
    page = post_invalid(client, slug, data)
    assert message in page
    assert f'href="{link}"' in page
    assert 'class="govuk-error-message"' in page
    # The error link points at an element that exists on the page.
    assert f'id="{link[1:]}"' in page


def test_future_date_is_refused(client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = post_invalid(client, "when", {"day": tomorrow.day, "month": tomorrow.month, "year": tomorrow.year})
    assert "The date must be today or in the past" in page


def test_today_is_accepted(client):
    answer_until(client, "when")
    today = timezone.localdate()
    response = client.post(step_url("when"), {"day": today.day, "month": today.month, "year": today.year})
    assert response.status_code == 302


def test_what_was_typed_is_kept_when_another_field_is_wrong(client):
    page = post_invalid(client, "where", {"platform_name": "Blocktopia Chat"})
    assert 'value="Blocktopia Chat"' in page
    page = post_invalid(client, "contact-details", {"contact_name": "Robin Example"})
    assert 'value="Robin Example"' in page


def test_control_characters_are_removed_and_explained(client):
    answer_until(client, "your-words")
    response = client.post(step_url("your-words"), {"account": "They said\x00 hello\x1b[31m\r\nthen left\tquickly"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "hidden characters that we cannot accept" in page
    assert "\x00" not in page and "\x1b" not in page
    assert "They said hello[31m\nthen left\tquickly" in page  # tidied text shown back, ready to send
    # Continue again with what is shown: accepted.
    response = client.post(step_url("your-words"), {"account": "They said hello[31m\nthen left\tquickly"})
    assert response.status_code == 302


def test_windows_newlines_count_once_against_the_limit(client):
    answer_until(client, "your-words")
    response = client.post(step_url("your-words"), {"account": "ab\r\n" * 3333})  # 9999 chars once normalised
    assert response.status_code == 302


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_injection_is_never_echoed_raw(client):
    answer_all(
        client,
        where={"platform_name": XSS, "environment": "other"},
        who={"subject_identifiers": XSS, "subject_claimed_age": XSS[:50]},
        your_words={"account": XSS},
    )
    check = client.get(reverse("reporting:check_answers")).content.decode()
    assert "<script>alert" not in check
    assert "<img src=x" not in check
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in check
    # Error pages echo what was typed: escaped too.
    page = client.post(step_url("where"), {"platform_name": XSS}).content.decode()
    assert "<script>alert" not in page
    submit(client)
    assert Report.objects.get().platform_name == XSS  # stored as typed; escaping is the template's job


def test_forms_carry_csrf_tokens(client):
    answer_all(client)
    for url in [step_url("where"), reverse("reporting:screenshots"), reverse("reporting:check_answers")]:
        assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()


def test_post_without_csrf_token_is_refused(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(step_url("about-you"), {"role": "other_adult"})
    assert response.status_code == 403
