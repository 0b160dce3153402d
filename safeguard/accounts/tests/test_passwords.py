"""Staff passwords (issue 21): changing your own, the rules, one-time passwords and the forced change."""

import gzip
import re
from datetime import timedelta
from pathlib import Path

import django
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import password_validation
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import STAFF_PASSWORD
from safeguard.accounts import passwords
from safeguard.accounts.middleware import TWO_FACTOR_PAGES
from safeguard.accounts.models import User
from safeguard.accounts.services import create_staff_user, reset_sign_in
from safeguard.accounts.tests.test_staff_urls_need_two_factor import staff_urls
from safeguard.accounts.totp import current_code
from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ENROL = reverse("accounts:enrol")
CHANGE = reverse("accounts:change_password")
QUEUE = reverse("staff:queue")
NEW = "violet kestrel under the harbour lamp"  # a passphrase: lower-case words, no digits or symbols


def change(client, *, current=STAFF_PASSWORD, new=NEW, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return client.post(CHANGE, data)


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def first_sign_in(client, username, password):
    """Password, then enrol the authenticator: what a new person does with their one-time password."""
    response = sign_in(client, username, password)
    assert response["Location"].startswith(ENROL), response.get("Location")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    return client.post(ENROL, {"code": current_code(device)})


def events(user, event):
    return AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk), detail__event=event)


# --- changing your own password ---------------------------------------------------------------------------


def test_the_header_links_to_your_account_and_that_to_the_change_page(analyst_client):
    page = analyst_client.get(QUEUE).content.decode()
    assert f'href="{reverse("accounts:your_account")}"' in page
    account = analyst_client.get(reverse("accounts:your_account"))
    assert account.status_code == 200 and f'href="{CHANGE}"' in account.content.decode()
    form = analyst_client.get(CHANGE).content.decode()
    assert "Must be at least 12 characters" in form  # the hint states the rule
    assert 'autocomplete="new-password"' in form and 'autocomplete="current-password"' in form


def test_change_password_keeps_this_session_ends_the_others_and_is_audited(staff_client, make_staff):
    user = make_staff("analyst")
    here, elsewhere = staff_client(user=user), staff_client(user=user)
    assert elsewhere.get(QUEUE).status_code == 200

    response = change(here)
    assert response.status_code == 302 and response["Location"] == QUEUE
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(STAFF_PASSWORD)
    assert here.get(QUEUE).status_code == 200  # update_session_auth_hash kept this one
    other = elsewhere.get(QUEUE)
    assert other.status_code == 302 and other["Location"].startswith(LOGIN)  # signed out everywhere else
    entry = events(user, "password_changed").get()
    assert entry.actor == user and entry.detail["was_one_time"] is False
    assert NEW not in str(entry.detail) and STAFF_PASSWORD not in str(entry.detail)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("eleven-char", "Your new password must be at least 12 characters long"),
        ("x" * 257, "Your new password must be 256 characters or fewer"),
        ("123456789012345", "cannot be only numbers"),
        ("password123!", "on a list of passwords that attackers try first"),  # centre-specific list
        ("Safeguard2026", "on a list of passwords that attackers try first"),  # case does not help
        ("1234567890qwertyuiop", "on a list of passwords that attackers try first"),  # Django's breached list
    ],
)
def test_new_password_rules_give_specific_errors(analyst_client, new, message):
    response = change(analyst_client, new=new)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert new not in body  # never echoed back
    analyst_client.user.refresh_from_db()
    assert analyst_client.user.check_password(STAFF_PASSWORD)


def test_a_password_like_the_username_or_name_is_refused(staff_client, make_staff):
    user = make_staff("analyst", username="marigold.fenwick", first_name="Marigold", last_name="Fenwickshire")
    response = change(staff_client(user=user), new="marigold.fenwick1")
    assert "Your new password is too like your username" in response.content.decode()
    other = make_staff("analyst", username="mf-0042", first_name="Marigold", last_name="Thistlewood")
    response = change(staff_client(user=other), new="thistlewood!!")
    assert "Your new password is too like your last name" in response.content.decode()


