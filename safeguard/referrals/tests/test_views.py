import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.referrals import services
from safeguard.referrals.models import ImportState, ReferralImport
from safeguard.reporting.models import Report, Source

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def recipient(db):
    from safeguard.routing.models import Recipient

    recipient, _ = Recipient.objects.get_or_create(
        code="test-shire-police", defaults={"name": "Test Shire Police", "kind": "uk_territorial"}
    )
    return recipient


@pytest.fixture
def route_all_to(monkeypatch):
    from safeguard.referrals import routing

    def install(recipient):
        class Fixed:
            def suggest(self, *, postcode=None, ip=None, country=None):
                return routing.NoSuggestion(recipient=recipient, basis="postcode lookup", approximate=False)

        monkeypatch.setattr(routing, "make_suggester", lambda: Fixed())
        monkeypatch.setattr(services, "make_suggester", lambda: Fixed())

    return install


def upload(client, content: bytes, name: str, **fields):
    from django.test import TestCase

    data = {"partner": "Interpol NCB Ruritania", "format": "", "file": SimpleUploadedFile(name, content), **fields}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("referrals:new"), data)


def test_upload_runs_the_import_and_shows_progress(analyst_client):
    bad = record(3)
    bad["incidentSummary"]["incidentDateTime"] = "yesterday"
    response = upload(analyst_client, jsonl(record(1), record(2), bad), "op-lantern.jsonl")
    imp = ReferralImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("referrals:detail", args=[imp.pk])
    assert imp.state == ImportState.COMPLETED and imp.accepted == 2 and imp.rejected == 1
    page = analyst_client.get(response.url)
    body = page.content.decode()
    assert 'http-equiv="refresh"' not in body  # finished: no more refreshing
    assert "Records read" in body and "Download the lines not imported" in body
    csv_text = b"".join(analyst_client.get(reverse("referrals:errors", args=[imp.pk])).streaming_content).decode()
    assert csv_text.splitlines()[0] == "line,element,field,reason"
    assert csv_text.splitlines()[1].startswith("3,,incidentSummary.incidentDateTime,")


def test_running_import_page_refreshes_itself(analyst_client, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl(record(1)))
    imp = services.create_import(
        user=analyst_client.user, partner="NCB", fmt="jsonl", original_name="a.jsonl", path=path
    )
    body = analyst_client.get(reverse("referrals:detail", args=[imp.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in body


def test_upload_with_unknown_format_says_so(analyst_client):
    response = upload(analyst_client, b"x", "lines.txt")
    assert response.status_code == 400
    assert "the file name does not say" in response.content.decode()


def test_csv_with_other_column_names_goes_through_the_mapping_step(analyst_client):
    content = b"Type,When,Nick\r\nonline_enticement_of_children,2026-10-01T12:00:00Z,sam_x\r\n"
    response = upload(analyst_client, content, "lines.csv")
    imp = ReferralImport.objects.get()
    assert response.url == reverse("referrals:mapping", args=[imp.pk])
    page = analyst_client.get(response.url).content.decode()
    assert "Columns not in the documented header" in page
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = analyst_client.post(
            reverse("referrals:mapping", args=[imp.pk]),
            {"column_0": "incident_type", "column_1": "incident_datetime", "column_2": "screen_name"},
        )
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.state == ImportState.COMPLETED and imp.accepted == 1


def test_csv_mapping_without_a_required_column_is_refused(analyst_client):
    content = b"Type,When\r\nonline_enticement_of_children,2026-10-01T12:00:00Z\r\n"
    upload(analyst_client, content, "lines.csv")
    imp = ReferralImport.objects.get()
    response = analyst_client.post(reverse("referrals:mapping", args=[imp.pk]), {"column_0": "incident_type"})
    assert response.status_code == 400
    assert "Required column &#x27;incident_datetime&#x27; is missing" in response.content.decode()


def test_pause_of_a_finished_import_is_a_clear_error(analyst_client):
    upload(analyst_client, jsonl(record(1)), "a.jsonl")
    imp = ReferralImport.objects.get()
    response = analyst_client.post(reverse("referrals:control", args=[imp.pk]), {"do": "pause"})
    assert response.status_code == 400 and "cannot be paused" in response.content.decode()


def test_summary_then_allocation_and_drafts(staff_client, make_staff, recipient, route_all_to):
    route_all_to(recipient)
    supervisor = staff_client("supervisor")
    urgent = record(2)
    urgent["incidentSummary"].update(escalateToHighPriority=True, escalationReason="Child may be at risk now")
    upload(supervisor, jsonl(record(1), urgent, record(3)), "a.jsonl")
    imp = ReferralImport.objects.get()
    page = supervisor.get(reverse("referrals:summary", args=[imp.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Test Shire Police" in body and "Highest-priority lines" in body
    a, b = make_staff("analyst"), make_staff("investigator")
    response = supervisor.post(
        reverse("referrals:summary", args=[imp.pk]),
        {"allocate": "1", "allocate-bands": ["1", "2", "3", "4"], "allocate-assignees": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    assigned = dict(
        Report.objects.filter(source=Source.REFERRAL).values_list("assigned_to", "priority").order_by("priority")
    )
    assert set(Report.objects.filter(source=Source.REFERRAL).values_list("assigned_to", flat=True)) == {a.pk, b.pk}
    assert assigned
    response = supervisor.post(
        reverse("referrals:summary", args=[imp.pk]), {"disseminate": "1", "disseminate-bands": ["1"]}
    )
    assert response.status_code == 302
    from safeguard.dissemination.models import Dissemination

    (draft,) = Dissemination.objects.all()
    assert draft.recipient == recipient and draft.reports.count() == 1


def test_summary_needs_the_allocate_capability(analyst_client):
    upload(analyst_client, jsonl(record(1)), "a.jsonl")
    imp = ReferralImport.objects.get()
    assert analyst_client.get(reverse("referrals:summary", args=[imp.pk])).status_code == 403


def test_force_officers_cannot_see_imports(staff_client):
    client = staff_client("force_officer")
    assert client.get(reverse("referrals:list")).status_code == 403


def test_list_page(analyst_client):
    upload(analyst_client, jsonl(record(1)), "a.jsonl")
    body = analyst_client.get(reverse("referrals:list")).content.decode()
    assert "Import a referral file" in body and "Interpol NCB Ruritania" in body


def test_an_imported_report_opens_on_the_staff_report_page(analyst_client):
    upload(analyst_client, jsonl(record(1)), "a.jsonl")
    report = Report.objects.get(source=Source.REFERRAL)
    page = analyst_client.get(reverse("staff:report", args=[report.reference]))
    assert page.status_code == 200
    assert report.reference in page.content.decode()
