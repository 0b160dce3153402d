import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from safeguard.accounts.models import Role, User
from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor, verify_chain
from safeguard.core.vault.storage import Vault
from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence import services
from safeguard.evidence.hashing import analyse_image
from safeguard.evidence.hashlists import import_hash_list
from safeguard.evidence.models import EvidenceFile, EvidenceMatch, FileStatus
from safeguard.evidence.pdq_index import hamming
from safeguard.evidence.selectors import can_download_original, evidence_for_report, match_priority_finding
from safeguard.reporting.models import Priority, Report

from .images import encode, flat_png, jpeg, pattern, png

pytestmark = pytest.mark.django_db
PUBLIC = Actor(label="anonymous member of the public")


@pytest.fixture
def report():
    return Report.objects.create(reference="SGTEST01", priority=Priority.P4, priority_reasons=["Routine review."])


def _list(rows: list[str], name="national"):
    body = "hash_type,value,category,source\n" + "\n".join(rows) + "\n"
    result = import_hash_list(
        list_name=name,
        list_source="Fictional Agency",
        stream=io.BytesIO(body.encode()),
        file_name="l.csv",
        actor=Actor.system("test"),
    )
    assert result.applied
    return result


def _ingest(data: bytes, report=None, name="upload.bin"):
    return services.ingest(stream=io.BytesIO(data), actor=PUBLIC, original_name=name, report=report)


def test_ingest_stores_describes_and_logs_an_image(report, evidence_dir):
    data = jpeg(11)
    evidence = _ingest(data, report, name="screenshot.txt")
    assert evidence.status == FileStatus.OK
    assert evidence.detected_type == "image/jpeg"  # from the bytes, not the name
    assert evidence.size == len(data)
    assert (evidence.sha256, evidence.sha1, evidence.md5) == tuple(
        hash_bytes(data)[k] for k in ("sha256", "sha1", "md5")
    )
    assert len(evidence.pdq) == 64 and evidence.pdq_quality >= 50
    assert (evidence.width, evidence.height) == (320, 240)
    assert evidence.rendition_name.startswith("renditions/")
    assert evidence.key_id == "dev-1"
    assert evidence.uploaded_by_label == PUBLIC.label
    entry = AuditEntry.objects.get(object_type="evidence.evidencefile", action="collection")
    assert entry.detail["sha256"] == evidence.sha256 and entry.detail["report"] == "SGTEST01"
    assert report.priority == Priority.P4  # no lists, no match
    stored = b"".join(p.read_bytes() for p in evidence_dir.rglob("*.sgev"))
    assert data[100:200] not in stored


def test_exact_match_raises_priority_and_is_explained(report):
    data = png(12)
    _list([f"md5,{hash_bytes(data)['md5']},A1,agency"])
    evidence = _ingest(data, report)
    match = evidence.matches.get()
    assert (match.hash_list_name, match.hash_type, match.distance, match.category) == ("national", "md5", 0, "A1")
    report.refresh_from_db()
    assert report.priority == Priority.P2
    assert (
        report.priority_reasons[-1]
        == "An attached file matches known material exactly on hash list national, category A1."
    )
    alteration = AuditEntry.objects.get(object_type="reporting.report", action="alteration")
    assert alteration.detail["previous_priority"] == 4 and alteration.detail["priority"] == 2
    assert AuditEntry.objects.filter(action="combination").count() == 1
    assert verify_chain().ok


def test_a_p1_report_stays_p1(report):
    report.priority = Priority.P1
    report.save()
    data = png(13)
    _list([f"sha256,{hash_bytes(data)['sha256']},A1,"])
    _ingest(data, report)
    report.refresh_from_db()
    assert report.priority == Priority.P1
    assert "matches known material" in report.priority_reasons[-1]


