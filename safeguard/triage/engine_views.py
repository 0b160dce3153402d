"""Staff pages of the triage engine: subjects, search, scoring model, notifications, candidate networks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.accounts.http import AuthenticatedHttpRequest
from safeguard.accounts.roles import Capability, has_capability, require_capability

from . import search as staff_search
from . import services, signals
from .features import active_model
from .models import Notification, RescoreRun, ScoringModelVersion
from .scoring import FACTORS


@require_capability(Capability.SEARCH)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    error = ""
    results = None
    if "q" in request.GET:
        if not query.strip():
            error = "Enter an identifier or words to search for"
        elif len(query) > staff_search.MAX_QUERY:
            error = f"Search for {staff_search.MAX_QUERY} characters or fewer"
        else:
            results = staff_search.search(user=request.user, query=query)
    context = {"query": query, "results": results, "error": error, "nav": "queue"}
    return render(request, "triage/search.html", context, status=400 if error else 200)


@require_capability(Capability.VIEW_REPORT_QUEUE)
@require_http_methods(["GET", "POST"])
def scoring_model(request: HttpRequest) -> HttpResponse:
    """Everyone who works reports may read the model (it explains their queue); supervisors change it."""
    model = active_model(fresh=True)
    errors: dict = {}
    values = {**{k: v for k, v in model.weights.items()}, **{f"threshold_{b}": t for b, t in model.thresholds.items()}}
    note = ""
    may_edit = has_capability(request.user, Capability.EDIT_SCORING_MODEL)
    if request.method == "POST":
        if not may_edit:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Your role does not allow this (edit_scoring_model).")
        values = {f.name: request.POST.get(f.name, "") for f in FACTORS}
        values.update({f"threshold_{b}": request.POST.get(f"threshold_{b}", "") for b in ("1", "2", "3")})
        note = request.POST.get("note", "")
        try:
            run = services.publish_scoring_model(
                user=request.user,
                weights={f.name: values[f.name] for f in FACTORS},
                thresholds={b: values[f"threshold_{b}"] for b in ("1", "2", "3")},
                note=note,
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, f"Model version {run.model_version} published; open reports are being rescored.")
            return redirect("staff:scoring_model")
    context = {
        "factors": [(f, values.get(f.name, ""), errors.get(f.name, [])) for f in FACTORS],
        "thresholds": [
            (b, values.get(f"threshold_{b}", ""), errors.get(f"threshold_{b}", [])) for b in ("1", "2", "3")
        ],
        "errors": errors,
        "note": note,
        "model": model,
        "may_edit": may_edit,
        "versions": ScoringModelVersion.objects.select_related("created_by")[:20],
        "runs": RescoreRun.objects.all()[:10],
        "pattern_files": signals.pattern_files(),
        "nav": "queue",
    }
    return render(request, "triage/scoring_model.html", context, status=400 if errors else 200)


@require_capability(Capability.VIEW_REPORT_QUEUE)
@require_http_methods(["GET", "POST"])
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user).select_related("report")
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "All notifications marked as read.")
        return redirect("staff:notifications")
    return render(request, "triage/notifications.html", {"notices": mine[:100], "nav": "queue"})
