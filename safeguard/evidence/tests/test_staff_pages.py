"""Staff evidence pages: blurred by default, reveal one audited step per POST, downloads only as attachments."""

import io
import zipfile

import pytest
from django.urls import reverse
from PIL import Image

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor, verify_chain
from safeguard.core.vault.storage import Vault
from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence.hashlists import import_hash_list
from safeguard.reporting.intake import StoredUpload
from safeguard.reporting.models import Source
from safeguard.reporting.services import create_report

from .images import encode, pattern

pytestmark = pytest.mark.django_db


def _photo_like_jpeg() -> bytes:
    """A generated pattern, 900 x 600, carrying EXIF that must never reach a browser."""
    exif = Image.Exif()
    exif[0x010F] = "Fictional Camera Co"
    exif[0x0110] = "Model Z"
    return encode(pattern(41, (900, 600)), "JPEG", quality=90, exif=exif.tobytes())


def _upload(data: bytes, name: str) -> StoredUpload:
    sealed = Vault().put_bytes(data, kind="reports")
    return StoredUpload(sealed.stored_name, name, "image/jpeg", sealed.size, sealed.hashes["sha256"])


@pytest.fixture
def image_data():
    return _photo_like_jpeg()


@pytest.fixture
def report(image_data):
    import_hash_list(
        list_name="Fictional list",
        list_source="Fictional Agency",
        stream=io.BytesIO(f"hash_type,value,category,source\nmd5,{hash_bytes(image_data)['md5']},B,\n".encode()),
        file_name="list.csv",
        actor=Actor.system("test"),
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(30_000_000))
    return create_report(
        actor=Actor(label="member of the public (test)"),
        source=Source.PUBLIC_WEB,
        fields={"account": "They proposed meeting offline.", "platform_name": "Fictional Chat"},
        uploads=[_upload(image_data, "chat.jpg"), _upload(bomb.getvalue(), "archive.zip")],
    ).report


def _files(report):
    files = {e.original_name: e for e in report.evidence_files.all()}
    return files["chat.jpg"], files["archive.zip"]


def _shown(client, evidence) -> Image.Image:
    response = client.get(reverse("evidence:image", args=[evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("no-store") and response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.content))
    assert not image.getexif() and not image.info.get("exif")  # pixels only
    return image


def _consultations(evidence, what):
    return AuditEntry.objects.filter(
        action="consultation", object_type="evidence.evidencefile", object_id=str(evidence.pk), detail__what=what
    )


def test_evidence_list_shows_hashes_type_exif_matches_and_quarantine(analyst_client, report, image_data):
    picture, archive = _files(report)
    response = analyst_client.get(reverse("evidence:report", args=[report.reference]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    page = response.content.decode()
    for text in (picture.sha256, picture.sha1, picture.md5, picture.pdq, "image/jpeg", "900 × 600"):
        assert text in page
    assert "Fictional Camera Co" in page and "Model Z" in page  # EXIF summary, as text
    assert "Fictional list (version 1)" in page and ">B<" in page  # the match: list, category
    assert "zip bomb" in page and "Quarantined" in page  # the reason instead of any rendering
    assert reverse("evidence:image", args=[picture.pk]) in page
    assert reverse("evidence:image", args=[archive.pk]) not in page
    assert "Download the original" not in page  # analysts may not download
    assert "base64" not in page and "data:" not in page  # nothing embedded inline


def test_staff_report_page_links_to_the_evidence(analyst_client, report):
    page = analyst_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert "2 evidence files" in page and "1 matched known material" in page and "1 quarantined" in page
    assert reverse("evidence:report", args=[report.reference]) in page


def test_first_view_is_a_blurred_greyscale_thumbnail_and_is_audited(analyst_client, report):
    picture, archive = _files(report)
    image = _shown(analyst_client, picture)
    assert image.mode == "L" and max(image.size) <= 256
    assert _consultations(picture, "rendition").count() == 1
    assert analyst_client.get(reverse("evidence:image", args=[archive.pk])).status_code == 404  # never rendered


def test_reveal_goes_one_audited_step_per_post(analyst_client, report):
    picture, _ = _files(report)
    reveal = reverse("evidence:reveal", args=[picture.pk])
    assert analyst_client.get(reveal).status_code == 405  # a GET (a prefetch, a link) never reveals
    seen = []
    for _ in range(4):  # the fourth POST asks for more than full size: it stays at full size
        response = analyst_client.post(reveal, {"action": "reveal"})
        assert response.status_code == 302 and response["Location"].endswith(f"#file-{picture.pk}")
        image = _shown(analyst_client, picture)
        seen.append((image.mode, max(image.size)))
    assert seen == [("L", 512), ("RGB", 512), ("RGB", 900), ("RGB", 900)]
    assert [e.detail["step"] for e in _consultations(picture, "reveal").order_by("sequence")] == [1, 2, 3, 3]
    analyst_client.post(reveal, {"action": "hide"})
    assert _shown(analyst_client, picture).mode == "L"
    assert verify_chain().ok


def test_each_person_starts_blurred(analyst_client, investigator_client, report):
    picture, _ = _files(report)
    analyst_client.post(reverse("evidence:reveal", args=[picture.pk]), {"action": "reveal"})
    assert max(_shown(investigator_client, picture).size) <= 256


def test_download_only_for_allowed_roles_as_an_attachment(analyst_client, investigator_client, report, image_data):
    picture, _ = _files(report)
    url = reverse("evidence:download", args=[picture.pk])
    assert analyst_client.get(url).status_code == 403
    assert not _consultations(picture, "original").exists()
    response = investigator_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;") and ".bin" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"].startswith("no-store")
    assert b"".join(response.streaming_content) == image_data
    (entry,) = _consultations(picture, "original")
    assert entry.detail["purpose"] == "download original"
    page = investigator_client.get(reverse("evidence:report", args=[report.reference])).content.decode()
    assert "Download the original" in page


def test_roles_without_report_access_see_nothing(admin_client, report):
    picture, _ = _files(report)
    assert admin_client.get(reverse("evidence:report", args=[report.reference])).status_code == 403
    assert admin_client.get(reverse("evidence:image", args=[picture.pk])).status_code == 403
    assert admin_client.get(reverse("evidence:download", args=[picture.pk])).status_code == 403


def test_supervisor_sees_each_persons_daily_exposure(
    make_staff, staff_client, supervisor_client, analyst_client, report
):
    picture, _ = _files(report)
    analyst_client.get(reverse("evidence:image", args=[picture.pk]))
    analyst_client.post(reverse("evidence:reveal", args=[picture.pk]), {"action": "reveal"})
    analyst_client.get(reverse("evidence:image", args=[picture.pk]))
    response = supervisor_client.get(reverse("evidence:exposure"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="exposure"' in page
    assert 'aria-current="page">Evidence exposure</a>' in page  # in the supervisor's menu
    assert "Evidence exposure" not in analyst_client.get(reverse("staff:queue")).content.decode()
    # one person: 1 image viewed, shown twice, 1 reveal, 0 full size
    assert page.count('govuk-table__cell--numeric">1<') == 2 and 'govuk-table__cell--numeric">2<' in page
    assert analyst_client.get(reverse("evidence:exposure")).status_code == 403
    bad = supervisor_client.get(reverse("evidence:exposure"), {"day": "31/02/2026"})
    assert bad.status_code == 400 and "Enter a real date" in bad.content.decode()
    earlier = supervisor_client.get(reverse("evidence:exposure"), {"day": "2020-01-01"}).content.decode()
    assert "Nobody was shown an evidence image" in earlier
