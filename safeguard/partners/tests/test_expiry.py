from datetime import timedelta

import time_machine
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.partners.models import PartnerFile, PartnerReport
from safeguard.partners.tasks import expire_partner_reports

from .conftest import valid_report


def test_unfinished_reports_expire_after_24_hours_keeping_an_audit_entry(api):
    opened = api.post("/api/v1/reports", valid_report()).json()
    api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("a.bin", b"evidence")})
    stored = PartnerFile.objects.get().stored_name
    finished = api.post("/api/v1/reports", {**valid_report(), "finish": True}).json()

    assert expire_partner_reports.call() == 0  # not yet due
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        assert api.post(f"/api/v1/reports/{opened['id']}/finish").status_code == 409  # past its time
        assert expire_partner_reports.call() == 1

    expired = PartnerReport.objects.get(public_id=opened["id"])
    assert expired.state == "expired" and expired.payload == {}
    assert not PartnerFile.objects.exists() and not storages["evidence"].exists(stored)
    entry = AuditEntry.objects.get(action="erasure", object_id=str(expired.pk))
    assert entry.detail == {"reason": "not finished within 24 hours", "partner": "chatterbox", "files": 1}
    assert api.get(f"/api/v1/reports/{opened['id']}").json()["state"] == "expired"
    assert PartnerReport.objects.get(public_id=finished["id"]).state == "finished"


def test_management_command(api, capsys):
    api.post("/api/v1/reports", valid_report())
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("expire_partner_reports")
    assert "Expired 1" in capsys.readouterr().out
