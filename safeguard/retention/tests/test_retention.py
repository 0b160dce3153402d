"""Review schedules, retain/dispose decisions, and disposal that leaves only metadata behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import TestCase
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import verify_chain
from safeguard.reporting.models import Report
from safeguard.retention import selectors, services
from safeguard.retention.models import RetentionDecision, RetentionSchedule

pytestmark = pytest.mark.django_db

YEARS_AGO_7 = timedelta(days=7 * 365)


def _age(obj, delta, field="created_at"):
    type(obj).objects.filter(pk=obj.pk).update(**{field: timezone.now() - delta})
    obj.refresh_from_db()
    return obj


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor")


@pytest.fixture
def old_closed_report(new_report):
    report = new_report()
    Report.objects.filter(pk=report.pk).update(status="closed")
    return _age(report, YEARS_AGO_7)


def _evidence(report, name_suffix="a"):
    from safeguard.evidence.models import EvidenceFile

    stored = storages["evidence"].save(f"retention-test/{name_suffix}", ContentFile(b"sealed bytes"))
    return EvidenceFile.objects.create(
        report=report,
        stored_name=stored,
        size=12,
        sha256="a" * 64,
        sha1="b" * 40,
        md5="c" * 32,
        detected_type="image/png",
        uploaded_by_label="test",
    )


def test_default_schedules_cover_reports_subjects_cases_and_evidence():
    assert {s.record_type for s in RetentionSchedule.objects.all()} == {"report", "subject", "case", "evidence"}


def test_only_closed_reports_past_their_review_date_are_due(supervisor, new_report, old_closed_report):
    recent_closed = new_report()
    Report.objects.filter(pk=recent_closed.pk).update(status="closed")
    old_open = _age(new_report(), YEARS_AGO_7)  # still being worked: not for review
    due = selectors.due_records(user=supervisor, record_type="report")
    ids = {row.object_id for row in due}
    assert str(old_closed_report.pk) in ids
    assert str(recent_closed.pk) not in ids and str(old_open.pk) not in ids


def test_shorter_schedule_brings_records_forward(supervisor, new_report):
    report = new_report()
    Report.objects.filter(pk=report.pk).update(status="closed")
    _age(report, timedelta(days=40))
    assert not selectors.due_records(user=supervisor, record_type="report")
    services.update_schedule(
        actor=supervisor, record_type="report", review_after_days=30, retain_for_days=365, basis=""
    )
    assert [row.object_id for row in selectors.due_records(user=supervisor, record_type="report")] == [str(report.pk)]


def test_retain_sets_the_next_review_and_takes_it_off_the_list(supervisor, old_closed_report):
    decision = services.record_decision(
        actor=supervisor,
        record_type="report",
        object_id=str(old_closed_report.pk),
        decision="retain",
        reason="Subject still of interest to an open operation",
        retain_days=365,
    )
    assert decision.next_review_on == timezone.localdate() + timedelta(days=365)
    assert not selectors.due_records(user=supervisor, record_type="report")
    later = timezone.localdate() + timedelta(days=366)
    assert selectors.due_records(user=supervisor, record_type="report", today=later)[0].reviewed_before
    entry = AuditEntry.objects.filter(action=Action.ALTERATION, object_id=str(old_closed_report.pk)).last()
    assert entry.detail["retention"] == "retain"


def test_dispose_deletes_the_report_and_its_files_keeping_only_metadata(supervisor, old_closed_report):
    from safeguard.reporting.models import Attachment

    stored = storages["evidence"].save("retention-test/attachment", ContentFile(b"ciphertext"))
    Attachment.objects.create(
        report=old_closed_report, stored_name=stored, original_name="x.png", content_type="image/png", size=10
    )
    reference = old_closed_report.reference
    with TestCase.captureOnCommitCallbacks(execute=True):
        decision = services.record_decision(
            actor=supervisor,
            record_type="report",
            object_id=str(old_closed_report.pk),
            decision="dispose",
            reason="No further action; review period passed with no links",
        )
    assert not Report.objects.filter(pk=old_closed_report.pk).exists()
    assert not Attachment.objects.filter(stored_name=stored).exists()
    assert not storages["evidence"].exists(stored)
    assert decision.label == reference and decision.decision == "dispose"
    erasure = AuditEntry.objects.get(action=Action.ERASURE)
    assert erasure.object_type == "reporting.report" and erasure.object_id == str(old_closed_report.pk)
    assert erasure.detail["label"] == reference
    assert erasure.detail["files_deleted"] == 1
    # Metadata only: nothing the reporter wrote survives in the erasure entry.
    assert old_closed_report.account not in str(erasure.detail) or not old_closed_report.account
    assert verify_chain().ok


def test_a_report_with_evidence_is_refused_until_the_evidence_is_disposed(supervisor, old_closed_report):
    evidence = _age(_evidence(old_closed_report), YEARS_AGO_7, field="uploaded_at")
    with pytest.raises(services.RetentionError, match="evidence file"):
        services.record_decision(
            actor=supervisor, record_type="report", object_id=str(old_closed_report.pk), decision="dispose", reason="x"
        )
    assert Report.objects.filter(pk=old_closed_report.pk).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.record_decision(
            actor=supervisor, record_type="evidence", object_id=str(evidence.pk), decision="dispose", reason="Expired"
        )
    assert not storages["evidence"].exists(evidence.stored_name)
    services.record_decision(
        actor=supervisor, record_type="report", object_id=str(old_closed_report.pk), decision="dispose", reason="x"
    )
    assert not Report.objects.filter(pk=old_closed_report.pk).exists()
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 2


def test_not_yet_due_cannot_be_disposed(supervisor, new_report):
    report = new_report()
    Report.objects.filter(pk=report.pk).update(status="closed")
    with pytest.raises(services.RetentionError, match="not due for review until"):
        services.record_decision(
            actor=supervisor, record_type="report", object_id=str(report.pk), decision="dispose", reason="Too early"
        )
    assert Report.objects.filter(pk=report.pk).exists()
    assert not RetentionDecision.objects.exists()


def test_a_reason_is_required(supervisor, old_closed_report):
    with pytest.raises(services.RetentionError, match="reason"):
        services.record_decision(
            actor=supervisor, record_type="report", object_id=str(old_closed_report.pk), decision="retain", reason=" "
        )


def test_a_subject_still_linked_to_reports_is_refused(supervisor, old_closed_report):
    from safeguard.subjects.models import ReportSubject, Subject

    linked = Subject.objects.create()
    _age(linked, timedelta(days=11 * 365))
    ReportSubject.objects.create(report=old_closed_report, subject=linked)
    with pytest.raises(services.RetentionError, match="still about this subject"):
        services.record_decision(
            actor=supervisor, record_type="subject", object_id=str(linked.pk), decision="dispose", reason="x"
        )
    assert Subject.objects.filter(pk=linked.pk).exists()


def test_an_unlinked_subject_past_review_is_disposed(supervisor):
    from safeguard.subjects.models import Subject

    subject = Subject.objects.create()
    _age(subject, timedelta(days=11 * 365))
    assert [row.object_id for row in selectors.due_records(user=supervisor, record_type="subject")] == [str(subject.pk)]
    services.record_decision(
        actor=supervisor, record_type="subject", object_id=str(subject.pk), decision="dispose", reason="No reports"
    )
    assert not Subject.objects.filter(pk=subject.pk).exists()


def test_closed_case_is_disposed_with_its_notes(supervisor, make_staff):
    from safeguard.cases.models import Case

    case = Case.objects.create(reference="C-TEST-1", title="Operation Fictional", owner=supervisor, status="closed")
    _age(case, timedelta(days=11 * 365))
    services.record_decision(
        actor=supervisor, record_type="case", object_id=str(case.pk), decision="dispose", reason="Closed 10 years"
    )
    assert not Case.objects.filter(pk=case.pk).exists()
    assert AuditEntry.objects.get(action=Action.ERASURE).detail["label"] == "C-TEST-1"


def test_only_supervisors_review_retention(make_staff, old_closed_report):
    analyst = make_staff("analyst")
    with pytest.raises(PermissionDenied):
        selectors.due_records(user=analyst)
    with pytest.raises(PermissionDenied):
        services.record_decision(
            actor=analyst, record_type="report", object_id=str(old_closed_report.pk), decision="dispose", reason="x"
        )


# --- pages -------------------------------------------------------------------------------------------------


def test_list_page_shows_due_records_and_schedules(supervisor_client, old_closed_report):
    response = supervisor_client.get("/staff/retention/")
    assert response.status_code == 200
    text = response.content.decode()
    assert old_closed_report.reference in text
    assert "Schedules" in text and "Evidence file" in text


def test_analyst_may_not_open_the_retention_pages(analyst_client):
    assert analyst_client.get("/staff/retention/").status_code == 403


def test_review_page_records_a_disposal(supervisor_client, old_closed_report):
    url = f"/staff/retention/report/{old_closed_report.pk}/"
    assert supervisor_client.get(url).status_code == 200
    response = supervisor_client.post(url, {"decision": "dispose", "reason": "Review period passed, no links"})
    assert response.status_code == 302
    assert not Report.objects.filter(pk=old_closed_report.pk).exists()
    assert supervisor_client.get(url).status_code == 404


def test_review_page_explains_missing_answers_and_keeps_the_record(supervisor_client, old_closed_report):
    url = f"/staff/retention/report/{old_closed_report.pk}/"
    response = supervisor_client.post(url, {"decision": "dispose", "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for this decision" in response.content.decode()
    assert Report.objects.filter(pk=old_closed_report.pk).exists()


def test_review_page_shows_why_disposal_is_refused(supervisor_client, old_closed_report):
    _evidence(old_closed_report)
    url = f"/staff/retention/report/{old_closed_report.pk}/"
    response = supervisor_client.post(url, {"decision": "dispose", "reason": "Expired"})
    assert response.status_code == 200
    assert "evidence file" in response.content.decode()
    assert Report.objects.filter(pk=old_closed_report.pk).exists()


def test_schedule_page_validates_and_saves(supervisor_client):
    url = "/staff/retention/schedules/report/"
    bad = supervisor_client.post(url, {"review_after_days": "six years", "retain_for_days": "3650"})
    assert "whole number" in bad.content.decode()
    ok = supervisor_client.post(url, {"review_after_days": "2000", "retain_for_days": "3650", "basis": "Local policy"})
    assert ok.status_code == 302
    assert RetentionSchedule.objects.get(record_type="report").review_after_days == 2000
