"""Your account (password change, forced at first sign-in), account requests and role changes (ADR 0102).

All under /staff/, so StaffTwoFactorMiddleware has made sure both sign-in factors are done first.
"""

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.audit.services import Actor

from . import passwords, two_person
from .account_forms import ChangePasswordForm, ChangeRoleForm
from .middleware import STAFF_PREFIX
from .models import AccountRequest, User
from .roles import Capability, has_capability, require_capability, role_change_needs_second_person, staff_home_url_name

WRONG_CURRENT_KEY = "wrong_current_passwords"


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(STAFF_PREFIX) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(staff_home_url_name(request.user))


def _add_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@require_http_methods(["GET"])
def your_account(request: HttpRequest) -> HttpResponse:
    can_vouch = has_capability(request.user, Capability.VIEW_REPORT)
    waiting = two_person.pending_for(request.user) if can_vouch else []
    return render(request, "accounts/your_account.html", {"can_vouch": can_vouch, "waiting": waiting, "nav": "account"})


@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Anyone fully signed in; a person still on a one-time password is sent here before anything else."""
    forced = passwords.must_choose_password(request.user)
    form = ChangePasswordForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.change_password(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
            if "current_password" in error.message_dict and _too_many_wrong_current_passwords(request):
                messages.success(request, "You have been signed out: your current password was wrong too often.")
                return redirect("accounts:login")
        else:
            request.session.pop(WRONG_CURRENT_KEY, None)
            messages.success(request, "Your password has been changed. You have been signed out everywhere else.")
            return redirect(_next_or_home(request))
    context = {
        "form": form,
        "forced": forced,
        "min_length": passwords.minimum_length(),
        "max_length": passwords.MAX_LENGTH,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "nav": "account",
    }
    return render(request, "accounts/change_password.html", context)


def _too_many_wrong_current_passwords(request: HttpRequest) -> bool:
    """Count a wrong current password in this session; at the limit, sign the session out (audited)."""
    wrong = request.session.get(WRONG_CURRENT_KEY, 0) + 1
    request.session[WRONG_CURRENT_KEY] = wrong
    if wrong < passwords.WRONG_CURRENT_PASSWORD_LIMIT:
        return False
    passwords.record_change_page_sign_out(user=request.user, wrong_in_a_row=wrong)
    auth_logout(request)
    return True


# --- the two-person rule ----------------------------------------------------------------------------------


@require_capability(Capability.VIEW_REPORT)
@require_http_methods(["GET"])
def account_requests(request: HttpRequest) -> HttpResponse:
    """The requests waiting for this person as the second person."""
    return render(
        request, "accounts/account_requests.html", {"waiting": two_person.pending_for(request.user), "nav": "account"}
    )


@require_capability(Capability.VIEW_REPORT)
@require_POST
def decide_request(request: HttpRequest, request_id: int) -> HttpResponse:
    account_request = get_object_or_404(AccountRequest, pk=request_id)
    if not two_person.can_decide(request.user, account_request):
        raise PermissionDenied("You cannot decide this request")
    decision = request.POST.get("decision")
    actor = Actor.of(request.user)
    if decision == "decline":
        two_person.decline(actor=actor, account_request=account_request)
        messages.success(request, f"Declined: {account_request}. Nothing was changed.")
        return redirect("accounts:account_requests")
    if decision != "approve":
        return redirect("accounts:account_requests")
    try:
        done = two_person.approve(actor=actor, account_request=account_request)
    except ValidationError as error:
        # For example a username taken since the request was made: nothing changed, the request still waits.
        context = {"waiting": two_person.pending_for(request.user), "problems": error.messages, "nav": "account"}
        return render(request, "accounts/account_requests.html", context, status=409)
    # Shown once, to the approver only, never stored in the clear (staff pages are not cached).
    return render(request, "accounts/request_approved.html", {"done": done})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    if person.pk == request.user.pk:
        raise PermissionDenied("Another administrator must change your own role")
    form = ChangeRoleForm(data=request.POST if request.method == "POST" else None, initial={"role": person.role})
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        actor = Actor.of(request.user)
        try:
            if role_change_needs_second_person(person.role, role):
                two_person.request_role_change(actor=actor, user=person, role=role)
                messages.success(
                    request,
                    f"Role change for {person.username} requested. Someone who is already {_role_words(role)}, "
                    "or a supervisor, must approve it. They will be given a new one-time password for the person.",
                )
            else:
                two_person.change_role(actor=actor, user=person, role=role)
                messages.success(request, f"{person.username} is now {_role_words(role)}.")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("accounts:users")
    return render(request, "accounts/change_role.html", {"form": form, "person": person, "nav": "users"})


def _role_words(role: str) -> str:
    label = dict(User._meta.get_field("role").choices)[role].lower()
    return f"an {label}" if label[0] in "aeiou" else f"a {label}"
