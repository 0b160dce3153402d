import io

from django.core.files.uploadedfile import SimpleUploadedFile

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import verify_chain
from safeguard.reporting.models import Attachment, Category, Environment, Priority, Report, Source

from .conftest import valid_report

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def open_report(api, **overrides):
    response = api.post("/api/v1/reports", valid_report(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_open_attach_finish_creates_the_centres_report(api):
    opened = open_report(api)
    assert opened["state"] == "open" and opened["reference"] is None and opened["expiresAt"]

    upload = SimpleUploadedFile("chat.png", PNG, content_type="text/plain")  # claimed type is ignored
    response = api.upload(
        f"/api/v1/reports/{opened['id']}/files",
        {"file": upload, "details": '{"fileViewedByEsp": true, "industryClassification": "B2"}'},
    )
    assert response.status_code == 201, response.content
    assert response.json()["contentType"] == "image/png"
    assert response.json()["size"] == len(PNG)

    response = api.post(f"/api/v1/reports/{opened['id']}/finish")
    assert response.status_code == 200, response.content
    finished = response.json()
    assert finished["state"] == "finished" and finished["reference"].startswith("SG-") and finished["files"] == 1

    report = Report.objects.get(reference=finished["reference"])
    assert report.source == Source.PARTNER_API
    assert report.platform_name == "ChatterBox messenger"
    assert report.environment == Environment.INSTANT_MESSAGING
    assert set(report.categories) == {Category.MEET_UP, Category.KEEP_SECRET}
    assert report.priority == Priority.P2
    assert "cb-user-40417" in report.subject_identifiers
    assert report.details["partner_api"]["payload"]["victims"][0]["age"] == 13
    assert report.details["partner_api"]["files"][0]["details"]["industryClassification"] == "B2"
    assert report.follow_up_secret_hash == ""
    attachment = Attachment.objects.get(report=report)
    assert attachment.content_type == "image/png" and len(attachment.sha256) == 64
    assert verify_chain().ok


def test_one_shot_submission_with_finish_true(api):
    response = api.post("/api/v1/reports", {**valid_report(), "finish": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "finished" and body["status"] == "received"
    assert AuditEntry.objects.filter(object_type="reporting.report", action="collection").count() == 1


def test_escalated_report_is_p1_and_stays_p1_when_triaged(api):
    from safeguard.triage.tasks import triage_report

    escalation = {"escalateToHighPriority": True, "escalationReason": "Meeting tonight"}
    summary = valid_report()["incidentSummary"] | escalation
    body = api.post("/api/v1/reports", {**valid_report(incidentSummary=summary), "finish": True}).json()
    report = Report.objects.get(reference=body["reference"])
    assert report.priority == Priority.P1
    triage_report.call(report.pk)
    report.refresh_from_db()
    assert report.priority == Priority.P1 and report.status == "triaged"
    assert api.get(f"/api/v1/reports/{body['id']}").json()["status"] == "triaged"


def test_escalation_without_reason_is_rejected(api):
    summary = {**valid_report()["incidentSummary"], "escalateToHighPriority": True}
    response = api.post("/api/v1/reports", valid_report(incidentSummary=summary))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "incidentSummary"]


def test_only_type_and_date_are_required(api):
    minimal = {"incidentSummary": {"incidentType": "child_sex_trafficking", "incidentDateTime": "2026-11-01T10:00:00Z"}}
    response = api.post("/api/v1/reports", {**minimal, "finish": True})
    assert response.status_code == 201, response.content
    report = Report.objects.get(reference=response.json()["reference"])
    assert report.platform_name == "ChatterBox" and report.categories == [Category.SOMETHING_ELSE]


def test_retract_erases_document_and_files_but_keeps_audit(api, settings):
    opened = open_report(api)
    api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("a.png", PNG)})
    response = api.post(f"/api/v1/reports/{opened['id']}/retract")
    assert response.status_code == 200 and response.json()["state"] == "retracted"
    from safeguard.partners.models import PartnerFile, PartnerReport

    partner_report = PartnerReport.objects.get(public_id=opened["id"])
    assert partner_report.payload == {} and not PartnerFile.objects.exists()
    assert AuditEntry.objects.filter(action="erasure", object_id=str(partner_report.pk)).exists()
    # Finishing or attaching after retraction is a conflict.
    assert api.post(f"/api/v1/reports/{opened['id']}/finish").status_code == 409
    upload = api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("b.png", PNG)})
    assert upload.status_code == 409
    assert upload.json()["errors"][0]["type"] == "conflict"


def test_finishing_twice_is_a_conflict(api):
    opened = open_report(api)
    assert api.post(f"/api/v1/reports/{opened['id']}/finish").status_code == 200
    response = api.post(f"/api/v1/reports/{opened['id']}/finish")
    assert response.status_code == 409
    assert set(response.json()["errors"][0]) == {"loc", "message", "type"}


def test_unknown_file_type_is_kept_as_octet_stream(api):
    opened = open_report(api)
    response = api.upload(
        f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("notes.bin", b"\x00\x01plain bytes")}
    )
    assert response.status_code == 201 and response.json()["contentType"] == "application/octet-stream"


def test_bad_file_details_get_a_path(api):
    opened = open_report(api)
    response = api.upload(
        f"/api/v1/reports/{opened['id']}/files",
        {"file": io.BytesIO(PNG), "details": '{"industryClassification": "Z9", "colour": "red"}'},
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert ("body", "details", "industryClassification") in locs and ("body", "details", "colour") in locs
