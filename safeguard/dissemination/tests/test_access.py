"""The access matrix: a force officer sees only their own force's sent packages, by every URL; staff per role."""

from datetime import date

import pytest
from django.urls import reverse

from safeguard.audit.models import Action, AuditEntry
from safeguard.dissemination.models import DisseminationStatus, Outcome

FORCE_URLS = [
    ("get", "force:detail"),
    ("get", "force:pdf"),
    ("get", "force:json"),
    ("post", "force:acknowledge"),
    ("get", "force:outcome"),
    ("post", "force:outcome"),
]
STAFF_URLS = [
    ("get", "dissemination:detail"),
    ("get", "dissemination:pdf"),
    ("get", "dissemination:json"),
    ("post", "dissemination:edit_text"),
    ("post", "dissemination:add_item"),
    ("post", "dissemination:routing"),
    ("post", "dissemination:approve"),
    ("post", "dissemination:send"),
    ("post", "dissemination:add_outcome"),
]
_TODAY = date.today()
OUTCOME = {
    "kind": "arrest",
    "occurred_on-day": str(_TODAY.day),
    "occurred_on-month": str(_TODAY.month),
    "occurred_on-year": str(_TODAY.year),
}


def _call(client, method, name, reference):
    url = reverse(name, args=[reference])
    return client.post(url, OUTCOME) if method == "post" else client.get(url)


@pytest.fixture
def two_forces(make_package, make_recipient, make_staff, staff_client):
    """Force A's officer, a package sent to force B, and one to force A."""
    force_a, force_b = make_recipient("Force A Constabulary"), make_recipient("Force B Constabulary")
    officer_a = staff_client("force_officer", user=make_staff("force_officer", force=force_a))
    return {
        "officer_a": officer_a,
        "own": make_package("sent", recipient=force_a),
        "other": make_package("sent", recipient=force_b),
        "own_draft": make_package("draft", recipient=force_a),
    }


@pytest.mark.parametrize(("method", "name"), FORCE_URLS)
def test_force_officer_cannot_reach_another_forces_package(two_forces, method, name):
    other = two_forces["other"]
    response = _call(two_forces["officer_a"], method, name, other.reference)
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == DisseminationStatus.SENT
    assert not Outcome.objects.filter(dissemination=other).exists()
    assert not AuditEntry.objects.filter(action=Action.DISCLOSURE, actor=two_forces["officer_a"].user).exists()


@pytest.mark.parametrize(("method", "name"), FORCE_URLS)
def test_force_officer_cannot_see_a_draft_for_their_own_force(two_forces, method, name):
    assert _call(two_forces["officer_a"], method, name, two_forces["own_draft"].reference).status_code == 404


@pytest.mark.parametrize(("method", "name"), FORCE_URLS)
def test_force_officer_can_reach_their_own_forces_package(two_forces, method, name):
    response = _call(two_forces["officer_a"], method, name, two_forces["own"].reference)
    assert response.status_code in (200, 302)


def test_force_list_shows_only_own_force(two_forces):
    page = two_forces["officer_a"].get(reverse("force:home")).content.decode()
    assert two_forces["own"].reference in page
    assert two_forces["other"].reference not in page
    assert two_forces["own_draft"].reference not in page


@pytest.mark.parametrize(("method", "name"), STAFF_URLS)
def test_force_officer_cannot_use_the_centres_pages(two_forces, method, name):
    assert _call(two_forces["officer_a"], method, name, two_forces["own"].reference).status_code == 403


def test_force_officer_without_a_force_sees_nothing(staff_client, make_package):
    package = make_package("sent")
    client = staff_client("force_officer")
    page = client.get(reverse("force:home"))
    assert page.status_code == 200
    assert "not linked to a force" in page.content.decode()
    assert package.reference not in page.content.decode()
    assert client.get(reverse("force:detail", args=[package.reference])).status_code == 403


@pytest.mark.parametrize("role", ["analyst", "investigator", "supervisor", "administrator"])
def test_centre_staff_cannot_use_the_force_portal(staff_client, make_package, role):
    package = make_package("sent")
    client = staff_client(role)
    assert client.get(reverse("force:home")).status_code == 403
    assert client.get(reverse("force:detail", args=[package.reference])).status_code == 403


@pytest.mark.parametrize(
    ("role", "may_prepare", "may_approve"),
    [
        ("analyst", True, False),
        ("investigator", True, False),
        ("supervisor", True, True),
        ("administrator", False, False),  # accounts and the audit log, not case content
    ],
)
def test_staff_roles(staff_client, make_package, role, may_prepare, may_approve):
    package = make_package("draft")
    client = staff_client(role)
    expected = 200 if may_prepare else 403
    assert client.get(reverse("dissemination:list")).status_code == expected
    assert client.get(reverse("dissemination:detail", args=[package.reference])).status_code == expected
    assert client.get(reverse("dissemination:json", args=[package.reference])).status_code == expected
    response = client.post(reverse("dissemination:approve", args=[package.reference]))
    assert response.status_code == (302 if may_approve else 403)
    package.refresh_from_db()
    assert package.status == (DisseminationStatus.APPROVED if may_approve else DisseminationStatus.DRAFT)


def test_signed_out_and_password_only_are_refused(client, password_only_client, make_package):
    package = make_package("sent")
    for url in (
        reverse("force:detail", args=[package.reference]),
        reverse("dissemination:detail", args=[package.reference]),
    ):
        assert client.get(url).status_code == 302
        assert password_only_client("force_officer").get(url).status_code in (302, 403)


def test_every_force_read_is_audited_and_downloads_are_disclosures(two_forces):
    own, officer = two_forces["own"], two_forces["officer_a"]
    officer.get(reverse("force:detail", args=[own.reference]))
    officer.get(reverse("force:pdf", args=[own.reference]))
    officer.get(reverse("force:json", args=[own.reference]))
    entries = AuditEntry.objects.filter(actor=officer.user, object_id=str(own.pk))
    assert entries.filter(action=Action.CONSULTATION).count() == 3
    disclosures = entries.filter(action=Action.DISCLOSURE)
    assert disclosures.count() == 2
    assert all(own.recipient.code in d.recipient for d in disclosures)
