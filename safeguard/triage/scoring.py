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


FACTORS: tuple[Factor, ...] = (
    Factor("danger_now", "Child in danger now", "The reporter said a child is in danger right now."),
    Factor("partner_escalation", "Partner escalation", "The reporting partner escalated this report as high priority."),
    Factor("threats", "Threats or sextortion", "Threats to share pictures (sextortion) were reported."),
    Factor("offline_meeting", "Offline meeting proposed", "A meeting offline was proposed."),
    Factor("hash_match", "Known-material hash match", "A file matched known abuse material on a hash list."),
    Factor(
        "role_access",
        "Claims a role with access to children",
        "The person claims a role with access to children (for example teacher, coach or youth leader).",
    ),
    Factor(
        "wanted_sighting",
        "Sighting of a Most Wanted person",
        "Someone reported seeing a missing offender from the Most Wanted list.",
    ),
    Factor("images", "Images requested or shared", "Pictures were asked for or sexual content was sent."),
    Factor("victim_age", "Victim age (younger is higher)", "The child involved is young: the younger, the higher."),
    Factor("victims", "Number of distinct victims", "More than one child is involved."),
    Factor("prior_reports", "Subject's prior reports", "We hold other reports about the same person."),
    Factor("recency", "Recency", "It happened recently."),
)
FACTOR_NAMES = tuple(f.name for f in FACTORS)

DEFAULT_WEIGHTS = {
    "danger_now": 100,
    "partner_escalation": 100,
    "threats": 50,
    "offline_meeting": 50,
    "hash_match": 50,
    "role_access": 35,
    "wanted_sighting": 50,
    "images": 25,
    "victim_age": 20,
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
