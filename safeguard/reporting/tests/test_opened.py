"""A person opening a report, once, and the follow-up status words that depend on it (issue 20)."""

from typing import cast

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.reporting.follow_up import status_in_words
from safeguard.reporting.models import Report, ReporterRole, Status
from safeguard.reporting.services import mark_opened

from .factories import ReportFactory

pytestmark = pytest.mark.django_db


def new_report(**fields) -> Report:
    return cast(Report, ReportFactory(**fields))


NOT_READ = (
    "We have received your report. Nobody on our team has read it yet: we check every report and the most urgent first."
)


def test_mark_opened_sets_the_first_opening_only(make_staff):
    first, second = make_staff("analyst"), make_staff("supervisor")
    report = new_report()
    updated_at = Report.objects.get(pk=report.pk).updated_at
    with CaptureQueriesContext(connection) as queries:
        assert mark_opened(report=report, user=first) is True
    assert len(queries) == 1 and "IS NULL" in queries[0]["sql"].upper()
    stored = Report.objects.get(pk=report.pk)
    assert stored.first_opened_by == first and stored.first_opened_at is not None
    assert stored.updated_at == updated_at  # opening is not a change to the report
    assert report.first_opened_at == stored.first_opened_at  # the instance in hand knows too

    again = Report.objects.get(pk=report.pk)
    assert mark_opened(report=again, user=second) is False
    still = Report.objects.get(pk=report.pk)
    assert (still.first_opened_by, still.first_opened_at) == (first, stored.first_opened_at)


def test_a_stale_instance_cannot_overwrite_the_first_opening(make_staff):
    report = new_report()
    stale = Report.objects.get(pk=report.pk)
    mark_opened(report=report, user=make_staff("analyst"))
    assert mark_opened(report=stale, user=make_staff("supervisor")) is False
    assert stale.first_opened_at is None  # not pretended


def test_only_staff_who_may_read_reports_mark_them_opened(make_staff):
    report = new_report()
    with pytest.raises(PermissionDenied):
        mark_opened(report=report, user=make_staff("education_officer"))
    assert Report.objects.get(pk=report.pk).first_opened_at is None


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGED])
def test_received_until_a_person_opens_it_whatever_triage_did(make_staff, status):
    report = new_report(status=status, reporter_role=ReporterRole.PARENT_CARER)
    assert status_in_words(report) == NOT_READ
    assert "read your report" not in status_in_words(report)
    mark_opened(report=report, user=make_staff("analyst"))
    assert status_in_words(report).startswith("Someone on our team has read your report.")


def test_a_young_person_gets_plain_words_before_and_after(make_staff):
    report = new_report(status=Status.TRIAGED, reporter_role=ReporterRole.YOUNG_PERSON)
    before = status_in_words(report)
    assert before.startswith("We have got your report. Nobody on our team has read it yet.")
    mark_opened(report=report, user=make_staff("analyst"))
    assert status_in_words(report).startswith("Someone on our team has read your report.")


def test_later_statuses_keep_their_words():
    in_review = new_report(status=Status.IN_REVIEW)
    assert status_in_words(in_review) == "Someone on our team is looking at your report now."
    assert status_in_words(new_report(status=Status.CLOSED)).startswith("We have finished working on your report.")
