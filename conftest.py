"""Shared test fixtures for the whole suite. Names here are stable: other apps' tests rely on them.

Fixtures
- `make_staff(role="analyst", *, username=None, password=STAFF_PASSWORD, enrolled=True)`: create a
  staff user. With `enrolled=True` (default) it has a confirmed TOTP device, at `user.totp_device`.
- `staff_client(role="analyst", *, user=None)`: a django.test.Client signed in with BOTH factors
  (password + verified TOTP device), at `client.user`. Pass `user=` to sign in an existing user.
- `analyst_client`, `investigator_client`, `supervisor_client`, `admin_client`: the same per role
  (`admin_client` is an *administrator* role user and replaces pytest-django's superuser fixture).
- `password_only_client(role="analyst", *, enrolled=True)`: signed in with the password but NOT the
  second factor, for testing that staff pages refuse it.
- `totp_code`: `totp_code(device)` gives the device's current 6-digit code (same as
  `safeguard.accounts.totp.current_code`).
- `make_report(**fields)`: a report created through `reporting.services.create_report` (public web
  source unless `source=` is given), returning the Report.

Constants: `STAFF_PASSWORD` (the password every `make_staff` user gets unless told otherwise).
"""

import itertools

import pytest

STAFF_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (test-only)
_counter = itertools.count(1)


@pytest.fixture
def make_staff(db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.accounts.models import User

    def make(role="analyst", *, username=None, password=STAFF_PASSWORD, enrolled=True, **fields):
        user = User.objects.create_user(
            username=username or f"{role}-{next(_counter)}", password=password, role=role, **fields
        )
        user.totp_device = (
            TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True) if enrolled else None
        )
        return user

    return make


def _sign_in_both_factors(client, user):
    """What the two sign-in steps leave in the session, without spending a real code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totp_device.persistent_id
    session.save()
    client.user = user
    return client


@pytest.fixture
def staff_client(make_staff):
    from django.test import Client

    def make(role="analyst", *, user=None):
        if user is None:
            user = make_staff(role)
        elif not getattr(user, "totp_device", None):
            from safeguard.accounts.services import confirmed_device

            user.totp_device = confirmed_device(user)
            if user.totp_device is None:
                raise ValueError(f"{user.username} has no confirmed TOTP device: create them with make_staff()")
        return _sign_in_both_factors(Client(), user)

    return make


@pytest.fixture
def password_only_client(make_staff):
    from django.test import Client

    def make(role="analyst", *, enrolled=True):
        user = make_staff(role, enrolled=enrolled)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def analyst_client(staff_client):
    return staff_client("analyst")


@pytest.fixture
def investigator_client(staff_client):
    return staff_client("investigator")


@pytest.fixture
def supervisor_client(staff_client):
    return staff_client("supervisor")


@pytest.fixture
def admin_client(staff_client):
    return staff_client("administrator")


@pytest.fixture
def totp_code():
    from safeguard.accounts.totp import current_code

    return current_code


@pytest.fixture
def evidence_dir(settings, tmp_path):
    """Evidence storage on a folder of the test's own, so file assertions see only that test's files.
    Apps whose tests all write evidence make it autouse in their conftest by asking for this one."""
    root = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def new_report(db):
    """A report made straight into the table (reporting/tests/factories.py): for tests not about intake or triage."""
    from safeguard.reporting.tests.factories import ReportFactory

    return ReportFactory


@pytest.fixture
def make_report(db):
    from safeguard.audit.services import Actor
    from safeguard.reporting.models import Source
    from safeguard.reporting.services import create_report

    def make(*, source=Source.PUBLIC_WEB, **fields):
        fields.setdefault("account", "Someone in a game chat asked to keep their messages secret.")
        return create_report(actor=Actor.of(None), source=source, fields=fields).report

    return make
