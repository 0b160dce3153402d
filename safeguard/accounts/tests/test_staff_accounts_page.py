"""Administrators create staff accounts; the one-time password is shown once."""

import re

import pytest
from django.urls import reverse

from safeguard.accounts.models import User
from safeguard.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def test_admin_creates_an_account_and_sees_the_password_once(admin_client, client):
    # A role that reads no reports: made directly. (An investigator's account needs a second person since
    # issue 21: test_two_person_rule.py.)
    url = reverse("accounts:new_user")
    response = admin_client.post(url, {"username": "new.person", "role": "education_officer", "first_name": "Nia"})
    body = response.content.decode()
    assert response.status_code == 200 and "Account created" in body
    password = re.search(r'<code class="govuk-!-font-size-24">([^<]+)</code>', body).group(1)
    user = User.objects.get(username="new.person")
    assert user.role == "education_officer" and user.check_password(password)
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.action == Action.COLLECTION and entry.actor == admin_client.user
    assert "new.person" in admin_client.get(reverse("accounts:users")).content.decode()

    # The new person signs in with it and must set up an authenticator first.
    response = client.post(reverse("accounts:login"), {"username": "new.person", "password": password})
    assert response["Location"].startswith(reverse("accounts:enrol"))


def test_new_account_errors_are_specific_and_keep_what_was_typed(admin_client, make_staff):
    make_staff("analyst", username="taken")
    response = admin_client.post(
        reverse("accounts:new_user"), {"username": "Taken", "email": "not-an-email", "first_name": "Kept"}
    )
    body = response.content.decode()
    assert "Enter an email address like name@example.org" in body
    assert "Choose a role" in body
    assert 'value="Kept"' in body
    response = admin_client.post(reverse("accounts:new_user"), {"username": "Taken", "role": "analyst"})
    assert "There is already an account called Taken" in response.content.decode()


def test_non_admins_cannot_create_accounts(supervisor_client):
    response = supervisor_client.post(reverse("accounts:new_user"), {"username": "sneaky", "role": "administrator"})
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_admin_resets_sign_in_after_a_lost_phone(admin_client, make_staff, client, settings):
    # Since issue 21 a reset issues a new one-time password (the old password stops working), and for a role
    # that reads reports a second person approves it and is shown that password (test_two_person_rule.py).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conftest import STAFF_PASSWORD

    person = make_staff("education_officer")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": person.username, "password": "wrong-password-x"})
    assert (
        client.post(reverse("accounts:login"), {"username": person.username, "password": STAFF_PASSWORD}).status_code
        == 429
    )

    response = admin_client.post(reverse("accounts:reset_sign_in", args=[person.pk]))
    assert response.status_code == 200 and "Sign-in reset" in response.content.decode()
    password = re.search(r'<code class="govuk-!-font-size-24">([^<]+)</code>', response.content.decode()).group(1)
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuditEntry.objects.filter(detail__event="sign_in_reset", object_id=str(person.pk)).exists()

    response = client.post(reverse("accounts:login"), {"username": person.username, "password": STAFF_PASSWORD})
    assert response.status_code == 200  # the old password is gone (and the lockout was cleared: not 429)
    response = client.post(reverse("accounts:login"), {"username": person.username, "password": password})
    assert response["Location"].startswith(reverse("accounts:enrol"))


def test_reset_sign_in_is_admin_only_and_asks_first(supervisor_client, admin_client, make_staff):
    person = make_staff("analyst")
    url = reverse("accounts:reset_sign_in", args=[person.pk])
    assert supervisor_client.post(url).status_code == 403
    assert supervisor_client.get(url).status_code == 403
    page = admin_client.get(url)
    assert page.status_code == 200 and f"Reset sign-in for {person.username}?" in page.content.decode()
    assert person.totpdevice_set.exists()  # nothing happens until confirmed


def test_admin_can_create_an_education_officer(admin_client):
    url = reverse("accounts:new_user")
    assert 'value="education_officer"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"username": "new.educator", "role": "education_officer"})
    assert response.status_code == 200 and "Account created" in response.content.decode()
    assert User.objects.get(username="new.educator").role == "education_officer"
