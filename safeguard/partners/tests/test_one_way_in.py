"""Every way a report comes in goes through reporting.intake and stores the same rows for the same input (issue 19).

The same partner document, sent once on its own and once in a batch, is stored alike: the report's columns, its
first priority and reasons, its audit entry, and after triage the same identifiers, subject and score. Only what
must differ differs (ids, references, times, which partner report it came from, "batch" in the audit detail).
"""

import pytest
from django.db import transaction

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Report
from safeguard.subjects.models import ReportIdentifier
from safeguard.triage.models import ReportTriage

from .conftest import valid_report

pytestmark = pytest.mark.django_db

DIFFERS = {"id", "reference", "created_at", "updated_at", "status_changed_at"}


def _stored(report: Report) -> dict:
    row = {f.attname: getattr(report, f.attname) for f in Report._meta.concrete_fields if f.attname not in DIFFERS}
    row["details"] = {**row["details"], "partner_api": {**row["details"]["partner_api"], "partner_report_id": "-"}}
    return row


def _audit(report: Report) -> dict:
    entry = AuditEntry.objects.get(object_type="reporting.report", object_id=str(report.pk), action="collection")
    detail = {k: v for k, v in entry.detail.items() if k not in ("partner_report", "batch")}
    return {"actor": entry.actor_label, "detail": detail}


def _triaged(report: Report) -> dict:
    triage = ReportTriage.objects.get(report=report)
    identifiers = sorted(ReportIdentifier.objects.filter(report=report).values_list("kind", "value"))
    return {"score": triage.score, "band": report.priority, "identifiers": identifiers}


class _Rollback(Exception):
    pass


def _snapshot(report: Report) -> dict:
    report.refresh_from_db()  # the test task backend triaged it at once
    return {"stored": _stored(report), "audit": _audit(report), "triaged": _triaged(report)}


def test_a_document_alone_and_in_a_batch_is_stored_alike(api):
    document = valid_report(
        personOrUserReported={"screenName": "demo_kite_flyer", "emails": ["kite.flyer@example.invalid"]}
    )
    # Each way in from the same starting point: the first is rolled back before the second comes in.
    with pytest.raises(_Rollback), transaction.atomic():
        alone = api.post("/api/v1/reports", {**document, "finish": True})
        assert alone.status_code == 201, alone.content
        first = _snapshot(Report.objects.get(reference=alone.json()["reference"]))
        raise _Rollback
    batch = api.post("/api/v1/reports/batch", {"reports": [document, valid_report()]})
    assert batch.status_code == 200 and batch.json()["accepted"] == 2, batch.content
    second = _snapshot(Report.objects.get(reference=batch.json()["results"][0]["reference"]))
    assert first["stored"] == second["stored"]
    assert first["audit"] == second["audit"]
    assert first["triaged"] == second["triaged"]
