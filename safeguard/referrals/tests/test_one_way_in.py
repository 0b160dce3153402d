"""A referral line goes in through reporting.intake's set path and is stored as the same document sent by a
partner's API is stored (issue 19): the report's mapped columns, its priority and reasons, its triage score and
factors, its identifiers. Only what must differ differs (source, references, where it came from)."""

import pytest
from django.db import transaction

from safeguard.partners.tests.conftest import PartnerClient, make_key, make_partner
from safeguard.reporting.models import Report
from safeguard.subjects.models import ReportIdentifier, ReportSubject
from safeguard.triage.models import ReportTriage

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db

MAPPED = ("platform_name", "environment", "categories", "other_category_detail", "subject_identifiers",
          "incident_date", "account", "priority", "priority_reasons")  # fmt: skip
SCORED = ("score", "prior_report_count", "youngest_victim_age", "occurred_day")


class _Rollback(Exception):
    pass


def _snapshot(report: Report) -> dict:
    report.refresh_from_db()
    triage = ReportTriage.objects.get(report=report)
    return {
        "report": {name: getattr(report, name) for name in MAPPED},
        "triage": {name: getattr(triage, name) for name in SCORED},
        "identifiers": sorted(
            ReportIdentifier.objects.filter(report=report).values_list("role", "kind", "value", "key", "mergeable")
        ),
        "has_subject": ReportSubject.objects.filter(report=report).exists(),
    }


def test_a_referral_line_is_stored_as_the_same_document_from_the_api(importer, settings):
    document = record(7)
    api_document = {k: v for k, v in document.items() if k != "partnerReference"}
    with pytest.raises(_Rollback), transaction.atomic():
        client = PartnerClient(make_key(make_partner()).plaintext)
        response = client.post("/api/v1/reports", {**api_document, "finish": True})
        assert response.status_code == 201, response.content
        from_api = _snapshot(Report.objects.get(reference=response.json()["reference"]))
        raise _Rollback
    imp = importer(jsonl(document))
    assert imp.accepted == 1
    from_import = _snapshot(Report.objects.get(source="referral"))
    assert from_import == from_api
