"""The synchronous first guess at a report's priority, made as it is accepted.

It runs the same scoring model as the background triage (see scoring.py), without the factors that
need other records (the subject's prior reports, hash matches): those arrive when `triage_report` runs.
"""

from dataclasses import dataclass

from safeguard.reporting.models import Priority

from .features import active_model, report_features
from .scoring import score


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    reasons: list[str]
    score: float = 0.0


def initial_priority(report) -> PriorityDecision:
    model = active_model()
    scored = score(report_features(report), model.weights, model.thresholds)
    return PriorityDecision(scored.band, scored.reasons, scored.score)
