"""Supervisors see locked sign-ins and unlock them (issue 21, ADR 0103)."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import STAFF_PASSWORD
from safeguard.accounts import lockouts
from safeguard.accounts import sign_in_events as events
from safeguard.accounts.services import TOTP_FAILURE_LIMIT, is_two_factor_locked
from safeguard.accounts.totp import current_code
from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import Actor

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOCKED = reverse("accounts:locked")
UNLOCK = reverse("accounts:unlock")
ATTACKER = "203.0.113.66"


def attempt(address, username, password="wrong-password-guess"):  # noqa: S107 (test-only)
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def lock(username, settings, address=ATTACKER):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(address, username)


def lock_codes(user):
    client = Client()
    client.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD})
    wrong = f"{(int(current_code(user.totp_device)) + 1) % 1_000_000:06d}"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(TOTP_FAILURE_LIMIT):
            clock.shift(2**n + 1)
            client.post(reverse("accounts:verify"), {"code": wrong})


def test_the_page_lists_current_lockouts(supervisor_client, make_staff, settings):
    user = make_staff("analyst")
    lock(user.username, settings)
    lock("no-such-person", settings, address="198.51.100.7")
    body = supervisor_client.get(LOCKED).content.decode()
    table = body.split('id="lockouts"', 1)[1]
    assert user.username in table and ATTACKER in table and "198.51.100.7" in table
    assert "no-such-person" in table and "No such account" in table
    assert "Username at this address" in table
    assert f">{settings.AXES_FAILURE_LIMIT}<" in table
    consulted = AuditEntry.objects.filter(object_type="axes.accessattempt", object_id="lockouts").get()
    assert consulted.action == Action.CONSULTATION and consulted.actor == supervisor_client.user


def test_nothing_locked_says_so(supervisor_client, make_staff, settings):
    make_staff("analyst")
    attempt(ATTACKER, "someone")  # one failure is no lockout
    body = supervisor_client.get(LOCKED).content.decode()
    assert "Nobody is locked out of sign-in now" in body


def test_supervisor_unlocks_a_username_at_an_address_after_confirming(supervisor_client, make_staff, settings):
    user = make_staff("analyst")
    lock(user.username, settings)
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429
    body = supervisor_client.get(LOCKED).content.decode()
    link = re.search(r'href="(/staff/account/locked/unlock/\?[^"]+)"', body).group(1).replace("&amp;", "&")
    confirm = supervisor_client.get(link).content.decode()
    assert f"Unlock sign-in for {user.username}?" in confirm
    assert 'name="csrfmiddlewaretoken"' in confirm
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429  # a GET changes nothing

    response = supervisor_client.post(
        UNLOCK, {"kind": lockouts.USERNAME_AT_ADDRESS, "username": user.username, "address": ATTACKER}
    )
    assert response.status_code == 302 and response["Location"] == LOCKED
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 302
    [entry] = AuditEntry.objects.filter(detail__event=events.UNLOCKED)
    assert entry.actor == supervisor_client.user and entry.object_id == str(user.pk)
    assert entry.detail["locked_address"] == ATTACKER and entry.detail["failed_attempts_cleared"] == 1
    assert entry.action == Action.ALTERATION


def test_unlocking_needs_a_post_with_csrf(make_staff, settings, staff_client):
    user = make_staff("analyst")
    lock(user.username, settings)
    supervisor = staff_client("supervisor")
    supervisor.handler.enforce_csrf_checks = True
    data = {"kind": lockouts.USERNAME_AT_ADDRESS, "username": user.username, "address": ATTACKER}
    assert supervisor.post(UNLOCK, data).status_code == 403
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429


def test_an_address_throttle_is_listed_and_unlocked(supervisor_client, make_staff, settings):
    settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    user = make_staff("analyst")
    for n in range(3):
        attempt(ATTACKER, f"guess-{n}")
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429
    table = supervisor_client.get(LOCKED).content.decode().split('id="lockouts"', 1)[1]
    assert "Every username from this address" in table and "Any username" in table
    supervisor_client.post(UNLOCK, {"kind": lockouts.ADDRESS, "username": "", "address": ATTACKER})
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 302
    [entry] = AuditEntry.objects.filter(detail__event=events.UNLOCKED)
    assert (entry.object_type, entry.object_id) == ("axes.accessattempt", ATTACKER)


def test_a_two_factor_lock_is_listed_and_unlocking_clears_it(supervisor_client, make_staff):
    user = make_staff("analyst")
    lock_codes(user)
    user.totp_device.refresh_from_db()
    assert is_two_factor_locked(user.totp_device)
    table = supervisor_client.get(LOCKED).content.decode().split('id="lockouts"', 1)[1]
    assert user.username in table and "One-time codes, from any address" in table and "Any address" in table
    supervisor_client.post(UNLOCK, {"kind": lockouts.ONE_TIME_CODES, "username": user.username, "address": ""})
    user.totp_device.refresh_from_db()
    assert not is_two_factor_locked(user.totp_device)
    [entry] = AuditEntry.objects.filter(detail__event=events.UNLOCKED)
    assert entry.detail["two_factor_lock_cleared"] is True


def test_unlocking_a_username_clears_its_two_factor_lock_too(make_staff, settings):
    supervisor = make_staff("supervisor")
    user = make_staff("analyst")
    lock_codes(user)
    lock(user.username, settings)
    lockouts.unlock(
        actor=Actor.of(supervisor), kind=lockouts.USERNAME_AT_ADDRESS, username=user.username, address=ATTACKER
    )
    user.totp_device.refresh_from_db()
    assert not is_two_factor_locked(user.totp_device)


def test_an_ended_or_unknown_lockout_is_explained_not_a_404(supervisor_client):
    page = supervisor_client.get(f"{UNLOCK}?kind=address&username=&address=192.0.2.9")
    assert page.status_code == 200 and "This lockout has ended" in page.content.decode()
    assert supervisor_client.get(f"{UNLOCK}?kind=nonsense").status_code == 302
    assert supervisor_client.get(f"{UNLOCK}?kind=address&address=not-an-address").status_code == 302


def test_only_supervisors_and_administrators_may_unlock(staff_client, make_staff, settings):
    user = make_staff("analyst")
    lock(user.username, settings)
    data = {"kind": lockouts.USERNAME_AT_ADDRESS, "username": user.username, "address": ATTACKER}
    for role in ("analyst", "investigator", "force_officer", "education_officer"):
        assert staff_client(role).post(UNLOCK, data).status_code == 403
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429
    assert staff_client("administrator").post(UNLOCK, data).status_code == 302
    assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 302


def test_supervisors_reach_it_from_their_navigation(supervisor_client):
    body = supervisor_client.get(reverse("staff:queue")).content.decode()
    assert f'href="{LOCKED}"' in body.split('aria-label="Staff menu"', 1)[1].split("</nav>", 1)[0]
