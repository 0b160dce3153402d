"""Staff evidence pages: the files of a report, images blurred by default, reveal step by step, download.

Every picture is a PNG rebuilt from pixels (welfare.py); originals are only ever downloaded, as attachments.
All under /staff/, so two-factor sign-in and `Cache-Control: no-store` apply (core middleware); the views
set no-store again themselves so the rule does not hang on a URL prefix.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from safeguard.accounts.roles import Capability, require_capability
from safeguard.reporting.selectors import find_report

from . import hidden_content, selectors, self_reported, services, welfare
from .forms import SelfReportedFilterForm, SelfReportedReviewForm
from .models import EvidenceFile, ReviewState, SharedHash

NO_STORE = "no-store, max-age=0"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Every response that carries a file's content (a rendering or the original): never opened as a page.
FILE_CSP = "default-src 'none'; sandbox"


def _evidence_file_response(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """Headers for any evidence file response: saved not opened (attachment, a neutral name made here, never the
    sender's), its type never sniffed, and sandboxed with no sources should a browser render it anyway."""
    safe = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "-._")) or "evidence.bin"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return _private(response)


def _evidence(request: HttpRequest, pk: int) -> EvidenceFile:
    """The file, if the user may see its report at all (404 otherwise: no hint that it exists)."""
    if not selectors.can_view_evidence(request.user):
        raise Http404("No such file")
    return get_object_or_404(EvidenceFile.objects.select_related("report"), pk=pk, report__isnull=False)


@require_capability(Capability.VIEW_REPORT)
@require_GET
def report_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    report = find_report(user=request.user, reference=reference)
    files = list(selectors.evidence_for_report(report=report, user=request.user))
    rows = []
    for evidence in files:
        reveal = welfare.current_step(request.session, evidence.pk)
        following = welfare.step(reveal.number + 1) if reveal.number < welfare.LAST_STEP else None
        rows.append(
            {
                "file": evidence,
                "matches": list(evidence.matches.all()),
                "viewable": not evidence.is_quarantined and bool(evidence.width and evidence.stored_name),
                "reveal": reveal,
                "next": following,
                "exif": _exif_summary(evidence.exif),
                "hidden": hidden_content.staff_notes(evidence.details),
            }
        )
    context = {
        "report": report,
        "rows": rows,
        "may_download": selectors.can_download_original(request.user),
        "nav": "queue",
    }
    return _private(render(request, "evidence/report_evidence.html", context))


def _exif_summary(exif: dict) -> list[tuple[str, str]]:
    labels = (
        ("camera_make", "Camera make"),
        ("camera_model", "Camera model"),
        ("software", "Software"),
        ("datetime_original", "Taken"),
        ("datetime", "Changed"),
        ("gps_present", "Location recorded"),
        ("gps_latitude", "Latitude"),
        ("gps_longitude", "Longitude"),
        ("error", "Problem"),
    )
    out = []
    for key, label in labels:
        if key in (exif or {}):
            value = exif[key]
            out.append((label, ("Yes" if value else "No") if isinstance(value, bool) else str(value)))
    return out


@require_capability(Capability.VIEW_REPORT)
@require_GET
def image(request: HttpRequest, pk: int) -> HttpResponse:
    """The picture at the user's current reveal step (never a step they did not ask for with a POST)."""
    evidence = _evidence(request, pk)
    reveal = welfare.current_step(request.session, evidence.pk)
    try:
        data = services.image_for_staff(evidence=evidence, user=request.user, reveal_step=reveal.number)
    except (services.NotViewable, ValueError):
        raise Http404("This file is not shown") from None
    # A PNG rebuilt from pixels, shown only through <img> (which ignores the disposition); opened on its
    # own it is saved, not rendered as a page.
    response = HttpResponse(data, content_type="image/png")
    return _evidence_file_response(response, f"evidence-{evidence.pk}-step-{reveal.number}.png")


@require_capability(Capability.VIEW_REPORT)
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """One step towards full fidelity per POST, or back to the blurred thumbnail ("hide")."""
    evidence = _evidence(request, pk)
    current = welfare.current_step(request.session, evidence.pk)
    wanted = 0 if request.POST.get("action") == "hide" else min(current.number + 1, welfare.LAST_STEP)
    try:
        done = services.reveal_image(evidence=evidence, user=request.user, to_step=wanted)
    except services.NotViewable as refused:
        messages.error(request, str(refused))
    else:
        welfare.set_step(request.session, evidence.pk, done)
    url = reverse("evidence:report", kwargs={"reference": evidence.report.reference})
    return redirect(f"{url}#file-{evidence.pk}")


