"""Reads of reports for the apps above reporting (evidence, triage, cases...), scoped by capability."""

from django.http import Http404

from safeguard.accounts.roles import Capability, check_capability

from .models import Report
from .references import normalise_reference


def find_report(*, user, reference: str, capability: Capability = Capability.VIEW_REPORT) -> Report:
    """The report with this reference (typed loosely, as people do), if the user's role allows.

    Does not write an audit entry: callers either change the report (and log an alteration) or
    go through `consult_report`.
    """
    check_capability(user, capability)
    wanted = {reference, normalise_reference(reference)} - {""}
    report = (
        Report.objects.select_related("assigned_to")
        .prefetch_related("attachments", "additions", "status_changes__changed_by")
        .filter(reference__in=wanted)
        .first()
    )
    if report is None:
        raise Http404("No report has that reference")
    return report


def audit_id_for_reference(reference: str) -> str | None:
    """The audit log's object id for a report reference typed by a person (registered with audit.selectors)."""
    pk = (
        Report.objects.filter(reference__in={reference, normalise_reference(reference)} - {""})
        .values_list("pk", flat=True)
        .first()
    )
    return str(pk) if pk is not None else None


def references_for_audit(object_ids: set[str]) -> dict[str, str]:
    ids = [int(i) for i in object_ids if i.isdigit()]
    return {str(pk): ref for pk, ref in Report.objects.filter(pk__in=ids).values_list("pk", "reference")}
