"""Staff sign-in in two steps (password, then a one-time code), enrolment, sign-out and accounts.

The sign-in pages are the only pages under /staff/ that StaffTwoFactorMiddleware lets through before
both factors are done, so each one checks for itself which step the session is at.
"""

import logging
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.audit.services import Actor

from . import services, sign_in_events, totp, two_person
from .forms import CodeForm, NewStaffUserForm, SignInForm
from .middleware import STAFF_PREFIX, needs_two_factor_redirect
from .models import User
from .roles import Capability, needs_second_person, require_capability, staff_home_url_name
from .services import CodeOutcome

logger = logging.getLogger(__name__)

LOCKED_STATUS = 429


def _safe_next(request: HttpRequest) -> str:
    """The staff page the person was heading for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(STAFF_PREFIX) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _home(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(_safe_next(request) or reverse(staff_home_url_name(request.user)))


def _locked_out(request: HttpRequest) -> HttpResponse:
    """End the half-finished sign-in and explain the lock (same page django-axes shows for passwords)."""
    username = request.user.get_username() if request.user.is_authenticated else ""
    auth_logout(request)
    context = {"username": username, "cooloff_timedelta": settings.AXES_COOLOFF_TIME}
    return render(request, "accounts/locked_out.html", context, status=LOCKED_STATUS)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return _home(request)
    next_url = _safe_next(request)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        sign_in_events.password_accepted(request, form.user)
        auth_login(request, form.user)  # a new session key: nothing from before sign-in carries over
        step = needs_two_factor_redirect(request.user)
        return redirect(_with_next(step or staff_home_url_name(request.user), next_url))
    # A locked-out attempt is turned into the locked-out page by django-axes's middleware.
    # ?expired=1: StaffTwoFactorMiddleware sent a form here that arrived after the session ended.
    expired = request.method == "GET" and request.GET.get("expired") == "1"
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url, "expired": expired})


def _code_outcome_response(request, form, outcome: CodeOutcome, device, template, context):
    if outcome is CodeOutcome.ACCEPTED:
        django_otp.login(request, device)
        request.session.cycle_key()  # a fresh key once fully signed in
        logger.info("Staff sign-in completed for %s", request.user.username)
        return _home(request)
    if outcome is CodeOutcome.LOCKED:
        return _locked_out(request)
    if outcome is CodeOutcome.TOO_SOON:
        form.add_error("code", "Wait a few seconds, then enter the code your app shows now")
    else:
        form.add_error("code", "The code is not right. Enter the code your authenticator app shows now")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(_with_next("accounts:login", _safe_next(request)))
    if request.user.is_verified():
        return _home(request)
    device = services.confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("accounts:enrol", _safe_next(request)))
    if services.is_two_factor_locked(device):
        return _locked_out(request)
    form = CodeForm(data=request.POST if request.method == "POST" else None)
    context = {"form": form, "next": _safe_next(request)}
    if request.method == "POST" and form.is_valid():
        outcome = services.check_code(user=request.user, device=device, code=form.cleaned_data["code"])
        return _code_outcome_response(request, form, outcome, device, "accounts/verify.html", context)
    return render(request, "accounts/verify.html", context)


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(_with_next("accounts:login", _safe_next(request)))
    if services.confirmed_device(request.user) is not None:
        # Replacing a device needs an administrator: a stolen password must not be enough to enrol a new one.
        return redirect(_with_next("accounts:verify", _safe_next(request)))
    device = services.start_enrolment(user=request.user)
    if services.is_two_factor_locked(device):
        return _locked_out(request)
    form = CodeForm(data=request.POST if request.method == "POST" else None)
    context = {
        "form": form,
        "next": _safe_next(request),
        "qr_svg": totp.qr_svg(device),
        "secret": totp.secret_for_reading(device),
    }
    if request.method == "POST" and form.is_valid():
        outcome = services.confirm_enrolment(user=request.user, device=device, code=form.cleaned_data["code"])
        if outcome is CodeOutcome.ACCEPTED:
            messages.success(request, "Your authenticator app is set up. You will need a code from it each time.")
        return _code_outcome_response(request, form, outcome, device, "accounts/enrol.html", context)
    return render(request, "accounts/enrol.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    sign_in_events.signed_out(request)
    auth_logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:login")


@require_capability(Capability.MANAGE_USERS)
def users(request: HttpRequest) -> HttpResponse:
    accounts = User.objects.order_by("username").prefetch_related("totpdevice_set")
    rows = [{"user": u, "enrolled": any(d.confirmed for d in u.totpdevice_set.all())} for u in accounts]
    waiting = two_person.pending_requests()
    return render(request, "accounts/users.html", {"rows": rows, "nav": "users", "waiting": waiting})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def new_user(request: HttpRequest) -> HttpResponse:
    form = NewStaffUserForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if needs_second_person(form.cleaned_data["role"]):  # the two-person rule (accounts/two_person.py)
                asked = two_person.request_account(actor=Actor.of(request.user), **form.cleaned_data)
                return render(request, "accounts/request_made.html", {"asked": asked, "nav": "users"})
            created = services.create_staff_user(actor=Actor.of(request.user), **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            # Shown once, never stored in the clear: the page is not cached (see core middleware).
            return render(request, "accounts/user_created.html", {"created": created})
    return render(request, "accounts/user_new.html", {"form": form, "nav": "users"})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def reset_sign_in(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET asks to confirm (it cannot be undone); POST issues a new one-time password and removes the authenticator.

    For an account that reads reports it only asks: a second person approves and is given the password.
    """
    person = get_object_or_404(User, pk=user_id)
    second_person = needs_second_person(person.role)
    if request.method == "GET":
        context = {"person": person, "nav": "users", "second_person": second_person}
        return render(request, "accounts/reset_sign_in.html", context)
    if second_person:
        asked = two_person.request_reset(actor=Actor.of(request.user), user=person)
        return render(request, "accounts/request_made.html", {"asked": asked, "nav": "users"})
    password = services.reset_sign_in(actor=Actor.of(request.user), user=person)
    return render(request, "accounts/reset_done.html", {"person": person, "password": password, "nav": "users"})
