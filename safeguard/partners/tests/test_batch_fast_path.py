"""The batch endpoint's fast paths store exactly what the general ones would (ADR 0018, round 4): a body
validated straight from bytes gives the same documents as the item-by-item path, the COPY writer the
same rows as Django's save, and batch scoring the same priority as scoring each report on its own."""

import pytest
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Action, Actor, PendingEntry, record_many, verify_chain
from safeguard.core.bulk import insert_many
from safeguard.core.rows import new_rows
from safeguard.partners import api as partner_api
from safeguard.partners.models import PartnerReport
from safeguard.reporting.models import Report, Source
from safeguard.triage.priority import initial_priorities, initial_priority

from .conftest import valid_report

pytestmark = pytest.mark.django_db


def _escalated() -> dict:
    document = valid_report(additionalInfo="Escalated: caf\u00e9 \U0001f600 (non-ASCII kept as is)")
    document["incidentSummary"] |= {"escalateToHighPriority": True, "escalationReason": "Meeting tonight"}
    return document


def _stored_payloads(api, items: list[dict]) -> list[dict]:
    response = api.post("/api/v1/reports/batch", {"reports": items})
    assert response.status_code == 200, response.content
    references = [r["reference"] for r in response.json()["results"] if r["ok"]]
    by_reference = {r.reference: r for r in Report.objects.filter(reference__in=references)}
    return [by_reference[ref].details["partner_api"]["payload"] for ref in references]


def test_a_valid_body_is_validated_from_bytes_and_stores_what_the_item_by_item_path_stores(api):
    items = [valid_report(), _escalated()]
    assert partner_api._all_valid_documents(partner_api.json.dumps({"reports": items}).encode()) is not None
    fast = _stored_payloads(api, items)
    slow = _stored_payloads(api, [*items, {"surprise": 1}])  # one bad item: the item-by-item path
    assert fast == slow
    assert fast[1]["additionalInfo"].startswith("Escalated: caf\u00e9 \U0001f600")


def test_a_body_the_fast_path_refuses_goes_the_usual_way():
    assert partner_api._all_valid_documents(b"[[") is None
    assert partner_api._all_valid_documents(b'{"reports": []}') is None
    assert partner_api._all_valid_documents(b'{"reports": [{"surprise": 1}]}') is None


def test_batch_scoring_gives_each_report_what_scoring_it_alone_gives(partner):
    from safeguard.partners.mapping import report_fields

    documents = [valid_report(), _escalated(), valid_report(victims=[]), valid_report()]
    reports = new_rows(
        Report,
        [
            {"source": Source.PARTNER_API, **report_fields(partner=partner, payload=d, partner_report_id="x", files=[])}
            for d in documents
        ],
    )
    together = initial_priorities(reports)
    alone = [initial_priority(report) for report in reports]
    assert [(d.priority, d.reasons, d.score) for d in together] == [(d.priority, d.reasons, d.score) for d in alone]
    assert together[0] is together[3]  # equal factors: scored once


def test_insert_many_writes_what_save_writes(partner):
    from safeguard.partners.mapping import report_fields

    values = {
        "source": Source.PARTNER_API,
        **report_fields(partner=partner, payload=_escalated(), partner_report_id="x", files=[]),
        "priority_reasons": ["A reason"],
    }
    saved = Report(**values, reference="SG-SAVE-0001")
    saved.save()
    [fast] = new_rows(Report, [{**values, "reference": "SG-BULK-0001"}])
    before = timezone.now()
    insert_many(Report, [fast])
    assert fast.pk is not None and fast.created_at >= before and fast.updated_at >= before  # set on the instance
    stored_saved, stored_fast = Report.objects.get(pk=saved.pk), Report.objects.get(pk=fast.pk)
    for field in Report._meta.concrete_fields:
        if field.attname not in ("id", "reference", "created_at", "updated_at"):
            assert getattr(stored_fast, field.attname) == getattr(stored_saved, field.attname), field.attname
    assert stored_fast.created_at == fast.created_at

    expires = timezone.now()
    [record] = new_rows(
        PartnerReport,
        [{"partner_id": partner.pk, "payload": {"k": [1, "\u00e9"]}, "report_id": fast.pk, "expires_at": expires}],
    )
    insert_many(PartnerReport, [record])
    stored = PartnerReport.objects.get(pk=record.pk)
    assert stored.payload == {"k": [1, "\u00e9"]} and stored.expires_at == expires and stored.closed_at is None
    assert stored.public_id == record.public_id


def test_record_many_entries_are_what_the_constructor_makes(django_user_model):
    user = django_user_model.objects.create_user(username="analyst-1")
    report = Report.objects.create(reference="SG-AUDIT-0001")
    [by_user, by_system] = record_many(
        [
            PendingEntry(action=Action.COLLECTION, actor=Actor.of(user), obj=report, detail={"batch": True}),
            PendingEntry(action=Action.COLLECTION, actor=Actor.system("test"), obj=("x.y", "1")),
        ]
    )
    assert by_user.actor == user and by_user.actor_id == user.pk and by_user.object_id == str(report.pk)
    assert by_system.actor is None and by_system.detail == {}
    stored = AuditEntry.objects.get(pk=by_user.pk)
    assert (stored.actor_label, stored.object_type, stored.detail) == (
        "staff:analyst-1",
        "reporting.report",
        {"batch": True},
    )
    assert verify_chain().ok
