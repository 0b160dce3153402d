"""The vault wired in: public uploads and partner files are sealed, ingested, matched and quarantined.

Bad files never cost the reporter the rest of their report: each is quarantined with a plain reason.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from safeguard.audit.services import Actor, verify_chain
from safeguard.core.vault.storage import Vault
from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence.hashlists import import_hash_list
from safeguard.evidence.models import EvidenceFile, FileStatus
from safeguard.partners.tests.conftest import PartnerClient, make_key, make_partner, valid_report
from safeguard.reporting.intake import StoredUpload
from safeguard.reporting.models import Priority, Report, Source
from safeguard.reporting.services import create_report
from safeguard.reporting.tests.journey_helpers import answer_all, submit
from safeguard.triage.tasks import triage_report

from .images import png

pytestmark = pytest.mark.django_db
PUBLIC = Actor(label="member of the public (test)")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _pixel_bomb() -> bytes:
    """A tiny PNG that claims 100 million pixels: a decompression bomb for anything that decodes it."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


BAD_FILES = {
    "zero-byte": (b"", "empty (0 bytes)"),
    "truncated PNG": (png(31)[:2500], "truncated"),
    "pixel bomb": (_pixel_bomb(), "decompression bomb"),
    "polyglot": (png(32) + _zip({"notes.txt": b"hello"}), "polyglot"),
    "zip bomb": (_zip({"zeros.bin": bytes(30_000_000)}), "zip bomb"),
}


def _sealed_upload(data: bytes, name: str) -> StoredUpload:
    sealed = Vault().put_bytes(data, kind="reports")
    return StoredUpload(
        stored_name=sealed.stored_name,
        original_name=name,
        content_type="image/png",
        size=sealed.size,
        sha256=sealed.hashes["sha256"],
    )


def _fields() -> dict:
    return {"account": "They sent messages in a chat.", "platform_name": "Fictional Chat"}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_create_report_quarantines_a_bad_file_and_keeps_the_rest(case):
    data, reason = BAD_FILES[case]
    new = create_report(
        actor=PUBLIC,
        source=Source.PUBLIC_WEB,
        fields=_fields(),
        uploads=[_sealed_upload(png(30), "good.png"), _sealed_upload(data, "bad.png")],
    )
    evidence = {e.original_name: e for e in new.report.evidence_files.all()}
    assert evidence["good.png"].status == FileStatus.OK and evidence["good.png"].pdq
    assert evidence["bad.png"].status == FileStatus.QUARANTINED
    assert reason in evidence["bad.png"].quarantine_reason
    assert not evidence["bad.png"].rendition_name  # quarantined files are never rendered
    assert evidence["bad.png"].attachment.report_id == new.report.pk
    assert verify_chain().ok


def test_public_form_polyglot_passes_the_form_but_is_quarantined_on_submission(client):
    """A PNG with a ZIP appended decodes as a picture, so the form takes it; ingest finds the ZIP."""
    answer_all(client)
    for name, data in (("chat.png", png(33)), ("odd.png", png(34) + _zip({"a.txt": b"a"}))):
        response = client.post(
            reverse("reporting:screenshots"),
            {"action": "upload", "screenshot": SimpleUploadedFile(name, data, content_type="image/png")},
        )
        assert response.status_code == 302
    assert submit(client).status_code == 302
    report = Report.objects.get()
    evidence = {e.original_name: e for e in report.evidence_files.all()}
    assert evidence["chat.png"].status == FileStatus.OK
    assert evidence["chat.png"].uploaded_by_label.startswith("member of the public")
    assert "polyglot" in evidence["odd.png"].quarantine_reason


def test_public_upload_matching_a_hash_list_raises_priority_and_survives_triage(client):
    data = png(35)
    import_hash_list(
        list_name="Fictional national list",
        list_source="Fictional Agency",
        stream=io.BytesIO(f"hash_type,value,category,source\nsha256,{hash_bytes(data)['sha256']},A,\n".encode()),
        file_name="list.csv",
        actor=Actor.system("test"),
    )
    answer_all(client)
    client.post(reverse("reporting:screenshots"), {"action": "upload", "screenshot": SimpleUploadedFile("s.png", data)})
    submit(client)  # triage runs at once (ImmediateBackend) after the commit
    report = Report.objects.get()
    assert report.priority <= Priority.P2
    assert HASH_REASON in report.priority_reasons
    assert report.evidence_files.get().matches.get().category == "A"
    triage_report.call(report.pk)  # a re-score keeps the raise
    report.refresh_from_db()
    assert report.priority <= Priority.P2 and HASH_REASON in report.priority_reasons


HASH_REASON = "A file matched known abuse material on a hash list."


