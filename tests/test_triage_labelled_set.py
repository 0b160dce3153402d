"""The labelled synthetic triage set that bench/bench_triage_quality.py measures (issue 20) is well formed."""

import json
from collections import Counter
from pathlib import Path

import pytest

from safeguard.reporting.models import Category, Environment, ReporterRole

DATA = Path(__file__).resolve().parents[1] / "bench" / "data" / "triage_labelled.jsonl"
FIELDS = {
    "id",
    "split",
    "channel",
    "role",
    "danger_now",
    "categories",
    "platform",
    "environment",
    "child_age",
    "subject_identifiers",
    "account",
    "additions",
    "band",
    "identifiers",
    "why",
}
CHANNELS = {"public", "follow_up", "partner", "referral"}
KINDS = {"username", "email", "phone", "url", "ip"}


@pytest.fixture(scope="module")
def items() -> list[dict]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "no blank lines"
    return [json.loads(line) for line in lines]


def test_size_and_unique_ids(items):
    assert len(items) >= 300
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)


def test_every_item_has_exactly_the_documented_fields(items):
    for item in items:
        assert set(item) == FIELDS, item["id"]


def test_values_are_valid(items):
    categories, roles = set(Category.values), set(ReporterRole.values)
    environments = set(Environment.values) | {""}
    for item in items:
        where = item["id"]
        assert item["split"] in {"tune", "test"}, where
        assert item["channel"] in CHANNELS, where
        assert item["role"] in roles, where
        assert isinstance(item["danger_now"], bool), where
        assert set(item["categories"]) <= categories, where
        assert item["environment"] in environments, where
        assert item["child_age"] is None or (isinstance(item["child_age"], int) and 0 <= item["child_age"] < 18), where
        assert item["band"] in {1, 2, 3, 4}, where
        assert item["account"].strip() and item["why"].strip(), where
        assert isinstance(item["additions"], list) and all(isinstance(a, str) and a for a in item["additions"]), where
        assert bool(item["additions"]) == (item["channel"] == "follow_up"), where


def test_identifiers_are_valid_and_appear_as_written(items):
    for item in items:
        text = "\n".join([item["subject_identifiers"], item["account"], *item["additions"]])
        for identifier in item["identifiers"]:
            assert set(identifier) == {"kind", "value"}, item["id"]
            assert identifier["kind"] in KINDS, item["id"]
            assert identifier["value"] in text, (item["id"], identifier)


def test_both_halves_have_every_band_and_channel(items):
    for split in ("tune", "test"):
        half = [item for item in items if item["split"] == split]
        assert {item["band"] for item in half} == {1, 2, 3, 4}, split
        assert {item["channel"] for item in half} == CHANNELS, split
    halves = Counter(item["split"] for item in items)
    assert abs(halves["tune"] - halves["test"]) <= len(items) * 0.05


def test_mix_is_as_the_issue_asks(items):
    bands = Counter(item["band"] for item in items)
    share = {band: count / len(items) for band, count in bands.items()}
    assert 0.30 <= share[1] + share[2] <= 0.40
    assert 0.25 <= share[3] <= 0.35
    assert 0.30 <= share[4] <= 0.40
    # The point of the issue: the risk often lies only in the words (no category, or only "Something else").
    words_only = [i for i in items if i["band"] <= 2 and set(i["categories"]) <= {Category.SOMETHING_ELSE}]
    assert len(words_only) >= 0.3 * (bands[1] + bands[2])


def test_no_item_over_3000_characters(items):
    for line in DATA.read_text(encoding="utf-8").splitlines():
        assert len(line) <= 3000, line[:40]


def test_accounts_are_each_their_own_wording(items):
    accounts = Counter(" ".join(item["account"].casefold().split()) for item in items)
    assert [a for a, n in accounts.items() if n > 1] == []


def test_the_issues_own_examples_are_in_the_set(items):
    accounts = {item["account"]: item for item in items}
    child = accounts["he asked me for pictures in a game chat and said to keep it secret"]
    assert child["additions"] == ["he would tell everyone if I don't send one"] and child["child_age"] == 13
    teacher = accounts["an adult paying a 13-year-old in game currency for photos"]
    assert teacher["categories"] == [Category.SOMETHING_ELSE] and teacher["role"] == ReporterRole.PROFESSIONAL
    usernames = {i["value"] for item in items for i in item["identifiers"] if i["kind"] == "username"}
    assert {"ShadowFox_77", "GiftGiver88", "GiftGiver_89"} <= usernames
