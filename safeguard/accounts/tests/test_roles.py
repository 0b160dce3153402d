"""Roles and capabilities, as a matrix: role × capability, and role × staff URL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from safeguard.accounts.models import Role
from safeguard.accounts.roles import Capability, check_capability, has_capability

AN, INV, SUP, ADM = Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMINISTRATOR
FORCE, EDU = Role.FORCE_OFFICER, Role.EDUCATION_OFFICER

EXPECTED_CAPABILITIES = {
    Capability.VIEW_REPORT_QUEUE: {AN, INV, SUP},
    Capability.VIEW_REPORT: {AN, INV, SUP},
    Capability.CHANGE_REPORT: {AN, INV, SUP},
    Capability.ASSIGN_REPORT_TO_SELF: {AN, INV, SUP},
    Capability.ASSIGN_REPORT: {SUP},
    Capability.MANAGE_USERS: {ADM},
    Capability.UNLOCK_ACCOUNTS: {SUP, ADM},
    Capability.VIEW_AUDIT_LOG: {SUP, ADM},
    Capability.VIEW_EDUCATION: {AN, INV, SUP, ADM, EDU},
    Capability.MANAGE_EDUCATION: {SUP, ADM, EDU},
    Capability.MANAGE_WANTED: {INV, SUP},
    Capability.APPROVE_WANTED: {SUP},
    Capability.SEARCH: {AN, INV, SUP},
    Capability.MERGE_SUBJECTS: {SUP},
    Capability.EDIT_SCORING_MODEL: {SUP},
    Capability.VIEW_CASES: {AN, INV, SUP},
    Capability.MANAGE_CASES: {AN, INV, SUP},
    Capability.PREPARE_DISSEMINATION: {AN, INV, SUP},
    Capability.APPROVE_DISSEMINATION: {SUP},
    Capability.MANAGE_RECIPIENTS: {SUP, ADM},
    Capability.FORCE_PORTAL: {FORCE},
    Capability.IMPORT_REFERRALS: {AN, INV, SUP},
    Capability.ALLOCATE_REFERRALS: {SUP},
    Capability.VIEW_INSIGHT: {AN, INV, SUP},
    Capability.PUBLISH_REVIEW: {SUP},
    Capability.REVIEW_RETENTION: {SUP},
    Capability.VIEW_STAFF_EXPOSURE: {SUP},
    Capability.ASSESS_URLS: {AN, INV, SUP},
    Capability.REVIEW_SELF_REPORTED: {SUP},
}


def test_every_capability_is_in_the_matrix():
    assert set(EXPECTED_CAPABILITIES) == set(Capability)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("capability", list(Capability))
def test_role_capability_matrix(make_staff, role, capability):
    user = make_staff(role)
    expected = role in EXPECTED_CAPABILITIES[capability]
    assert has_capability(user, capability) is expected
    if not expected:
        with pytest.raises(PermissionDenied):
            check_capability(user, capability)


@pytest.mark.django_db
def test_inactive_and_anonymous_users_have_nothing(make_staff):
    from django.contrib.auth.models import AnonymousUser

    user = make_staff("supervisor")
    user.is_active = False
    assert not any(has_capability(user, c) for c in Capability)
    assert not any(has_capability(AnonymousUser(), c) for c in Capability)


# GET status per role for each page (302 = redirected to the role's own home, e.g. from sign-in).
URL_MATRIX = [
    # (url name, needs a report, {role: expected status})
    # /staff/ (the queue) sends a role without the queue to its own home instead of a 403.
    ("staff:queue", False, {AN: 200, INV: 200, SUP: 200, ADM: 302, FORCE: 302, EDU: 302}),
    ("staff:report", True, {AN: 200, INV: 200, SUP: 200, ADM: 403, FORCE: 403, EDU: 403}),
    ("staff:audit_log", False, {AN: 403, INV: 403, SUP: 200, ADM: 200, FORCE: 403, EDU: 403}),
    ("accounts:users", False, {AN: 403, INV: 403, SUP: 403, ADM: 200, FORCE: 403, EDU: 403}),
    ("accounts:new_user", False, {AN: 403, INV: 403, SUP: 403, ADM: 200, FORCE: 403, EDU: 403}),
    ("accounts:locked", False, {AN: 403, INV: 403, SUP: 200, ADM: 200, FORCE: 403, EDU: 403}),
    ("accounts:login", False, {AN: 302, INV: 302, SUP: 302, ADM: 302, FORCE: 302, EDU: 302}),
    ("staff:change_status", True, {AN: 405, INV: 405, SUP: 405, ADM: 403, FORCE: 403, EDU: 403}),
    ("staff:assign", True, {AN: 405, INV: 405, SUP: 405, ADM: 403, FORCE: 403, EDU: 403}),
    ("staff:search", False, {AN: 200, INV: 200, SUP: 200, ADM: 403, FORCE: 403, EDU: 403}),
    ("cases:list", False, {AN: 200, INV: 200, SUP: 200, ADM: 403, FORCE: 403, EDU: 403}),
    ("education:dashboard", False, {AN: 200, INV: 200, SUP: 200, ADM: 200, FORCE: 403, EDU: 200}),
    ("education:session_upload", False, {AN: 403, INV: 403, SUP: 200, ADM: 200, FORCE: 403, EDU: 200}),
    ("force:home", False, {AN: 403, INV: 403, SUP: 403, ADM: 403, FORCE: 200, EDU: 403}),
    ("evidence:self_reported", False, {AN: 403, INV: 403, SUP: 200, ADM: 403, FORCE: 403, EDU: 403}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(("name", "needs_report", "expected"), URL_MATRIX, ids=[row[0] for row in URL_MATRIX])
def test_role_url_matrix(staff_client, new_report, role, name, needs_report, expected):
    client = staff_client(role)
    args = [new_report().reference] if needs_report else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == expected[role]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(AN, 302), (INV, 302), (SUP, 302), (ADM, 403)],
    ids=["analyst", "investigator", "supervisor", "admin"],
)
def test_role_can_post_status_change(staff_client, new_report, role, expected):
    report = new_report()
    response = staff_client(role).post(
        reverse("staff:change_status", args=[report.reference]), {"to_status": "in_review", "note": ""}
    )
    assert response.status_code == expected


def test_staff_home_per_role(analyst_client, supervisor_client, admin_client):
    from safeguard.accounts.roles import staff_home_url_name

    assert staff_home_url_name(analyst_client.user) == "staff:queue"
    assert staff_home_url_name(supervisor_client.user) == "staff:queue"
    assert staff_home_url_name(admin_client.user) == "accounts:users"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (AN, "staff:queue"),
        (INV, "staff:queue"),
        (SUP, "staff:queue"),
        (ADM, "accounts:users"),
        (FORCE, "force:home"),
        (EDU, "education:dashboard"),
    ],
)
def test_each_role_has_its_own_home_and_staff_root_leads_there(staff_client, role, home):
    """/staff/ answers each role with its home: the queue itself, or a redirect to the role's own home."""
    from safeguard.accounts.roles import staff_home_url_name

    client = staff_client(role)
    assert staff_home_url_name(client.user) == home
    response = client.get("/staff/")
    if home == "staff:queue":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"] == reverse(home)
        assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", Role.values)
def test_sign_in_lands_on_the_roles_home(make_staff, totp_code, role):
    from django.test import Client

    from conftest import STAFF_PASSWORD
    from safeguard.accounts.roles import staff_home_url_name

    user = make_staff(role)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("accounts:verify"), {"code": totp_code(user.totp_device)})
    assert response["Location"] == reverse(staff_home_url_name(user))


def test_a_user_without_any_capability_gets_a_403_at_staff_root_not_a_redirect_loop(staff_client):
    client = staff_client(AN)
    client.user.role = "retired_role"
    client.user.save()
    assert client.get("/staff/").status_code == 403


def test_force_officers_land_on_their_portal(make_staff):
    from safeguard.accounts.roles import staff_home_url_name

    assert staff_home_url_name(make_staff(FORCE)) == "force:home"


def test_service_name_links_to_each_roles_home(analyst_client, admin_client):
    assert (
        f'href="{reverse("staff:queue")}" class="govuk-service-navigation__link"'
        in analyst_client.get(reverse("staff:queue")).content.decode()
    )
    assert (
        f'href="{reverse("accounts:users")}" class="govuk-service-navigation__link"'
        in admin_client.get(reverse("accounts:users")).content.decode()
    )
