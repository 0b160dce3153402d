"""Staff evidence pages: the files of a report, images blurred by default, reveal step by step, download.

Every picture is a PNG rebuilt from pixels (welfare.py); originals are only ever downloaded, as attachments.
All under /staff/, so two-factor sign-in and `Cache-Control: no-store` apply (core middleware); the views
set no-store again themselves so the rule does not hang on a URL prefix.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from safeguard.accounts.roles import Capability, require_capability
from safeguard.reporting.selectors import find_report

from . import hidden_content, selectors, services, welfare
from .models import EvidenceFile

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
