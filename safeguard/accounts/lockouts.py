"""Sign-in lockouts as people see them, and unlocking them (supervisors and administrators, ADR 0103).

Three kinds, all ending by themselves after AXES_COOLOFF_TIME without another failure:
- a username at one address (AXES_FAILURE_LIMIT wrong passwords for it from there),
- an address (SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT wrong passwords from it, any usernames),
- one-time codes (TOTP_FAILURE_LIMIT wrong codes in a row, kept on the person's authenticator device).
"""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as reset_attempts
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.audit.services import Action, Actor, record

from . import sign_in_events
from .models import User
from .roles import Capability, check_capability
from .services import TOTP_FAILURE_LIMIT

USERNAME_AT_ADDRESS = "username_at_address"
ADDRESS = "address"
ONE_TIME_CODES = "one_time_codes"
KIND_LABELS = {
    USERNAME_AT_ADDRESS: "Username at this address",
    ADDRESS: "Every username from this address",
    ONE_TIME_CODES: "One-time codes, from any address",
}


@dataclass(frozen=True)
class Lockout:
    kind: str
    username: str  # "" for an address lockout
    address: str  # "" for a one-time code lockout (it holds wherever the person signs in from)
    failures: int
    last_failure: datetime
    until: datetime
    known_username: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _password_lockouts(since: datetime) -> list[Lockout]:
    cooloff = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    per_username = (
        recent.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    for row in per_username:
        found.append(
            (USERNAME_AT_ADDRESS, row["username"] or "", row["ip_address"] or "", row["failures"], row["last"])
        )
    per_address = (
        recent.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT)
    )
    for row in per_address:
        found.append((ADDRESS, "", row["ip_address"] or "", row["failures"], row["last"]))
    known = set(User.objects.filter(username__in={f[1] for f in found if f[1]}).values_list("username", flat=True))
    return [
        Lockout(kind, username, address, failures, last, last + cooloff, username in known)
        for kind, username, address, failures, last in found
    ]


def _code_lockouts(since: datetime) -> list[Lockout]:
    devices = TOTPDevice.objects.filter(
        throttling_failure_count__gte=TOTP_FAILURE_LIMIT, throttling_failure_timestamp__gte=since
    ).select_related("user")
    return [
        Lockout(
            ONE_TIME_CODES,
            device.user.username,
            "",
            device.throttling_failure_count,
            device.throttling_failure_timestamp,
            device.throttling_failure_timestamp + settings.AXES_COOLOFF_TIME,
            True,
        )
        for device in devices
    ]


def current_lockouts(*, user, kind: str = "", username: str = "", address: str = "") -> list[Lockout]:
    """Lockouts in force now, latest first; optionally only the one named. Records this consultation."""
    check_capability(user, Capability.UNLOCK_ACCOUNTS)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    lockouts = _password_lockouts(since) + _code_lockouts(since)
    if kind:
        lockouts = [lo for lo in lockouts if (lo.kind, lo.username, lo.address) == (kind, username, address)]
    lockouts.sort(key=lambda lo: lo.last_failure, reverse=True)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("axes.accessattempt", "lockouts"),
        detail={"lockouts_shown": len(lockouts)},
    )
    return lockouts


def _clear_code_lock(username: str) -> bool:
    cleared = False
    for device in TOTPDevice.objects.filter(user__username=username, throttling_failure_count__gt=0):
        device.throttle_reset(commit=True)
        cleared = True
    return cleared


def unlock(*, actor: Actor, kind: str, username: str = "", address: str = "") -> int:
    """Clear one lockout now; returns the failed attempts cleared. Audited with who unlocked.

    A username's unlock clears its two-factor lock too, if it has one: the person is then asked for their
    password (and code) again as normal.
    """
    if actor.user is not None:
        check_capability(actor.user, Capability.UNLOCK_ACCOUNTS)
    if kind not in KIND_LABELS:
        raise ValueError(f"Unknown kind of lockout: {kind!r}")
    if kind == ADDRESS and not address:
        raise ValueError("An address lockout needs its address")
    if kind != ADDRESS and not username:
        raise ValueError("This lockout needs its username")
    with transaction.atomic():
        cleared = 0
        if kind == USERNAME_AT_ADDRESS:
            cleared = reset_attempts(ip=address or None, username=username)
        elif kind == ADDRESS:
            cleared = reset_attempts(ip=address)
        codes_cleared = _clear_code_lock(username) if username else False
        person = User.objects.filter(username=username).first() if username else None
        if person is not None:
            obj = person
        elif kind == ADDRESS:
            obj = ("axes.accessattempt", address)
        else:
            obj = sign_in_events.UNKNOWN_USER
        sign_in_events.record_event(
            sign_in_events.UNLOCKED,
            obj=obj,
            actor=actor,
            action=Action.ALTERATION,
            lockout=kind,
            username=sign_in_events.attempted_username(username),
            locked_address=address,
            failed_attempts_cleared=cleared,
            two_factor_lock_cleared=codes_cleared,
        )
    return cleared
