"""Survey analysis: proportions with 95% Wilson intervals, cross-tabulations, small-cell suppression.

Every output (pages, charts, CSV and XLSX exports) is built from the `Cell`s made here, and a cell for a
group of fewer than `MIN_GROUP` respondents carries no numbers at all, so suppression cannot be forgotten
by one output. Denominators are the respondents in the group who were asked the question (its condition
held) and answered it; those asked who skipped it are reported apart as `not_answered`.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape

from .models import AgeBand, Answer, Question, QuestionKind, Survey
from .stats import wilson_interval
from .surveys import survey_questions

MIN_GROUP = getattr(settings, "SAFEGUARD_SURVEY_MIN_GROUP", 10)
SUPPRESSED_TEXT = f"suppressed: fewer than {MIN_GROUP} respondents"
AGE_BAND = "age_band"


@dataclass(frozen=True)
class Cell:
    answer: str
    label: str
    count: int | None
    denominator: int | None
    proportion: float | None
    low: float | None
    high: float | None

    @property
    def suppressed(self) -> bool:
        return self.denominator is None


@dataclass
class QuestionResult:
    question: Question
    group: str = ""  # "" for everyone, else the group's label
    cells: list[Cell] = field(default_factory=list)
    answered: int | None = None
    not_answered: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.answered is None


@dataclass
class SurveyData:
    """Every response's answers in memory: {response id: {question id: {values}}} and each response's age band."""

    survey: Survey
    questions: list[Question]
    answers: dict[int, dict[int, set[str]]]
    age_bands: dict[int, str]

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(f"The survey has no question {code!r}")


def load(survey: Survey) -> SurveyData:
    questions = survey_questions(survey)
    age_bands = dict(survey.responses.values_list("id", "age_band"))
    answers: dict[int, dict[int, set[str]]] = {rid: defaultdict(set) for rid in age_bands}
    for rid, qid, value in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "question_id", "value"
    ):
        answers[rid][qid].add(value)
    return SurveyData(survey, questions, answers, age_bands)


def _asked(question: Question, answers: dict[int, set[str]]) -> bool:
    if question.condition_question_id is None:
        return True
    return question.condition_value in answers.get(question.condition_question_id, ())


def analyse(data: SurveyData, question: Question, respondents=None, group: str = "") -> QuestionResult:
    """Proportions of each answer among `respondents` (response ids; all by default) who were asked and answered."""
    ids = data.answers.keys() if respondents is None else respondents
    asked = [rid for rid in ids if _asked(question, data.answers[rid])]
    answered = [rid for rid in asked if data.answers[rid].get(question.id)]
    choices = question.choices()
    if len(answered) < MIN_GROUP:
        cells = [Cell(code, label, None, None, None, None, None) for code, label in choices]
        return QuestionResult(question, group, cells)
    counts = defaultdict(int)
    for rid in answered:
        for value in data.answers[rid][question.id]:
            counts[value] += 1
    n = len(answered)
    cells = []
    for code, label in choices:
        k = counts[code]
        low, high = wilson_interval(k, n)
        cells.append(Cell(code, label, k, n, k / n, low, high))
    return QuestionResult(question, group, cells, answered=n, not_answered=len(asked) - n)


def groups_by(data: SurveyData, by: str) -> list[tuple[str, str, set[int]]]:
    """(value, label, response ids) for each group: age bands, or the answers to a choice question."""
    if by == AGE_BAND:
        members = defaultdict(set)
        for rid, band in data.age_bands.items():
            members[band].add(rid)
        return [(value, label, members[value]) for value, label in AgeBand.choices if members[value]]
    question = data.question(by)
    groups = []
    for code, label in question.choices():
        ids = {rid for rid, answers in data.answers.items() if code in answers.get(question.id, ())}
        groups.append((code, f"{question.code} = {label}", ids))
    return groups


def _answered_count(data: SurveyData, question: Question, ids) -> int:
    return sum(1 for rid in ids if _asked(question, data.answers[rid]) and data.answers[rid].get(question.id))


def crosstab(data: SurveyData, question: Question, by: str) -> list[QuestionResult]:
    """The question's answers within each group, with primary and secondary suppression.

    A group under MIN_GROUP is suppressed. But the figures for all respondents are shown too, so a lone small
    group could be recovered by subtraction (all respondents minus the other groups): while the suppressed
    groups together hold fewer than MIN_GROUP respondents, the next smallest shown group is suppressed as well.
    """
    groups = groups_by(data, by)
    sizes = [_answered_count(data, question, ids) for _, _, ids in groups]
    hidden = {i for i, n in enumerate(sizes) if n < MIN_GROUP}
    for i in sorted((i for i in range(len(groups)) if i not in hidden), key=lambda i: sizes[i]):
        if not 0 < sum(sizes[j] for j in hidden) < MIN_GROUP:
            break
        hidden.add(i)
    results = []
    for i, (_, label, ids) in enumerate(groups):
        if i in hidden:
            cells = [Cell(code, text, None, None, None, None, None) for code, text in question.choices()]
            results.append(QuestionResult(question, label, cells))
        else:
            results.append(analyse(data, question, ids, group=label))
    return results


def survey_report(survey: Survey, *, by: str = "") -> list[QuestionResult]:
    """Every question for everyone, then (if `by` is given) every question within each group."""
    data = load(survey)
    results = [analyse(data, q) for q in data.questions]
    if by:
        for q in data.questions:
            if by != AGE_BAND and q.code == by:
                continue
            results.extend(crosstab(data, q, by))
    return results


# --- Exports: built only from Cells, so suppression carries through -------------------------------

EXPORT_HEADER = [
    "question",
    "question_text",
    "group",
    "answer",
    "answer_label",
    "count",
    "respondents",
    "proportion",
    "ci95_low",
    "ci95_high",
    "note",
]


def export_rows(results: list[QuestionResult]) -> list[list]:
    rows = []
    for result in results:
        for cell in result.cells:
            if cell.suppressed:
                numbers = ["", "", "", "", ""]
                note = SUPPRESSED_TEXT
            else:
                numbers = [
                    cell.count,
                    cell.denominator,
                    round(cell.proportion, 4),
                    round(cell.low, 4),
                    round(cell.high, 4),
                ]
                note = ""
            rows.append(
                [
                    result.question.code,
                    result.question.text,
                    result.group or "all respondents",
                    cell.answer,
                    cell.label,
                    *numbers,
                    note,
                ]
            )
    return rows


def _safe(value):
    # A spreadsheet would run text starting with = + - @ as a formula (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(results: list[QuestionResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    writer.writerows([[_safe(v) for v in row] for row in export_rows(results)])
    return out.getvalue()


def to_xlsx(results: list[QuestionResult], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Results"
    sheet.append(EXPORT_HEADER)
    for row in export_rows(results):
        sheet.append([_safe(v) for v in row])
    notes = workbook.create_sheet("About")
    notes.append(["Survey", _safe(title)])
    notes.append(["Intervals", "95% Wilson score intervals"])
    notes.append(["Suppression", f"Groups of fewer than {MIN_GROUP} respondents show no figures"])
    notes.append(["Denominators", "Respondents asked the question (its condition held) who answered it"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Charts: server-rendered SVG, readable without JavaScript -------------------------------------


def _svg_line(x1: float, x2: float, y1: float, y2: float, colour: str = "#0b0c0c", width: int = 2) -> str:
    return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="{width}"/>'


def _svg_text(x: float, y: float, text: str, *, size: int = 14, anchor: str = "start", colour: str = "#0b0c0c") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}">{escape(text)}</text>'
    )


def bar_chart_svg(result: QuestionResult) -> str:
    """Horizontal bars with 95% interval whiskers. The table beside it is the text alternative."""
    if result.suppressed:
        return ""
    bar_height, gap, label_width, plot_width = 22, 10, 220, 360
    width = label_width + plot_width + 60
    height = len(result.cells) * (bar_height + gap) + 30
    label = f"{result.question.text}: bar chart of the proportions in the table"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="education-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(label)}">'
    ]
    for i, cell in enumerate(result.cells):
        y = i * (bar_height + gap) + 5
        x_low, x_high = label_width + cell.low * plot_width, label_width + cell.high * plot_width
        mid = y + bar_height / 2
        parts += [
            _svg_text(label_width - 8, mid + 5, cell.label[:32], anchor="end"),
            f'<rect x="{label_width}" y="{y}" width="{cell.proportion * plot_width:.1f}" height="{bar_height}" '
            'fill="#1d70b8"/>',
            _svg_line(x_low, x_high, mid, mid),
            _svg_line(x_low, x_low, y + 4, y + bar_height - 4),
            _svg_line(x_high, x_high, y + 4, y + bar_height - 4),
            _svg_text(x_high + 6, mid + 5, f"{cell.proportion:.0%}", size=13),
        ]
    axis_y = len(result.cells) * (bar_height + gap) + 10
    parts += [
        _svg_line(label_width, label_width + plot_width, axis_y, axis_y, colour="#505a5f", width=1),
        _svg_text(label_width, axis_y + 16, "0%", size=12, colour="#505a5f"),
        _svg_text(label_width + plot_width, axis_y + 16, "100%", size=12, anchor="end", colour="#505a5f"),
        "</svg>",
    ]
    return "".join(parts)


def is_choice(question: Question) -> bool:
    return question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
