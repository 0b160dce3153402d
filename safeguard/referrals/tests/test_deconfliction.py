"""A referral line about a subject someone holds raises the deconfliction notice, whatever holds it."""

import pytest

from safeguard.cases import services as case_services
from safeguard.reporting.models import Report
from safeguard.subjects.models import ReportSubject
from safeguard.triage.models import Notification

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db


def test_an_import_line_about_a_subject_held_in_an_open_case_notifies_the_case_owner(importer, make_report, make_staff):
    owner = make_staff("investigator")
    known = make_report(subject_identifiers="suspect5@example.net", account="Asked the child to keep the chat secret.")
    subject_id = ReportSubject.objects.get(report=known).subject_id
    case = case_services.open_case(actor=owner, title="Secret chat", subject_ids=[subject_id])

    imp = importer(jsonl(record(5), record(6)))

    assert imp.linked == 1 and imp.deconfliction_notices == 1
    [notice] = Notification.objects.filter(recipient=owner, kind=Notification.Kind.DECONFLICTION)
    line_report = Report.objects.get(subject_link__subject_id=subject_id, source="referral")
    assert notice.report_id == line_report.pk and f"import {imp.pk}" in notice.message
    # Once the case is closed the same line tells nobody.
    case_services.change_case_status(actor=owner, case=case, status="closed", reason="Nothing further.")
    Notification.objects.all().delete()
    again = importer(jsonl(record(5, partnerReference="OP-LANTERN-5b", additionalInfo="A second line.")))
    assert again.linked == 1 and again.deconfliction_notices == 0 and not Notification.objects.exists()
