"""The batch triage task (`triage_batch`, a chunk of reports per transaction) leaves exactly what triaging each
report on its own (`triage_report`) leaves: identifiers, subject links and merges, triage rows, priorities,
statuses, audit entries and notices (ADR 0031)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.partners import services
from safeguard.reporting.models import Report
from safeguard.subjects.models import ReportIdentifier, ReportSubject
from safeguard.triage import tasks as triage_tasks
from safeguard.triage.models import DutyShift, Notification, ReportTriage
from safeguard.triage.tasks import triage_batch, triage_report

from .conftest import make_partner, valid_report

SAM = {"espIdentifier": "cb-user-40417", "screenName": "Skater_Sam_14", "emails": ["sam.example@example.invalid"]}
ALEX = {"espIdentifier": "cb-user-77001", "screenName": "Alex_Rides_77"}
BOTH = {"espIdentifier": "cb-user-77001", "screenName": "Skater_Sam_14", "emails": ["sam.example@example.invalid"]}


def _documents() -> list[dict]:
    urgent = valid_report(personOrUserReported={"espIdentifier": "cb-user-90001"})
    urgent["incidentSummary"] = {
        **urgent["incidentSummary"],
        "escalateToHighPriority": True,
        "escalationReason": "Meeting arranged for tonight.",
    }
    nobody = valid_report()
    del nobody["personOrUserReported"]
    return [
        valid_report(personOrUserReported=SAM),
        valid_report(personOrUserReported=ALEX),
        nobody,
        valid_report(personOrUserReported=BOTH),  # proves Sam and Alex are one person: a merge
        urgent,
        valid_report(personOrUserReported=SAM),
        valid_report(personOrUserReported=ALEX),
        valid_report(personOrUserReported={"espIdentifier": "cb-user-90001"}),  # the urgent one's person again
    ]


class _Rollback(Exception):
    pass


def _snapshot(report_ids: list[int], *, after_sequence: int) -> dict:
    """What triage left, with database-chosen ids (subjects, merges) named by order of first appearance."""
    names: dict[tuple[str, int], str] = {}

    def name(kind: str, pk) -> str:
        return names.setdefault((kind, int(pk)), f"{kind}{len([k for k in names if k[0] == kind])}")

    entries = []
    for entry in AuditEntry.objects.filter(sequence__gt=after_sequence).order_by("sequence"):
        detail = dict(entry.detail)
        for key in ("subject", "merged", "into"):
            if detail.get(key) is not None:
                detail[key] = name("S", detail[key])
        if "merge" in detail:
            detail["merge"] = name("M", detail["merge"])
        object_id = name("S", entry.object_id) if entry.object_type == "subjects.subject" else entry.object_id
        entries.append((entry.action, entry.actor_label, entry.object_type, object_id, detail))
    links = {
        report_id: name("S", subject_id)
        for report_id, subject_id in ReportSubject.objects.filter(report_id__in=report_ids)
        .order_by("report_id")
        .values_list("report_id", "subject_id")
    }
    triage_columns = [f.attname for f in ReportTriage._meta.concrete_fields if f.attname != "scored_at"]
    return {
        "identifiers": sorted(
            ReportIdentifier.objects.filter(report_id__in=report_ids).values_list(
                "report_id", "role", "kind", "platform", "value", "key", "valid", "strong", "mergeable"
            )
        ),
        "links": links,
        "triage": sorted(ReportTriage.objects.filter(report_id__in=report_ids).values_list(*triage_columns)),
        "reports": sorted(
            Report.objects.filter(pk__in=report_ids).values_list("pk", "priority", "priority_reasons", "status")
        ),
        "audit": entries,
        "notices": sorted(
            Notification.objects.filter(report_id__in=report_ids).values_list(
                "recipient_id", "kind", "report_id", "message"
            )
        ),
    }


@pytest.mark.django_db
def test_batch_triage_leaves_what_triaging_each_report_alone_leaves(make_staff, monkeypatch):
    partner = make_partner()
    on_duty = make_staff("supervisor")
    now = timezone.now()
    DutyShift.objects.create(supervisor=on_duty, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=7))
    owner = make_staff("investigator")
    # Someone already works Sam: every later report about Sam is deconflicted with them.
    (_, worked), *_ = services.submit_batch(partner=partner, payloads=[valid_report(personOrUserReported=SAM)])
    Report.objects.filter(pk=worked.pk).update(assigned_to=owner)

    # Triaged by hand below.
    monkeypatch.setattr("safeguard.triage.intake_stage.enqueue_batch_triage", lambda report_ids: None)
    report_ids = [report.pk for _, report in services.submit_batch(partner=partner, payloads=_documents())]
    watched = [worked.pk, *report_ids]
    after = AuditEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    with pytest.raises(_Rollback), transaction.atomic():
        for report_id in report_ids:
            triage_report.call(report_id)
        one_by_one = _snapshot(watched, after_sequence=after)
        raise _Rollback

    monkeypatch.setattr(triage_tasks, "CHUNK", 3)  # chunk boundaries inside the batch, and a short last chunk
    triage_batch.call(report_ids)
    batched = _snapshot(watched, after_sequence=after)

    # The case covers what it means to: a merge, a P1 notice, deconfliction, a report without a subject.
    assert any("merged" in detail for *_, detail in one_by_one["audit"])
    assert {kind for _, kind, *_ in one_by_one["notices"]} == {
        Notification.Kind.P1,
        Notification.Kind.DECONFLICTION,
    }
    assert len(one_by_one["links"]) == len(watched) - 1
    for part in one_by_one:
        assert batched[part] == one_by_one[part], part

    # Idempotent: running the batch again changes nothing but the audit trail's new alteration entries.
    triage_batch.call(report_ids)
    again = _snapshot(watched, after_sequence=after)
    for part in ("identifiers", "links", "reports"):
        assert again[part] == batched[part], part
    # No notice twice (one per person, kind and report). A re-run may add some: a report first linked to a
    # subject of its own, since merged into the one someone works, is deconflicted now, as before this path.
    assert set(batched["notices"]) <= set(again["notices"]) and len(set(again["notices"])) == len(again["notices"])
    # The stored score column aside: a prior-report refresh rescores the older reports' priorities but has
    # never rewritten their ReportTriage.score (engine.rescore writes priorities only), so a re-run, which
    # stores the score afresh, can differ there, one path or the other alike.
    without_score = [
        [row[:score] + row[score + 1 :] for row in snapshot["triage"]]
        for snapshot in (again, batched)
        for score in [[f.attname for f in ReportTriage._meta.concrete_fields].index("score")]
    ]
    assert without_score[0] == without_score[1]
