"""The age question (everyone) and "your organisation" (professionals): validation, order, check answers, storage."""

import pytest
from django.urls import reverse

from safeguard.reporting import journey
from safeguard.reporting.forms import CONTROL_CHARS_MESSAGE, AgeForm, OrganisationForm
from safeguard.reporting.models import Report
from safeguard.reporting.wording import Wording

from .journey_helpers import ANSWERS, answer_all, step_url, submit

pytestmark = pytest.mark.django_db

CHILD_NUMBER = {"age": ["Enter the child's age as a number, like 9"]}
YOUNG_CHOOSE = {"age_answer": ["Enter your age, or select 'I'd rather not say'"]}
NO_AGE = {"age": "", "child_age": None}
YOUNG_TOO_OLD = "You can still report if you are 18 or over. Choose 'I am another adult' on the 'About you' page"


def age_errors(data: dict, role: str) -> dict:
    form = AgeForm(data=data, role=role)
    form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


# --- AgeForm -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "data", "expected"),
    [
        ("young_person", {}, YOUNG_CHOOSE),
        ("parent_carer", {}, {"age_answer": ["Enter the child's age, or select 'Not sure' or 'I'd rather not say'"]}),
        ("young_person", {"age_answer": "given"}, {"age": ["Enter your age"]}),
        ("professional", {"age_answer": "given", "age": " "}, {"age": ["Enter the child's age"]}),
        ("young_person", {"age_answer": "given", "age": "thirteen"}, {"age": ["Enter your age as a number, like 13"]}),
        ("other_adult", {"age_answer": "given", "age": "-3"}, CHILD_NUMBER),
        ("parent_carer", {"age_answer": "given", "age": "9.5"}, CHILD_NUMBER),
        ("parent_carer", {"age_answer": "given", "age": "1" * 30}, CHILD_NUMBER),
        (
            "parent_carer",
            {"age_answer": "given", "age": "18"},
            {"age": ["The child's age must be 17 or under. This service is for children under 18"]},
        ),
        ("young_person", {"age_answer": "given", "age": "19"}, {"age": [YOUNG_TOO_OLD]}),
        # "Not sure" of your own age is not offered to a young person.
        ("young_person", {"age_answer": "not_sure"}, YOUNG_CHOOSE),
        ("other_adult", {"age_answer": "maybe"}, {"age_answer": [Wording("other_adult")["age_choose"]]}),
    ],
)
def test_each_age_message(role, data, expected):
    assert age_errors(data, role) == expected


@pytest.mark.parametrize(
    ("role", "data", "answer"),
    [
        ("young_person", {"age_answer": "given", "age": "13"}, {"age_answer": "given", "age": "13", "child_age": 13}),
        ("parent_carer", {"age_answer": "given", "age": " 07 "}, {"age_answer": "given", "age": "7", "child_age": 7}),
        ("parent_carer", {"age_answer": "given", "age": "0"}, {"age_answer": "given", "age": "0", "child_age": 0}),
        ("professional", {"age_answer": "given", "age": "17"}, {"age_answer": "given", "age": "17", "child_age": 17}),
        # The number typed before choosing "Not sure" is not kept.
        ("other_adult", {"age_answer": "not_sure", "age": "12"}, {"age_answer": "not_sure", **NO_AGE}),
        ("young_person", {"age_answer": "rather_not_say"}, {"age_answer": "rather_not_say", **NO_AGE}),
    ],
)
def test_valid_age_answers(role, data, answer):
    form = AgeForm(data=data, role=role)
    assert form.is_valid(), form.errors
    assert form.to_answer() == answer


def test_the_age_question_is_in_the_reporters_words(client):
    client.post(step_url("about-you"), {"role": "young_person"})
    page = client.get(step_url("age")).content.decode()
    assert "How old are you?" in page
    assert "Not sure" not in page
    assert "I&#x27;d rather not say" in page
    assert 'inputmode="numeric"' in page and "govuk-input--width-2" in page
    assert 'data-aria-controls="conditional-age"' in page
    assert '<div class="govuk-radios__divider">or</div>' in page

    client.post(step_url("about-you", change=True), {"role": "parent_carer"})
    page = client.get(step_url("age")).content.decode()
    assert "How old is the child?" in page
    assert "Not sure" in page


