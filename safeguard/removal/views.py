"""The Remove it pages (/remove-it/). Thin: the rules are in services, selectors and journey (the session)."""

import logging

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import journey, selectors, services
from .forms import ComeBackForm, HashesForm, ThreatForm, WithdrawForm, new_form_token
from .references import new_reference, new_secret

logger = logging.getLogger(__name__)

# The picture is read on the device: a video is decoded from a blob: URL, an image may be drawn from one.
HASHING_CSP = {"media-src": [SELF, "blob:"], "img-src": ["blob:"], "worker-src": [SELF, "blob:"]}


def _rate(group, request):
    return settings.SAFEGUARD_REMOVE_IT_RATE


def _too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "removal/rate_limited.html", {}, status=429)
    response["Retry-After"] = "3600"
    return response


def _item_error(error: services.RemovalError) -> str:
    """The list's words, naming which picture when it was one of several."""
    message = str(error)
    if error.index is not None:
        return f"Picture or video {error.index + 1}: {message}"
    return message


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "removal/start.html", {"choose_url": reverse("removal:choose")})


def _chooser_context(form: HashesForm, **extra) -> dict:
    return {"form": form, "form_token": form["form_token"].value() or new_form_token(), **extra}


@csp_update(HASHING_CSP)
@require_http_methods(["GET", "POST"])
@ratelimit(group="remove-it", key="ip", rate=_rate, method="POST", block=False)
def choose(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    form = HashesForm()
    if request.method == "POST":
        form = HashesForm(data=request.POST)
        if request.POST.get("website"):  # only bots fill in the honeypot: look like success, keep nothing
            logger.warning("Remove it honeypot filled in; nothing stored")
            journey.remember_sent(
                request.session, reference=new_reference(), secret=new_secret(), count=1, threatened=False
            )
            return redirect("removal:sent")
        if form.is_valid():
            try:
                sent = services.submit(
                    items=form.cleaned_data["hashes"],
                    threatened=form.cleaned_data["threatened"],
                    form_token=form.cleaned_data["form_token"],
                )
            except services.RemovalError as refused:
                form.add_error("hashes", _item_error(refused))
            else:
                if not sent.replayed:
                    journey.remember_sent(
                        request.session,
                        reference=sent.removal.reference,
                        secret=sent.secret,
                        count=sent.removal.item_count,
                        threatened=sent.removal.threatened,
                    )
                elif not journey.take_shown(request.session, journey.SENT_KEY):
                    journey.remember_sent(
                        request.session,
                        reference=sent.removal.reference,
                        secret="",
                        count=sent.removal.item_count,
                        threatened=sent.removal.threatened,
                    )
                return redirect("removal:sent")
    return render(
        request,
        "removal/choose.html",
        _chooser_context(form, back_url=reverse("removal:start"), report_url=reverse("reporting:start")),
    )


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    shown = journey.take_shown(request.session, journey.SENT_KEY) or {}
    return render(
        request,
        "removal/sent.html",
        {"shown": shown, "nothing_to_show": not shown, "shown_minutes": journey.secret_shown_minutes()},
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="remove-it", key="ip", rate=_rate, method="POST", block=False)
def come_back(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    if request.method == "GET" and journey.signed_in_request(request.session) is not None:
        return redirect("removal:your_pictures")
    form = ComeBackForm()
    if request.method == "POST":
        form = ComeBackForm(data=request.POST)
        if form.is_valid():
            removal = services.check(reference=form.cleaned_data["reference"], secret=form.cleaned_data["secret"])
            if removal is not None:
                journey.sign_in(request.session, removal)
                return redirect("removal:your_pictures")
            form.add_error("reference", services.WRONG_DETAILS_MESSAGE)
    return render(request, "removal/come_back.html", {"form": form, "back_url": reverse("removal:start")})


@require_GET
def your_pictures(request: HttpRequest) -> HttpResponse:
    removal = journey.signed_in_request(request.session)
    if removal is None:
        return redirect("removal:come_back")
    found = selectors.status(removal=removal)
    return render(
        request,
        "removal/your_pictures.html",
        {"removal": removal, "status_lines": selectors.status_in_words(found, withdrawn=removal.withdrawn)},
    )


@csp_update(HASHING_CSP)
@require_http_methods(["GET", "POST"])
@ratelimit(group="remove-it", key="ip", rate=_rate, method="POST", block=False)
def add_more(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    removal = journey.signed_in_request(request.session)
    if removal is None:
        return redirect("removal:come_back")
    form = HashesForm()
    if removal.withdrawn:
        # A kind, clear refusal: the page says why and what they can do instead; no chooser.
        return render(
            request,
            "removal/add_more.html",
            {
                "removal": removal,
                "refused": services.withdrawn_message(removal),
                "back_url": reverse("removal:your_pictures"),
            },
        )
    if request.method == "POST":
        form = HashesForm(data=request.POST)
        if form.is_valid():
            try:
                added = services.add_more_to(removal=removal, items=form.cleaned_data["hashes"])
            except services.RemovalError as refused:
                form.add_error("hashes", _item_error(refused))
            else:
                what = "picture or video" if added == 1 else "pictures or videos"
                messages.success(request, f"We have shared the codes for {added} more {what} with platforms.")
                return redirect("removal:your_pictures")
    return render(
        request,
        "removal/add_more.html",
        _chooser_context(
            form,
            removal=removal,
            back_url=reverse("removal:your_pictures"),
            report_url=reverse("reporting:start"),
        ),
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="remove-it", key="ip", rate=_rate, method="POST", block=False)
def withdraw(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    removal = journey.signed_in_request(request.session)
    if removal is None:
        return redirect("removal:come_back")
    if removal.withdrawn:
        return redirect("removal:your_pictures")
    form = WithdrawForm()
    if request.method == "POST":
        form = WithdrawForm(data=request.POST)
        if form.is_valid():
            services.withdraw_request(removal=removal)
            messages.success(request, "You have taken your codes back. Platforms have been told to stop using them.")
            return redirect("removal:your_pictures")
    return render(
        request,
        "removal/withdraw.html",
        {"form": form, "removal": removal, "back_url": reverse("removal:your_pictures")},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    journey.sign_out(request.session)
    return redirect("removal:start")


@require_http_methods(["GET", "POST"])
@ratelimit(group="remove-it", key="ip", rate=_rate, method="POST", block=False)
def threatened(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    form = ThreatForm()
    if request.method == "POST":
        form = ThreatForm(data=request.POST)
        if request.POST.get("website"):
            logger.warning("Remove it threat form honeypot filled in; nothing stored")
            journey.remember_threat_report(request.session, reference=f"SG-{new_reference()[3:]}", secret=new_secret())
            return redirect("removal:threat_sent")
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.report_threat(
                    consent=data["consent"],
                    danger_now=data["danger_now"],
                    platform_name=data["platform_name"],
                    subject_identifiers=data["subject_identifiers"],
                    account=data["account"],
                    age=data["age"],
                    removal=journey.signed_in_request(request.session),
                )
            except services.RemovalError as refused:
                form.add_error("consent", str(refused))
            else:
                journey.remember_threat_report(request.session, reference=report.reference, secret=report.secret)
                return redirect("removal:threat_sent")
    danger_options = [
        {"id": f"id_danger_now_{n}", "value": value, "label": label, "checked": form["danger_now"].value() == value}
        for n, (value, label) in enumerate(ThreatForm.DANGER_CHOICES)
    ]
    return render(
        request,
        "removal/threatened.html",
        {"form": form, "danger_options": danger_options, "back_url": reverse("removal:start")},
    )


@require_GET
def threat_sent(request: HttpRequest) -> HttpResponse:
    shown = journey.take_shown(request.session, journey.THREAT_SENT_KEY) or {}
    return render(
        request,
        "removal/threat_sent.html",
        {"shown": shown, "nothing_to_show": not shown, "shown_minutes": journey.secret_shown_minutes()},
    )
