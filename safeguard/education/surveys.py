"""Writes for surveys: building a questionnaire, taking responses online and importing paper ones.

A conditional question counts as asked only when its condition holds; an answer to a question that was not
asked (a paper form filled in anyway, or a browser without JavaScript showing every question) is dropped,
so the analysis' denominators are exactly those who were asked.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .csvutil import ImportRejected, RowError, read_csv
from .models import AgeBand, Answer, Option, Question, QuestionKind, ResponseSource, Session, Survey, SurveyResponse

MULTIPLE_SEPARATOR = ";"


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    kind: str
    options: list[tuple[str, str]] = ()  # (code, label)
    scale: tuple[int, int] | None = None
    condition: tuple[str, str] | None = None  # (earlier question's code, value)


def create_survey(*, title: str, questions: list[QuestionSpec], programme=None) -> Survey:
    with transaction.atomic():
        survey = Survey.objects.create(title=title, programme=programme)
        by_code: dict[str, Question] = {}
        for order, spec in enumerate(questions, start=1):
            if spec.code in by_code or not spec.code.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"Question code {spec.code!r} must be unique and use only letters, digits, - and _")
            if spec.kind not in QuestionKind.values:
                raise ValueError(f"Question {spec.code}: unknown kind {spec.kind!r}")
            if spec.kind == QuestionKind.SCALE and (spec.scale is None or spec.scale[0] >= spec.scale[1]):
                raise ValueError(f"Question {spec.code}: a scale needs a lowest and a higher highest value")
            if spec.kind != QuestionKind.SCALE and len(spec.options) < 2:
                raise ValueError(f"Question {spec.code}: a choice question needs at least two options")
            condition_question, condition_value = None, ""
            if spec.condition:
                condition_question = by_code.get(spec.condition[0])
                if condition_question is None:
                    raise ValueError(f"Question {spec.code}: its condition must refer to an earlier question")
                condition_value = spec.condition[1]
                if condition_value not in {c for c, _ in condition_question.choices()}:
                    raise ValueError(
                        f"Question {spec.code}: {condition_value!r} is not an answer to {spec.condition[0]}"
                    )
            question = Question.objects.create(
                survey=survey,
                order=order,
                code=spec.code,
                text=spec.text,
                kind=spec.kind,
                scale_min=spec.scale[0] if spec.scale else None,
                scale_max=spec.scale[1] if spec.scale else None,
                condition_question=condition_question,
                condition_value=condition_value,
            )
            Option.objects.bulk_create(
                Option(question=question, order=i, code=code, label=label)
                for i, (code, label) in enumerate(spec.options)
            )
            by_code[spec.code] = question
    return survey


def survey_from_definition(definition: dict) -> Survey:
    """Create a survey from a JSON-style definition (see load_survey's help). ValueError says what is wrong."""
    from .models import Programme

    if not isinstance(definition, dict) or not definition.get("title") or not definition.get("questions"):
        raise ValueError("The definition needs a 'title' and a list of 'questions'")
    programme = None
    if definition.get("programme"):
        programme = Programme.objects.filter(code=definition["programme"]).first()
        if programme is None:
            raise ValueError(f"There is no programme with the code {definition['programme']!r}")
    specs = []
    for number, q in enumerate(definition["questions"], start=1):
        try:
            specs.append(
                QuestionSpec(
                    code=q["code"],
                    text=q["text"],
                    kind=q["kind"],
                    options=[tuple(o) for o in q.get("options", [])],
                    scale=tuple(q["scale"]) if q.get("scale") else None,
                    condition=tuple(q["condition"]) if q.get("condition") else None,
                )
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"Question {number}: needs 'code', 'text' and 'kind' ({exc})") from None
    return create_survey(title=definition["title"], questions=specs, programme=programme)


def set_survey_open(*, actor: Actor, survey: Survey, open: bool) -> Survey:
    with transaction.atomic():
        survey.open = open
        survey.save(update_fields=["open"])
        record(action=Action.ALTERATION, actor=actor, obj=survey, detail={"open": open})
    return survey


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("condition_question").prefetch_related("options"))


def is_asked(question: Question, answers: dict[int, list[str]]) -> bool:
    """Whether, given the answers so far (question id -> values), this question is put to the respondent."""
    if question.condition_question_id is None:
        return True
    return question.condition_value in answers.get(question.condition_question_id, [])


