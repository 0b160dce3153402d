"""Demo data: idempotent, fixed credentials that work, and impossible in production."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import User
from safeguard.core.demo import DEMO_PASSWORD, demo_totp_key
from safeguard.reporting.models import Priority, Report


def _first_group(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)


pytestmark = pytest.mark.django_db


def test_load_demo_data_is_idempotent_and_varied(capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    assert Report.objects.count() == 20
    assert "0 new report(s), 20 already there" in capsys.readouterr().out
    assert Report.objects.filter(priority=Priority.P1).count() >= 3
    assert len(set(Report.objects.values_list("platform_name", flat=True))) >= 5
    assert {u.username: u.role for u in User.objects.all()} == {
        "analyst": "analyst",
        "investigator": "investigator",
        "supervisor": "supervisor",
        "admin": "administrator",
        "education": "education_officer",
    }
    assert Report.objects.filter(assigned_to__username="analyst").count() == 2
    analyst = User.objects.get(username="analyst")
    assert analyst.check_password(DEMO_PASSWORD)
    assert TOTPDevice.objects.get(user=analyst).key == demo_totp_key("analyst")
    assert TOTPDevice.objects.get(user=analyst).confirmed


def test_demo_data_keeps_the_audit_chain_intact(capsys):
    call_command("load_demo_data")
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["load_demo_data", "demo_login"])
def test_demo_commands_refuse_in_production(settings, command):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run when SAFEGUARD_ENV=production"):
        call_command(command)
    assert not User.objects.exists()
    assert not Report.objects.exists()


def test_demo_login_prints_working_credentials(capsys):
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("demo_login")
    out = capsys.readouterr().out
    assert "username:    analyst" in out and DEMO_PASSWORD in out
    secret = _first_group(r"TOTP secret: ([A-Z2-7]+)", out)
    import pyotp

    assert _first_group(r"code now:\s+(\d{6})", out) == pyotp.TOTP(secret).now()

    call_command("demo_login", "--code-only")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)

    client = Client()
    client.post(reverse("accounts:login"), {"username": "analyst", "password": DEMO_PASSWORD})
    assert client.post(reverse("accounts:verify"), {"code": code})["Location"] == reverse("staff:queue")
    assert client.get(reverse("staff:queue")).status_code == 200


def test_demo_education_officer_signs_in_to_the_education_dashboard(capsys):
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("demo_login", "--username", "education")
    out = capsys.readouterr().out
    assert "username:    education" in out
    code = _first_group(r"code now:\s+(\d{6})", out)

    client = Client()
    client.post(reverse("accounts:login"), {"username": "education", "password": DEMO_PASSWORD})
    assert client.post(reverse("accounts:verify"), {"code": code})["Location"] == reverse("education:dashboard")
    assert client.get(reverse("education:dashboard")).status_code == 200
    assert client.get(reverse("staff:queue"))["Location"] == reverse("education:dashboard")


def test_demo_login_without_demo_data_says_what_to_do():
    with pytest.raises(CommandError, match="load_demo_data"):
        call_command("demo_login")


def test_create_staff_user_command(capsys):
    call_command("create_staff_user", "new-analyst", "--role", "analyst")
    out = capsys.readouterr().out
    password = _first_group(r"One-time password: (\S+)", out)
    user = User.objects.get(username="new-analyst")
    assert user.check_password(password) and user.role == "analyst"
    assert not TOTPDevice.objects.filter(user=user).exists()  # enrols at first sign-in
    with pytest.raises(CommandError, match="already an account"):
        call_command("create_staff_user", "NEW-analyst", "--role", "analyst")