def test_an_error_page_links_each_message_to_its_field(client):
    client.post(step_url("about-you"), {"role": "parent_carer"})
    page = client.post(step_url("age"), {}).content.decode()
    assert 'href="#age_answer_0"' in page and "<title>Error: " in page
    page = client.post(step_url("age"), {"age_answer": "given", "age": "ten"}).content.decode()
    assert 'href="#age"' in page
    assert 'value="ten"' in page  # shown back to correct
    assert 'aria-describedby="age-error"' in page
    # The reveal with the error is open even before JavaScript runs.
    assert 'class="govuk-radios__conditional" id="conditional-age"' in page


def test_a_young_person_who_says_18_keeps_the_draft_and_is_shown_how_to_report_as_an_adult(client):
    answer_all(client, about_you={"role": "young_person"})
    before = dict(client.session["report_draft"]["answers"])
    response = client.post(step_url("age", change=True), {"age_answer": "given", "age": "18"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "You can still report if you are 18 or over." in page
    assert "We have kept your answers so far." in page
    assert f'href="{step_url("about-you", change=True)}"' in page
    assert client.session["report_draft"]["answers"] == before  # nothing lost, nothing changed

    # Choosing "another adult" keeps every answer and asks the age again, about the child.
    response = client.post(step_url("about-you", change=True), {"role": "other_adult"})
    assert response["Location"] == reverse("reporting:check_answers")
    assert client.session["report_draft"]["answers"]["your-words"] == before["your-words"]
    assert "How old is the child?" in client.get(step_url("age", change=True)).content.decode()


def test_becoming_a_young_person_after_not_sure_asks_the_age_again(client):
    answer_all(client, age={"age_answer": "not_sure"})
    response = client.post(step_url("about-you", change=True), {"role": "young_person"})
    assert response["Location"] == step_url("age")
    assert "age" not in client.session["report_draft"]["answers"]


# --- OrganisationForm ----------------------------------------------------------------------------


def test_organisation_page_is_optional():
    form = OrganisationForm(data={})
    assert form.is_valid(), form.errors
    assert form.to_answer() == {
        "organisation": "",
        "job_role": "",
        "child_setting": "",
        "actions_taken": [],
        "action_other": "",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"actions_taken": ["nothing_yet", "told_police"]},
            {"actions_taken": ["Select what has been done, or select 'Nothing yet'"]},
        ),
        ({"actions_taken": ["something_else"]}, {"action_other": ["Tell us what else has been done"]}),
        ({"actions_taken": ["told_the_press"]}, {"actions_taken": ["Select what has been done from the list"]}),
        ({"organisation": "x" * 201}, {"organisation": ["Your organisation must be 200 characters or fewer"]}),
        (
            {"job_role": "Teacher\x07"},
            {"job_role": [CONTROL_CHARS_MESSAGE.format(label="Your role")]},
        ),
    ],
)
def test_each_organisation_message(data, expected):
    form = OrganisationForm(data=data, role="professional")
    assert not form.is_valid()
    assert {k: list(v) for k, v in form.errors.items()} == expected


def test_the_other_text_is_dropped_unless_something_else_is_ticked():
    form = OrganisationForm(data={"actions_taken": ["told_dsl"], "action_other": "Spoke to the head"})
    assert form.is_valid()
    assert form.to_answer()["action_other"] == ""


def test_organisation_page_has_exclusive_nothing_yet_and_a_revealed_other(client):
    client.post(step_url("about-you"), {"role": "professional"})
    client.post(step_url("age"), {"age_answer": "given", "age": "13"})
    page = client.get(step_url("your-organisation")).content.decode()
    assert "About your organisation (optional)" in page
    assert 'value="nothing_yet" data-behaviour="exclusive"' in page
    assert '<div class="govuk-checkboxes__divider">or</div>' in page
    assert page.index("Something else") < page.index("Nothing yet")
    assert 'data-aria-controls="conditional-action-other"' in page
    assert 'class="govuk-exit-this-page"' in page and page.count("<h1") == 1


# --- order -----------------------------------------------------------------------------------------


def test_a_young_persons_journey_grows_by_the_age_page_only():
    young = {"answers": {"about-you": {"role": "young_person"}, "contact": {"wants_contact": "no"}}}
    professional = {"answers": {"about-you": {"role": "professional"}, "contact": {"wants_contact": "no"}}}
    before_issue_20 = [s for s in journey.SLUGS if s not in ("age", "your-organisation", "contact-details")]
    young_steps = journey._applicable(young)
    assert young_steps == ["about-you", "age", *before_issue_20[1:]]
    assert len(young_steps) == len(before_issue_20) + 1
    assert journey._applicable(professional) == ["about-you", "age", "your-organisation", *before_issue_20[1:]]