def _matched_report() -> Report:
    data = png(38)
    import_hash_list(
        list_name="Fictional list",
        list_source="Fictional Agency",
        stream=io.BytesIO(f"hash_type,value,category,source\nmd5,{hash_bytes(data)['md5']},B,\n".encode()),
        file_name="list.csv",
        actor=Actor.system("test"),
    )
    return create_report(
        actor=PUBLIC, source=Source.PUBLIC_WEB, fields=_fields(), uploads=[_sealed_upload(data, "m.png")]
    ).report


def test_a_match_stays_p2_even_when_the_model_gives_matches_no_points():
    """Supervisors edit weights; a known-material match must survive any model, one at a time and in bulk."""
    from safeguard.triage import engine
    from safeguard.triage.features import ActiveModel
    from safeguard.triage.scoring import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS

    report = _matched_report()
    plain = create_report(actor=PUBLIC, source=Source.PUBLIC_WEB, fields=_fields()).report
    no_points = ActiveModel(7, {**DEFAULT_WEIGHTS, "hash_match": 0}, dict(DEFAULT_THRESHOLDS))
    for each in (report, plain):
        engine.score_and_store(each, prior_reports=0, model=no_points)
        each.save()
    assert report.priority == Priority.P2 and HASH_REASON in report.priority_reasons
    assert plain.priority == Priority.P4

    Report.objects.filter(pk=report.pk).update(priority=Priority.P4, priority_reasons=["stale"])
    engine.rescore(model=no_points)
    report.refresh_from_db()
    assert report.priority == Priority.P2 and HASH_REASON in report.priority_reasons
    # The one-at-a-time and bulk paths agree, so a second bulk run changes nothing.
    assert engine.rescore(model=no_points)[3] == 0


@pytest.fixture
def api():
    return PartnerClient(make_key(make_partner()).plaintext)


def _open(api) -> str:
    response = api.post("/api/v1/reports", valid_report())
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _attach(api, report_id: str, name: str, data: bytes):
    return api.upload(f"/api/v1/reports/{report_id}/files", {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_partner_bad_file_is_quarantined_and_the_report_finishes(api, evidence_dir, case):
    data, reason = BAD_FILES[case]
    report_id = _open(api)
    assert _attach(api, report_id, "good.png", png(36)).status_code == 201
    response = _attach(api, report_id, "bad.bin", data)
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hash_bytes(data)["sha256"]  # hashed on the way into the vault
    finished = api.post(f"/api/v1/reports/{report_id}/finish")
    assert finished.status_code == 200, finished.content
    report = Report.objects.get(reference=finished.json()["reference"])
    evidence = {e.original_name: e for e in report.evidence_files.all()}
    assert evidence["good.png"].status == FileStatus.OK
    assert evidence["bad.bin"].status == FileStatus.QUARANTINED and reason in evidence["bad.bin"].quarantine_reason
    assert evidence["bad.bin"].uploaded_by_label == "partner:chatterbox"
    # Stored sealed: no file in the store holds the plaintext.
    for path in (p for p in evidence_dir.rglob("*") if p.is_file()):
        assert path.read_bytes().startswith(b"SGEV")


def test_partner_file_is_sealed_before_finish_and_ingested_once(api, evidence_dir):
    report_id = _open(api)
    _attach(api, report_id, "a.png", png(37))
    assert EvidenceFile.objects.count() == 0  # evidence records are made when the report exists
    (stored,) = [p for p in evidence_dir.rglob("*") if p.is_file()]
    assert stored.read_bytes().startswith(b"SGEV") and str(stored.relative_to(evidence_dir)).startswith("partners/")
    api.post(f"/api/v1/reports/{report_id}/finish")
    assert EvidenceFile.objects.get().stored_name == str(stored.relative_to(evidence_dir))


def _noise_png(size=(1000, 1000)) -> bytes:
    """About 3 MB of generated noise: bigger than Django's default 2.5 MB in-memory upload threshold."""
    import numpy as np

    pixels = np.random.default_rng(5).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def no_temp_files(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an upload was spooled to a plaintext temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryFileUploadHandler.new_file", refuse)


def test_large_uploads_never_touch_a_temp_file(client, api, no_temp_files):
    data = _noise_png()
    assert len(data) > 2_700_000
    answer_all(client)
    response = client.post(
        reverse("reporting:screenshots"), {"action": "upload", "screenshot": SimpleUploadedFile("big.png", data)}
    )
    assert response.status_code == 302
    assert client.session["report_draft"]["uploads"][0]["size"] == len(data)
    report_id = _open(api)
    response = _attach(api, report_id, "big.png", data)
    assert response.status_code == 201 and response.json()["size"] == len(data)
