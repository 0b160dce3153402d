"""Reading the audit log. Reading it is itself logged: the log holds who looked at what."""

from django.db.models import QuerySet

from safeguard.accounts.roles import Capability, check_capability

from .models import AuditEntry
from .services import Action, Actor, record


def object_key_for_reference(reference: str) -> tuple[str, str] | None:
    """Staff think in report references; the log stores (object type, id)."""
    from safeguard.reporting.models import Report
    from safeguard.reporting.references import normalise_reference

    report = Report.objects.filter(reference__in={reference, normalise_reference(reference)} - {""}).first()
    return ("reporting.report", str(report.pk)) if report else None


def label_report_references(entries) -> None:
    """Give entries about reports a `report_reference`, so staff read SG-... rather than a row id."""
    from safeguard.reporting.models import Report

    ids = {int(e.object_id) for e in entries if e.object_type == "reporting.report" and e.object_id.isdigit()}
    references = dict(Report.objects.filter(pk__in=ids).values_list("pk", "reference"))
    for entry in entries:
        is_report = entry.object_type == "reporting.report" and entry.object_id.isdigit()
        entry.report_reference = references.get(int(entry.object_id), "") if is_report else ""


def consult_audit_log(*, user, object_type: str = "", object_id: str = "", action: str = "") -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by object and action; records this consultation."""
    check_capability(user, Capability.VIEW_AUDIT_LOG)
    entries = AuditEntry.objects.select_related("actor")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("audit.auditentry", "log"),
        detail={
            "filters": {
                k: v for k, v in {"object_type": object_type, "object_id": object_id, "action": action}.items() if v
            }
        },
    )
    return entries.order_by("-sequence")
