"""Demo data for `make run`: fixed staff credentials and synthetic reports. Never in production."""

import hashlib

from django.conf import settings
from django.core.management.base import CommandError

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


def refuse_in_production(what: str) -> None:
    if settings.IS_PRODUCTION:
        raise CommandError(
            f"{what} refuses to run when SAFEGUARD_ENV=production: demo credentials must never exist in production."
        )
