"""The public journey end to end, for every kind of reporter."""

import re

import pytest
from django.urls import reverse

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Priority, Report, ReporterRole, Source

from .journey_helpers import ANSWERS, answer_all, step_url, submit

pytestmark = pytest.mark.django_db

CONTACT_DETAILS = {"contact_name": "Robin Example", "contact_email": "robin@example.com", "contact_consent": "on"}

JOURNEY_PAGES = [
    reverse("reporting:start"),
    reverse("reporting:leaving_quickly"),
    reverse("reporting:safety"),
    *[step_url(slug) for slug in ANSWERS],
    reverse("reporting:screenshots"),
    reverse("reporting:check_answers"),
    reverse("reporting:follow_up"),
]


def test_start_page_explains_the_service_999_and_what_happens_next(client):
    page = client.get(reverse("reporting:start")).content.decode()
    assert "Report online sexual abuse or grooming of a child" in page
    # 999 is a tap-to-call link, said where a frightened reader looks first.
    assert 'in danger right now, call <a class="govuk-link" href="tel:999">999</a>' in page
    assert "What happens after you report" in page
    assert "anonymous" in page
    # Before first use, Start goes to the "leaving quickly" interruption page.
    assert f'href="{reverse("reporting:leaving_quickly")}"' in page


def test_interruption_page_explains_exit_button_and_shift_shortcut_then_is_skipped(client):
    page = client.get(reverse("reporting:leaving_quickly")).content.decode()
    assert "Exit this page" in page
    assert "<kbd>Shift</kbd> key 3 times" in page
    assert reverse("reporting:safety") in page
    start = client.get(reverse("reporting:start")).content.decode()
    assert f'href="{step_url("about-you")}"' in start


def test_safety_page_covers_private_browsing_history_and_shared_devices(client):
    page = client.get(reverse("reporting:safety")).content.decode()
    assert "private window" in page
    assert "browser history" in page
    assert "shared phone, tablet or computer" in page


