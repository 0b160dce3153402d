"""Staff pages about subjects: a subject with its reports, identifiers, merges and who is working it
(deconfliction's holdings), supervisor merges and their reversal, candidate networks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability

from . import deconfliction
from . import networks as subject_networks
from . import selectors as subject_selectors
from . import services as subject_services
from .models import Subject, SubjectMerge


@require_capability(Capability.VIEW_REPORT)
@require_GET
def subject_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = subject_selectors.consult_subject(user=request.user, pk=pk)
    context = {
        "view": view,
        "live": subject_selectors.live_subject(view.subject),
        "holdings": deconfliction.holdings(view.subject),
        "may_merge": has_capability(request.user, Capability.MERGE_SUBJECTS),
        "nav": "queue",
    }
    return render(request, "subjects/subject_detail.html", context)


@require_capability(Capability.MERGE_SUBJECTS)
@require_POST
def reverse_merge(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(SubjectMerge, pk=pk)
    try:
        subject_services.reverse_merge(user=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Merge reversed: {merge.absorbed} has its reports back.")
    return redirect("staff:subject", pk=merge.survivor_id)


@require_capability(Capability.MERGE_SUBJECTS)
@require_POST
def merge_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = get_object_or_404(Subject, pk=pk)
    other_id = request.POST.get("absorbed", "")
    absorbed = Subject.objects.filter(pk=int(other_id)).first() if other_id.isdigit() else None
    if absorbed is None:
        messages.error(request, "Choose which subject to merge")
        return redirect("staff:subject", pk=pk)
    try:
        subject_services.merge_subjects_by_supervisor(
            user=request.user, survivor=survivor, absorbed=absorbed, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{absorbed} merged into {survivor}.")
    return redirect("staff:subject", pk=pk)


@require_capability(Capability.VIEW_REPORT)
@require_GET
def networks(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("min_size", str(subject_networks.DEFAULT_MIN_SIZE))
    error = ""
    min_size = subject_networks.DEFAULT_MIN_SIZE
    if raw.isdigit() and 2 <= int(raw) <= 1000:
        min_size = int(raw)
    else:
        error = "Enter a group size from 2 to 1000"
    found = subject_networks.candidate_networks(user=request.user, min_size=min_size)
    context = {"networks": found, "min_size": min_size if not error else raw, "error": error, "nav": "queue"}
    return render(request, "subjects/networks.html", context, status=400 if error else 200)
