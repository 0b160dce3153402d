"""Staff passwords: the rules, one-time passwords, and changing your own (ADR 0102).

Rules (NCSC / NIST SP 800-63B): at least 12 characters, long passphrases allowed (up to 256), no composition
rules, not on the breached-password list (safeguard/accounts/data/), not like the username or name, not the
current password. Django's validators do the work (settings.AUTH_PASSWORD_VALIDATORS); this module only adds
the maximum length and says what each refusal means in plain words.

A one-time password (a new account's, or a reset's) is good for ONE sign-in, before it expires
(SAFEGUARD_ONE_TIME_PASSWORD_LIFETIME, 72 hours by default). The sign-in that uses it spends it, and that
session must set up the authenticator and choose a new password before any other staff page
(StaffTwoFactorMiddleware). A second sign-in with it is refused, finished or not: the person then needs a reset.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record

from .models import User

logger = logging.getLogger(__name__)

MAX_LENGTH = 256


class MaximumLengthValidator:
    """Long passphrases are welcome; past this a "password" is a pasted document (and costs hashing time)."""

    def __init__(self, max_length: int = MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must be {self.max_length} characters or fewer.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return f"Your password can be up to {self.max_length} characters long."


def minimum_length() -> int:
    """The minimum length the configured validators ask for (12 unless settings say otherwise)."""
    lengths = [v.min_length for v in password_validation.get_default_password_validators() if hasattr(v, "min_length")]
    return max(lengths, default=12)


def _plain_words(error: ValidationError, *, min_length: int) -> str:
    """What a validator's refusal means, as the error summary says it (GOV.UK style: what to do next)."""
    code = error.code
    if code == "password_too_short":
        return f"Your new password must be at least {min_length} characters long"
    if code == "password_too_long":
        return f"Your new password must be {MAX_LENGTH} characters or fewer"
    if code == "password_too_common":
        return (
            "Your new password is on a list of passwords that attackers try first, from data breaches. "
            "Choose a different one, for example 3 or 4 random words"
        )
    if code == "password_too_similar":
        what = (error.params or {}).get("verbose_name", "username or name")
        return f"Your new password is too like your {what}. Choose one that does not include it"
    if code == "password_entirely_numeric":
        return "Your new password cannot be only numbers. Use words, for example 3 or 4 random words"
    return " ".join(error.messages)


def new_password_problems(*, user: User, current_password: str, new_password: str) -> list[str]:
    """Why `new_password` may not replace this user's password, in plain words ([] if it may)."""
    if user.check_password(new_password) or new_password == current_password:
        return ["Your new password must be different from your current password"]
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        length = minimum_length()
        return list(dict.fromkeys(_plain_words(e, min_length=length) for e in error.error_list))
    return []


def change_password(*, user: User, current_password: str, new_password: str, request=None) -> None:
    """Replace the user's password with one they chose, after checking the current one and the rules.

    Ends the user's other sessions (their session hash changes); `request`'s session is kept signed in. A
    one-time password is gone once this is done. Audited. Raises ValidationError keyed by form field.
    """
    if not user.check_password(current_password):
        raise ValidationError({"current_password": "Your current password is not right"})
    problems = new_password_problems(user=user, current_password=current_password, new_password=new_password)
    if problems:
        raise ValidationError({"new_password": problems})
    was_one_time = user.password_is_one_time
    with transaction.atomic():
        user.set_password(new_password)
        user.password_is_one_time, user.one_time_password_expires_at, user.one_time_password_used_at = False, None, None
        user.save(update_fields=["password", *ONE_TIME_FIELDS])
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=user,
            detail={"event": "password_changed", "was_one_time": was_one_time},
        )
    if request is not None:
        update_session_auth_hash(request, user)  # this session stays; every other one is signed out
    logger.info("Staff password changed for %s", user.username)


# Wrong current passwords on the change page, in one session, before that session is signed out: the page
# must not be a way round the sign-in lockout for someone at an unlocked screen.
WRONG_CURRENT_PASSWORD_LIMIT = 5


def record_change_page_sign_out(*, user: User, wrong_in_a_row: int) -> None:
    with transaction.atomic():
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=user,
            detail={"event": "signed_out_after_wrong_current_passwords", "wrong_in_a_row": wrong_in_a_row},
        )
    logger.warning("Signed %s out after %d wrong current passwords", user.username, wrong_in_a_row)


# --- one-time passwords -------------------------------------------------------------------------------


def one_time_password_lifetime() -> timedelta:
    return getattr(settings, "SAFEGUARD_ONE_TIME_PASSWORD_LIFETIME", timedelta(hours=72))


# The User fields that say a password is a one-time one (saved together with the password).
ONE_TIME_FIELDS = ("password_is_one_time", "one_time_password_expires_at", "one_time_password_used_at")


def one_time_fields() -> dict:
    """The User fields that make the password just set a one-time one (for create_user or assignment)."""
    return {
        "password_is_one_time": True,
        "one_time_password_expires_at": timezone.now() + one_time_password_lifetime(),
        "one_time_password_used_at": None,
    }


def set_one_time_password(user: User, password: str) -> None:
    """Give the user this one-time password (not saved: the caller saves, in its transaction)."""
    user.set_password(password)
    for field, value in one_time_fields().items():
        setattr(user, field, value)


def must_choose_password(user) -> bool:
    """True while a signed-in person still holds only the one-time password they were given."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "password_is_one_time", False))


class OneTimePasswordRefused(ValidationError):
    """The password was right but was a one-time password already used, or expired.

    Raised from inside `authenticate()` (accounts/backends.py). Django lets it through, and the sign-in
    form's clean() turns it into the message on the page. Not counted as a wrong password (it was right, and
    it will never work again anyway), but audited.
    """

    USED = (
        "This one-time password has already been used to sign in, so it no longer works. "
        "Ask an administrator to reset your sign-in"
    )
    EXPIRED = "This one-time password has expired. Ask an administrator to reset your sign-in"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.USED if reason == "used" else self.EXPIRED, code=f"one_time_password_{reason}")


def spend_one_time_password(*, user: User) -> None:
    """At the password step: use up the user's one-time password, or refuse it (used already, or expired).

    One conditional UPDATE, so two sign-ins at once with the same password cannot both get through.
    """
    now = timezone.now()
    with transaction.atomic():
        spent = User.objects.filter(
            pk=user.pk,
            password_is_one_time=True,
            one_time_password_used_at__isnull=True,
            one_time_password_expires_at__gt=now,
        ).update(one_time_password_used_at=now)
        user.refresh_from_db(fields=list(ONE_TIME_FIELDS))
        if spent:
            record(action=Action.ALTERATION, actor=Actor.of(user), obj=user, detail={"event": "one_time_password_used"})
            return
        reason = "used" if user.one_time_password_used_at is not None else "expired"
        record(
            action=Action.ALTERATION,
            actor=Actor(label=f"sign-in attempt as {user.username}"),
            obj=user,
            detail={"event": "one_time_password_refused", "reason": reason},
        )
    logger.warning("One-time password for %s refused (%s)", user.username, reason)
    raise OneTimePasswordRefused(reason)
