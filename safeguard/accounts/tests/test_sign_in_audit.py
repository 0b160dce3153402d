"""Every sign-in event in the audit chain, with the client's address and user agent (issue 21, ADR 0103).

Attack case from the issue: failed password sign-ins left no audit entry, successful ones only a log line.
"""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import STAFF_PASSWORD
from safeguard.accounts import sign_in_events as events
from safeguard.accounts.services import TOTP_FAILURE_LIMIT
from safeguard.accounts.totp import current_code
from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import verify_chain

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
ADDRESS = "192.0.2.44"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def client() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)


def entries(event, **filters):
    return list(AuditEntry.objects.filter(detail__event=event, **filters).order_by("sequence"))


def assert_client_recorded(entry, address=ADDRESS):
    assert entry.detail["address"] == address and entry.detail["user_agent"] == BROWSER


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def test_a_refused_password_for_a_known_user_is_in_the_chain_with_address_and_user_agent(make_staff):
    user = make_staff("analyst")
    client().post(LOGIN, {"username": user.username, "password": "not-it"})
    [entry] = entries(events.PASSWORD_REFUSED)
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(user.pk))
    assert entry.actor is None and entry.actor_label == "unverified sign-in attempt"
    assert entry.detail["known_username"] is True and entry.detail["username"] == user.username
    assert_client_recorded(entry)
    assert "not-it" not in str(entry.detail)  # never the password
    assert verify_chain().ok


def test_a_refused_unknown_username_is_recorded_against_no_user_with_the_name_typed_truncated():
    client().post(LOGIN, {"username": "guess-" + "x" * 140, "password": "Spring2026!"})
    [entry] = entries(events.PASSWORD_REFUSED)
    assert (entry.object_type, entry.object_id) == events.UNKNOWN_USER
    assert entry.detail["known_username"] is False
    assert entry.detail["username"] == ("guess-" + "x" * 140)[: events.ATTEMPTED_USERNAME_LENGTH]
    assert_client_recorded(entry)


def test_password_spraying_is_visible_in_the_log():
    for n in range(6):
        client().post(LOGIN, {"username": f"guess-{n}", "password": "Spring2026!"})
    refused = entries(events.PASSWORD_REFUSED, object_id="unknown")
    assert [e.detail["username"] for e in refused] == [f"guess-{n}" for n in range(6)]
    assert {e.detail["address"] for e in refused} == {ADDRESS}


def test_an_accepted_password_is_in_the_chain(make_staff):
    user = make_staff("analyst")
    client().post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD})
    [entry] = entries(events.PASSWORD_ACCEPTED)
    assert entry.actor == user and entry.object_id == str(user.pk) and entry.action == Action.COLLECTION
    assert_client_recorded(entry)


def test_the_lockout_is_recorded_once_and_attempts_refused_unchecked_are_not_written_one_by_one(make_staff, settings):
    user = make_staff("analyst")
    browser = client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(LOGIN, {"username": user.username, "password": "not-it"})
    [locked] = entries(events.LOCKED_OUT)
    assert locked.object_id == str(user.pk) and locked.action == Action.ALTERATION
    assert locked.detail["failures_from_this_address"] == settings.AXES_FAILURE_LIMIT
    assert_client_recorded(locked)
    before = AuditEntry.objects.count()
    for _ in range(10):
        assert browser.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD}).status_code == 429
    assert AuditEntry.objects.count() == before
    assert len(entries(events.PASSWORD_REFUSED)) == settings.AXES_FAILURE_LIMIT


def test_an_address_throttle_is_recorded_against_the_address(settings):
    settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        client().post(LOGIN, {"username": f"guess-{n}", "password": "Spring2026!"})
    [throttled] = entries(events.ADDRESS_THROTTLED)
    assert (throttled.object_type, throttled.object_id) == ("axes.accessattempt", ADDRESS)
    assert throttled.detail["failures_from_this_address"] == 3


