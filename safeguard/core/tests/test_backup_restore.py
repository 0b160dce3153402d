"""Backup, then restore into an empty instance: counts, evidence hashes and the audit chain must all check out."""

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import verify_chain
from safeguard.core.backup import BackupError, create_backup, restore_backup
from safeguard.reporting.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evidence_dir(settings, tmp_path):
    stores = {**settings.STORAGES}
    stores["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
    }
    settings.STORAGES = stores
    return tmp_path / "evidence"


def _empty_the_instance(evidence_dir):
    call_command("flush", interactive=False, verbosity=0)
    for path in evidence_dir.rglob("*"):
        if path.is_file():
            path.unlink()


def test_restore_into_an_empty_instance_verifies_counts_hashes_and_chain(make_report, evidence_dir, tmp_path):
    references = sorted(make_report().reference for _ in range(3))
    storages["evidence"].save("ab/cd/sealed-file", ContentFile(b"\x00ciphertext\xff" * 100))
    entries = AuditEntry.objects.count()
    assert entries >= 3

    archive = tmp_path / "backup.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.dump", "evidence/ab/cd/sealed-file"} <= set(tar.getnames())

    _empty_the_instance(evidence_dir)
    assert not Report.objects.exists() and not AuditEntry.objects.exists()

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Restored and verified" in out.getvalue()
    assert sorted(Report.objects.values_list("reference", flat=True)) == references
    assert AuditEntry.objects.count() == entries
    assert verify_chain().ok
    assert storages["evidence"].open("ab/cd/sealed-file").read() == b"\x00ciphertext\xff" * 100


def test_restore_refuses_an_instance_that_holds_data(make_report, evidence_dir, tmp_path):
    make_report()
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    with pytest.raises(BackupError, match="empty"):
        restore_backup(archive)


def test_verification_reports_a_tampered_or_incomplete_restore(make_report, evidence_dir, tmp_path):
    make_report()
    storages["evidence"].save("file-1", ContentFile(b"sealed"))
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    _empty_the_instance(evidence_dir)

    # A restore that lost a file and whose audit log was edited afterwards must not pass as good.
    report = restore_backup(archive)
    assert report.ok
    storages["evidence"].delete("file-1")
    first = AuditEntry.objects.order_by("sequence").first()
    assert first is not None
    AuditEntry.objects.filter(pk=first.pk).update(detail={"changed": True})
    from safeguard.core.backup import verify_restore

    with tarfile.open(archive) as tar:
        import json

        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.load(member)
    problems = verify_restore(manifest).problems
    assert any("file-1: missing" in p for p in problems)
    assert any(f"audit chain broken at sequence {first.sequence}" in p for p in problems)


def test_a_damaged_archive_is_refused_with_a_clear_error(evidence_dir, tmp_path):
    bogus = tmp_path / "not-a-backup.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a Safeguard backup"):
        call_command("restore", str(bogus))


def test_verify_audit_names_the_first_broken_link(make_report):
    make_report()
    make_report()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()
    second = AuditEntry.objects.order_by("sequence")[1]
    AuditEntry.objects.filter(pk=second.pk).update(actor_label="someone else")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stderr=err)
    assert exit_info.value.code == 1
    assert f"BROKEN at sequence {second.sequence}" in err.getvalue()
