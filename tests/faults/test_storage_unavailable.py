"""Evidence storage full or unreachable: the file is refused with a retryable 503, nothing is half-stored,
and the report itself can still be sent without the file (docs/production.md, "Faults").

These run in-process on every `make test`: no extra services needed.
"""

import errno
import json
import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.partners import services as partner_services
from safeguard.partners.models import PartnerFile, PartnerReport, Scope

pytestmark = pytest.mark.django_db

REPORT = {
    "incidentSummary": {
        "incidentType": "online_enticement_of_children",
        "incidentDateTime": "2026-11-20T18:30:00Z",
        "platform": "ChatterBox messenger",
        "reportAnnotations": ["asked_to_keep_secret"],
    },
    "personOrUserReported": {"espIdentifier": "cb-user-40417", "screenName": "Fictional_Account_1"},
    "additionalInfo": "Adult account asked a child to keep the chat secret.",
}


@pytest.fixture
def api():
    actor = Actor.system("fault tests")
    partner = partner_services.create_partner(
        actor=actor, name="ChatterBox", slug="chatterbox", platforms=["ChatterBox messenger"]
    )
    key = partner_services.create_api_key(
        actor=actor,
        partner=partner,
        name="main",
        scopes=list(Scope.values),
        expires_at=timezone.now() + timedelta(days=1),
    )
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key.plaintext}"
    return client


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "safeguard.core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
        },
    }
    return tmp_path / "evidence"


def _open_report(api) -> str:
    response = api.post("/api/v1/reports", data=json.dumps(REPORT), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _attach(api, report_id):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64  # a generated pattern, not a picture of anyone
    upload = SimpleUploadedFile("pattern.png", png, content_type="image/png")
    return api.post(f"/api/v1/reports/{report_id}/files", data={"file": upload})


def _files_on_disk(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_disk_full_mid_write_refuses_the_file_and_leaves_nothing_behind(api, evidence_dir):
    report_id = _open_report(api)
    before = _files_on_disk(evidence_dir)

    def half_then_full(content, out):
        out.write(next(iter(content.chunks()))[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch("safeguard.core.storage.copy_chunks", half_then_full):
        response = _attach(api, report_id)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["type"] == "storage_unavailable"
    assert "Nothing from this request was stored" in response.json()["detail"]
    assert _files_on_disk(evidence_dir) == before  # no truncated file, no hidden partial file
    assert not PartnerFile.objects.exists()

    # Accepted without the file, as documented: the partner finishes the report and sends the file later.
    finished = api.post(f"/api/v1/reports/{report_id}/finish", data="{}", content_type="application/json")
    assert finished.status_code in (200, 201), finished.content
    assert PartnerReport.objects.get(public_id=report_id).report_id is not None

    retried = _attach(api, report_id)  # once the disk has room again the file goes in (or is refused as late)
    assert retried.status_code in (201, 409, 422), retried.content


def test_unreachable_s3_refuses_the_file_with_a_503(api, settings):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "safeguard-evidence",
                "endpoint_url": f"http://127.0.0.1:{port}",
                "access_key": "x",
                "secret_key": "y",
                "region_name": "eu-west-2",
                "client_config": __import__("botocore.config").config.Config(
                    retries={"max_attempts": 1}, connect_timeout=1
                ),
            },
        },
    }
    report_id = _open_report(api)
    response = _attach(api, report_id)
    assert response.status_code == 503
    assert response.json()["type"] == "storage_unavailable"
    assert not PartnerFile.objects.exists()


def test_atomic_storage_writes_whole_files_under_their_name(evidence_dir):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storage = storages["evidence"]
    first = storage.save("a/b/file", ContentFile(b"one"))
    second = storage.save("a/b/file", ContentFile(b"two"))  # never overwrites: a new name
    assert first != second
    assert storage.open(first).read() == b"one" and storage.open(second).read() == b"two"
    assert sorted(p.name for p in _files_on_disk(evidence_dir)) == sorted([first.split("/")[-1], second.split("/")[-1]])
