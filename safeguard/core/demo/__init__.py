"""Demo helpers for `make run`: fixed staff credentials, the production guard. Never in production.

The demo records themselves are made by each app's loader and by the top-layer `safeguard.demo` app."""

import hashlib

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import User

# Documented in the README / `make run` output. Demo only: load_demo_data refuses to run in production.
DEMO_PASSWORD = "safeguard-demo-only"  # noqa: S105

DEMO_STAFF = (
    ("analyst", "analyst", "Alex", "Analyst"),
    ("investigator", "investigator", "Indira", "Investigator"),
    ("supervisor", "supervisor", "Sam", "Supervisor"),
    ("admin", "administrator", "Ade", "Administrator"),
    ("education", "education_officer", "Eddie", "Educator"),
)


def demo_totp_key(username: str) -> str:
    """A fixed 20-byte TOTP key per demo user (hex, as django-otp stores it), the same on every laptop."""
    return hashlib.sha1(f"safeguard-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()


@transaction.atomic
def ensure_staff(username: str, role: str, first_name: str, last_name: str):
    """The demo user with the demo password and a confirmed authenticator on the fixed key (made or reset)."""
    user, _ = User.objects.get_or_create(username=username)
    user.role, user.first_name, user.last_name, user.is_active = role, first_name, last_name, True
    user.email = f"{username}@demo.safeguard.invalid"
    user.set_password(DEMO_PASSWORD)
    user.password_is_one_time = False  # the demo password is not a one-time one, even after a reset in the UI
    user.save()
    device = TOTPDevice.objects.filter(user=user, name="Demo authenticator").first() or TOTPDevice(
        user=user, name="Demo authenticator"
    )
    device.key, device.confirmed = demo_totp_key(username), True
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return user


def refuse_in_production(what: str) -> None:
    if settings.IS_PRODUCTION:
        raise CommandError(
            f"{what} refuses to run when SAFEGUARD_ENV=production: demo credentials must never exist in production."
        )
