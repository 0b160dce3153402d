import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safeguard.audit.models import Action, AuditEntry
from safeguard.routing.models import Recipient, RoutingDecision
from safeguard.routing.services import record_routing_decision, suggest_recipient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["analyst", "investigator"])
def test_casework_roles_cannot_manage_the_directory(role, staff_client):
    client = staff_client(role)
    assert client.get(reverse("routing:recipients")).status_code == 403
    assert client.post(reverse("routing:edit", args=["kent"]), {"name": "Hacked"}).status_code == 403


def test_force_officers_cannot_manage_the_directory(staff_client, make_staff):
    officer = make_staff("force_officer", force=Recipient.objects.get(code="kent"))
    client = staff_client(user=officer)
    assert client.get(reverse("routing:recipients")).status_code == 403
    assert client.get(reverse("routing:edit", args=["kent"])).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_directory_list_and_suggestion_tester(role, staff_client):
    client = staff_client(role)
    page = client.get(reverse("routing:recipients")).content.decode()
    assert "Police Service of Northern Ireland" in page and "ceop-referrals@ncb-fr.police.example" in page
    page = client.get(reverse("routing:recipients"), {"try": "1", "postcode": "CF10 1AA"}).content.decode()
    assert "South Wales" in page and "Approximate" in page


def test_edit_a_recipient_is_audited(admin_client):
    url = reverse("routing:edit", args=["ncb-fr"])
    form = admin_client.get(url).content.decode()
    assert "ceop-referrals@ncb-fr.police.example" in form
    data = {
        "name": "Interpol NCB - France",
        "kind": "international",
        "country": "fr",
        "secure_contact": "secure@ncb-fr.police.example",
        "country_default": "on",
        "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    france = Recipient.objects.get(code="ncb-fr")
    assert france.secure_contact == "secure@ncb-fr.police.example" and france.country == "FR"
    entry = AuditEntry.objects.filter(object_type="routing.recipient", object_id=str(france.pk)).latest("sequence")
    assert entry.action == Action.ALTERATION
    assert entry.detail["changed"]["secure_contact"] == [
        "ceop-referrals@ncb-fr.police.example",
        "secure@ncb-fr.police.example",
    ]


def test_bad_recipient_input_keeps_what_was_typed(admin_client):
    data = {"code": "ncb-fr", "name": "Keep this name", "kind": "international", "country": "F1", "is_active": "on"}
    response = admin_client.post(reverse("routing:new"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is already a recipient with the code ncb-fr." in page
    assert "Enter a two-letter country code" in page and 'value="Keep this name"' in page
    data = {
        "code": "ncb-xx",
        "name": "Second default",
        "kind": "international",
        "country": "FR",
        "country_default": "on",
    }
    assert "already the default for FR" in admin_client.post(reverse("routing:new"), data).content.decode()


def test_add_a_recipient(supervisor_client):
    data = {"code": "ncb-ee-2", "name": "A new partner", "kind": "international", "country": "EE", "is_active": "on"}
    assert supervisor_client.post(reverse("routing:new"), data).status_code == 302
    assert Recipient.objects.get(code="ncb-ee-2").is_active


def test_routing_decision_confirm_and_override(make_staff, new_report):
    analyst = make_staff("analyst")
    report = new_report()
    suggestion = suggest_recipient(postcode="LS1 4AP")
    confirmed = record_routing_decision(
        actor=analyst, suggestion=suggestion, chosen=suggestion.recipient, reason="", subject_obj=report
    )
    assert not confirmed.overridden and confirmed.basis == "postcode area (approximate)" and confirmed.approximate
    met = Recipient.objects.get(code="metropolitan-police-service")
    with pytest.raises(ValidationError, match="Give a reason for choosing Metropolitan Police Service instead"):
        record_routing_decision(actor=analyst, suggestion=suggestion, chosen=met, reason=" ", subject_obj=report)
    overridden = record_routing_decision(
        actor=analyst, suggestion=suggestion, chosen=met, reason="Subject now lives in London", subject_obj=report
    )
    assert overridden.overridden and overridden.suggested.code == "west-yorkshire"
    entry = AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk)).latest("sequence")
    assert entry.detail["routing_decision"] == overridden.pk and entry.detail["reason"] == "Subject now lives in London"
    assert RoutingDecision.objects.filter(subject_type="reporting.report", subject_id=str(report.pk)).count() == 2


def test_routing_decision_refusals(make_staff, new_report):
    report = new_report()
    with pytest.raises(PermissionDenied):
        record_routing_decision(
            actor=make_staff("administrator"),
            suggestion=None,
            chosen=Recipient.objects.get(code="kent"),
            reason="",
            subject_obj=report,
        )
    gone = Recipient.objects.get(code="ncb-fr")
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError, match="inactive"):
        record_routing_decision(
            actor=make_staff("analyst"), suggestion=None, chosen=gone, reason="", subject_obj=report
        )


def test_recipient_page_shows_recent_decisions(make_staff, new_report, supervisor_client):
    report = new_report()
    suggestion = suggest_recipient(postcode="LS1 4AP")
    met = Recipient.objects.get(code="metropolitan-police-service")
    record_routing_decision(
        actor=make_staff("analyst"),
        suggestion=suggestion,
        chosen=met,
        reason="Moved to a fictional London borough",
        subject_obj=report,
    )
    page = supervisor_client.get(reverse("routing:edit", args=[met.code])).content.decode()
    assert "Moved to a fictional London borough" in page and "West Yorkshire" in page
