import datetime

import pytest
from django.urls import reverse

from safeguard.audit.models import Action, AuditEntry
from safeguard.cases import services
from safeguard.cases.models import Case, EnquiryStatus
from safeguard.routing.models import Recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_staff, new_report):
    owner = make_staff("investigator")
    report = new_report()
    return services.open_case(actor=owner, title="Proposed meeting offline", report_ids=[report.pk])


@pytest.fixture
def operation(case):
    return services.create_operation(actor=case.owner, name="Operation Kestrel", case_ids=[case.pk])


def urls(case, operation):
    return [
        ("get", reverse("cases:list")),
        ("get", reverse("cases:list") + "?scope=all"),
        ("get", reverse("cases:open")),
        ("get", reverse("cases:detail", args=[case.pk])),
        ("post", reverse("cases:act", args=[case.pk])),
        ("get", reverse("cases:operations")),
        ("get", reverse("cases:operation", args=[operation.pk])),
        ("post", reverse("cases:operation", args=[operation.pk])),
    ]


@pytest.mark.parametrize("role", ["administrator", "force_officer"])
def test_administrators_and_force_officers_get_403_everywhere(role, staff_client, make_staff, case, operation):
    kwargs = {"force": Recipient.objects.get(code="kent")} if role == "force_officer" else {}
    client = staff_client(user=make_staff(role, **kwargs))
    for method, url in urls(case, operation):
        response = getattr(client, method)(url, {"action": "note", "text": "x"} if method == "post" else None)
        assert response.status_code == 403, (role, url)
    assert not case.notes.exists()


@pytest.mark.parametrize("role", ["analyst", "investigator", "supervisor"])
def test_casework_roles_see_cases_and_operations(role, staff_client, case, operation):
    client = staff_client(role)
    for method, url in urls(case, operation):
        if method == "get":
            assert client.get(url).status_code == 200, url
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.reference in page and case.reports.get().reference in page


def test_signed_out_and_password_only_are_refused(client, password_only_client, case):
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code in (302, 403)
    assert password_only_client("analyst").get(url).status_code in (302, 403)


def test_case_page_consultation_is_audited(analyst_client, case):
    analyst_client.get(reverse("cases:detail", args=[case.pk]))
    entry = AuditEntry.objects.filter(action=Action.CONSULTATION, object_type="cases.case").latest("sequence")
    assert entry.actor == analyst_client.user and entry.object_id == str(case.pk)


def test_open_a_case_from_the_report_page(analyst_client, new_report):
    report = new_report()
    page = analyst_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert "Open a case from this report" in page
    form = analyst_client.get(reverse("cases:open") + f"?report={report.reference}").content.decode()
    assert f'value="{report.reference}"' in form
    response = analyst_client.post(reverse("cases:open"), {"title": "Asked for photos", "reports": report.reference})
    case = Case.objects.get(title="Asked for photos")
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert list(case.reports.all()) == [report] and case.owner == analyst_client.user
    page = analyst_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert case.reference in page


