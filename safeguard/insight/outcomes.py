"""Outcome figures for the annual review, gathered from the apps that own them (read only).

Disseminations and their outcomes come from the dissemination app, major operational deployments from
cases, Most Wanted measures from wanted, reach and survey findings from education. Every count passes
through the same suppression (suppression.py) as the report figures.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safeguard.cases.selectors import deployment_count
from safeguard.dissemination.selectors import outcome_figures
from safeguard.education import analysis, reach
from safeguard.education.models import Survey
from safeguard.wanted.selectors import measures

from .suppression import Cell, Table, figure, suppress

OUTCOME_LABELS = [
    ("disseminations", "Intelligence packages disseminated"),
    ("children_safeguarded", "Children safeguarded"),
    ("arrests", "Arrests"),
    ("charges", "Charges"),
    ("convictions", "Convictions"),
    ("subjects_identified", "Subjects identified"),
    ("networks_disrupted", "Networks disrupted"),
    ("networks_dismantled", "Networks dismantled"),
    ("deployments", "Major operational deployments"),
]


@dataclass
class SurveyFinding:
    survey: str
    question: str
    cells: list  # education.analysis.Cell (already suppressed by the education app's own threshold)
    respondents: int | None


@dataclass
class Outcomes:
    headline: list[Cell]
    by_recipient: Table
    wanted: list[Cell]
    wanted_median_days: float | None
    education: list[Cell]
    surveys: list[SurveyFinding] = field(default_factory=list)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def outcomes(*, start: date, end: date) -> Outcomes:
    """Figures for [start, end] inclusive."""

    figures = dict(outcome_figures(start=start, end=end))
    figures["deployments"] = deployment_count(start=start, end=end)
    headline = [figure(key, label, int(figures.get(key) or 0)) for key, label in OUTCOME_LABELS]
    by_recipient = suppress(
        "disseminations_by_recipient",
        "Disseminations by recipient",
        "Recipient",
        [(row["name"], row["name"], row["count"]) for row in figures.get("disseminations_by_recipient", [])],
    )
    wanted = measures(since=_aware(start), until=_aware(end + timedelta(days=1)))
    wanted_cells = [
        figure("posted", "Most Wanted appeals posted", wanted.posted),
        figure("located", "Located (including those arrested)", wanted.located),
        figure("arrested", "Arrested", wanted.arrested),
    ]
    education_cells = []
    if start.year == end.year:
        board = reach.dashboard(year=start.year, today=end)
        education_cells = [
            figure("children_reached", board.children.name, board.children.reached),
            figure("professionals_trained", board.professionals.name, board.professionals.reached),
            figure("sessions", "Education sessions delivered", board.sessions),
        ]
    return Outcomes(
        headline=headline,
        by_recipient=by_recipient,
        wanted=wanted_cells,
        wanted_median_days=wanted.median_days_to_location if wanted.located >= 5 else None,
        education=education_cells,
        surveys=survey_findings(start=start, end=end),
    )


def survey_findings(*, start: date, end: date, limit: int = 6) -> list[SurveyFinding]:
    """The first choice questions of each survey that had responses in the period (whole-survey results)."""

    surveys = Survey.objects.filter(responses__received_on__gte=start, responses__received_on__lte=end).distinct()
    findings = []
    for survey in surveys[:3]:
        for result in analysis.survey_report(survey):
            if not analysis.is_choice(result.question) or len(findings) >= limit:
                continue
            findings.append(SurveyFinding(survey.title, result.question.text, result.cells, result.answered))
    return findings
