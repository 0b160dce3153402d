"""Sign-in throttling under attack (issue 21, ADR 0103): by username + address, and by address across usernames.

The attack cases from the issue, each a test: five wrong passwords for a user from one address do not lock them
out elsewhere; unknown usernames lock nothing for a real user; 30 usernames x 1 password from one address are
refused after the per-address limit; a correct password from a locked address is still refused.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import STAFF_PASSWORD
from safeguard.accounts.sign_in_throttle import throttle_address

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"


def attempt(address, username, password="wrong-password-guess"):  # noqa: S107 (test-only)
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def signs_in(address, user) -> bool:
    response = attempt(address, user.username, STAFF_PASSWORD)
    return response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_five_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(make_staff, settings):
    supervisor = make_staff("supervisor")
    statuses = [attempt(ATTACKER, supervisor.username).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth locks the username at the attacker's address
    assert attempt(ATTACKER, supervisor.username, STAFF_PASSWORD).status_code == 429
    assert signs_in(OFFICE, supervisor)  # the duty supervisor still signs in from the office


def test_correct_password_from_the_locked_address_is_still_refused_during_the_lock(make_staff, settings):
    user = make_staff("analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(ATTACKER, user.username)
    response = attempt(ATTACKER, user.username, STAFF_PASSWORD)
    assert response.status_code == 429
    assert "Your account is locked for now" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_the_lock_ends_by_itself_after_the_cool_off(make_staff, settings):
    user = make_staff("analyst")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(ATTACKER, user.username)
        assert attempt(ATTACKER, user.username, STAFF_PASSWORD).status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert signs_in(ATTACKER, user)


def test_unknown_usernames_do_not_lock_anything_for_a_real_user(make_staff, settings):
    user = make_staff("analyst")
    # Below the per-address limit: several unknown usernames, each to its own lock, from the user's own address.
    for unknown in ("analyst-0", user.username.upper(), f"{user.username}x"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(OFFICE, unknown)
    assert signs_in(OFFICE, user)
    assert signs_in(ATTACKER, user)


def test_an_unknown_username_gets_the_same_answers_as_a_known_one(make_staff, settings):
    user = make_staff("analyst")
    known = [attempt(ATTACKER, user.username) for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    unknown = [attempt(ATTACKER, "no-such-person") for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 4 + [429] * 2
    assert "The username or password is not right" in unknown[0].content.decode()

    def page(response, username):
        return re.sub(r'nonce="[^"]+"', "", response.content.decode()).replace(username, "X")

    assert page(known[-1], user.username) == page(unknown[-1], "no-such-person")


def test_thirty_usernames_one_password_each_from_one_address_are_refused_after_the_address_limit(make_staff, settings):
    real = [make_staff("analyst") for _ in range(5)]
    usernames = [u.username for u in real] + [f"guess-{n}" for n in range(25)]
    limit = settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT
    assert limit == 20
    statuses = [attempt(ATTACKER, name, "Spring2026!").status_code for name in usernames]
    assert statuses == [200] * (limit - 1) + [429] * (30 - limit + 1)  # the 20th failure throttles the address
    # Every sign-in from that address is refused now, a right password included; other addresses are untouched.
    assert attempt(ATTACKER, real[0].username, STAFF_PASSWORD).status_code == 429
    assert signs_in(OFFICE, real[0])


def test_the_address_limit_counts_failures_across_usernames_only_within_the_cool_off(make_staff, settings):
    user = make_staff("analyst")
    settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for name in ("a-1", "a-2", "a-3"):
            attempt(ATTACKER, name)
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        attempt(ATTACKER, "a-4")
        assert signs_in(ATTACKER, user)  # the first three no longer count


def test_a_correct_password_clears_only_that_usernames_failures(make_staff, settings):
    user = make_staff("analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(OFFICE, user.username)
    assert signs_in(OFFICE, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(OFFICE, user.username).status_code == 200  # counting starts again


def test_x_forwarded_for_is_not_trusted_unless_configured(make_staff, settings):
    user = make_staff("analyst")
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A client cannot dodge its lock by claiming another address in a header.
        client.post(LOGIN, {"username": user.username, "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert client.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD}).status_code == 429


def test_behind_our_proxy_the_forwarded_address_is_the_one_counted(rf, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = rf.post(LOGIN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert throttle_address(request) == "203.0.113.5"  # the right-most: the one our proxy saw


def test_ipv6_addresses_are_counted_by_their_64(rf):
    one = rf.post(LOGIN, REMOTE_ADDR="2001:db8:1:2::1")
    other = rf.post(LOGIN, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert throttle_address(one) == throttle_address(other) == "2001:db8:1:2::"
    assert throttle_address(rf.post(LOGIN, REMOTE_ADDR="not-an-address")) is None
