"""The confirmation page: the secret code again on reload for a short while, then gone, with reasons.

Wording follows who is reporting: a young person is spoken to ("If you are in danger"), never about.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from safeguard.reporting.models import Report

from .journey_helpers import answer_all, submit

pytestmark = pytest.mark.django_db

CONFIRMATION = reverse("reporting:confirmation")


def secret_on(page: str) -> str | None:
    found = re.search(r'id="secret">([^<]+)<', page)
    return found.group(1) if found else None


def sent(client, role="parent_carer") -> str:
    answer_all(client, about_you={"role": role})
    assert submit(client)["Location"] == CONFIRMATION
    return client.get(CONFIRMATION).content.decode()


def test_sessions_are_server_side_so_the_secret_never_reaches_the_cookie(settings, client):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    page = sent(client)
    secret = secret_on(page)
    assert secret not in client.cookies["sessionid"].value
    stored = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert stored["report_confirmation"]["secret"] == secret


def test_a_reload_within_the_window_shows_the_same_secret_again(client):
    first = sent(client)
    secret = secret_on(first)
    assert secret
    with time_machine.travel(timezone.now() + timedelta(minutes=29), tick=False):
        again = client.get(CONFIRMATION).content.decode()
    assert secret_on(again) == secret
    assert Report.objects.get().reference in again
    assert "for 30 minutes only" in again
    assert 'data-sg-copy-target="secret" hidden' in again  # the Copy button, for JavaScript to show


def test_after_the_window_the_secret_is_deleted_and_the_page_says_why(client):
    secret = secret_on(sent(client))
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        later = client.get(CONFIRMATION).content.decode()
    assert secret_on(later) is None and secret not in later
    assert "We no longer show your secret code" in later
    assert "only show it for 30 minutes" in later
    assert Report.objects.get().reference in later
    assert reverse("reporting:start") in later  # what they can do: a new report that mentions the reference
    # Removed from the session store for good, not merely hidden: going back in time does not bring it back.
    assert client.session["report_confirmation"]["secret"] == ""
    assert secret_on(client.get(CONFIRMATION).content.decode()) is None


def test_the_window_is_a_named_setting(settings, client):
    settings.SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES = 5
    secret = secret_on(sent(client))
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        assert secret_on(client.get(CONFIRMATION).content.decode()) == secret
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert "only show it for 5 minutes" in client.get(CONFIRMATION).content.decode()


def test_after_exit_this_page_nothing_is_shown_and_the_page_says_why(client):
    secret = secret_on(sent(client))
    client.get(reverse("core:exit"))
    response = client.get(CONFIRMATION)
    page = response.content.decode()
    assert response.status_code == 200
    assert secret not in page and Report.objects.get().reference not in page
    assert "Exit this page" in page and "Your report details are not shown here" in page
    assert "It has still reached us" in page.replace("it has", "It has")
    assert reverse("reporting:follow_up") in page and reverse("reporting:start") in page


def test_confirmation_without_a_report_explains_rather_than_errors(client):
    page = client.get(CONFIRMATION).content.decode()
    assert "Your report details are not shown here" in page
    assert 'href="tel:999"' in page


def test_a_young_person_is_spoken_to_not_about(client):
    page = sent(client, role="young_person")
    main = page.split("<main", 1)[1].split("</main>", 1)[0]  # the shared footer is base.html's, not this page's
    assert "If a child is in danger" not in main
    assert "If you are in danger right now, call" in page
    assert "You have done the right thing" in page
    assert 'href="tel:999"' in page and 'href="tel:08001111"' in page
    assert "young_person" not in page


@pytest.mark.parametrize("role", ["parent_carer", "professional", "other_adult"])
def test_adults_get_adult_wording_with_tap_to_call_links(client, role):
    page = sent(client, role=role)
    assert "If a child is in danger right now, call" in page
    assert "You have done the right thing" not in page
    assert 'href="tel:999"' in page and 'href="tel:08001111"' in page
    assert role not in page


def test_home_page_has_exit_this_page_and_a_tap_to_call_999(client):
    page = client.get("/").content.decode()
    assert "govuk-exit-this-page" in page and reverse("core:exit") in page
    assert 'href="tel:999"' in page


def test_safety_page_gives_a_child_advice_beyond_browser_history(client):
    page = client.get(reverse("reporting:safety")).content.decode()
    for advice in (
        "It is not your fault",
        "You do not have to reply",
        "Block the person",
        "Do not delete the messages",
        "Tell an adult you trust",
        "private window",
        "shared phone",
        "history",
    ):
        assert advice in page, advice
    assert 'href="tel:999"' in page and 'href="tel:08001111"' in page