def test_one_time_codes_accepted_and_refused_are_in_the_chain(make_staff):
    user = make_staff("analyst")
    browser = client()
    browser.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD})
    browser.post(VERIFY, {"code": wrong_code(user.totp_device)})
    [refused] = entries(events.CODE_REFUSED)
    assert refused.actor == user and refused.detail["wrong_codes_in_a_row"] == 1
    assert refused.detail["enrolling"] is False
    assert_client_recorded(refused)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        browser.post(VERIFY, {"code": current_code(user.totp_device)})
    [accepted] = entries(events.CODE_ACCEPTED)
    assert accepted.actor == user
    assert_client_recorded(accepted)


def test_the_two_factor_lock_has_the_address_and_user_agent(make_staff):
    user = make_staff("analyst")
    browser = client()
    browser.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD})
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(TOTP_FAILURE_LIMIT):
            clock.shift(2**attempt + 1)
            response = browser.post(VERIFY, {"code": wrong_code(user.totp_device)})
    assert response.status_code == 429
    [locked] = entries(events.TWO_FACTOR_LOCKED)
    assert_client_recorded(locked)
    assert len(entries(events.CODE_REFUSED)) == TOTP_FAILURE_LIMIT - 1  # the last wrong code is the lock entry


def test_enrolment_is_in_the_chain_with_address_and_user_agent(make_staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_staff("analyst", enrolled=False)
    browser = client()
    browser.post(LOGIN, {"username": user.username, "password": STAFF_PASSWORD})
    browser.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    browser.post(ENROL, {"code": current_code(device)})
    [enrolled] = entries(events.TWO_FACTOR_ENROLLED)
    assert_client_recorded(enrolled)
    [accepted] = entries(events.CODE_ACCEPTED)
    assert accepted.detail["enrolling"] is True


def test_a_sign_in_reset_records_the_administrators_address(staff_client, make_staff):
    admin = staff_client("administrator")
    # An education officer: a reset for a role that reads reports waits for a second person (ADR 0102).
    person = make_staff("education_officer")
    admin.post(reverse("accounts:reset_sign_in", args=[person.pk]), REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    [reset] = entries(events.SIGN_IN_RESET)
    assert reset.actor == admin.user
    assert_client_recorded(reset)


def test_sign_out_is_in_the_chain(analyst_client):
    analyst_client.post(reverse("accounts:sign_out"), REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    [entry] = entries(events.SIGNED_OUT)
    assert entry.actor == analyst_client.user
    assert_client_recorded(entry)


def test_user_agents_are_truncated(make_staff):
    Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="A" * 5000).post(LOGIN, {"username": "x", "password": "y"})
    [entry] = entries(events.PASSWORD_REFUSED)
    assert entry.detail["user_agent"] == "A" * events.USER_AGENT_LENGTH


def test_the_audit_log_page_shows_sign_in_events_in_words(supervisor_client, make_staff):
    user = make_staff("analyst")
    client().post(LOGIN, {"username": user.username, "password": "not-it"})
    client().post(LOGIN, {"username": "guess-1", "password": "Spring2026!"})
    body = supervisor_client.get(reverse("staff:audit_log")).content.decode()
    assert "Event: sign in password refused" in body
    assert f"Address: {ADDRESS}" in body and "Username: guess-1" in body
    assert "User unknown" in body
    assert "sign_in_password_refused" not in body


def test_refused_passwords_and_locks_leave_a_log_line(make_staff, settings, caplog):
    user = make_staff("analyst")
    with caplog.at_level("INFO", logger="safeguard.accounts.sign_in_events"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client().post(LOGIN, {"username": user.username, "password": "not-it"})
    lines = [r.getMessage() for r in caplog.records if r.name == "safeguard.accounts.sign_in_events"]
    assert sum("password refused" in line for line in lines) == settings.AXES_FAILURE_LIMIT
    assert any("locked" in line and ADDRESS in line for line in lines)
    assert not any("not-it" in line for line in lines)
