from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safeguard.accounts.roles import Capability, require_capability

from . import selectors
from .models import Action

PAGE_SIZE = 50


@require_capability(Capability.VIEW_AUDIT_LOG)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The DPA 2018 s.62 log for supervisors and administrators, filterable by object or report reference."""
    reference = request.GET.get("reference", "").strip()
    object_type = request.GET.get("object_type", "").strip()[:100]
    object_id = request.GET.get("object_id", "").strip()[:100]
    action = request.GET.get("action", "").strip()
    errors = []
    if action and action not in Action.values:
        errors.append("Choose an action from the list")
        action = ""
    if reference:
        key = selectors.object_key_for_reference(reference)
        if key is None:
            errors.append(f"No report has the reference {reference}")
            object_type, object_id = "reporting.report", "none"  # show nothing rather than everything
        else:
            object_type, object_id = key
    entries = selectors.consult_audit_log(
        user=request.user, object_type=object_type, object_id=object_id, action=action
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.label_references(page.object_list)
    selectors.describe_entries(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "errors": errors,
        "reference": reference,
        "object_type": object_type,
        "object_id": object_id,
        "action": action,
        "actions": Action.choices,
        "filter_query": query.urlencode(),
        "nav": "audit",
    }
    return render(request, "audit/audit_log.html", context)
