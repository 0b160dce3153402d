"""What a report says, as the factor values (0 to 1) the scoring model weighs. Keyword rules are listed here."""

import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache

from safeguard.reporting import entry_context, partner_payload, public_answers
from safeguard.reporting.models import Category, Source

from . import signals as text_signals
from .models import ScoringModelVersion
from .scoring import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, FACTOR_NAMES, recency
from .signals import TextSignals

# The person says they have access to children through a role. Word-boundary matches on the narrative,
# the identifiers and any follow-up text; deliberately simple and listed so analysts can check them.
ROLE_ACCESS_PATTERNS = (
    r"teacher",
    r"teaching assistant",
    r"(football|swimming|sports?|dance|gym) coach",
    r"\bcoach\b",
    r"youth (worker|leader|club)",
    r"scout (leader|master)",
    r"\bcub leader",
    r"baby ?sit(ter|ting)?",
    r"nanny",
    r"child ?minder",
    r"\btutor\b",
    r"works? (with|at a school with) (kids|children)",
    r"(my|our|the) school'?s? (caretaker|staff)",
    r"sunday school",
    r"lifeguard",
)
_ROLE_ACCESS = re.compile("|".join(f"(?:{p})" for p in ROLE_ACCESS_PATTERNS))
# Every pattern needs one of these words (a test checks that each pattern contains one). Most narratives contain
# none, and a substring test is ~40x cheaper than the alternation above, which scoring runs on every report and
# every line of a bulk referral file.
ROLE_ACCESS_ANCHORS = (
    "teach",
    "coach",
    "youth",
    "scout",
    "cub leader",
    "baby",
    "nanny",
    "minder",
    "tutor",
    "work",
    "school",
    "lifeguard",
)

ADULT_AGE = 18
MAX_COUNTED_VICTIMS = 5
MAX_COUNTED_PRIOR_REPORTS = 5


@dataclass(frozen=True)
class ActiveModel:
    number: int
    weights: dict
    thresholds: dict


_CACHE_KEY = "triage.active_scoring_model"
# A few seconds in this process in front of the shared cache: with the database cache, a cache read is a
# query, and the intake hot path asks on every report (ADR 0015).
_LOCAL_SECONDS = 5.0
_local: list = [None, 0.0]  # [model, monotonic expiry]


def active_model(*, fresh: bool = False) -> ActiveModel:
    """The active scoring model. Version 0 is the built-in default.

    Cached for a minute for the intake hot path (publishing clears this process's cache; other processes
    catch up within the minute, and their background triage always reads it fresh).
    """
    if not fresh and _local[1] > time.monotonic():
        return _local[0]
    cached = None if fresh else cache.get(_CACHE_KEY)
    if cached is not None:
        _local[:] = [cached, time.monotonic() + _LOCAL_SECONDS]
        return cached
    model = read_active_model()
    cache.set(_CACHE_KEY, model, 60)
    _local[:] = [model, time.monotonic() + _LOCAL_SECONDS]
    return model


def read_active_model() -> ActiveModel:
    """The active model as stored now, leaving the caches alone: the triage worker reads it once a task, and
    refreshing the shared (database) cache each time would cost it several more queries."""

    version = ScoringModelVersion.objects.filter(active=True).order_by("-number").first()
    if version is None:
        return ActiveModel(0, dict(DEFAULT_WEIGHTS), dict(DEFAULT_THRESHOLDS))
    return ActiveModel(version.number, version.weights, version.thresholds)


def forget_active_model() -> None:
    _local[:] = [None, 0.0]
    cache.delete(_CACHE_KEY)


# Sources whose "about the person" lines are built from structured fields (partners.mapping), not typed words.
_STRUCTURED_SOURCES = frozenset({Source.PARTNER_API, Source.REFERRAL})


@lru_cache(maxsize=4096)
def read_text(text: str) -> TextSignals:
    """`signals.read_signals`, remembered for the texts seen last in this process: partners' and referral files'
    narratives are often their systems' templates ("User asked the child to keep the chat secret"), repeated
    line after line, and reading one costs a few hundred microseconds. TextSignals is never changed by callers."""
    return text_signals.read_signals(text)


def report_text(report) -> str:
    """Everything people wrote on a report, for the text rules: one part per line, so a rule never runs from one
    answer into the next. Partner reports' identifier lines are the partner's structured fields, not words."""

    parts = [report.account or "", report.other_category_detail or "", report.subject_claimed_age or ""]
    if report.source not in _STRUCTURED_SOURCES:
        parts.append(report.subject_identifiers or "")
    if report.pk:
        parts += [a.text for a in report.additions.all()]
    return "\n".join(part for part in parts if part)


