"""A package sent to a force holds its subjects until a final outcome: deconfliction names its preparer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguard.dissemination import deconfliction as package_holders
from safeguard.dissemination import services
from safeguard.subjects.deconfliction import held_subjects, holdings
from safeguard.subjects.models import ReportSubject, Subject
from safeguard.triage.models import Notification

pytestmark = pytest.mark.django_db


def about(make_report, email):
    report = make_report(subject_identifiers=email, account="An adult asked the child to keep the chat secret.")
    return report, ReportSubject.objects.get(report=report).subject


def test_a_sent_package_holds_its_subjects_until_a_final_outcome(make_package, make_report, make_staff, make_recipient):
    preparer = make_staff("analyst", username="an-fay")
    force = make_recipient("Testshire Constabulary")
    report, subject = about(make_report, "fay.chat@example.org")
    package = make_package("sent", report=report, preparer=preparer, recipient=force)

    [holding] = holdings(subject)
    assert (holding.owner, holding.kind, holding.label) == (preparer, "dissemination", package.reference)
    assert "an-fay is working this subject on dissemination" in holding.notice()
    assert "sent to Testshire Constabulary, who may be acting on it" in holding.notice()
    assert held_subjects([subject.pk]) == {subject.pk}

    today = timezone.localdate()
    services.record_outcome(actor=preparer, package=package, kind="arrest", occurred_on=today)
    assert len(holdings(subject)) == 1  # an arrest is a step on the way: the force is still working it
    services.record_outcome(actor=preparer, package=package, kind="conviction", occurred_on=today)
    assert holdings(subject) == [] and held_subjects([subject.pk]) == set()


def test_drafts_and_approved_packages_do_not_hold(make_package, make_report):
    for status, email in (("draft", "gil.one@example.org"), ("approved", "gil.two@example.org")):
        report, subject = about(make_report, email)
        make_package(status, report=report)
        assert holdings(subject) == []


def test_an_acknowledged_package_still_holds(make_package, make_report):
    report, subject = about(make_report, "hal.chat@example.org")
    package = make_package("acknowledged", report=report)
    assert [h.label for h in holdings(subject)] == [package.reference]


def test_a_subject_in_no_package_costs_one_query():
    subject = Subject.objects.create()
    with CaptureQueriesContext(connection) as queries:
        assert list(package_holders.sent_packages(subject, None)) == []
    assert len(queries) == 1


def test_a_new_report_about_a_subject_in_a_sent_package_notifies_its_preparer(make_package, make_report, make_staff):
    preparer = make_staff("analyst")
    report, _ = about(make_report, "ivy.chat@example.org")
    make_package("sent", report=report, preparer=preparer)
    newer, _ = about(make_report, "ivy.chat@example.org")
    [notice] = Notification.objects.filter(recipient=preparer, kind=Notification.Kind.DECONFLICTION)
    assert notice.report_id == newer.pk