def validate_answers(
    questions: list[Question], raw: dict[str, list[str]]
) -> tuple[dict[int, list[str]], dict[str, str]]:
    """Check raw values (question code -> values) against the questionnaire.

    Returns (answers by question id, errors by question code). Answers to questions not asked are dropped.
    A question asked but left blank is simply unanswered: children may skip any question.
    """
    answers: dict[int, list[str]] = {}
    errors: dict[str, str] = {}
    for question in questions:  # in order, so conditions look at earlier answers
        values = [v for v in raw.get(question.code, []) if v != ""]
        if not is_asked(question, answers) or not values:
            continue
        allowed = {c for c, _ in question.choices()}
        wrong = [v for v in values if v not in allowed]
        if wrong:
            errors[question.code] = (
                f"'{wrong[0]}' is not an answer to this question (one of: {', '.join(sorted(allowed))})"
            )
            continue
        if question.kind != QuestionKind.MULTIPLE and len(values) > 1:
            errors[question.code] = "give only one answer"
            continue
        answers[question.id] = sorted(set(values))
    return answers, errors


def submit_online_response(*, survey: Survey, session: Session | None, raw: dict[str, list[str]]) -> SurveyResponse:
    """A response from the public form. Raises ValueError(errors by code) if any answer is not allowed."""
    if not survey.open:
        raise ValueError({"": "This survey is closed."})
    answers, errors = validate_answers(survey_questions(survey), raw)
    if not answers and not errors:
        errors = {"": "Answer at least one question, or close this page if you would rather not take part"}
    if errors:
        raise ValueError(errors)
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            survey=survey,
            session=session,
            age_band=session.age_band if session else "",
            source=ResponseSource.ONLINE,
            received_on=timezone.localdate(),
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=qid, value=v) for qid, values in answers.items() for v in values
        )
    return response


def response_columns(survey: Survey) -> list[str]:
    return ["age_band", *[q.code for q in survey_questions(survey)]]


def import_responses_csv(*, actor: Actor, survey: Survey, data: bytes | str, filename: str = "") -> int:
    """Import paper responses: one row per child, a column per question code (multiple choice joined by ';').

    `age_band` is required; an optional `session` column holds the session's number. All rows or none:
    raises ImportRejected listing every problem.
    """
    questions = survey_questions(survey)
    rows = read_csv(data, required=response_columns(survey), optional=["session"])
    errors: list[RowError] = []
    sessions = {}
    wanted_sessions = {v["session"] for _, v in rows if v.get("session")}
    numeric = {s for s in wanted_sessions if s.isdigit()}
    sessions = {str(s.pk): s for s in Session.objects.filter(pk__in=[int(s) for s in numeric])}
    parsed = []
    for row_number, values in rows:
        age_band = values["age_band"]
        if age_band not in AgeBand.values:
            errors.append(
                RowError(
                    row_number, "age_band", f"'{age_band}' is not an age band (one of: {', '.join(AgeBand.values)})"
                )
            )
        session = None
        if values.get("session"):
            session = sessions.get(values["session"])
            if session is None:
                errors.append(RowError(row_number, "session", f"there is no session number {values['session']}"))
        raw = {q.code: values[q.code].split(MULTIPLE_SEPARATOR) if values[q.code] else [] for q in questions}
        raw = {code: [v.strip() for v in vs] for code, vs in raw.items()}
        answers, row_errors = validate_answers(questions, raw)
        errors.extend(RowError(row_number, code, reason) for code, reason in row_errors.items())
        parsed.append((age_band, session, answers))
    if errors:
        raise ImportRejected(errors)

    today = timezone.localdate()
    with transaction.atomic():
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(
                survey=survey, session=session, age_band=age_band, source=ResponseSource.PAPER, received_on=today
            )
            for age_band, session, _ in parsed
        )
        if responses and responses[0].pk is None:  # backends that do not return ids from bulk inserts
            responses = list(SurveyResponse.objects.filter(survey=survey).order_by("-id")[: len(parsed)])[::-1]
        Answer.objects.bulk_create(
            (
                Answer(response=response, question_id=qid, value=v)
                for response, (_, _, answers) in zip(responses, parsed, strict=True)
                for qid, values in answers.items()
                for v in values
            ),
            batch_size=2000,
        )
        record(
            action=Action.COLLECTION,
            actor=actor,
            obj=survey,
            detail={"paper_responses": len(parsed), "filename": filename[:200]},
        )
    return len(parsed)