def test_near_match_on_pdq_for_an_altered_copy(report):
    listed_pdq = analyse_image(png(14)).pdq
    _list([f"pdq,{listed_pdq},B2,agency"], name="perceptual")
    altered = encode(pattern(14).resize((280, 210)), "JPEG", quality=55)
    evidence = _ingest(altered, report)
    match = evidence.matches.get()
    assert match.hash_type == "pdq"
    assert 0 < match.distance <= 31 and match.distance == hamming(listed_pdq, evidence.pdq)
    report.refresh_from_db()
    assert report.priority == Priority.P2
    assert f"closely (PDQ distance {match.distance})" in report.priority_reasons[-1]
    assert match_priority_finding(report)[0] == Priority.P2


def test_unrelated_image_and_low_quality_hashes_do_not_match(report, settings):
    flat = flat_png()
    _list([f"pdq,{analyse_image(png(15)).pdq},B2,", f"pdq,{analyse_image(flat).pdq},B2,"])
    assert not _ingest(png(16), report).matches.exists()
    flat_evidence = _ingest(flat, report)  # same PDQ as listed, but quality 0: never matched
    assert flat_evidence.pdq_quality < 50 and not flat_evidence.matches.exists()
    assert flat_evidence.details["pdq_not_matched"] == "quality below threshold"


def test_pdq_threshold_is_configurable(report, settings):
    listed_pdq = analyse_image(png(17)).pdq
    _list([f"pdq,{listed_pdq},B2,"])
    settings.SAFEGUARD_PDQ_MATCH_THRESHOLD = 0
    altered = encode(pattern(17).resize((280, 210)), "JPEG", quality=55)
    assert not _ingest(altered, report).matches.exists()


def test_replaced_and_removed_lists_stop_matching(report):
    data = png(18)
    _list([f"md5,{hash_bytes(data)['md5']},A1,"])
    _list([f"md5,{'0' * 32},A1,"])  # version 2 replaces version 1
    assert not _ingest(data, report).matches.exists()


def _zip(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty (0 bytes)"),
        (b"\x7fELF\x02\x01\x01" + bytes(120), "programs are kept"),
        (b"MZ" + bytes(200), "programs are kept"),
        (png(19)[:3000], "truncated"),
        (png(20) + _zip({"a.txt": b"a"}), "polyglot"),
        (_zip({"../../evil.txt": b"x"}), "unsafe path"),
        (_zip({"inner.zip": _zip({"a": b"a"})}), "another archive"),
        (_zip({"zeros.bin": bytes(20_000_000)}), "zip bomb"),
    ],
)
def test_bad_input_is_quarantined_and_the_report_carries_on(report, data, reason):
    evidence = _ingest(data, report)
    assert evidence.status == FileStatus.QUARANTINED
    assert reason in evidence.quarantine_reason
    assert evidence.stored_name and not evidence.rendition_name and not evidence.pdq
    assert Report.objects.filter(pk=report.pk).exists()
    assert AuditEntry.objects.get(object_type="evidence.evidencefile").detail["status"] == "quarantined"


def test_quarantined_file_still_matches_on_exact_hashes(report):
    data = png(21) + _zip({"a.txt": b"a"})
    _list([f"sha1,{hash_bytes(data)['sha1']},A1,"])
    evidence = _ingest(data, report)
    assert evidence.status == FileStatus.QUARANTINED and evidence.matches.exists()


def test_oversized_file_is_recorded_but_not_stored(report, settings, evidence_dir):
    settings.SAFEGUARD_EVIDENCE_MAX_BYTES = 1000
    evidence = _ingest(bytes(5000), report)
    assert (
        evidence.status == FileStatus.QUARANTINED and "larger than the 1,000 byte limit" in evidence.quarantine_reason
    )
    assert not evidence.stored_name
    assert not [p for p in evidence_dir.rglob("*") if p.is_file()]


def test_unexpected_decoder_failure_is_quarantined(report, monkeypatch):
    def boom(data):
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(services, "analyse_image", boom)
    evidence = _ingest(png(22), report)
    assert evidence.status == FileStatus.QUARANTINED and "unexpected error" in evidence.quarantine_reason


