"""Least privilege (issue 21): accounts that read reports need a second person; administrators never read them."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import STAFF_PASSWORD
from safeguard.accounts import two_person
from safeguard.accounts.models import AccountRequest, Role, User
from safeguard.accounts.roles import (
    REPORT_READING_ROLES,
    ROLE_CAPABILITIES,
    Capability,
    may_vouch_for,
    role_change_needs_second_person,
)
from safeguard.accounts.services import SecondPersonRequired, create_staff_user, reset_sign_in
from safeguard.accounts.totp import current_code
from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ENROL = reverse("accounts:enrol")
QUEUE = reverse("staff:queue")
REQUESTS = reverse("accounts:account_requests")
CODE = re.compile(r'<code class="govuk-!-font-size-24"[^>]*>([^<]+)</code>')

# What reading reports means: any of these would let an account see what children reported.
REPORT_READING = {
    Capability.VIEW_REPORT_QUEUE,
    Capability.VIEW_REPORT,
    Capability.CHANGE_REPORT,
    Capability.ASSIGN_REPORT_TO_SELF,
    Capability.ASSIGN_REPORT,
    Capability.SEARCH,
}


def decide(client, account_request, decision="approve"):
    return client.post(reverse("accounts:decide_request", args=[account_request.pk]), {"decision": decision})


def secrets_in(*responses) -> set[str]:
    return {code for r in responses for code in CODE.findall(r.content.decode())}


def sign_in_fully(client, username, password):
    """Password, then enrol an authenticator of one's own: what an attacker holding the password would do."""
    response = client.post(LOGIN, {"username": username, "password": password})
    if response.status_code != 302 or not response["Location"].startswith(ENROL):
        return False
    client.get(ENROL)
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    client.post(ENROL, {"code": current_code(device)})
    return True


def test_no_capability_set_of_an_administrator_includes_report_reading():
    assert not ROLE_CAPABILITIES[Role.ADMINISTRATOR] & REPORT_READING
    assert Role.ADMINISTRATOR not in REPORT_READING_ROLES
    # Computed from roles.py, not listed by hand: exactly the roles with view_report.
    assert {r for r, caps in ROLE_CAPABILITIES.items() if Capability.VIEW_REPORT in caps} == REPORT_READING_ROLES
    assert {Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR} == REPORT_READING_ROLES


def test_who_may_be_the_second_person(make_staff):
    sup, analyst, edu, admin = (make_staff(r) for r in ("supervisor", "analyst", "education_officer", "administrator"))
    assert may_vouch_for(sup, Role.ANALYST) and may_vouch_for(sup, Role.SUPERVISOR)
    assert may_vouch_for(analyst, Role.ANALYST) and not may_vouch_for(analyst, Role.SUPERVISOR)
    assert not may_vouch_for(analyst, Role.INVESTIGATOR)
    assert not may_vouch_for(edu, Role.ANALYST) and not may_vouch_for(admin, Role.ANALYST)
    assert not may_vouch_for(sup, Role.EDUCATION_OFFICER)  # no second person needed there
    assert role_change_needs_second_person(Role.EDUCATION_OFFICER, Role.ANALYST)
    assert not role_change_needs_second_person(Role.SUPERVISOR, Role.ANALYST)  # taking access away


def test_attack_administrator_creates_a_supervisor_signs_in_as_it_and_reads_reports(admin_client, new_report):
    """The issue's attack: now no account exists until a second person approves, and the secret never reaches
    the administrator."""
    report = new_report()
    response = admin_client.post(reverse("accounts:new_user"), {"username": "shadow.sup", "role": "supervisor"})
    body = response.content.decode()
    assert response.status_code == 200 and "Waiting for a second person" in body
    assert not User.objects.filter(username="shadow.sup").exists()
    assert not secrets_in(response, admin_client.get(reverse("accounts:users")))
    asked = AccountRequest.objects.get(username="shadow.sup")
    assert asked.kind == "create" and asked.outcome == "pending" and asked.requested_by == admin_client.user

    # Nothing to sign in to, whatever is tried, and the service refuses the direct path too.
    attacker = Client()
    assert attacker.post(LOGIN, {"username": "shadow.sup", "password": "anything-at-all"}).status_code == 200
    assert attacker.get(reverse("staff:report", args=[report.reference]))["Location"].startswith(LOGIN)
    with pytest.raises(SecondPersonRequired):
        create_staff_user(actor=Actor.of(admin_client.user), username="shadow.sup2", role="supervisor")
    # The administrator cannot approve their own request (and reads no reports: no requests page at all).
    assert decide(admin_client, asked).status_code == 403
    assert admin_client.get(REQUESTS).status_code == 403
    assert admin_client.get(reverse("staff:report", args=[report.reference])).status_code == 403
    asked.refresh_from_db()
    assert asked.outcome == "pending"


