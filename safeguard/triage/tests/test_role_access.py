"""The role-with-access factor: the cheap word pre-check must never hide a match of the patterns."""

import re

import pytest

from safeguard.triage.features import ROLE_ACCESS_ANCHORS, ROLE_ACCESS_PATTERNS, mentions_role_with_access


@pytest.mark.parametrize("pattern", ROLE_ACCESS_PATTERNS)
def test_every_pattern_contains_an_anchor_word(pattern):
    # The pre-check skips the regular expression when no anchor occurs, so each pattern needs one.
    assert any(anchor in pattern for anchor in ROLE_ACCESS_ANCHORS), pattern


@pytest.mark.parametrize(
    "text",
    [
        "He said he is a Football Coach at the club",
        "says he's a TEACHER at a primary",
        "I do babysitting for families nearby",
        "she is a childminder",
        "works with children at a youth club",
        "our school's caretaker",
        "a maths tutor online",
        "a Scout Leader",
        "lifeguard at the pool",
    ],
)
def test_roles_are_recognised_in_any_case(text):
    assert mentions_role_with_access(text)


@pytest.mark.parametrize(
    "text",
    [
        "Adult account asked a child to keep the chat secret and proposed meeting offline.",
        "asked for photos",
        "the coaching staff",  # \bcoach\b needs the whole word
        "",
    ],
)
def test_narratives_without_a_role_do_not_match(text):
    assert not mentions_role_with_access(text)


def test_pre_check_agrees_with_the_patterns_alone():
    whole = re.compile("|".join(f"(?:{p})" for p in ROLE_ACCESS_PATTERNS), re.IGNORECASE)
    samples = [
        "Sunday School helper",
        "he WORKS WITH KIDS",
        "cub leader",
        "baby sitter",
        "a nanny",
        "gym coach",
        "works at a school with children",
        "nothing here at all",
        "a child mentioned her coach",
    ]
    for text in samples:
        assert mentions_role_with_access(text) == bool(whole.search(text)), text
