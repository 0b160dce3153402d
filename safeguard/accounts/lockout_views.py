"""The locked sign-ins page: supervisors and administrators see current lockouts and unlock them (ADR 0103)."""

import ipaddress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.audit.services import Actor

from . import lockouts
from .roles import Capability, require_capability


def unlock_url(lockout: lockouts.Lockout) -> str:
    query = {"kind": lockout.kind, "username": lockout.username, "address": lockout.address}
    return f"{reverse('accounts:unlock')}?{urlencode(query)}"


@require_capability(Capability.UNLOCK_ACCOUNTS)
@require_GET
def locked(request: HttpRequest) -> HttpResponse:
    rows = [{"lockout": lo, "unlock_url": unlock_url(lo)} for lo in lockouts.current_lockouts(user=request.user)]
    context = {"rows": rows, "nav": "locked", "cooloff_seconds": settings.AXES_COOLOFF_TIME.total_seconds()}
    return render(request, "accounts/locked.html", context)


def _named(data) -> tuple[str, str, str] | None:
    """(kind, username, address) from a query or form, or None if they cannot name a lockout."""
    kind = str(data.get("kind", ""))
    username = str(data.get("username", ""))[:150]
    address = str(data.get("address", ""))
    if kind not in lockouts.KIND_LABELS:
        return None
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            return None
    return kind, username, address


@require_capability(Capability.UNLOCK_ACCOUNTS)
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST clears the lockout and goes back to the list."""
    named = _named(request.POST if request.method == "POST" else request.GET)
    if named is None:
        messages.success(request, "That lockout has already ended or been cleared.")
        return redirect("accounts:locked")
    kind, username, address = named
    if request.method == "POST":
        lockouts.unlock(actor=Actor.of(request.user), kind=kind, username=username, address=address)
        who = username or address
        messages.success(request, f"Unlocked sign-in for {who}. They can try again now.")
        return redirect("accounts:locked")
    found = lockouts.current_lockouts(user=request.user, kind=kind, username=username, address=address)
    context = {"lockout": found[0] if found else None, "nav": "locked"}
    return render(request, "accounts/unlock.html", context)
