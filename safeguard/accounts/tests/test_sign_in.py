"""Two-step staff sign-in: password, then a TOTP code; enrolment; lockouts; sign-out."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import STAFF_PASSWORD
from safeguard.accounts.services import TOTP_FAILURE_LIMIT
from safeguard.accounts.totp import current_code
from safeguard.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
QUEUE = reverse("staff:queue")


def sign_in_password(client, user, password=STAFF_PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def test_password_then_code_reaches_the_queue(client, make_staff):
    user = make_staff("analyst")
    response = sign_in_password(client, user)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get(QUEUE).status_code == 302  # a password alone reaches nothing

    response = client.post(VERIFY, {"code": current_code(user.totp_device)})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_wrong_code_is_rejected_with_a_clear_error(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    right = current_code(user.totp_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get(QUEUE).status_code == 302


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter the 6-digit code"), ("12345", "Enter the code as 6 digits"), ("abcdef", "Enter the code as 6 digits")],
)
def test_badly_formed_codes_get_specific_errors_and_do_not_count(client, make_staff, typed, message):
    user = make_staff("analyst")
    sign_in_password(client, user)
    response = client.post(VERIFY, {"code": typed})
    assert message in response.content.decode()
    user.totp_device.refresh_from_db()
    assert user.totp_device.throttling_failure_count == 0


def test_code_with_spaces_is_accepted(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    code = current_code(user.totp_device)
    response = client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})
    assert response["Location"] == QUEUE


def test_wrong_password_keeps_username_and_says_what_is_wrong(client, make_staff):
    user = make_staff("analyst")
    response = sign_in_password(client, user, password="not-the-password")
    body = response.content.decode()
    assert response.status_code == 200
    assert "The username or password is not right" in body
    assert f'value="{user.username}"' in body
    assert "not-the-password" not in body


def test_next_is_kept_through_both_steps(client, make_staff, new_report):
    user = make_staff("analyst")
    report = new_report()
    target = reverse("staff:report", args=[report.reference])
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = client.post(f"{LOGIN}?next={target}", {"username": user.username, "password": STAFF_PASSWORD})
    response = client.post(response["Location"], {"code": current_code(user.totp_device), "next": target})
    assert response["Location"] == target


def test_next_cannot_leave_staff_pages(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    response = client.post(VERIFY, {"code": current_code(user.totp_device), "next": "https://evil.example/"})
    assert response["Location"] == QUEUE


def test_session_key_changes_at_each_step(client, make_staff):
    user = make_staff("analyst")
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    sign_in_password(client, user)
    after_password = client.session.session_key
    client.post(VERIFY, {"code": current_code(user.totp_device)})
    assert len({before, after_password, client.session.session_key}) == 3


def test_user_without_device_must_enrol_before_anything_else(client, make_staff):
    user = make_staff("analyst", enrolled=False)
    response = sign_in_password(client, user)
    assert response["Location"].startswith(ENROL)
    assert client.get(QUEUE)["Location"].startswith(ENROL)
    assert client.get(VERIFY)["Location"].startswith(ENROL)

    page = client.get(ENROL)
    body = page.content.decode()
    assert "<svg" in body  # inline QR code, no image request
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    from safeguard.accounts.totp import secret_for_reading

    assert secret_for_reading(device) in body

    response = client.post(ENROL, {"code": current_code(device)})
    assert response["Location"] == QUEUE
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200
    assert AuditEntry.objects.filter(detail__event="two_factor_enrolled", object_id=str(user.pk)).exists()


def test_wrong_enrolment_code_keeps_the_same_secret(client, make_staff):
    user = make_staff("analyst", enrolled=False)
    sign_in_password(client, user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert "The code is not right" in response.content.decode()
    assert TOTPDevice.objects.get(user=user).pk == device.pk
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_enrolled_user_cannot_enrol_a_second_device(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_lockout_after_repeated_wrong_passwords(client, make_staff, settings):
    user = make_staff("analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password(client, user, password="wrong-password-here")
    response = sign_in_password(client, user)  # even the right password is refused now
    assert response.status_code == 429
    assert "Your account is locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_wrong_codes_is_audited(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    wrong = f"{(int(current_code(user.totp_device)) + 1) % 1_000_000:06d}"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for attempt in range(TOTP_FAILURE_LIMIT):
            # django-otp makes each retry wait twice as long as the last; wait that long.
            clock.shift(2**attempt + 1)
            response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 429
        assert "Your account is locked for now" in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert AuditEntry.objects.filter(detail__event="two_factor_locked", object_id=str(user.pk)).exists()

        # Signing in again with the right password and the right code is still refused while locked.
        clock.shift(60)
        sign_in_password(client, user)
        response = client.post(VERIFY, {"code": current_code(user.totp_device)})
        assert response.status_code == 429


def test_too_quick_retry_is_asked_to_wait(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    wrong = f"{(int(current_code(user.totp_device)) + 1) % 1_000_000:06d}"
    with time_machine.travel(timezone.now(), tick=False):
        client.post(VERIFY, {"code": wrong})
        response = client.post(VERIFY, {"code": current_code(user.totp_device)})
    assert "Wait a few seconds" in response.content.decode()


def test_sign_out_is_post_only(analyst_client):
    assert analyst_client.get(reverse("accounts:sign_out")).status_code == 405
    response = analyst_client.post(reverse("accounts:sign_out"))
    assert response["Location"] == LOGIN
    assert analyst_client.get(QUEUE).status_code == 302
    assert "You have signed out" in analyst_client.get(LOGIN).content.decode()


def test_signed_in_user_visiting_sign_in_goes_home(analyst_client, admin_client):
    assert analyst_client.get(LOGIN)["Location"] == QUEUE
    assert admin_client.get(LOGIN)["Location"] == reverse("accounts:users")


def test_wrong_code_is_not_echoed_back(client, make_staff):
    user = make_staff("analyst")
    sign_in_password(client, user)
    response = client.post(VERIFY, {"code": "000000"})
    assert 'value="000000"' not in response.content.decode()


def test_next_with_a_query_string_survives_both_steps(client, make_staff):
    user = make_staff("analyst")
    target = f"{QUEUE}?status=closed&priority=1"
    response = client.get(target)
    response = client.post(response["Location"], {"username": user.username, "password": STAFF_PASSWORD})
    response = client.post(response["Location"], {"code": current_code(user.totp_device)})
    assert response["Location"] == target


def test_empty_sign_in_says_what_is_missing(client):
    body = client.post(LOGIN, {}).content.decode()
    assert "Enter your username" in body and "Enter your password" in body
