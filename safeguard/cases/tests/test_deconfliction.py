"""Cases and operations hold subjects: deconfliction sees them, and a case taking on a held subject raises it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.cases import deconfliction as case_holders
from safeguard.cases import services
from safeguard.cases.models import CaseStatus
from safeguard.reporting.models import Report
from safeguard.subjects.deconfliction import held_subjects, holdings, holdings_for_subjects
from safeguard.subjects.models import ReportSubject, Subject
from safeguard.triage.models import Notification

pytestmark = pytest.mark.django_db

SECRET_CHAT = "An adult in a game chat asked the child to keep the chat secret."


def subject_of(report) -> Subject:
    return ReportSubject.objects.get(report=report).subject


def kinds(subject) -> list[tuple[str, str]]:
    return [(h.kind, h.label) for h in holdings(subject)]


def deconfliction_notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.DECONFLICTION))


def test_an_open_case_holds_its_subjects_and_its_reports_subjects_until_closed(make_staff, make_report):
    owner = make_staff("investigator", username="inv-kit")
    direct = Subject.objects.create()
    through_report = subject_of(make_report(subject_identifiers="kit.case@example.org", account=SECRET_CHAT))
    report = through_report.report_links.get().report
    case = services.open_case(actor=owner, title="Secret chat", subject_ids=[direct.pk], report_ids=[report.pk])

    for subject in (direct, through_report):
        found = holdings(subject)
        assert [(h.owner, h.kind, h.label) for h in found] == [(owner, "case", case.reference)]
        assert f"inv-kit is working this subject on case {case.reference}" in found[0].notice()
    assert held_subjects([direct.pk, through_report.pk, Subject.objects.create().pk]) == {direct.pk, through_report.pk}

    services.change_case_status(actor=owner, case=case, status=CaseStatus.DISSEMINATED)
    assert kinds(direct) == [("case", case.reference)]  # sent to a force, still the owner's work
    services.change_case_status(actor=owner, case=case, status=CaseStatus.CLOSED, reason="Nothing further.")
    assert kinds(direct) == [] and kinds(through_report) == []
    assert held_subjects([direct.pk, through_report.pk]) == set()


def test_an_active_operation_holds_its_subjects_and_its_cases_subjects_until_closed(make_staff):
    creator, case_owner = make_staff("investigator"), make_staff("analyst")
    direct, in_case = Subject.objects.create(), Subject.objects.create()
    case = services.open_case(actor=case_owner, title="Secret chat", subject_ids=[in_case.pk])
    services.change_case_status(actor=case_owner, case=case, status=CaseStatus.CLOSED, reason="Handed over.")
    operation = services.create_operation(
        actor=creator, name="Operation Wren", case_ids=[case.pk], subject_ids=[direct.pk]
    )

    assert [(h.owner, h.kind, h.label) for h in holdings(direct)] == [(creator, "operation", "Operation Wren")]
    # The case is closed but the operation working the network still holds what it held.
    assert kinds(in_case) == [("operation", "Operation Wren")]
    assert held_subjects([direct.pk, in_case.pk]) == {direct.pk, in_case.pk}

    operation.status = "closed"
    operation.save(update_fields=["status"])
    assert kinds(direct) == [] and kinds(in_case) == []


def test_a_subject_nobody_holds_costs_one_query_per_casework_provider():
    subject = Subject.objects.create()
    with CaptureQueriesContext(connection) as queries:
        assert list(case_holders.open_cases(subject, None)) == []
        assert list(case_holders.active_operations(subject, None)) == []
    assert len(queries) == 2


def test_a_new_report_about_a_subject_held_in_an_open_case_notifies_the_case_owner(make_staff, make_report):
    owner = make_staff("investigator", username="inv-ash")
    first = make_report(subject_identifiers="ash.chat@example.org", account=SECRET_CHAT)
    services.open_case(actor=owner, title="Secret chat", report_ids=[first.pk])

    second = make_report(subject_identifiers="ash.chat@example.org", account=SECRET_CHAT)

    assert subject_of(second) == subject_of(first)
    [notice] = deconfliction_notices(owner)
    assert notice.report_id == second.pk and second.reference in notice.message


def test_a_new_case_on_a_held_subject_notifies_the_other_holders_and_tells_its_owner(make_staff, make_report):
    first_owner = make_staff("investigator", username="inv-bo")
    report_owner = make_staff("analyst", username="an-cy")
    newcomer = make_staff("investigator", username="inv-di")
    report = make_report(subject_identifiers="bo.chat@example.org", account=SECRET_CHAT)
    subject = subject_of(report)
    Report.objects.filter(pk=report.pk).update(assigned_to=report_owner)
    held = services.open_case(actor=first_owner, title="Secret chat", subject_ids=[subject.pk])
    # Opening the first case told the report's assignee, and only them.
    assert len(deconfliction_notices(report_owner)) == 1
    Notification.objects.all().delete()

    case = services.open_case(actor=newcomer, title="Same account, another force's request", subject_ids=[subject.pk])

    for holder in (first_owner, report_owner):
        [notice] = deconfliction_notices(holder)
        assert case.reference in notice.message and "inv-di" in notice.message and notice.report is None
    told = sorted(n.message for n in deconfliction_notices(newcomer))
    assert any(held.reference in m and "inv-bo" in m for m in told)
    assert any(report.reference in m and "an-cy" in m for m in told)

    # Adding what the case already has tells nobody again; adding the subject's report is new, but told once.
    Notification.objects.all().delete()
    services.add_to_case(actor=newcomer, case=case, subject_ids=[subject.pk])
    assert not Notification.objects.exists()
    services.add_to_case(actor=newcomer, case=case, report_ids=[report.pk])
    assert len(deconfliction_notices(first_owner)) == 1


def test_a_case_does_not_notify_its_owner_about_their_own_work(make_staff):
    owner = make_staff("investigator")
    subject = Subject.objects.create()
    services.open_case(actor=owner, title="Secret chat", subject_ids=[subject.pk])
    services.create_operation(actor=owner, name="Operation Finch", subject_ids=[subject.pk])
    services.open_case(actor=owner, title="Second line", subject_ids=[subject.pk])
    assert not Notification.objects.exists()
    assert set(holdings_for_subjects([subject.pk])) == {subject.pk}


def test_the_subject_page_lists_the_case_holding_it(analyst_client, make_staff):
    owner = make_staff("investigator", username="inv-eve")
    subject = Subject.objects.create()
    case = services.open_case(actor=owner, title="Secret chat", subject_ids=[subject.pk])
    page = analyst_client.get(f"/staff/subjects/{subject.pk}/").content.decode()
    assert f"inv-eve is working this subject on case {case.reference}" in page
    assert "Nobody is working this subject" not in page
