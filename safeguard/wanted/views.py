"""Public Most Wanted pages: the list, one page per person, alerts and sightings.

The list, person pages, photos and feed are cacheable (short public max-age plus ETag/Last-Modified) and
carry no CSRF token, so shared caches may keep them; the forms live on their own pages, never cached.
A located person's details disappear at once for anyone revalidating: Last-Modified moves with status.
"""

import hashlib
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from . import alerts, page_cache, selectors
from .forms import SightingForm, SubscribeForm
from .models import WantedPerson, WantedStatus
from .sightings import SightingDetails, report_sighting

logger = logging.getLogger(__name__)

PUBLIC_MAX_AGE = 60  # seconds: short, so a located person's details leave shared caches within a minute
SIGHTING_SESSION_KEY = "wanted_sighting_reference"


def _subscribe_ip_rate(group, request):
    return getattr(settings, "SAFEGUARD_WANTED_SUBSCRIBE_RATE", "10/h")


def _subscribe_address_rate(group, request):
    return getattr(settings, "SAFEGUARD_WANTED_SUBSCRIBE_ADDRESS_RATE", "3/d")


def _report_rate(group, request):
    return settings.SAFEGUARD_REPORT_RATE


def _address_key(group, request) -> str:
    # Hashed so the cache never holds the address itself.
    address = alerts.normalise_email(request.POST.get("email", "")).lower()
    return hashlib.sha256(address.encode()).hexdigest()


def _etag(stamp) -> str | None:
    return hashlib.sha256(str(stamp).encode()).hexdigest()[:32] if stamp else None


def _list_last_change(request):
    return page_cache.remembered(request=request, name="list-last-change", compute=selectors.public_last_change)


def _person_last_change(request, public_id):
    return page_cache.remembered(
        request=request,
        name=f"person-last-change:{public_id}",
        compute=lambda: selectors.public_person_last_change(public_id),
    )


def _list_last_modified(request):
    return _list_last_change(request)


def _list_etag(request):
    return _etag(_list_last_change(request))


def _person_last_modified(request, public_id):
    return _person_last_change(request, public_id)


def _person_etag(request, public_id):
    return _etag(_person_last_change(request, public_id))


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _too_many(request: HttpRequest, what: str) -> HttpResponse:
    response = render(request, "wanted/rate_limited.html", {"what": what}, status=429)
    response["Retry-After"] = "3600"
    return response


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_list_etag, last_modified_func=_list_last_modified)
def wanted_list(request: HttpRequest) -> HttpResponse:
    return page_cache.page(
        request=request,
        name="list",
        render=lambda extra: render(
            request,
            "wanted/list.html",
            {
                "people": selectors.published_people(),
                "found": selectors.recently_found_lines(),
                "canonical_url": _absolute(request, reverse("wanted:list")),
                "feed_url": _absolute(request, reverse("wanted:feed")),
                **extra,
            },
        ),
    )


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_person_etag, last_modified_func=_person_last_modified)
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    return page_cache.page(
        request=request, name=f"person:{public_id}", render=lambda extra: _render_person(request, public_id, extra)
    )


def _render_person(request: HttpRequest, public_id: str, extra: dict) -> HttpResponse:
    found = selectors.public_person(public_id)
    if found is None:
        raise Http404("No such record")
    if not found.is_public_in_full:
        return render(request, "wanted/located.html", {"person": found, **extra})
    page_url = _absolute(request, reverse("wanted:person", args=[public_id]))
    return render(
        request,
        "wanted/person.html",
        {
            "person": found,
            "canonical_url": page_url,
            "photo_url": _absolute(request, reverse("wanted:photo", args=[public_id])),
            **extra,
        },
    )


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_person_etag, last_modified_func=_person_last_modified)
def photo(request: HttpRequest, public_id: str) -> HttpResponse:
    return page_cache.page(request=request, name=f"photo:{public_id}", render=lambda extra: _photo(public_id))


