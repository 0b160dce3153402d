"""Case work reads, scoped by capability. Opening a case page is an audited consultation."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .models import Case, Deployment, Operation


def case_list(*, user, mine_only: bool = False, status: str = "") -> QuerySet[Case]:
    """Cases the user may see: every case for casework roles; `mine_only` for their own (owned or assigned)."""
    check_capability(user, Capability.VIEW_CASES)
    cases = Case.objects.select_related("owner").annotate(
        report_count=Count("reports", distinct=True), open_enquiries=Count(
            "enquiries", filter=Q(enquiries__status__in=["open", "in_progress"]), distinct=True)
    )  # fmt: skip
    if mine_only:
        cases = cases.filter(Q(owner=user) | Q(enquiries__assignee=user)).distinct()
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at", "-pk")


def record_list_consultation(*, user, cases, scope: str) -> None:
    """The list shows titles that may name people: record which cases were shown, as the report queue does."""
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("cases.case", "list"),
        detail={"cases": [case.pk for case in cases], "scope": scope},
    )


def case_detail(*, user, case_id: int) -> Case:
    """One case with everything on its page; records the consultation. Raises Case.DoesNotExist."""
    check_capability(user, Capability.VIEW_CASES)
    case = Case.objects.select_related("owner").get(pk=case_id)
    record(action=Action.CONSULTATION, actor=Actor.of(user), obj=case, detail={"page": "case"})
    return case


def operation_list(*, user) -> QuerySet[Operation]:
    check_capability(user, Capability.VIEW_CASES)
    return Operation.objects.annotate(
        case_count=Count("cases", distinct=True), deployment_count=Count("deployments", distinct=True)
    )


def operation_detail(*, user, operation_id: int) -> Operation:
    check_capability(user, Capability.VIEW_CASES)
    operation = Operation.objects.get(pk=operation_id)
    record(action=Action.CONSULTATION, actor=Actor.of(user), obj=operation, detail={"page": "operation"})
    return operation


def deployment_count(*, start: date, end: date) -> int:
    """Major operational deployments dated from `start` to `end` inclusive (the centre's annual figure)."""
    return Deployment.objects.filter(major=True, date__gte=start, date__lte=end).count()
