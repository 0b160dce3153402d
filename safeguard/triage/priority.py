"""The first priority rule: a transparent ordering until the full triage engine replaces it.

Each rule names what it checks and says, in plain words, why it raised the priority.
The highest band any rule gives wins.
"""

from dataclasses import dataclass

from safeguard.reporting.models import Category, Priority


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    reasons: list[str]


def _child_in_danger_now(report) -> tuple[Priority, str] | None:
    if report.child_in_danger_now:
        return Priority.P1, "The reporter said a child is in danger right now."
    return None


def _escalated_by_partner(report) -> tuple[Priority, str] | None:
    # details["partner_escalated"] is stored, so re-scoring a saved report keeps the escalation.
    if getattr(report, "partner_escalated", False) or (report.details or {}).get("partner_escalated"):
        return Priority.P1, "The reporting partner escalated this report as high priority."
    return None


def _threat_or_meeting(report) -> tuple[Priority, str] | None:
    hits = {Category.THREATENED_TO_SHARE, Category.MEET_UP} & set(report.categories or [])
    if hits:
        return Priority.P2, "Threats to share pictures or a proposed meeting offline were reported."
    return None


def _images_involved(report) -> tuple[Priority, str] | None:
    hits = {Category.ASKED_FOR_IMAGES, Category.SENT_SEXUAL_CONTENT} & set(report.categories or [])
    if hits:
        return Priority.P3, "Pictures were asked for or sexual content was sent."
    return None


RULES = (_child_in_danger_now, _escalated_by_partner, _threat_or_meeting, _images_involved)


def initial_priority(report) -> PriorityDecision:
    findings = [finding for rule in RULES if (finding := rule(report))]
    if not findings:
        return PriorityDecision(Priority.P4, ["No urgent factor was reported; routine review."])
    band = min(priority for priority, _ in findings)
    return PriorityDecision(Priority(band), [reason for _, reason in findings])
