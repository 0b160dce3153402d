import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.audit.models import Action, AuditEntry
from safeguard.cases import selectors, services
from safeguard.cases.models import CaseStatus, EnquiryKind, EnquiryStatus
from safeguard.routing.models import Recipient
from safeguard.subjects.models import Subject

pytestmark = pytest.mark.django_db


def make_evidence(report, name="pattern.png"):
    from safeguard.evidence.models import EvidenceFile

    return EvidenceFile.objects.create(
        report=report,
        original_name=name,
        size=10,
        sha256="a" * 64,
        sha1="b" * 40,
        md5="c" * 32,
        detected_type="image/png",
        uploaded_by_label="test",
    )


def audit(obj_type, obj_id, action):
    return AuditEntry.objects.filter(object_type=obj_type, object_id=str(obj_id), action=action)


def test_open_case_groups_reports_and_subjects_and_audits_the_combination(make_staff, new_report):
    analyst = make_staff("analyst")
    report = new_report()
    subject = Subject.objects.create()
    case = services.open_case(
        actor=analyst, title="Chat asking to keep secrets", report_ids=[report.pk], subject_ids=[subject.pk]
    )
    assert case.reference.startswith("CASE-") and case.reference.endswith(f"{case.pk:05d}")
    assert case.owner == analyst and case.status == CaseStatus.OPEN
    assert list(case.reports.all()) == [report] and list(case.subjects.all()) == [subject]
    assert case.status_changes.get().to_status == CaseStatus.OPEN
    combination = audit("cases.case", case.pk, Action.COMBINATION).get()
    assert combination.detail == {"reports": [report.pk], "subjects": [subject.pk]}
    assert audit("cases.case", case.pk, Action.COLLECTION).exists()


def test_open_case_refuses_bad_input_clearly(make_staff):
    analyst = make_staff("analyst")
    with pytest.raises(ValidationError, match="title"):
        services.open_case(actor=analyst, title="  ")
    with pytest.raises(ValidationError, match="No report with id 999"):
        services.open_case(actor=analyst, title="x", report_ids=[999])
    with pytest.raises(PermissionDenied):
        services.open_case(actor=make_staff("administrator"), title="x")


def test_lines_of_enquiry_notes_and_status(make_staff, new_report):
    analyst, investigator = make_staff("analyst"), make_staff("investigator")
    case = services.open_case(actor=analyst, title="Case")
    enquiry = services.add_enquiry(
        actor=analyst,
        case=case,
        kind=EnquiryKind.SUBSCRIBER_CHECK,
        action="Obtain subscriber details for IP 203.0.113.7 at 2026-11-01 14:02 UTC from the provider",
        due_date=datetime.date(2026, 12, 1),
        assignee=investigator,
    )
    with pytest.raises(ValidationError, match="Record the result"):
        services.update_enquiry(actor=analyst, enquiry=enquiry, status=EnquiryStatus.COMPLETE)
    services.update_enquiry(
        actor=investigator,
        enquiry=enquiry,
        status=EnquiryStatus.COMPLETE,
        result="Subscriber in a fictional town",
        assignee=investigator,
        due_date=enquiry.due_date,
    )
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.COMPLETE and enquiry.result
    with pytest.raises(ValidationError, match="cannot be given case work"):
        services.add_enquiry(actor=analyst, case=case, kind="other", action="x", assignee=make_staff("force_officer"))
    services.add_note(actor=analyst, case=case, text="Spoke to the platform's safety team.")
    with pytest.raises(ValidationError, match="empty"):
        services.add_note(actor=analyst, case=case, text=" ")
    with pytest.raises(ValidationError, match="reason for closing"):
        services.change_case_status(actor=analyst, case=case, status=CaseStatus.CLOSED)
    services.change_case_status(actor=analyst, case=case, status=CaseStatus.CLOSED, reason="Disseminated and done")
    assert [c.to_status for c in case.status_changes.all()] == ["open", "closed"]
    assert audit("cases.case", case.pk, Action.ALTERATION).count() == 4  # enquiry added and updated, note, status


def test_evidence_is_referenced_only_from_the_cases_reports(make_staff, new_report):
    analyst = make_staff("analyst")
    inside, outside = new_report(), new_report()
    case = services.open_case(actor=analyst, title="Case", report_ids=[inside.pk])
    good, stray = make_evidence(inside), make_evidence(outside)
    attachment = services.attach_evidence(actor=analyst, case=case, evidence_id=good.pk, description="first image")
    assert attachment.evidence == good  # a reference to the vault row, no copy
    with pytest.raises(ValidationError, match="does not belong"):
        services.attach_evidence(actor=analyst, case=case, evidence_id=stray.pk)
    with pytest.raises(ValidationError, match="already attached"):
        services.attach_evidence(actor=analyst, case=case, evidence_id=good.pk)
    with pytest.raises(ValidationError, match="No evidence file"):
        services.attach_evidence(actor=analyst, case=case, evidence_id=99999)


def test_operations_deployments_and_the_annual_count(make_staff):
    analyst = make_staff("analyst")
    case = services.open_case(actor=analyst, title="Case")
    subject = Subject.objects.create()
    operation = services.create_operation(
        actor=analyst, name="Operation Kestrel", case_ids=[case.pk], subject_ids=[subject.pk]
    )
    assert audit("cases.operation", operation.pk, Action.COMBINATION).exists()
    with pytest.raises(ValidationError, match="already an operation"):
        services.create_operation(actor=analyst, name="operation kestrel")
    kent = Recipient.objects.get(code="kent")
    for day, major in (
        (datetime.date(2025, 3, 1), True),
        (datetime.date(2025, 6, 1), False),
        (datetime.date(2026, 1, 5), True),
    ):
        services.record_deployment(
            actor=analyst, operation=operation, date=day, force=kent, kind="warrant", major=major
        )
    assert selectors.deployment_count(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)) == 1
    assert selectors.deployment_count(start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31)) == 2
    with pytest.raises(ValidationError, match="future"):
        services.record_deployment(
            actor=analyst, operation=operation, date=datetime.date(2099, 1, 1), force=kent, kind="warrant"
        )
    with pytest.raises(ValidationError, match="not a kind"):
        services.record_deployment(
            actor=analyst, operation=operation, date=datetime.date(2025, 1, 1), force=kent, kind="parade"
        )
