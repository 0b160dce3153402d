"""Cases and operations as holders of subjects, registered with subjects' deconfliction registry (from
`CasesConfig.ready()`: subjects sits below cases and never imports it).

- A case that is not closed holds the subjects linked to it directly and the subjects of its reports; the case
  owner is the one to talk to. A disseminated case is still held: its owner answers the force's questions and
  records what came of it until someone closes the case.
- An active operation holds its own subjects and everything its cases hold (whatever the status of the case:
  an operation works the network as a whole until it is closed); whoever created it is the one to talk to (an
  operation whose creator's account was deleted names nobody, so it is left to its cases' owners).

Both providers run on every report about a known subject in the triage worker, so each answers "is there
anything?" in one indexed query before reading any row. `notify_case_holders` is the third way the notice is
raised (after a new report and a referral line): a case opened on, or given, a subject someone else works.
"""

from collections.abc import Iterable

from django.db import connection

from safeguard.subjects import deconfliction
from safeguard.subjects.deconfliction import Holding
from safeguard.subjects.models import ReportSubject, Subject
from safeguard.triage.deconfliction_notices import notify_holders
from safeguard.triage.models import Notification
from safeguard.triage.notifications import notify

from .models import Case, CaseStatus, Operation, OperationStatus

HOLDING_CASE = (CaseStatus.OPEN, CaseStatus.DISSEMINATED)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _case_subject_rows(subject_ids: list[int]) -> tuple[str, list]:
    """SQL giving (case_id, subject_id) for every case holding one of the subjects, closed or not."""
    case_subjects, case_reports = Case.subjects.through._meta.db_table, Case.reports.through._meta.db_table
    links = ReportSubject._meta.db_table
    marks = _marks(subject_ids)
    sql = (
        f"SELECT cs.case_id, cs.subject_id FROM {case_subjects} cs WHERE cs.subject_id IN ({marks}) "  # noqa: S608 - our own table names
        f"UNION SELECT cr.case_id, l.subject_id FROM {links} l JOIN {case_reports} cr ON cr.report_id = l.report_id "
        f"WHERE l.subject_id IN ({marks})"
    )
    return sql, [*subject_ids, *subject_ids]


def _held_by_cases(subject_ids: list[int]) -> set[int]:
    rows, params = _case_subject_rows(subject_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT h.subject_id FROM ({rows}) h JOIN {Case._meta.db_table} c ON c.id = h.case_id "  # noqa: S608
            f"WHERE c.status IN ({_marks(HOLDING_CASE)})",
            [*params, *HOLDING_CASE],
        )
        return {row[0] for row in cursor.fetchall()}


@deconfliction.register_provider(held=_held_by_cases)
def open_cases(subject: Subject, exclude_report_id: int | None) -> Iterable[Holding]:
    """The owner of each case, not closed, that holds the subject (directly or through one of its reports).

    `exclude_report_id` is not used: a case holding the report asked about is still someone else's work on it."""
    if not _held_by_cases([subject.pk]):
        return
    rows, params = _case_subject_rows([subject.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT case_id FROM ({rows}) h", params)  # noqa: S608
        case_ids = {row[0] for row in cursor.fetchall()}
    for case in Case.objects.filter(pk__in=case_ids, status__in=HOLDING_CASE).select_related("owner").order_by("pk"):
        yield Holding(owner=case.owner, kind="case", label=case.reference)


def _operation_rows(subject_ids: list[int]) -> tuple[str, list]:
    """SQL giving (operation_id, subject_id) for every active operation holding one of the subjects."""
    op_subjects, op_cases = Operation.subjects.through._meta.db_table, Operation.cases.through._meta.db_table
    operations = Operation._meta.db_table
    rows, params = _case_subject_rows(subject_ids)
    sql = (
        f"SELECT h.operation_id, h.subject_id FROM (SELECT os.operation_id, os.subject_id FROM {op_subjects} os "  # noqa: S608 - our own table names
        f"WHERE os.subject_id IN ({_marks(subject_ids)}) UNION SELECT oc.operation_id, c.subject_id "
        f"FROM ({rows}) c JOIN {op_cases} oc ON oc.case_id = c.case_id) h "
        f"JOIN {operations} o ON o.id = h.operation_id WHERE o.status = %s AND o.created_by_id IS NOT NULL"
    )
    return sql, [*subject_ids, *params, OperationStatus.ACTIVE]


def _held_by_operations(subject_ids: list[int]) -> set[int]:
    rows, params = _operation_rows(subject_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT subject_id FROM ({rows}) x", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@deconfliction.register_provider(held=_held_by_operations)
def active_operations(subject: Subject, exclude_report_id: int | None) -> Iterable[Holding]:
    """Whoever created each active operation that holds the subject (directly or through one of its cases)."""
    rows, params = _operation_rows([subject.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT operation_id FROM ({rows}) x", params)  # noqa: S608
        operation_ids = {row[0] for row in cursor.fetchall()}
    if not operation_ids:
        return
    for operation in Operation.objects.filter(pk__in=operation_ids).select_related("created_by").order_by("name"):
        yield Holding(owner=operation.created_by, kind="operation", label=operation.name)


def notify_case_holders(case: Case, *, subject_ids: Iterable[int] = (), report_ids: Iterable[int] = ()) -> int:
    """A case has just been given these subjects or reports: tell everyone else who holds one of their subjects.

    Left out: the case itself, operations that include the case (their creator already works with it) and the
    case owner's own work. Each other holder is told once. Returns the notices sent."""
    wanted = set(subject_ids) | set(
        ReportSubject.objects.filter(report_id__in=list(report_ids)).values_list("subject_id", flat=True)
    )
    if not wanted:
        return 0
    found = deconfliction.holdings_for_subjects(wanted)
    if not found:
        return 0
    own_operations = set(case.operations.values_list("name", flat=True))
    others = [
        holding
        for holdings in found.values()
        for holding in holdings
        if holding.owner.pk != case.owner_id
        and not (holding.kind == "case" and holding.label == case.reference)
        and not (holding.kind == "operation" and holding.label in own_operations)
    ]
    who = case.owner.get_full_name() or case.owner.username
    sent = notify_holders(
        others,
        report=None,
        message=f"Case {case.reference} ({who}) now includes a subject you are working. Talk to {who} before acting.",
    )
    # And the case owner hears whom to talk to, as a new report's assignee does.
    for notice in dict.fromkeys(holding.notice() for holding in others):
        told = notify(recipient=case.owner, kind=Notification.Kind.DECONFLICTION, report=None, message=notice)
        sent += told is not None
    return sent