def _photo(public_id: str) -> HttpResponse:
    # Only while published: the photo goes with the rest of the details when a person is located.
    row = (
        WantedPerson.objects.filter(public_id=public_id, status=WantedStatus.PUBLISHED)
        .values_list("photo_png", flat=True)
        .first()
    )
    if not row:
        raise Http404("No photo")
    return HttpResponse(bytes(row), content_type="image/png")


# --- sightings -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="wanted-sighting", key="ip", rate=_report_rate, method="POST", block=False)
def sighting(request: HttpRequest, public_id: str) -> HttpResponse:
    found = selectors.public_person(public_id)
    if found is None:
        raise Http404("No such record")
    if not found.is_public_in_full:
        return render(request, "wanted/located.html", {"person": found})
    form = SightingForm()
    failed = False
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request, "sighting reports")
        form = SightingForm(data=request.POST)
        if request.POST.get("website"):  # the honeypot: only bots fill it in; say nothing different
            return redirect("wanted:sighting_sent", public_id=public_id)
        if form.is_valid():
            data = form.cleaned_data
            details = SightingDetails(
                seen_on=data["seen_on"],
                seen_time=data["seen_time"],
                seen_where=data["seen_where"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
            )
            try:
                created = report_sighting(person=found, details=details)
            except Exception:
                logger.exception("A sighting could not be saved; the form is shown again with what was typed")
                failed = True
            else:
                request.session[SIGHTING_SESSION_KEY] = created.report.reference
                return redirect("wanted:sighting_sent", public_id=public_id)
    return render(
        request,
        "wanted/sighting.html",
        {"person": found, "form": form, "failed": failed},
        status=500 if failed else 200,
    )


@never_cache
@require_GET
def sighting_sent(request: HttpRequest, public_id: str) -> HttpResponse:
    found = selectors.public_person(public_id)
    if found is None:
        raise Http404("No such record")
    reference = request.session.pop(SIGHTING_SESSION_KEY, "")
    return render(request, "wanted/sighting_sent.html", {"person": found, "reference": reference})


# --- alerts --------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="wanted-subscribe-ip", key="ip", rate=_subscribe_ip_rate, method="POST", block=False)
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(initial={"area": request.GET.get("area", "")})
    failed = False
    if request.method == "POST":
        form = SubscribeForm(data=request.POST)
        if request.POST.get("website"):
            return redirect("wanted:check_email")
        if getattr(request, "limited", False):
            return _too_many(request, "alert sign-ups")
        if form.is_valid():
            if _address_limited(request):
                return _too_many(request, "alert sign-ups for this email address")
            try:
                alerts.send_confirmation_email(email=form.cleaned_data["email"], area=form.cleaned_data["area"])
            except Exception:
                logger.exception("Could not send a Most Wanted confirmation email")
                failed = True
            else:
                return redirect("wanted:check_email")
    return render(request, "wanted/subscribe.html", {"form": form, "failed": failed}, status=503 if failed else 200)


def _address_limited(request: HttpRequest) -> bool:
    """Counted only for well-formed addresses, so typos do not use up someone's allowance."""
    from django_ratelimit.core import is_ratelimited

    return is_ratelimited(
        request, group="wanted-subscribe-address", key=_address_key, rate=_subscribe_address_rate, increment=True
    )


@never_cache
@require_GET
def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "wanted/check_email.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST subscribes, so mail scanners that open links confirm nothing."""
    try:
        email, area = alerts.read_confirmation_token(token)
    except alerts.InvalidLink as error:
        return render(request, "wanted/link_problem.html", {"problem": str(error)}, status=400)
    if request.method == "POST":
        alerts.confirm_subscription(token)
        return render(request, "wanted/confirmed.html", {"area": area})
    return render(request, "wanted/confirm.html", {"email": email, "area": area})


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no CSRF token; the link is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        alerts.read_unsubscribe_token(token)
    except alerts.InvalidLink as error:
        return render(request, "wanted/link_problem.html", {"problem": str(error)}, status=400)
    if request.method == "POST":
        alerts.unsubscribe(token)
        return render(request, "wanted/unsubscribed.html")
    return render(request, "wanted/unsubscribe.html", {"token": token})
