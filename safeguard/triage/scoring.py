"""The scoring model: named factors, each worth some points at full strength, summed into a score and a band.

Every factor is a number from 0 to 1 found in the report (see features.py); its weight is the points it
adds at full strength. The weights and band thresholds are a `ScoringModelVersion` that supervisors edit.
Nothing is hidden: the analyst sees each factor that counted, in plain words, with its points.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from safeguard.reporting.models import Priority


@dataclass(frozen=True)
class Factor:
    name: str
    label: str  # for the model editing page
    reason: str  # for the analyst, when the factor counted
    found: str = ""  # how triage finds it, for the scoring model page
    from_words: bool = False  # found (also) in what people wrote: the analyst sees the words


WORDS = "or found in what was written (the report, follow-up additions, a partner's or referral's text)"

FACTORS: tuple[Factor, ...] = (
    Factor(
        "danger_now",
        "Child in danger now",
        "The reporter said a child is in danger right now.",
        "The reporter answered yes to 'Is a child in danger right now?', or a partner flagged it.",
    ),
    Factor(
        "danger_words",
        "Words say a child is in danger now",
        "What was written says a child may be in danger right now.",
        "Found in what was written: someone outside the child's home, on the way to pick them up, a meeting "
        "today or tonight, a child with the person now.",
        from_words=True,
    ),
    Factor(
        "partner_escalation",
        "Partner escalation",
        "The reporting partner escalated this report as high priority.",
        "The partner sent the report with its escalation flag set.",
    ),
    Factor(
        "self_harm",
        "Self-harm or suicide mentioned",
        "What was written mentions self-harm or suicide.",
        "Found in what was written: a child speaks of hurting themselves or not wanting to be here.",
        from_words=True,
    ),
    Factor(
        "threats",
        "Threats or sextortion",
        "Threats to share pictures (sextortion) were reported.",
        f"Chosen on the form ('Threatened to share pictures unless…'), {WORDS}.",
        from_words=True,
    ),
    Factor(
        "offline_meeting",
        "Offline meeting proposed",
        "A meeting offline was proposed.",
        f"Chosen on the form ('Asked to meet up'), {WORDS}: meeting up, coming to the child's home, picking "
        "them up, asking where they live.",
        from_words=True,
    ),
    Factor(
        "hash_match",
        "Known-material hash match",
        "A file matched known abuse material on a hash list.",
        "A file's hash matched a hash list of known material. Keeps the report at P2 or above whatever the weights.",
    ),
    Factor(
        "role_access",
        "Claims a role with access to children",
        "The person claims a role with access to children (for example teacher, coach or youth leader).",
        "Words such as teacher, coach, youth leader, babysitter or tutor in what was written.",
    ),
    Factor(
        "wanted_sighting",
        "Sighting of a Most Wanted person",
        "Someone reported seeing a missing offender from the Most Wanted list.",
        "The report came in through a Most Wanted appeal's sighting form.",
    ),
    Factor(
        "images",
        "Images requested or shared",
        "Pictures were asked for or sexual content was sent.",
        f"Chosen on the form ('Asked for pictures or video', 'Sent sexual messages or pictures'), {WORDS}.",
        from_words=True,
    ),
    Factor(
        "adult_age",
        "The person is an adult",
        "The person is, or says they are, an adult.",
        "The age the person said they were is 18 or over, or what was written says they are an adult or much "
        "older ('a grown man', 'he is 30').",
        from_words=True,
    ),
    Factor(
        "secrecy",
        "Asked to keep it secret",
        "The child was asked to keep it secret.",
        f"Chosen on the form ('Asked to keep it secret'), {WORDS}: don't tell your parents, our secret, delete "
        "the chat.",
        from_words=True,
    ),
    Factor(
        "gifts",
        "Gifts, money or game currency",
        "The person offered or gave gifts, money or game currency.",
        "Found in what was written: gifts, money, gift cards, game currency such as Robux or V-Bucks, top-ups.",
        from_words=True,
    ),
    Factor(
        "victim_age",
        "Victim age (younger is higher)",
        "The child involved is young: the younger, the higher.",
        "The age given on the form ('How old are you?' / 'How old is the child?'), by a partner, or stated in "
        "what was written ('I'm 13', 'year 8'). Full points at age 0, none at 18.",
    ),
    Factor(
        "victims",
        "Number of distinct victims",
        "More than one child is involved.",
        "Partner reports naming more than one child: full points at six or more.",
    ),
    Factor(
        "prior_reports",
        "Subject's prior reports",
        "We hold other reports about the same person.",
        "Other reports linked to the same subject by a shared identifier: full points at five or more.",
    ),
    Factor(
        "recency",
        "Recency",
        "It happened recently.",
        "Full points within 7 days, half within 30 days.",
    ),
)
FACTOR_NAMES = tuple(f.name for f in FACTORS)
FACTORS_BY_NAME = {f.name: f for f in FACTORS}
WORD_FACTORS = tuple(f.name for f in FACTORS if f.from_words)

# Version 0, the built-in default. The text factors' and their neighbours' weights were fitted on the labelled
# set's tune half (bench/tune_triage_weights.py --penalty 8 --slack 0, danger in words kept at 100 as policy;
# bench/notes/triage-quality.md); the form's flags, known material and sightings are policy.
DEFAULT_WEIGHTS = {
    "danger_now": 100,
    "danger_words": 100,
    "partner_escalation": 100,
    "self_harm": 60,
    "threats": 50,
    "offline_meeting": 40,
    "hash_match": 50,
    "role_access": 35,
    "wanted_sighting": 50,
    "images": 35,
    "adult_age": 5,
    "secrecy": 40,
    "gifts": 40,
    "victim_age": 25,
    "victims": 20,
    "prior_reports": 30,
    "recency": 10,
}
# Lowest score for each band; below the P3 threshold a report is P4 routine.
DEFAULT_THRESHOLDS = {"1": 100, "2": 50, "3": 20}
MAX_WEIGHT = 1000


def validate_model(weights: dict, thresholds: dict) -> tuple[dict, dict]:
    """Clean weights and thresholds or raise ValidationError naming each problem."""
    errors = {}
    clean_weights = {}
    for name in FACTOR_NAMES:
        value: Any = weights.get(name)  # form input: anything; float() refuses what is not a number
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = "Enter a number of points, for example 25"
            continue
        if not 0 <= number <= MAX_WEIGHT:
            errors[name] = f"Points must be between 0 and {MAX_WEIGHT}"
            continue
        clean_weights[name] = number
    unknown = set(weights) - set(FACTOR_NAMES)
    if unknown:
        errors["weights"] = f"Unknown factors: {', '.join(sorted(unknown))}"
    clean_thresholds = {}
    for band in ("1", "2", "3"):
        try:
            threshold: Any = thresholds.get(band)
            clean_thresholds[band] = float(threshold)
        except (TypeError, ValueError):
            errors[f"threshold_{band}"] = f"Enter the lowest score for P{band}"
    if len(clean_thresholds) == 3 and not clean_thresholds["1"] > clean_thresholds["2"] > clean_thresholds["3"] > 0:
        errors["thresholds"] = "Thresholds must go down from P1 to P3 and stay above 0"
    if errors:
        raise ValidationError(errors)
    return clean_weights, clean_thresholds


def recency(occurred_day: int, today: int | None = None) -> float:
    today = today if today is not None else date.today().toordinal()
    age = today - occurred_day
    if age <= 7:
        return 1.0
    if age <= 30:
        return 0.5
    return 0.0


def band_for(score: float, thresholds: dict) -> Priority:
    for band in ("1", "2", "3"):
        if score >= float(thresholds[band]):
            return Priority(int(band))
    return Priority.P4


NO_FACTOR_REASON = "No urgent factor was found; routine review."


def reasons_for(points: dict[str, float]) -> list[str]:
    """The factors that counted, in plain words, in the fixed order of FACTORS (most serious first).

    Points are not part of the words: they are shown beside them on the report page, worked out from the
    stored factor values. So a change of weights rewrites only the reports whose band changes.
    """
    counted = [f.reason for f in FACTORS if points.get(f.name, 0) > 0]
    return counted or [NO_FACTOR_REASON]


@dataclass(frozen=True)
class Scored:
    score: float
    band: Priority
    points: dict[str, float]
    reasons: list[str]


def score(features: dict[str, float], weights: dict, thresholds: dict) -> Scored:
    points = {name: float(weights.get(name, 0)) * float(features.get(name, 0)) for name in FACTOR_NAMES}
    total = round(sum(points.values()), 2)
    return Scored(score=total, band=band_for(total, thresholds), points=points, reasons=reasons_for(points))