def test_next_and_back_links_follow_the_order(client):
    client.post(step_url("about-you"), {"role": "young_person"})
    assert client.post(step_url("age"), {"age_answer": "rather_not_say"})["Location"] == step_url("danger")
    assert f'<a href="{step_url("about-you")}" class="govuk-back-link">' in client.get(step_url("age")).content.decode()
    assert f'<a href="{step_url("age")}" class="govuk-back-link">' in client.get(step_url("danger")).content.decode()
    assert client.get(step_url("your-organisation"))["Location"] == step_url("danger")  # not for them

    client.post(step_url("about-you", change=True), {"role": "professional"})
    assert client.post(step_url("age"), {"age_answer": "not_sure"})["Location"] == step_url("your-organisation")
    assert client.post(step_url("your-organisation"), {})["Location"] == step_url("danger")
    page = client.get(step_url("danger")).content.decode()
    assert f'<a href="{step_url("your-organisation")}" class="govuk-back-link">' in page


# --- check answers and what is stored ---------------------------------------------------------


def test_check_answers_shows_the_age_with_a_change_link(client):
    answer_all(client)
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert "Age of the child" in page
    assert f'href="{step_url("age", change=True)}"' in page
    assert "Your organisation" not in page

    change = client.get(step_url("age", change=True)).content.decode()
    assert 'value="13"' in change
    response = client.post(step_url("age", change=True), {"age_answer": "not_sure"})
    assert response["Location"] == reverse("reporting:check_answers")
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert '<p class="govuk-body">Not sure</p>' in page


def test_check_answers_for_a_young_person_says_your_age(client):
    answer_all(client, about_you={"role": "young_person"}, age={"age_answer": "rather_not_say"})
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert "Your age" in page and "I&#x27;d rather not say" in page


def test_check_answers_shows_the_professionals_context_with_a_change_link(client):
    answer_all(
        client,
        about_you={"role": "professional"},
        your_organisation={
            "organisation": "Larkspur Academy",
            "job_role": "Head of year 8",
            "actions_taken": ["told_dsl", "something_else"],
            "action_other": "Spoke to the family",
        },
    )
    page = client.get(reverse("reporting:check_answers")).content.decode()
    assert "Organisation: Larkspur Academy" in page
    assert "Role: Head of year 8" in page
    assert "Told the designated safeguarding lead; Something else: Spoke to the family" in page
    assert f'href="{step_url("your-organisation", change=True)}"' in page
    assert 'value="Larkspur Academy"' in client.get(step_url("your-organisation", change=True)).content.decode()


def test_report_fields_store_the_age(client):
    answer_all(client, about_you={"role": "young_person"}, age={"age_answer": "given", "age": "13"})
    submit(client)
    public_web = Report.objects.get().details["public_web"]
    assert public_web["child_age"] == 13
    assert public_web["child_age_answer"] == "given"
    assert "professional" not in public_web


@pytest.mark.parametrize("answer", ["not_sure", "rather_not_say"])
def test_report_fields_store_no_age_when_none_is_given(client, answer):
    answer_all(client, age={"age_answer": answer})
    submit(client)
    public_web = Report.objects.get().details["public_web"]
    assert public_web["child_age"] is None
    assert public_web["child_age_answer"] == answer


def test_report_fields_store_the_professionals_context(client):
    answer_all(
        client,
        about_you={"role": "professional"},
        your_organisation={"child_setting": "Brambleford Primary", "actions_taken": ["nothing_yet"]},
    )
    submit(client)
    assert Report.objects.get().details["public_web"]["professional"] == {
        "organisation": "",
        "job_role": "",
        "child_setting": "Brambleford Primary",
        "actions_taken": ["nothing_yet"],
        "action_other": "",
    }


def test_a_former_professionals_answers_are_not_stored_for_another_role(client):
    answer_all(client, about_you={"role": "professional"}, your_organisation={"organisation": "Larkspur Academy"})
    client.post(step_url("about-you", change=True), {"role": "parent_carer"})
    assert "Larkspur" not in client.get(reverse("reporting:check_answers")).content.decode()
    submit(client)
    assert "professional" not in Report.objects.get().details["public_web"]


def test_every_step_in_the_helpers_answers_is_a_journey_step():
    assert set(ANSWERS) <= set(journey.SLUGS)