def test_a_second_person_approves_and_only_they_see_the_one_time_password(admin_client, staff_client, client):
    admin_client.post(reverse("accounts:new_user"), {"username": "nia.new", "role": "analyst", "first_name": "Nia"})
    asked = AccountRequest.objects.get(username="nia.new")
    approver = staff_client("supervisor")
    listing = approver.get(REQUESTS).content.decode()
    assert "nia.new" in listing and "Approve" in listing

    response = decide(approver, asked)
    assert response.status_code == 200 and "New account approved" in response.content.decode()
    (password,) = secrets_in(response)
    user = User.objects.get(username="nia.new")
    assert user.role == "analyst" and user.first_name == "Nia" and user.password_is_one_time
    assert user.check_password(password)
    asked.refresh_from_db()
    assert (asked.outcome, asked.decided_by, asked.target) == ("approved", approver.user, user)
    assert password not in admin_client.get(reverse("accounts:users")).content.decode()

    audit = AuditEntry.objects.filter(object_type="accounts.accountrequest", object_id=str(asked.pk))
    assert [(e.detail["event"], e.actor) for e in audit.order_by("sequence")] == [
        ("account_request_made", admin_client.user),
        ("account_request_approved", approver.user),
    ]
    created = AuditEntry.objects.get(object_id=str(user.pk), detail__event="staff_account_created")
    assert created.actor == approver.user and created.detail["requested_by"] == admin_client.user.username
    assert password not in str(list(AuditEntry.objects.values_list("detail", flat=True)))

    assert sign_in_fully(client, "nia.new", password)  # the person: enrol, then choose their own password
    assert client.get(QUEUE)["Location"].startswith(reverse("accounts:change_password"))


def test_only_the_right_second_person_may_decide(admin_client, staff_client, make_staff):
    admin = admin_client.user
    sup_request = two_person.request_account(actor=Actor.of(admin), username="sup.two", role="supervisor")
    analyst_request = two_person.request_account(actor=Actor.of(admin), username="an.two", role="analyst")
    analyst, edu = staff_client("analyst"), staff_client("education_officer")

    assert decide(analyst, sup_request).status_code == 403  # an analyst cannot vouch for a supervisor
    assert edu.get(REQUESTS).status_code == 403 and decide(edu, analyst_request).status_code == 403
    assert "an.two" in analyst.get(REQUESTS).content.decode()
    assert "sup.two" not in analyst.get(REQUESTS).content.decode()
    assert analyst.get(reverse("accounts:decide_request", args=[analyst_request.pk])).status_code == 405

    # The account itself cannot approve its own raise or reset, though its role could.
    own = staff_client(user=make_staff("analyst", username="self.vouch"))
    raise_for_self = two_person.request_role_change(actor=Actor.of(admin), user=own.user, role="supervisor")
    assert decide(own, raise_for_self).status_code == 403
    own_sup = staff_client(user=make_staff("supervisor", username="self.vouch.sup"))
    reset_for_self = two_person.request_reset(actor=Actor.of(admin), user=own_sup.user)
    listing = own_sup.get(REQUESTS).content.decode()
    assert "role change for self.vouch<" in listing and "sign-in reset for self.vouch.sup" not in listing
    assert decide(own_sup, reset_for_self).status_code == 403

    # CSRF: a forged form from elsewhere is refused.
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = analyst.cookies
    assert decide(forged, analyst_request).status_code == 403
    analyst_request.refresh_from_db()
    assert analyst_request.outcome == "pending"


def test_declining_changes_nothing_and_is_audited(admin_client, staff_client):
    asked = two_person.request_account(actor=Actor.of(admin_client.user), username="not.wanted", role="investigator")
    approver = staff_client("investigator")
    response = decide(approver, asked, "decline")
    assert response.status_code == 302 and not secrets_in(approver.get(response["Location"]))
    assert not User.objects.filter(username="not.wanted").exists()
    asked.refresh_from_db()
    assert asked.outcome == "declined" and asked.decided_by == approver.user
    assert AuditEntry.objects.filter(detail__event="account_request_declined", actor=approver.user).exists()
    assert decide(approver, asked).status_code == 403  # decided once