def test_the_current_password_is_needed_and_cannot_be_reused(analyst_client):
    body = change(analyst_client, current="not-my-password-at-all").content.decode()
    assert "Your current password is not right" in body
    body = change(analyst_client, new=STAFF_PASSWORD).content.decode()
    assert "Your new password must be different from your current password" in body
    body = change(analyst_client, confirm=NEW + "x").content.decode()
    assert "The passwords do not match" in body
    body = analyst_client.post(CHANGE, {}).content.decode()
    assert "Enter your current password" in body and "Enter a new password" in body
    analyst_client.user.refresh_from_db()
    assert analyst_client.user.check_password(STAFF_PASSWORD)
    assert not events(analyst_client.user, "password_changed").exists()


def test_no_composition_rules_and_long_passphrases_are_welcome(analyst_client):
    passphrase = " ".join(["quiet otter"] * 23)[:256]  # lower-case letters and spaces only, 256 long
    assert change(analyst_client, new=passphrase).status_code == 302
    analyst_client.user.refresh_from_db()
    assert analyst_client.user.check_password(passphrase)


def test_the_breached_list_is_djangos_list_plus_the_centres_and_is_the_configured_one():
    shipped = Path(settings.BASE_DIR) / "safeguard/accounts/data/breached-passwords.txt.gz"
    assert Path(settings.SAFEGUARD_BREACHED_PASSWORDS) == shipped
    with gzip.open(shipped, "rt") as f:
        listed = {line.strip() for line in f}
    with gzip.open(Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz", "rt") as f:
        djangos = {line.strip() for line in f}
    assert djangos <= listed and {"safeguard2026", "password123!"} <= listed
    assert all(p == p.lower() for p in listed)
    common = [v for v in password_validation.get_default_password_validators() if hasattr(v, "passwords")]
    assert len(common) == 1 and common[0].passwords == listed


def test_a_bigger_list_can_replace_it_by_setting(tmp_path):
    bigger = tmp_path / "bigger.txt"
    bigger.write_text("a-much-longer-list-entry\n")
    validators = password_validation.get_password_validators(
        [
            {
                "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
                "OPTIONS": {"password_list_path": str(bigger)},
            }
        ]
    )
    with pytest.raises(django.core.exceptions.ValidationError):
        password_validation.validate_password("A-Much-Longer-List-Entry", None, validators)


# --- one-time passwords and the forced change --------------------------------------------------------------


def test_first_sign_in_enrol_then_choose_a_password_before_anything_else(client):
    created = create_staff_user(actor=Actor.system("test"), username="new.analyst", role="analyst")
    user = created.user
    assert user.password_is_one_time and user.one_time_password_expires_at > timezone.now() + timedelta(hours=71)

    response = first_sign_in(client, "new.analyst", created.temporary_password)
    assert response["Location"] == QUEUE
    forced = client.get(QUEUE)
    assert forced.status_code == 302 and forced["Location"].startswith(CHANGE)
    page = client.get(forced["Location"]).content.decode()
    assert "Choose your own password" in page and 'aria-label="Staff menu"' not in page

    response = change(client, current=created.temporary_password)
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
    user.refresh_from_db()
    assert not user.password_is_one_time and user.one_time_password_expires_at is None
    assert events(user, "password_changed").get().detail["was_one_time"] is True
    assert events(user, "one_time_password_used").count() == 1


def test_every_staff_page_sends_a_one_time_password_holder_to_choose_a_password(client, new_report):
    created = create_staff_user(actor=Actor.system("test"), username="walker", role="supervisor")
    first_sign_in(client, "walker", created.temporary_password)
    for path, name in staff_urls(new_report().reference):
        if name in TWO_FACTOR_PAGES or name == "accounts:change_password":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, (method, path, name)
            assert response["Location"].startswith(CHANGE), (method, path, name)


def test_attack_one_time_password_second_sign_in_is_refused_even_before_the_change(client):
    """The issue: the one-time password kept working. Now the sign-in that uses it spends it."""
    created = create_staff_user(actor=Actor.system("test"), username="half.done", role="analyst")
    sign_in(client, "half.done", created.temporary_password)  # first sign-in: enrolment never finished

    attacker = Client()
    response = sign_in(attacker, "half.done", created.temporary_password)
    body = response.content.decode()
    assert response.status_code == 200 and "This one-time password has already been used" in body
    assert "Ask an administrator to reset your sign-in" in body
    assert attacker.get(QUEUE)["Location"].startswith(LOGIN)
    refused = events(created.user, "one_time_password_refused").get()
    assert refused.detail["reason"] == "used" and refused.actor is None


def test_attack_one_time_password_after_first_full_sign_in_and_change_is_refused(client):
    created = create_staff_user(actor=Actor.system("test"), username="done.properly", role="analyst")
    first_sign_in(client, "done.properly", created.temporary_password)
    change(client, current=created.temporary_password)

    attacker = Client()
    response = sign_in(attacker, "done.properly", created.temporary_password)
    assert response.status_code == 200 and "The username or password is not right" in response.content.decode()
    assert attacker.get(QUEUE)["Location"].startswith(LOGIN)


def test_an_expired_one_time_password_is_refused_with_a_message_to_ask_for_a_reset(client, settings):
    settings.SAFEGUARD_ONE_TIME_PASSWORD_LIFETIME = timedelta(hours=24)
    created = create_staff_user(actor=Actor.system("test"), username="too.late", role="education_officer")
    assert created.user.one_time_password_expires_at < timezone.now() + timedelta(hours=25)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        response = sign_in(client, "too.late", created.temporary_password)
    body = response.content.decode()
    assert "This one-time password has expired. Ask an administrator to reset your sign-in" in body
    assert events(created.user, "one_time_password_refused").get().detail["reason"] == "expired"
    created.user.refresh_from_db()
    assert created.user.one_time_password_used_at is None


def test_two_sign_ins_at_once_cannot_both_spend_it():
    created = create_staff_user(actor=Actor.system("test"), username="racer", role="analyst")
    stale = User.objects.get(pk=created.user.pk)  # read before the first sign-in spends it
    passwords.spend_one_time_password(user=created.user)
    with pytest.raises(passwords.OneTimePasswordRefused):
        passwords.spend_one_time_password(user=stale)


def test_reset_issues_a_new_one_time_password_removes_the_authenticator_and_ends_sessions(staff_client, make_staff):
    person = make_staff("education_officer")
    signed_in = staff_client(user=person)
    assert signed_in.get(reverse("education:dashboard")).status_code == 200

    password = reset_sign_in(actor=Actor.system("test"), user=person)
    assert re.fullmatch(r"[a-z2-9]{5}(-[a-z2-9]{5}){3}", password)
    person.refresh_from_db()
    assert person.check_password(password) and not person.check_password(STAFF_PASSWORD)
    assert person.password_is_one_time and not TOTPDevice.objects.filter(user=person).exists()
    assert signed_in.get(reverse("education:dashboard"))["Location"].startswith(LOGIN)

    client = Client()
    first_sign_in(client, person.username, password)
    assert client.get(reverse("education:dashboard"))["Location"].startswith(CHANGE)


def test_guessing_the_current_password_on_the_change_page_signs_the_session_out(analyst_client):
    """Not a way round the sign-in lockout for someone at an unlocked screen."""
    for attempt in range(1, passwords.WRONG_CURRENT_PASSWORD_LIMIT):
        response = change(analyst_client, current=f"guess-number-{attempt}")
        assert response.status_code == 200 and "Your current password is not right" in response.content.decode()
    response = change(analyst_client, current="guess-number-last")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert analyst_client.get(QUEUE)["Location"].startswith(LOGIN)
    assert events(analyst_client.user, "signed_out_after_wrong_current_passwords").exists()
    analyst_client.user.refresh_from_db()
    assert analyst_client.user.check_password(STAFF_PASSWORD)


def test_existing_accounts_must_choose_their_own_password_after_the_upgrade(make_staff):
    """Before issue 21 every password was one an administrator had been shown."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("safeguard.accounts.migrations.0005_existing_passwords_must_be_changed")
    person, no_password = make_staff("analyst"), make_staff("analyst", password=None)
    migration.existing_passwords_are_one_time(apps, None)
    person.refresh_from_db()
    no_password.refresh_from_db()
    assert person.password_is_one_time and person.one_time_password_expires_at > timezone.now() + timedelta(days=29)
    assert not no_password.password_is_one_time