def claims_role_with_access(report) -> bool:
    text = " ".join(
        [report.account or "", report.subject_identifiers or "", report.subject_claimed_age or ""]
        + ([a.text for a in report.additions.all()] if report.pk else [])
    )
    return mentions_role_with_access(text)


def mentions_role_with_access(text: str) -> bool:
    lowered = text.lower()
    return any(anchor in lowered for anchor in ROLE_ACCESS_ANCHORS) and _ROLE_ACCESS.search(lowered) is not None


def partner_escalated(report) -> bool:
    details = report.details or {}
    return bool(getattr(report, "partner_escalated", False) or details.get("partner_escalated"))


_FIRST_NUMBER = re.compile(r"\d{1,3}")


def claimed_adult(claimed_age: str) -> bool:
    """'The age they said they were' is 18 or more ("25", "said he was 19")."""
    found = _FIRST_NUMBER.search(claimed_age or "")
    return found is not None and ADULT_AGE <= int(found.group()) < 120


# Which text signal feeds which factor, and the form's category that feeds the same factor.
SIGNAL_FACTORS: dict[str, tuple[str, frozenset[str]]] = {
    "danger_words": ("danger_now", frozenset()),
    "self_harm": ("self_harm", frozenset()),
    "threats": ("sextortion", frozenset({Category.THREATENED_TO_SHARE})),
    "offline_meeting": ("meeting", frozenset({Category.MEET_UP})),
    "images": ("image_request", frozenset({Category.ASKED_FOR_IMAGES, Category.SENT_SEXUAL_CONTENT})),
    "adult_age": ("adult_age", frozenset()),
    "secrecy": ("secrecy", frozenset({Category.KEEP_SECRET})),
    "gifts": ("gifts", frozenset()),
}


# The concern a report arrived with (reporting.entry_context) and the factor it feeds: a threat to share a young
# person's own pictures, from Remove it, counts as the form's "Threatened to share pictures unless…" does.
CONCERN_FACTORS: dict[str, str] = {entry_context.THREAT_TO_SHARE_OWN_IMAGES: "threats"}


def youngest_child(report, found: TextSignals) -> int | None:
    """The youngest age given for a child: by a partner, on the form, or stated in the words."""
    ages = [a for a in partner_payload.victim_ages(report.details) if 0 <= a < ADULT_AGE]
    answered = public_answers.child_age(report.details)
    if answered is not None and 0 <= answered < ADULT_AGE:
        ages.append(answered)
    ages += [a for a in found.child_ages if 0 <= a < ADULT_AGE]
    return min(ages) if ages else None


def report_features(
    report, *, prior_reports: int = 0, hash_matches: int = 0, signals: TextSignals | None = None
) -> dict:
    """Factor values for one report. Prior reports and hash matches come from the caller (they need the database);
    so may the text signals, when the caller read many reports' text at once (`text_signals.read_many`)."""

    found = signals if signals is not None else read_text(report_text(report))
    categories = set(report.categories or [])
    youngest = youngest_child(report, found)
    occurred = report.incident_date or (report.created_at.date() if report.created_at else None)
    from datetime import date

    occurred_day = (occurred or date.today()).toordinal()
    features = {
        "danger_now": 1.0 if report.child_in_danger_now else 0.0,
        "partner_escalation": 1.0 if partner_escalated(report) else 0.0,
        "hash_match": 1.0 if hash_matches else 0.0,
        "role_access": 1.0 if claims_role_with_access(report) else 0.0,
        "wanted_sighting": 1.0 if report.source == Source.SIGHTING else 0.0,
        "victim_age": (ADULT_AGE - youngest) / ADULT_AGE if youngest is not None else 0.0,
        "victims": min(max(len(partner_payload.victims(report.details)) - 1, 0), MAX_COUNTED_VICTIMS)
        / MAX_COUNTED_VICTIMS,
        "prior_reports": min(prior_reports, MAX_COUNTED_PRIOR_REPORTS) / MAX_COUNTED_PRIOR_REPORTS,
        "recency": recency(occurred_day),
        "_occurred_day": occurred_day,
        "_youngest": youngest,
        "_prior_count": prior_reports,
    }
    words: dict[str, list[str]] = {}
    for factor, (signal, chosen) in SIGNAL_FACTORS.items():
        said = list(found.found.get(signal, ()))
        if said:
            words[factor] = said
        features[factor] = 1.0 if said or (categories & chosen) else 0.0
    if claimed_adult(report.subject_claimed_age or ""):
        features["adult_age"] = 1.0
    for concern in entry_context.concerns(report.details):
        if concern in CONCERN_FACTORS:
            features[CONCERN_FACTORS[concern]] = 1.0
    features["_words"] = words
    return features


STORED_FEATURES = tuple(name for name in FACTOR_NAMES if name != "recency")