def test_chat_exports_and_other_files_are_stored_ok(report):
    evidence = _ingest(b"[10:02] they asked to keep the chat secret\n", report)
    assert evidence.status == FileStatus.OK and evidence.detected_type == "text/plain"


def test_staff_access_is_logged_and_scoped(report):
    evidence = _ingest(png(23), report)
    analyst = User.objects.create(username="ana", role=Role.ANALYST)
    investigator = User.objects.create(username="ivan", role=Role.INVESTIGATOR)
    assert not can_download_original(analyst) and can_download_original(investigator)
    assert list(evidence_for_report(report=report, user=analyst)) == [evidence]
    data = b"".join(services.open_for_staff(evidence=evidence, user=investigator, purpose="assessment"))
    assert data == png(23)
    entry = AuditEntry.objects.filter(action="consultation").get()
    assert entry.actor == investigator and entry.detail == {"what": "original", "purpose": "assessment"}


def test_verify_evidence_command_finds_tampering(report, evidence_dir, capsys):
    evidence = _ingest(png(24), report)
    _ingest(b"chat export", report)
    call_command("verify_evidence")
    assert "All 2 evidence files verified" in capsys.readouterr().out

    path = evidence_dir / evidence.stored_name
    sealed = bytearray(path.read_bytes())
    sealed[-100] ^= 1
    path.write_bytes(bytes(sealed))
    with pytest.raises(CommandError, match="1 of 2 evidence files failed") as failure:
        call_command("verify_evidence")
    assert failure.value.returncode == 1  # manage.py exits with status 1
    assert f"evidence #{evidence.pk}" in capsys.readouterr().err


def test_verify_reports_a_record_that_does_not_match(report):
    evidence = _ingest(b"chat export", report)
    EvidenceFile.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    checked, problems = services.verify_store()
    assert checked == 1 and "sha256" in problems[0].problem


def test_key_rotation_rewraps_every_file(report, settings, evidence_dir):
    evidence = _ingest(png(25), report)
    old_key = settings.SAFEGUARD_EVIDENCE_KEYS
    settings.SAFEGUARD_EVIDENCE_KEYS = "k2:" + "bmV3LWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcyE=," + old_key
    call_command("rewrap_evidence")
    evidence.refresh_from_db()
    assert evidence.key_id == "k2"
    assert Vault().key_id_of(evidence.stored_name) == "k2"
    assert len([p for p in evidence_dir.rglob("*.sgev")]) == 2  # old copies removed
    settings.SAFEGUARD_EVIDENCE_KEYS = "k2:bmV3LWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcyE="  # old key retired
    assert services.verify_store()[1] == []
    assert EvidenceMatch.objects.count() == 0


def test_ingest_of_a_file_already_sealed_in_the_vault(report):
    data = png(26)
    _list([f"sha256,{hash_bytes(data)['sha256']},A1,"])
    sealed = Vault().put(io.BytesIO(data), kind="pending")
    evidence = services.ingest_stored(stored_name=sealed.stored_name, actor=PUBLIC, report=report)
    assert evidence.stored_name == sealed.stored_name
    assert evidence.sha256 == hash_bytes(data)["sha256"] and evidence.detected_type == "image/png"
    assert evidence.pdq and evidence.matches.exists()


def test_ingest_accepts_django_uploaded_files(report):
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    small = SimpleUploadedFile("shot.png", png(27), content_type="image/png")
    assert _ingest_upload(small, report).detected_type == "image/png"
    spooled = TemporaryUploadedFile("big.jpg", "image/jpeg", 0, None)
    spooled.write(jpeg(28))
    spooled.seek(0)
    evidence = _ingest_upload(spooled, report)
    assert evidence.status == FileStatus.OK and evidence.claimed_type == "image/jpeg"
    spooled.close()


def _ingest_upload(upload, report):
    return services.ingest(
        stream=upload, actor=PUBLIC, original_name=upload.name, claimed_type=upload.content_type, report=report
    )
