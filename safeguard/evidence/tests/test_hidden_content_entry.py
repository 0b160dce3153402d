"""Issue 21's evidence cases through the real entry points: the partner API and the public web form, then the
staff pages (a note on what was hidden) and every evidence file response's headers (never opened in the browser).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.audit.services import verify_chain
from safeguard.evidence.models import FileStatus
from safeguard.partners.tests.conftest import PartnerClient, make_key, make_partner, valid_report
from safeguard.reporting.models import Report
from safeguard.reporting.tests.journey_helpers import answer_all, submit

from . import hidden_samples as samples
from .images import jpeg, png

pytestmark = pytest.mark.django_db
SCREENSHOTS = reverse("reporting:screenshots")


# --- partner API --------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return PartnerClient(make_key(make_partner()).plaintext)


def _open(api) -> str:
    response = api.post("/api/v1/reports", valid_report())
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _attach(api, report_id: str, name: str, data: bytes):
    response = api.upload(f"/api/v1/reports/{report_id}/files", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 201, response.content  # kept for the record whatever it holds
    return response.json()


def _finish(api, report_id: str) -> Report:
    finished = api.post(f"/api/v1/reports/{report_id}/finish")
    assert finished.status_code == 200, finished.content
    return Report.objects.get(reference=finished.json()["reference"])


@pytest.mark.parametrize(
    ("name", "make", "warning_type", "words"),
    [
        ("chat.png", samples.png_html_zip, "evidence_trailing_data", "after the end of the image"),
        ("chat.pdf", samples.open_action_javascript_pdf, "evidence_pdf_active_content", "JavaScript"),
        ("escaped.pdf", samples.hex_escaped_javascript_pdf, "evidence_pdf_active_content", "JavaScript"),
        ("objstm.pdf", samples.object_stream_javascript_pdf, "evidence_pdf_active_content", "JavaScript"),
        ("tail.jpg", samples.jpeg_with_ffd9_tail, "evidence_trailing_data", "after the end of the image"),
    ],
    ids=["png-html-zip", "open-action-js-pdf", "hex-escaped-pdf", "object-stream-pdf", "jpeg-ffd9-tail"],
)
def test_partner_api_warns_then_quarantines_and_the_report_finishes(api, evidence_dir, name, make, warning_type, words):
    report_id = _open(api)
    assert _attach(api, report_id, "good.png", png(40))["warnings"] == []
    answer = _attach(api, report_id, name, make())
    (warning,) = answer["warnings"]
    assert warning["type"] == warning_type and words in warning["message"] and "quarantined" in warning["message"]
    assert warning["loc"] == ["body", "file"]
    report = _finish(api, report_id)
    evidence = {e.original_name: e for e in report.evidence_files.all()}
    assert evidence["good.png"].status == FileStatus.OK
    assert evidence[name].status == FileStatus.QUARANTINED and words in evidence[name].quarantine_reason
    assert verify_chain().ok


def test_partner_api_clean_pdf_and_jpeg_have_no_warnings(api):
    report_id = _open(api)
    assert _attach(api, report_id, "a.pdf", samples.clean_pdf())["warnings"] == []
    assert _attach(api, report_id, "b.jpg", jpeg(41))["warnings"] == []
    report = _finish(api, report_id)
    assert {e.status for e in report.evidence_files.all()} == {FileStatus.OK}


def test_partner_api_warns_about_an_image_whose_end_cannot_be_found(api):
    data = png(46)
    answer = _attach(api, _open(api), "cut.png", data[: len(data) // 2])
    (warning,) = answer["warnings"]
    assert warning["type"] == "evidence_structure" and "truncated" in warning["message"]


def test_upload_answer_documents_warnings_in_openapi(api):
    schema = api.get("/api/v1/openapi.json").json()
    file_out = schema["components"]["schemas"]["FileOut"]
    assert "warnings" in file_out["properties"] and "warnings" not in file_out.get("required", [])


# --- public web form ----------------------------------------------------------------------------------------


def _form_upload(client, name: str, data: bytes):
    return client.post(SCREENSHOTS, {"action": "upload", "screenshot": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    ("name", "make", "note", "words"),
    [
        ("odd.png", samples.png_html_zip, "something extra attached", "after the end of the image"),
        ("chat.pdf", samples.open_action_javascript_pdf, "parts that can run by themselves", "JavaScript"),
        ("escaped.pdf", samples.hex_escaped_javascript_pdf, "parts that can run by themselves", "disguised"),
        ("objstm.pdf", samples.object_stream_javascript_pdf, "parts that can run", "compressed streams"),
    ],
    ids=["png-html-zip", "open-action-js-pdf", "hex-escaped-pdf", "object-stream-pdf"],
)
def test_public_form_tells_the_person_and_quarantines_on_submission(client, name, make, note, words):
    answer_all(client)
    assert _form_upload(client, "chat.png", png(42)).status_code == 302
    assert _form_upload(client, name, make()).status_code == 302  # taken: the report must not be lost
    page = client.get(SCREENSHOTS).content.decode()
    assert note in page and page.count("our team will check it carefully") == 1
    assert submit(client).status_code == 302
    report = Report.objects.get()
    evidence = {e.original_name: e for e in report.evidence_files.all()}
    assert evidence["chat.png"].status == FileStatus.OK
    assert evidence[name].status == FileStatus.QUARANTINED and words in evidence[name].quarantine_reason


def test_public_form_says_nothing_about_clean_files(client):
    answer_all(client)
    _form_upload(client, "a.png", png(43))
    _form_upload(client, "b.pdf", samples.clean_pdf())
    assert "check it carefully" not in client.get(SCREENSHOTS).content.decode()


# --- staff pages and evidence file responses ---------------------------------------------------------------


@pytest.fixture
def report_with_files(api):
    report_id = _open(api)
    _attach(api, report_id, "clean.jpg", jpeg(44))
    _attach(api, report_id, "odd.png", samples.png_html_zip(45))
    _attach(api, report_id, "chat.pdf", samples.object_stream_javascript_pdf())
    report = _finish(api, report_id)
    return report, {e.original_name: e for e in report.evidence_files.all()}


def test_staff_page_says_what_was_hidden(investigator_client, report_with_files):
    report, _files = report_with_files
    page = investigator_client.get(reverse("evidence:report", args=[report.reference])).content.decode()
    assert "Hidden content" in page and "Picture part SHA-256" in page and "a ZIP archive" in page
    assert "Active content" in page and "/JavaScript" in page and "hidden inside compressed streams" in page
    for tag in ("<embed", "<iframe", "<object"):
        assert tag not in page


def _assert_never_opened_in_the_browser(response):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evidence-')
    filename = disposition.split('filename="', 1)[1].rstrip('"')
    assert all(ch.isalnum() or ch in "-._" for ch in filename)
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert response["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize("name", ["clean.jpg", "odd.png", "chat.pdf"])
def test_every_download_is_an_attachment_never_opened_in_the_browser(investigator_client, report_with_files, name):
    _report, files = report_with_files
    response = investigator_client.get(reverse("evidence:download", args=[files[name].pk]))
    _assert_never_opened_in_the_browser(response)
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content)[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG", b"%PDF")


def test_the_image_view_is_an_attachment_too(investigator_client, report_with_files):
    _report, files = report_with_files
    response = investigator_client.get(reverse("evidence:image", args=[files["clean.jpg"].pk]))
    _assert_never_opened_in_the_browser(response)
    assert response["Content-Type"] == "image/png"
    # Quarantined files are never rendered at all.
    assert investigator_client.get(reverse("evidence:image", args=[files["odd.png"].pk])).status_code == 404