@pytest.mark.parametrize("url", JOURNEY_PAGES)
def test_every_journey_page_has_exit_this_page_and_one_h1(client, url):
    answer_all(client)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-exit-this-page"' in page
    assert f'href="{reverse("core:exit")}"' in page
    assert page.count("<h1") == 1
    assert response["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize("role", ReporterRole.values)
def test_full_journey_for_each_role(client, role):
    answer_all(client, about_you={"role": role})
    check = client.get(reverse("reporting:check_answers"))
    assert check.status_code == 200
    assert "Blocktopia Chat" in check.content.decode()

    response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:confirmation")

    report = Report.objects.get()
    assert report.source == Source.PUBLIC_WEB
    assert report.reporter_role == role
    assert report.categories == ["keep_secret", "asked_for_images"]
    assert report.platform_name == "Blocktopia Chat"
    assert report.environment == "online_game"
    assert report.subject_identifiers.startswith("@starry_fox_99\n")
    assert report.subject_claimed_age == "15"
    assert str(report.incident_date) == "2026-02-03"
    assert report.account.startswith("They asked")
    assert report.wants_contact is False
    assert report.contact_email == ""
    assert report.child_in_danger_now is False
    assert report.details["public_web"]["danger_now_answer"] == "no"
    assert "report_draft" not in client.session

    entry = AuditEntry.objects.get(object_type="reporting.report", object_id=str(report.pk), action="collection")
    assert entry.actor_label == f"member of the public ({ReporterRole(role).label.lower()})"

    confirmation = client.get(reverse("reporting:confirmation")).content.decode()
    assert report.reference in confirmation
    shown = re.search(r'id="secret">([^<]+)<', confirmation)
    assert shown is not None
    secret = shown.group(1)
    assert secret not in response["Location"]
    # The secret shown on the confirmation page works.
    follow = client.post(reverse("reporting:follow_up"), {"reference": report.reference, "secret": secret})
    assert follow["Location"] == reverse("reporting:follow_up_report")


def test_young_person_gets_plain_wording(client):
    client.post(step_url("about-you"), {"role": "young_person"})
    client.post(step_url("age"), {"age_answer": "given", "age": "13"})
    danger = client.get(step_url("danger")).content.decode()
    assert "Are you or someone else in danger right now?" in danger
    client.post(step_url("danger"), {"danger_now": "no"})
    what = client.get(step_url("what-happened")).content.decode()
    assert "Has someone online made you feel worried or uncomfortable?" in what
    assert "Asked to keep it secret, or not to tell anyone" in what
    client.post(step_url("what-happened"), {"categories": ["keep_secret"]})
    where = client.get(step_url("where")).content.decode()
    assert "Messaging app" in where and "Social media" in where


def test_parent_gets_standard_wording(client):
    client.post(step_url("about-you"), {"role": "parent_carer"})
    client.post(step_url("age"), {"age_answer": "not_sure"})
    assert "Is a child in danger right now?" in client.get(step_url("danger")).content.decode()


def test_danger_is_asked_early_and_yes_shows_999_then_makes_a_p1_report(client):
    client.post(step_url("about-you"), {"role": "other_adult"})
    client.post(step_url("age"), {"age_answer": "rather_not_say"})
    response = client.post(step_url("danger"), {"danger_now": "yes"})
    assert response["Location"] == reverse("reporting:call_999")
    page = client.get(reverse("reporting:call_999")).content.decode()
    assert "Call 999 now" in page
    assert f'href="{step_url("what-happened")}"' in page

    answer_all(client, danger={"danger_now": "yes"})
    submit(client)
    report = Report.objects.get()
    assert report.child_in_danger_now is True
    assert report.priority == Priority.P1


def test_not_sure_about_danger_is_recorded_but_not_p1(client):
    answer_all(client, danger={"danger_now": "not_sure"})
    submit(client)
    report = Report.objects.get()
    assert report.child_in_danger_now is False
    assert report.details["public_web"]["danger_now_answer"] == "not_sure"


def test_questions_cannot_be_skipped_by_url(client):
    response = client.get(step_url("where"))
    assert response["Location"] == step_url("about-you")
    client.post(step_url("about-you"), {"role": "professional"})
    assert client.get(step_url("contact"))["Location"] == step_url("age")
    assert client.get(reverse("reporting:check_answers"))["Location"] == step_url("age")
    client.post(step_url("age"), {"age_answer": "given", "age": "15"})
    assert client.get(step_url("contact"))["Location"] == step_url("your-organisation")
    client.post(step_url("your-organisation"), {})
    assert client.get(step_url("contact"))["Location"] == step_url("danger")
    assert client.get(reverse("reporting:check_answers"))["Location"] == step_url("danger")


def test_back_links_go_to_the_previous_question(client):
    answer_all(client)
    page = client.get(step_url("where")).content.decode()
    assert f'<a href="{step_url("what-happened")}" class="govuk-back-link">Back</a>' in page


def test_check_answers_change_links_return_to_check_answers(client):
    answer_all(client)
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert f'href="{step_url("where", change=True)}"' in page

    change_page = client.get(step_url("where", change=True)).content.decode()
    assert "Blocktopia Chat" in change_page  # the earlier answer is filled in
    assert f'href="{reverse("reporting:check_answers")}" class="govuk-back-link"' in change_page
    response = client.post(
        step_url("where", change=True), {"platform_name": "Pixel Meadow", "environment": "chat_room"}
    )
    assert response["Location"] == reverse("reporting:check_answers")
    assert "Pixel Meadow" in client.get(reverse("reporting:check_answers")).content.decode()


def test_changing_danger_to_yes_shows_999_then_returns_to_check_answers(client):
    answer_all(client)
    response = client.post(step_url("danger", change=True), {"danger_now": "yes"})
    assert response["Location"] == reverse("reporting:call_999") + "?change=1"
    page = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("reporting:check_answers")}"' in page


