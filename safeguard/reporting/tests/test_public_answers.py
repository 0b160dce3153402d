"""The accessors triage and the staff page read: safe on any details dict."""

import pytest

from safeguard.reporting import public_answers as pa

PROFESSIONAL = {
    "organisation": "Larkspur Academy",
    "job_role": "Head of year 8",
    "child_setting": "Larkspur Academy",
    "actions_taken": ["told_dsl", "something_else"],
    "action_other": "Spoke to the family",
}


@pytest.mark.parametrize(
    ("details", "age"),
    [
        ({"public_web": {"child_age": 13, "child_age_answer": "given"}}, 13),
        ({"public_web": {"child_age": 0, "child_age_answer": "given"}}, 0),
        ({"public_web": {"child_age": None, "child_age_answer": "not_sure"}}, None),
        ({"public_web": {"danger_now_answer": "no"}}, None),  # before the question was asked
        ({}, None),
        ({"public_web": "nonsense"}, None),
        ({"public_web": {"child_age": "13"}}, None),
        ({"public_web": {"child_age": True}}, None),
        ({"public_web": {"child_age": 40}}, None),
        ({"partner_payload": {"child_age": 12}}, None),  # another source's data is not the journey's answer
    ],
)
def test_child_age(details, age):
    assert pa.child_age(details) == age


def test_professional_is_empty_when_none():
    assert pa.professional({}) == {}
    assert pa.professional({"public_web": {"child_age": 9}}) == {}
    assert pa.professional({"public_web": {"professional": ["x"]}}) == {}
    assert pa.professional_rows({}) == []


def test_professional_keeps_only_known_keys_and_actions():
    details = {"public_web": {"professional": {**PROFESSIONAL, "extra": 1, "actions_taken": ["told_dsl", "bogus"]}}}
    assert pa.professional(details) == {**PROFESSIONAL, "actions_taken": ["told_dsl"]}


def test_words_for_staff_not_codes():
    details = {"public_web": {"child_age": 13, "child_age_answer": "given", "professional": PROFESSIONAL}}
    assert pa.child_age_in_words(details) == "13 years old"
    assert pa.child_age_in_words({"public_web": {"child_age": None, "child_age_answer": "not_sure"}}) == "Not sure"
    assert pa.child_age_in_words({"public_web": {"child_age_answer": "rather_not_say"}}) == "Would rather not say"
    assert pa.child_age_in_words({}) == "Not asked"
    assert pa.professional_rows(details) == [
        ("Organisation", "Larkspur Academy"),
        ("Role", "Head of year 8"),
        ("The child's school or setting", "Larkspur Academy"),
        ("What has been done already", "Told the designated safeguarding lead\nSomething else: Spoke to the family"),
    ]
    blank = {"public_web": {"professional": {"organisation": "", "actions_taken": []}}}
    assert pa.professional_rows(blank)[-1] == ("What has been done already", "Not given")