def test_attack_administrator_resets_a_supervisor_and_tries_the_new_secret(admin_client, make_staff, staff_client):
    """Old: reset removed the authenticator and the administrator, holding the first one-time password, took the
    account. Now: the reset only asks; the approver gets the new secret; the administrator never saw it."""
    sup = make_staff("supervisor", username="duty.sup")
    page = admin_client.get(reverse("accounts:reset_sign_in", args=[sup.pk]))
    assert "a second person" in page.content.decode()
    response = admin_client.post(reverse("accounts:reset_sign_in", args=[sup.pk]))
    assert "Waiting for a second person" in response.content.decode()
    seen_by_admin = secrets_in(page, response, admin_client.get(reverse("accounts:users")))
    assert not seen_by_admin
    assert TOTPDevice.objects.filter(user=sup).exists()  # nothing happens before approval
    with pytest.raises(SecondPersonRequired):
        reset_sign_in(actor=Actor.of(admin_client.user), user=sup)

    approver = staff_client("supervisor")
    done = decide(approver, AccountRequest.objects.get(target=sup, kind="reset"))
    (new_secret,) = secrets_in(done)
    sup.refresh_from_db()
    assert sup.check_password(new_secret) and not TOTPDevice.objects.filter(user=sup).exists()

    # Everything the administrator saw (nothing), and the old password: none signs in.
    attacker = Client()
    for guess in [*seen_by_admin, STAFF_PASSWORD, "duty.sup"]:
        assert not sign_in_fully(attacker, "duty.sup", guess)
    assert attacker.get(QUEUE)["Location"].startswith(LOGIN)


def test_attack_administrator_raises_an_account_they_signed_in_to(admin_client, staff_client, new_report):
    """An administrator makes an education officer (no second person needed), takes it, then asks for a raise:
    approval starts the account's sign-in again, so the administrator's password and authenticator stop working."""
    response = admin_client.post(reverse("accounts:new_user"), {"username": "edu.puppet", "role": "education_officer"})
    (one_time,) = secrets_in(response)  # shown to the administrator: this role reads no reports
    created = User.objects.get(username="edu.puppet")
    puppet, own_password = Client(), "ink sparrow over the quiet canal"
    assert sign_in_fully(puppet, "edu.puppet", one_time)
    puppet.post(
        reverse("accounts:change_password"),
        {"current_password": one_time, "new_password": own_password, "confirm_password": own_password},
    )
    assert puppet.get(reverse("education:dashboard")).status_code == 200

    response = admin_client.post(reverse("accounts:change_role", args=[created.pk]), {"role": "supervisor"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.role == "education_officer"  # not until approved
    raise_request = AccountRequest.objects.get(target=created, kind="raise")

    done = decide(staff_client("supervisor"), raise_request)
    assert "Role change approved" in done.content.decode()
    created.refresh_from_db()
    assert created.role == "supervisor" and created.password_is_one_time
    assert not created.check_password(own_password) and not TOTPDevice.objects.filter(user=created).exists()
    assert puppet.get(reverse("staff:report", args=[new_report().reference]))["Location"].startswith(LOGIN)
    assert not sign_in_fully(Client(), "edu.puppet", own_password)
    assert AuditEntry.objects.filter(
        object_id=str(created.pk), detail__event="role_changed", detail__to_role="supervisor"
    ).exists()


def test_role_changes_that_give_no_report_access_are_direct_and_audited(admin_client, make_staff):
    sup = make_staff("supervisor")
    response = admin_client.post(reverse("accounts:change_role", args=[sup.pk]), {"role": "analyst"})
    assert response.status_code == 302
    sup.refresh_from_db()
    assert sup.role == "analyst" and not sup.password_is_one_time  # less access: no second person, no reset
    edu = make_staff("education_officer")
    admin_client.post(reverse("accounts:change_role", args=[edu.pk]), {"role": "administrator"})
    edu.refresh_from_db()
    assert edu.role == "administrator"
    assert AuditEntry.objects.filter(detail__event="role_changed", actor=admin_client.user).count() == 2
    # Nobody changes their own role; only administrators change roles.
    assert admin_client.get(reverse("accounts:change_role", args=[admin_client.user.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        two_person.change_role(actor=Actor.of(admin_client.user), user=admin_client.user, role="supervisor")


def test_the_system_actor_still_creates_any_account_for_commands_and_demo_data(capsys):
    call_command("create_staff_user", "first.sup", "--role", "supervisor")
    assert "One-time password:" in capsys.readouterr().out
    assert User.objects.get(username="first.sup").password_is_one_time
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = User.objects.get(username="supervisor")
    assert demo.role == "supervisor" and not demo.password_is_one_time


def test_an_approval_is_good_only_for_what_was_approved(admin_client, staff_client, make_staff):
    approver = staff_client("supervisor")
    asked = two_person.request_account(actor=Actor.of(admin_client.user), username="only.analyst", role="analyst")
    decide(approver, asked)
    asked.refresh_from_db()
    actor = Actor.of(approver.user)
    with pytest.raises(SecondPersonRequired):  # not a supervisor account on an analyst's approval
        create_staff_user(actor=actor, username="sneaky.sup", role="supervisor", approval=asked)
    with pytest.raises(SecondPersonRequired):  # not by someone other than the approver
        create_staff_user(
            actor=Actor.of(make_staff("supervisor")), username="other.analyst", role="analyst", approval=asked
        )
    with pytest.raises(SecondPersonRequired):  # not a reset of someone else
        reset_sign_in(actor=actor, user=make_staff("analyst"), approval=asked)
    assert not User.objects.filter(username__in=["sneaky.sup", "other.analyst"]).exists()