@require_capability(Capability.VIEW_REPORT)
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    if not selectors.can_download_original(request.user):
        return _private(HttpResponse("Your role does not allow downloading original files.", status=403))
    try:
        stream = services.download_original(evidence=evidence, user=request.user)
    except services.NotViewable:
        raise Http404("Nothing was stored for this file") from None
    response = StreamingHttpResponse(stream, content_type="application/octet-stream")
    response["Content-Length"] = str(evidence.size)
    # A neutral name: the reporter's file name could carry anything, the type must not be guessed from it.
    return _evidence_file_response(response, f"evidence-{evidence.pk}-{evidence.sha256[:12]}.bin")


@require_capability(Capability.VIEW_STAFF_EXPOSURE)
@require_GET
def exposure(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day, error = today, ""
    if raw := request.GET.get("day"):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            error = "Enter a real date, for example 2026-03-27"
        else:
            if day > today:
                day, error = today, "The date must be today or in the past"
    rows = selectors.daily_exposure(day=day, user=request.user)
    context = {
        "day": day,
        "rows": rows,
        "error": error,
        "raw_day": request.GET.get("day", day.isoformat()),
        "nav": "exposure",
    }
    return _private(render(request, "evidence/exposure.html", context, status=400 if error else 200))


# --- the self-reported hash list: a supervisor's review (issue 22) -------------------------------------

SELF_REPORTED_PAGE_SIZE = 50


@require_capability(Capability.REVIEW_SELF_REPORTED)
@require_GET
def self_reported_list(request: HttpRequest) -> HttpResponse:
    """Every self-reported hash, newest first, filtered by state and request, with platforms' counts."""
    form = SelfReportedFilterForm(request.GET or None)
    state = request_ref = ""
    if form.is_bound and form.is_valid():
        state, request_ref = form.cleaned_data["state"], form.cleaned_data["request"]
    try:
        rows = selectors.self_reported_for_review(user=request.user, state=state, request_ref=request_ref)
    except selectors.ReviewListError as error:
        form.add_error("request", str(error))
        rows = SharedHash.objects.none()
    page = Paginator(rows, SELF_REPORTED_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"state": state, "request": request_ref}
    if page.object_list:
        selectors.record_review_list_consultation(
            user=request.user, rows=page.object_list, filters=filters, page_number=page.number
        )
    context = {
        "nav": "self_reported",
        "form": form,
        "page": page,
        "filters": filters,
        "filter_query": urlencode({k: v for k, v in filters.items() if v}),
    }
    return _private(render(request, "evidence/self_reported_list.html", context, status=400 if form.errors else 200))


def _self_reported_page(request: HttpRequest, pk: int, form: SelfReportedReviewForm | None = None) -> HttpResponse:
    try:
        detail = selectors.self_reported_detail(user=request.user, shared_hash_id=pk)
    except SharedHash.DoesNotExist:
        raise Http404("No such self-reported hash") from None
    shared = detail.shared_hash
    next_decision = ReviewState.HELD if shared.review_state == ReviewState.SHARED else ReviewState.SHARED
    context = {
        "nav": "self_reported",
        "detail": detail,
        "hash": shared,
        "withdrawn": shared.state == "withdrawn",
        "next_decision": next_decision,
        "form": form or SelfReportedReviewForm(initial={"decision": next_decision}),
        "frames": shared.vpdq or [],
    }
    status = 400 if form is not None and form.errors else 200
    return _private(render(request, "evidence/self_reported_detail.html", context, status=status))


@require_capability(Capability.REVIEW_SELF_REPORTED)
@require_GET
def self_reported_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _self_reported_page(request, pk)


@require_capability(Capability.REVIEW_SELF_REPORTED)
@require_POST
def self_reported_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Hold a hash back from partners (they get a removal) or release it (they get it again), with a reason."""
    if not SharedHash.objects.filter(pk=pk).exists():
        raise Http404("No such self-reported hash")
    form = SelfReportedReviewForm(request.POST)
    if form.is_valid():
        try:
            shared = self_reported.review(
                shared_hash_id=pk,
                state=form.cleaned_data["decision"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except self_reported.SelfReportedHashError as refused:
            form.add_error(None, str(refused))
        else:
            held = shared.review_state == ReviewState.HELD
            messages.success(
                request,
                "Hash held back: partners are told to remove it from their copy of the list"
                if held
                else "Hash released: partners get it again on their next fetch",
            )
            return redirect("evidence:self_reported_detail", pk=pk)
    return _self_reported_page(request, pk, form)
