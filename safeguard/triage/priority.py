"""The synchronous first guess at a report's priority, made as it is accepted.

It runs the same scoring model as the background triage (see scoring.py), without the factors that
need other records (the subject's prior reports, hash matches): those arrive when `triage_report` runs.
"""

from dataclasses import dataclass

from safeguard.reporting.models import Priority

from .features import active_model, read_text, report_features, report_text
from .scoring import FACTOR_NAMES, score


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    reasons: list[str]
    score: float = 0.0


def initial_priority(report) -> PriorityDecision:
    model = active_model()
    scored = score(report_features(report), model.weights, model.thresholds)
    return PriorityDecision(scored.band, scored.reasons, scored.score)


def initial_priorities(reports: list) -> list[PriorityDecision]:
    """`initial_priority` of many new reports (a partner batch): the model looked up once, and reports
    whose factor values are all the same scored once. The factors are mostly 0/1 flags and coarse steps
    (age, recency), so a batch repeats few distinct combinations; scoring is a pure function of them."""
    model = active_model()
    decisions: dict[tuple, PriorityDecision] = {}
    out = []
    for report in reports:
        # Each text read once per process (features.read_text): a partner's batch often repeats its template.
        features = report_features(report, signals=read_text(report_text(report)))
        key = tuple(features.get(name, 0) for name in FACTOR_NAMES)
        decision = decisions.get(key)
        if decision is None:
            scored = score(features, model.weights, model.thresholds)
            decision = decisions[key] = PriorityDecision(scored.band, scored.reasons, scored.score)
        out.append(decision)
    return out