def test_contact_details_are_kept_when_wanted(client):
    answer_all(client, contact={"wants_contact": "yes"}, contact_details=CONTACT_DETAILS)
    check = client.get(reverse("reporting:check_answers")).content.decode()
    assert "robin@example.com" in check
    assert f'href="{step_url("contact-details", change=True)}"' in check
    submit(client)
    report = Report.objects.get()
    assert report.wants_contact is True
    assert report.contact_consent is True
    assert report.contact_email == "robin@example.com"
    assert report.contact_name == "Robin Example"


def test_contact_details_are_asked_only_after_yes(client):
    answer_all(client)
    assert client.get(step_url("contact-details"))["Location"] == reverse("reporting:check_answers")
    response = client.post(step_url("contact", change=True), {"wants_contact": "yes"})
    assert response["Location"] == step_url("contact-details")
    page = client.get(step_url("contact-details")).content.decode()
    assert 'autocomplete="email"' in page and 'autocomplete="tel"' in page and 'autocomplete="name"' in page
    assert f'href="{step_url("contact")}" class="govuk-back-link"' in page


def test_changing_to_anonymous_forgets_contact_details(client):
    answer_all(client, contact={"wants_contact": "yes"}, contact_details=CONTACT_DETAILS)
    response = client.post(step_url("contact", change=True), {"wants_contact": "no"})
    assert response["Location"] == reverse("reporting:check_answers")
    assert "contact-details" not in client.session["report_draft"]["answers"]
    assert "robin@example.com" not in client.get(reverse("reporting:check_answers")).content.decode()
    submit(client)
    report = Report.objects.get()
    assert (report.contact_email, report.contact_name, report.wants_contact) == ("", "", False)


def test_not_sure_of_date_with_description(client):
    answer_all(client, when={"not_sure": "on", "incident_when_description": "Last summer holidays"})
    submit(client)
    report = Report.objects.get()
    assert report.incident_date is None
    assert report.incident_when_description == "Last summer holidays"


def test_something_else_detail_is_kept(client):
    answer_all(
        client, what_happened={"categories": ["something_else"], "other_category_detail": "Sent a friend request"}
    )
    submit(client)
    assert Report.objects.get().other_category_detail == "Sent a friend request"


def test_partner_context_in_the_draft_is_kept_and_stored_on_the_report(client):
    session = client.session
    session["report_draft"] = {"partner_context": {"partner": "blocktopia", "verified_user": "u123"}}
    session.save()
    answer_all(client)
    assert client.session["report_draft"]["partner_context"] == {"partner": "blocktopia", "verified_user": "u123"}
    submit(client)
    assert Report.objects.get().details["partner_context"] == {"partner": "blocktopia", "verified_user": "u123"}


def test_exit_clears_the_draft(client):
    answer_all(client)
    client.get(reverse("core:exit"))
    assert client.get(reverse("reporting:check_answers"))["Location"] == step_url("about-you")


def test_set_partner_context_hook_keeps_answers(client, rf):
    from safeguard.reporting import journey

    answer_all(client)
    session = client.session
    journey.set_partner_context(session, {"partner": "pixel-meadow", "verified": True})
    session.save()
    draft = client.session["report_draft"]
    assert draft["partner_context"] == {"partner": "pixel-meadow", "verified": True}
    assert draft["answers"]["where"]["platform_name"] == "Blocktopia Chat"


def test_confirmation_uses_the_reporters_wording(client):
    answer_all(client, about_you={"role": "young_person"})
    submit(client)
    page = client.get(reverse("reporting:confirmation")).content.decode()
    assert "If you are in danger, we will tell the police straight away." in page


def test_check_answers_repeats_999_when_a_child_is_in_danger(client):
    answer_all(client, danger={"danger_now": "yes"})
    assert "call 999 now" in client.get(reverse("reporting:check_answers")).content.decode()


def test_check_answers_has_no_999_warning_otherwise(client):
    answer_all(client)
    assert "call 999 now" not in client.get(reverse("reporting:check_answers")).content.decode()
