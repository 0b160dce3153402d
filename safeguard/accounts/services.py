"""Writes for staff accounts: creating them, enrolling a second factor and checking its codes."""

import enum
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.audit.services import Action, Actor, record

from . import sign_in_events
from .models import AccountRequest, Role, User
from .passwords import ONE_TIME_FIELDS, one_time_fields, set_one_time_password
from .roles import Capability, check_capability, needs_second_person

logger = logging.getLogger(__name__)

# Wrong codes in a row that lock the account for AXES_COOLOFF_TIME (the same period as wrong passwords).
# Below this, django-otp's own throttling already makes each retry wait twice as long as the last.
TOTP_FAILURE_LIMIT = 5
DEVICE_NAME = "Authenticator app"


class CodeOutcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    TOO_SOON = "too_soon"  # django-otp's back-off: the code was not even checked
    LOCKED = "locked"


class SecondPersonRequired(PermissionDenied):
    """The two-person rule (ADR 0102): this change to an account that reads reports needs an approved request."""


def _check_account_change(
    *, actor: Actor, role: str, kinds: tuple[str, ...], approval: AccountRequest | None, target=None
) -> None:
    """Who may make this change: the system; an administrator, for roles that read no reports; else an approval."""
    if actor.user is None:
        return  # management commands and demo data (Actor.system)
    if approval is not None:
        if not approval.authorises(user=actor.user, kinds=kinds, target=target) or approval.role != role:
            raise SecondPersonRequired("That request has not been approved by you")
        return
    check_capability(actor.user, Capability.MANAGE_USERS)
    if needs_second_person(role):
        raise SecondPersonRequired(f"An account that reads reports ({role}) needs a second person to approve it")


@dataclass(frozen=True)
class NewStaffUser:
    user: User
    temporary_password: str


def new_temporary_password() -> str:
    """Four groups of five characters: long enough to be safe, short enough to read out once."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    chars = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(chars[i : i + 5] for i in range(0, 20, 5))


def create_staff_user(
    *,
    actor: Actor,
    username: str,
    role: Role | str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    approval: AccountRequest | None = None,
) -> NewStaffUser:
    """Create an account with a one-time password. The person enrols their authenticator at first sign-in.

    For a role that reads reports a person (not the system) needs `approval`: the approved AccountRequest they
    decided (accounts/two_person.py). The password works for one sign-in, before it expires.
    """
    _check_account_change(actor=actor, role=role, kinds=(AccountRequest.Kind.CREATE,), approval=approval)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "Enter a username"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"There is already an account called {username}"})
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(Role.values)}"})
    password = new_temporary_password()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            **one_time_fields(),
        )
        detail = {"event": "staff_account_created", "role": role}
        if approval is not None:
            detail |= {"account_request": approval.pk, "requested_by": approval.requested_by.username}
        record(action=Action.COLLECTION, actor=actor, obj=user, detail=detail)
    return NewStaffUser(user=user, temporary_password=password)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def start_enrolment(*, user) -> TOTPDevice:
    """The unconfirmed device this user is enrolling, created on first visit and kept until confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def is_two_factor_locked(device: TOTPDevice) -> bool:
    """Locked after TOTP_FAILURE_LIMIT wrong codes in a row, until the cool-off since the last one passes.

    Kept on the device, not the session or address, so signing in again with the password does not
    reset it (a correct password resets the password lockout, by design of AXES_RESET_ON_SUCCESS).
    """
    if device.throttling_failure_count < TOTP_FAILURE_LIMIT or device.throttling_failure_timestamp is None:
        return False
    return timezone.now() - device.throttling_failure_timestamp < settings.AXES_COOLOFF_TIME


def check_code(*, user, device: TOTPDevice, code: str) -> CodeOutcome:
    """Check a one-time code against the device, with throttling, lockout and an audit entry on lockout."""
    if device.user_id != user.pk:
        raise PermissionError("That device belongs to someone else")
    with transaction.atomic():
        # Lock the row so two requests at once cannot both spend the same failure budget or code.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if is_two_factor_locked(device):
            return CodeOutcome.LOCKED
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            return CodeOutcome.TOO_SOON
        if device.verify_token(code):
            sign_in_events.code_accepted(user, enrolling=not device.confirmed)
            return CodeOutcome.ACCEPTED
        logger.warning("Wrong two-factor code for %s (%d in a row)", user.username, device.throttling_failure_count)
        if is_two_factor_locked(device):
            record(
                action=Action.ALTERATION,
                actor=Actor.of(user),
                obj=user,
                detail={
                    "event": "two_factor_locked",
                    "wrong_codes_in_a_row": device.throttling_failure_count,
                    **sign_in_events.client_detail(),
                },
            )
            logger.warning("Account %s locked after repeated wrong two-factor codes", user.username)
            return CodeOutcome.LOCKED
        sign_in_events.code_refused(
            user, enrolling=not device.confirmed, wrong_codes_in_a_row=device.throttling_failure_count
        )
    return CodeOutcome.WRONG


def confirm_enrolment(*, user, device: TOTPDevice, code: str) -> CodeOutcome:
    """Confirm a new device with its first code; only then does it count as the user's second factor."""
    if device.confirmed:
        raise ValueError("This device is already confirmed")
    outcome = check_code(user=user, device=device, code=code)
    if outcome is CodeOutcome.ACCEPTED:
        with transaction.atomic():
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
            detail = {"event": "two_factor_enrolled", **sign_in_events.client_detail()}
            record(action=Action.ALTERATION, actor=Actor.of(user), obj=user, detail=detail)
    return outcome


def reset_sign_in(*, actor: Actor, user, approval: AccountRequest | None = None) -> str:
    """For a lost phone, a forgotten password or a lockout: start the person's sign-in again. Returns the password.

    Issues a new one-time password (returned, shown once), removes their authenticator, clears password
    lockouts and ends their sessions (the password changes). At the next sign-in they enrol a new authenticator
    and choose their own password before seeing anything. For an account that reads reports a person needs
    `approval` (accounts/two_person.py), so the secret goes to the approver, never the administrator.
    """
    from axes.utils import reset as reset_password_lockouts

    # A raise to a role that reads reports starts the person's sign-in again too (ADR 0102).
    kinds = (AccountRequest.Kind.RESET, AccountRequest.Kind.RAISE)
    _check_account_change(actor=actor, role=user.role, kinds=kinds, approval=approval, target=user)
    password = new_temporary_password()
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        set_one_time_password(user, password)
        user.save(update_fields=["password", *ONE_TIME_FIELDS])
        reset_password_lockouts(username=user.username)
        detail = {
            "event": "sign_in_reset",
            "authenticators_removed": removed,
            "new_one_time_password": True,
            **sign_in_events.client_detail(),
        }
        if approval is not None:
            detail |= {"account_request": approval.pk, "requested_by": approval.requested_by.username}
        record(action=Action.ALTERATION, actor=actor, obj=user, detail=detail)
    return password