def test_open_case_form_keeps_what_was_typed_on_error(analyst_client):
    response = analyst_client.post(reverse("cases:open"), {"title": "Keep me", "reports": "SG-0000-0000 banana"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not a report reference: banana" in page and 'value="Keep me"' in page
    assert not Case.objects.exists()


def test_case_page_actions_without_javascript(investigator_client, case, make_staff):
    url = reverse("cases:act", args=[case.pk])
    response = investigator_client.post(
        url,
        {
            "action": "enquiry",
            "new-kind": "open_source",
            "new-action": "Open-source research on username kestrel_fan",
            "new-due_date": "2026-12-01",
        },
    )
    assert response.status_code == 302
    enquiry = case.enquiries.get()
    assert enquiry.due_date == datetime.date(2026, 12, 1)
    response = investigator_client.post(
        url,
        {
            "action": "update_enquiry",
            "enquiry": enquiry.pk,
            f"e{enquiry.pk}-status": "complete",
            f"e{enquiry.pk}-result": "",
        },
    )
    assert response.status_code == 400 and "Record the result" in response.content.decode()
    investigator_client.post(
        url,
        {
            "action": "update_enquiry",
            "enquiry": enquiry.pk,
            f"e{enquiry.pk}-status": "complete",
            f"e{enquiry.pk}-result": "Profile found",
        },
    )
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.COMPLETE
    assert investigator_client.post(url, {"action": "note", "text": "Checked with the platform."}).status_code == 302
    response = investigator_client.post(url, {"action": "new-kind", "text": "x"})
    assert response.status_code == 404
    response = investigator_client.post(
        url, {"action": "enquiry", "new-kind": "other", "new-action": "Check", "new-due_date": "tomorrow-ish"}
    )
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()
    assert "tomorrow-ish" in response.content.decode()
    response = investigator_client.post(url, {"action": "status", "status": "closed", "reason": ""})
    assert "reason for closing" in response.content.decode()
    response = investigator_client.post(url, {"action": "status", "status": "closed", "reason": "Done"})
    case.refresh_from_db()
    assert case.status == "closed"
    page = investigator_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Profile found" in page and "Checked with the platform." in page and "Done" in page


def test_my_cases_and_all_cases(staff_client, case, make_staff):
    analyst = staff_client("analyst")
    mine = analyst.get(reverse("cases:list")).content.decode()
    assert case.reference not in mine
    assert case.reference in analyst.get(reverse("cases:list") + "?scope=all").content.decode()
    services.add_enquiry(actor=case.owner, case=case, kind="other", action="Check records", assignee=analyst.user)
    assert case.reference in analyst.get(reverse("cases:list")).content.decode()


def test_operation_pages_record_deployments(investigator_client, operation):
    url = reverse("cases:operation", args=[operation.pk])
    kent = Recipient.objects.get(code="kent")
    response = investigator_client.post(
        url,
        {
            "action": "deployment",
            "date": "2026-01-05",
            "force": kent.pk,
            "kind": "warrant",
            "major": "on",
            "description": "Search warrant",
        },
    )
    assert response.status_code == 302
    assert operation.deployments.get().force == kent
    response = investigator_client.post(url, {"action": "deployment", "date": "", "force": kent.pk, "kind": "warrant"})
    assert response.status_code == 400 and "Give the date of the deployment." in response.content.decode()
    response = investigator_client.post(reverse("cases:operations"), {"name": "Operation Kestrel"})
    assert response.status_code == 400 and "already an operation" in response.content.decode()
    response = investigator_client.post(reverse("cases:operations"), {"name": "Operation Heron"})
    assert response.status_code == 302


def test_case_list_consultation_is_audited(analyst_client, case):
    analyst_client.get(reverse("cases:list") + "?scope=all")
    entry = AuditEntry.objects.filter(object_type="cases.case", object_id="list").latest("sequence")
    assert entry.action == Action.CONSULTATION and entry.detail == {"cases": [case.pk], "scope": "all"}


def test_attach_evidence_from_the_case_page(investigator_client, case):
    from safeguard.evidence.models import EvidenceFile

    report = case.reports.get()
    evidence = EvidenceFile.objects.create(
        report=report,
        original_name="pattern.png",
        size=10,
        sha256="d" * 64,
        sha1="e" * 40,
        md5="f" * 32,
        detected_type="image/png",
        uploaded_by_label="test",
    )
    page = investigator_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "pattern.png" in page and "Attach evidence reference" in page
    url = reverse("cases:act", args=[case.pk])
    response = investigator_client.post(url, {"action": "attach", "evidence": evidence.pk, "description": "key file"})
    assert response.status_code == 302
    assert case.attachments.get().evidence == evidence
    page = investigator_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "dddddddddddddddd" in page and "key file" in page
    response = investigator_client.post(url, {"action": "attach", "evidence": 99999})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_case_page_links_to_a_dissemination_package(analyst_client, case):
    page = analyst_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"{reverse('dissemination:new')}?case={case.reference}&amp;reports={case.reports.get().reference}" in page
    assert "Nothing disseminated from this case yet." in page


def test_overdue_lines_of_enquiry_are_marked(analyst_client, case):
    services.add_enquiry(
        actor=case.owner,
        case=case,
        kind="platform_request",
        action="Ask the platform to preserve the account",
        due_date=datetime.date(2020, 1, 1),
    )
    page = analyst_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Overdue" in page
