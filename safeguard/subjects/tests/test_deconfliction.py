"""The deconfliction registry's public face: which subjects anyone holds, in few queries."""

import pytest

from safeguard.reporting.models import Report
from safeguard.subjects import deconfliction
from safeguard.subjects.models import ReportSubject, Subject

pytestmark = pytest.mark.django_db


def test_held_subjects_asks_in_batches_and_finds_an_assigned_open_report(make_report, make_staff):
    report = make_report(subject_identifiers="jo.chat@example.org", account="Asked to keep the chat secret.")
    subject_id = ReportSubject.objects.get(report=report).subject_id
    Report.objects.filter(pk=report.pk).update(assigned_to=make_staff("investigator"))
    others = [s.pk for s in Subject.objects.bulk_create([Subject() for _ in range(deconfliction.HELD_BATCH * 2)])]

    assert deconfliction.held_subjects([*others, subject_id]) == {subject_id}
    assert deconfliction.held_subjects([]) == set()
    [(found_id, [holding])] = deconfliction.holdings_for_subjects([others[0], subject_id]).items()
    assert found_id == subject_id and holding.kind == "report" and holding.report_id == report.pk


def test_a_provider_without_a_held_check_is_asked_about_every_subject(monkeypatch, make_staff):
    owner = make_staff("investigator")
    subject = Subject.objects.create()
    monkeypatch.setattr(deconfliction, "_PROVIDERS", list(deconfliction._PROVIDERS))

    @deconfliction.register_provider
    def everyone(subject, exclude_report_id):
        yield deconfliction.Holding(owner=owner, kind="case", label="TEST-1")

    assert subject.pk in deconfliction.held_subjects([subject.pk])
    assert [h.label for h in deconfliction.holdings_for_subjects([subject.pk])[subject.pk]] == ["TEST-1"]
