"""Screenshots: checked from their bytes, stored at once under pending/, kept until sent, purged if not."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from safeguard.reporting.models import Attachment, Report
from safeguard.reporting.uploads import purge_stale_pending_uploads

from .conftest import files_under, image_bytes, png_bytes
from .journey_helpers import ANSWERS, answer_all, step_url, submit

pytestmark = pytest.mark.django_db

SCREENSHOTS = reverse("reporting:screenshots")


@pytest.fixture
def at_screenshots(client):
    for slug, data in ANSWERS.items():
        if slug == "contact":
            break
        client.post(step_url(slug), data)
    return client


def upload(client, name: str, content: bytes, content_type: str = "image/png", action: str = "upload"):
    return client.post(
        SCREENSHOTS, {"action": action, "screenshot": SimpleUploadedFile(name, content, content_type=content_type)}
    )


def draft_files(client) -> list[dict]:
    return client.session["report_draft"]["uploads"]


def test_valid_png_is_stored_under_pending_and_listed(at_screenshots, evidence_dir):
    client = at_screenshots
    response = upload(client, "chat-screenshot.png", png_bytes())
    assert response.status_code == 302 and response["Location"] == SCREENSHOTS
    files = files_under(evidence_dir)
    assert len(files) == 1 and files[0].startswith("pending/") and files[0].endswith(".sgev")
    assert "chat-screenshot" not in files[0]  # random name, not the person's
    sealed = (evidence_dir / files[0]).read_bytes()
    assert sealed.startswith(b"SGEV") and png_bytes()[16:64] not in sealed  # sealed from the first second
    (stored,) = draft_files(client)
    assert stored["original_name"] == "chat-screenshot.png"
    assert stored["content_type"] == "image/png"
    assert len(stored["sha256"]) == 64
    page = client.get(SCREENSHOTS).content.decode()
    assert "chat-screenshot.png" in page
    assert 'name="remove"' in page


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp"), ("PNG", "image/png")]
)
def test_each_image_type_is_accepted(at_screenshots, fmt, mime):
    response = upload(at_screenshots, f"shot.{fmt.lower()}", image_bytes(fmt))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft_files(at_screenshots)[0]["content_type"] == mime


def test_pdf_is_accepted(at_screenshots):
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    assert upload(at_screenshots, "chat.pdf", pdf, "application/pdf").status_code == 302
    assert draft_files(at_screenshots)[0]["content_type"] == "application/pdf"


def test_text_file_named_png_is_refused(at_screenshots, evidence_dir):
    response = upload(at_screenshots, "evil.png", b"just some text pretending to be a picture\n" * 10)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file must be a JPG, PNG, GIF, WebP or PDF" in page
    assert 'href="#screenshot"' in page
    assert files_under(evidence_dir) == []


def test_html_disguised_as_image_is_refused(at_screenshots):
    response = upload(at_screenshots, "photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    assert "The file must be a JPG, PNG, GIF, WebP or PDF" in response.content.decode()


def test_png_named_jpg_is_stored_as_png(at_screenshots, evidence_dir):
    upload(at_screenshots, "looks-like.jpg", png_bytes(), "image/jpeg")
    assert draft_files(at_screenshots)[0]["content_type"] == "image/png"
    assert files_under(evidence_dir)[0].endswith(".sgev")  # the stored name says nothing about the content


def test_corrupt_image_is_refused(at_screenshots, evidence_dir):
    broken = png_bytes()[:60]  # a real PNG header, then cut off
    response = upload(at_screenshots, "broken.png", broken)
    assert "The file could not be opened" in response.content.decode()
    assert files_under(evidence_dir) == []


def test_oversized_file_is_refused_before_it_is_stored(at_screenshots, settings, evidence_dir):
    settings.SAFEGUARD_MAX_UPLOAD_BYTES = 1024 * 1024
    big = png_bytes((1200, 1200)) + b"\0" * (1024 * 1024)
    response = upload(at_screenshots, "big.png", big)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file must be smaller than 1 MB" in page
    assert response.wsgi_request.upload_too_big  # stopped while reading, not after storing it
    assert files_under(evidence_dir) == []


def test_default_size_message_says_10_mb(at_screenshots, settings):
    assert settings.SAFEGUARD_MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    from safeguard.reporting.uploads import too_big_message

    assert too_big_message() == "The file must be smaller than 10 MB"


def test_decompression_bomb_is_refused(at_screenshots, evidence_dir):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (10000, 10000)).save(buffer, format="PNG")  # tiny file, 100 megapixels
    response = upload(at_screenshots, "bomb.png", buffer.getvalue())
    assert "The picture is too large" in response.content.decode()
    assert files_under(evidence_dir) == []


def test_too_many_files_is_refused(at_screenshots, settings, evidence_dir):
    settings.SAFEGUARD_MAX_UPLOADS_PER_REPORT = 2
    assert upload(at_screenshots, "one.png", png_bytes()).status_code == 302
    assert upload(at_screenshots, "two.png", png_bytes()).status_code == 302
    page = at_screenshots.get(SCREENSHOTS).content.decode()
    assert "You have added the most files you can" in page
    response = upload(at_screenshots, "three.png", png_bytes())
    assert "You can add up to 2 files" in response.content.decode()
    assert len(files_under(evidence_dir)) == 2
    assert len(draft_files(at_screenshots)) == 2  # what was accepted is kept


def test_empty_file_and_no_file(at_screenshots):
    assert "The file is empty" in upload(at_screenshots, "empty.png", b"").content.decode()
    response = at_screenshots.post(SCREENSHOTS, {"action": "upload"})
    assert "Select a file to add" in response.content.decode()


def test_remove_deletes_the_pending_file(at_screenshots, evidence_dir):
    upload(at_screenshots, "one.png", png_bytes())
    (stored,) = draft_files(at_screenshots)
    response = at_screenshots.post(SCREENSHOTS, {"remove": stored["stored_name"]})
    assert response.status_code == 302
    assert draft_files(at_screenshots) == []
    assert files_under(evidence_dir) == []


def test_remove_cannot_delete_files_outside_the_draft(at_screenshots, evidence_dir):
    upload(at_screenshots, "one.png", png_bytes())
    victim = evidence_dir / "reports" / "2026" / "01" / "other.png"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(b"x")
    at_screenshots.post(SCREENSHOTS, {"remove": "reports/2026/01/other.png"})
    at_screenshots.post(SCREENSHOTS, {"remove": "../../etc/passwd"})
    assert victim.exists()
    assert len(draft_files(at_screenshots)) == 1


def test_continue_with_a_chosen_file_adds_it(at_screenshots):
    response = upload(at_screenshots, "one.png", png_bytes(), action="continue")
    assert response["Location"] == step_url("contact")
    assert len(draft_files(at_screenshots)) == 1


def test_files_survive_to_submission_and_join_the_report(client, evidence_dir):
    answer_all(client)
    client.post(SCREENSHOTS, {"action": "upload", "screenshot": SimpleUploadedFile("a.png", png_bytes())})
    client.post(SCREENSHOTS, {"action": "upload", "screenshot": SimpleUploadedFile("b.gif", image_bytes("GIF"))})
    assert "a.png" in client.get(reverse("reporting:check_answers")).content.decode()
    submit(client)
    report = Report.objects.get()
    attachments = list(report.attachments.order_by("original_name"))
    assert [a.original_name for a in attachments] == ["a.png", "b.gif"]
    files = files_under(evidence_dir)
    originals = [f for f in files if not f.startswith("renditions/")]
    assert all(f.startswith("reports/") for f in originals), files  # pending copies removed
    assert sorted(a.stored_name for a in attachments) == sorted(originals)
    # Each file was ingested as evidence: hashes from the sealed bytes, a blurred greyscale rendition.
    evidence = {e.original_name: e for e in report.evidence_files.all()}
    assert evidence["a.png"].sha256 == attachments[0].sha256 and evidence["a.png"].status == "ok"
    assert evidence["b.gif"].detected_type == "image/gif" and evidence["b.gif"].rendition_name in files


def test_original_name_is_cleaned(at_screenshots):
    upload(at_screenshots, "..\\..\\sneaky\x07<b>name.png", png_bytes())
    assert draft_files(at_screenshots)[0]["original_name"] == "sneaky<b>name.png"
    page = at_screenshots.get(SCREENSHOTS).content.decode()
    assert "<b>name" not in page
    assert "sneaky&lt;b&gt;name.png" in page


def test_purge_removes_only_stale_pending_files(client, evidence_dir):
    answer_all(client)
    client.post(SCREENSHOTS, {"action": "upload", "screenshot": SimpleUploadedFile("a.png", png_bytes())})
    submit(client)
    pending = evidence_dir / "pending"
    pending.mkdir(exist_ok=True)
    old, fresh = pending / "old.png", pending / "fresh.png"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))

    assert purge_stale_pending_uploads(older_than=timedelta(hours=24)) == 1
    assert not old.exists() and fresh.exists()
    assert Attachment.objects.count() == 1
    assert all((evidence_dir / a.stored_name).exists() for a in Attachment.objects.all())


def test_purge_command(evidence_dir, capsys):
    pending = evidence_dir / "pending"
    pending.mkdir(parents=True)
    old = pending / "old.png"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 3 * 3600,) * 2)
    call_command("purge_pending_uploads", "--hours", "2")
    assert "Removed 1 stale pending upload(s)" in capsys.readouterr().out
    assert not old.exists()


def test_purge_with_no_pending_folder(evidence_dir):
    assert purge_stale_pending_uploads() == 0


def test_purge_finds_sealed_pending_files_in_the_vaults_folders(at_screenshots, evidence_dir):
    """The vault fans files out as pending/ab/cd/<name>.sgev: the purge looks there too."""
    upload(at_screenshots, "a.png", png_bytes())
    upload(at_screenshots, "b.png", png_bytes())
    stale, kept = (evidence_dir / f for f in files_under(evidence_dir))
    assert len(stale.relative_to(evidence_dir).parts) == 4
    two_days_ago = time.time() - 48 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    assert purge_stale_pending_uploads(older_than=timedelta(hours=24)) == 1
    assert not stale.exists() and kept.exists()


def test_removing_a_sealed_pending_file_deletes_it(at_screenshots, evidence_dir):
    upload(at_screenshots, "a.png", png_bytes())
    (stored,) = draft_files(at_screenshots)
    at_screenshots.post(SCREENSHOTS, {"remove": stored["stored_name"]})
    assert files_under(evidence_dir) == [] and draft_files(at_screenshots) == []
