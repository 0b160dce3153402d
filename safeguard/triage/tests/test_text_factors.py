"""What people write counts in the scoring model: each text signal feeds its factor, the words are kept, and
ages come from the form, a partner or the text (issue 20)."""

from types import SimpleNamespace

import pytest

from safeguard.reporting.models import Category, Priority, Source
from safeguard.triage.features import SIGNAL_FACTORS, claimed_adult, report_features, report_text
from safeguard.triage.models import ReportTriage
from safeguard.triage.scoring import DEFAULT_WEIGHTS, FACTOR_NAMES, FACTORS_BY_NAME, WORD_FACTORS


def unsaved(**fields):
    base: dict[str, object] = {
        "pk": None,
        "source": Source.PUBLIC_WEB,
        "child_in_danger_now": False,
        "categories": [],
        "details": {},
        "account": "",
        "other_category_detail": "",
        "subject_identifiers": "",
        "subject_claimed_age": "",
        "incident_date": None,
        "created_at": None,
    }
    return SimpleNamespace(**{**base, **fields})


def test_every_word_factor_is_a_scoring_factor_with_a_weight_and_an_explanation():
    assert set(SIGNAL_FACTORS) == set(WORD_FACTORS)
    for name in FACTOR_NAMES:
        assert name in DEFAULT_WEIGHTS and FACTORS_BY_NAME[name].found


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("he asked me for pictures", "images"),
        ("he said he would tell everyone if i dont send one", "threats"),
        ("he said to keep it secret", "secrecy"),
        ("he wants to meet up at the park", "offline_meeting"),
        ("he gave me robux", "gifts"),
        ("he is outside my house right now", "danger_words"),
        ("i want to hurt myself", "self_harm"),
        ("he said he was 25", "adult_age"),
    ],
)
def test_a_signal_in_the_words_counts_its_factor_and_keeps_the_words(text, factor):
    features = report_features(unsaved(account=text))
    assert features[factor] == 1.0
    assert features["_words"][factor]


@pytest.mark.parametrize("text", ["he did not ask me for pictures", "our school told us never to send photos"])
def test_negated_or_repeated_advice_does_not_count(text):
    features = report_features(unsaved(account=text))
    assert features["images"] == 0.0 and "images" not in features["_words"]


def test_a_category_counts_without_words():
    features = report_features(unsaved(categories=[Category.KEEP_SECRET]))
    assert features["secrecy"] == 1.0 and features["_words"] == {}


def test_the_age_they_claimed_counts_when_adult():
    assert claimed_adult("25") and claimed_adult("said he was 19")
    assert not claimed_adult("16") and not claimed_adult("not sure")
    assert report_features(unsaved(subject_claimed_age="about 30"))["adult_age"] == 1.0


def test_the_childs_age_from_the_form_the_partner_or_the_words_youngest_first():
    on_form = unsaved(details={"public_web": {"child_age": 13, "child_age_answer": "given"}})
    assert report_features(on_form)["_youngest"] == 13
    in_words = unsaved(account="I'm 12 and he keeps messaging me")
    assert report_features(in_words)["_youngest"] == 12
    both = unsaved(account="my daughter is in year 6", details={"public_web": {"child_age": 11}})
    assert report_features(both)["_youngest"] == 10


def test_partner_identifier_lines_are_not_read_as_words():
    partner = unsaved(source=Source.PARTNER_API, subject_identifiers="Screen name: keep_it_secret_99")
    assert "keep_it_secret" not in report_text(partner)
    public = unsaved(subject_identifiers="he said he was 25")
    assert "he said he was 25" in report_text(public)


@pytest.mark.django_db
def test_the_issues_reports_are_seen_as_urgent(make_report):
    child = make_report(
        reporter_role="young_person",
        account="he asked me for pictures in a game chat and said to keep it secret",
        details={"public_web": {"child_age": 13, "child_age_answer": "given"}},
    )
    assert child.priority <= Priority.P2
    teacher = make_report(
        reporter_role="professional",
        categories=[Category.SOMETHING_ELSE],
        other_category_detail="Payment for photos",
        account="an adult paying a 13-year-old in game currency for photos",
    )
    teacher.refresh_from_db()
    assert teacher.priority <= Priority.P2
    words = ReportTriage.objects.get(report=teacher).words
    assert {"images", "gifts"} <= set(words)


def test_the_migration_adds_the_new_factors_at_their_default_weights():
    from importlib import import_module

    migration = import_module("safeguard.triage.migrations.0004_text_signals_and_changes")
    assert all(DEFAULT_WEIGHTS[name] == weight for name, weight in migration.NEW_FACTORS.items())
    assert set(migration.NEW_FACTORS) == {"danger_words", "self_harm", "adult_age", "secrecy", "gifts"}


@pytest.mark.django_db
def test_a_centres_own_model_gets_a_new_version_with_the_new_factors():
    from importlib import import_module

    from django.apps import apps

    from safeguard.triage.models import ScoringModelVersion

    migration = import_module("safeguard.triage.migrations.0004_text_signals_and_changes")
    old = {k: v for k, v in DEFAULT_WEIGHTS.items() if k not in migration.NEW_FACTORS}
    ScoringModelVersion.objects.create(
        number=3, weights={**old, "images": 30}, thresholds={"1": 100, "2": 50, "3": 20}, active=True
    )
    migration.publish_with_new_factors(apps, None)
    active = ScoringModelVersion.objects.get(active=True)
    assert active.number == 4 and active.weights["images"] == 30 and active.weights["secrecy"] == 40
    assert "v3" in active.note
    migration.publish_with_new_factors(apps, None)  # once only
    assert ScoringModelVersion.objects.count() == 2
