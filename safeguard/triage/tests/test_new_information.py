"""New information re-scores a report: the reporter's follow-up, another report about the same person.
The queue marks the report until someone who works reports opens it; the report page says what changed."""

import pytest

from safeguard.reporting import intake
from safeguard.reporting.models import Category, Priority, Report
from safeguard.reporting.services import add_information
from safeguard.triage import changes
from safeguard.triage.models import ReportTriage, TriageChange

pytestmark = pytest.mark.django_db

PICTURES = "He asked me for pictures in a game chat and said to keep it secret. I'm 13."
THREAT = "he would tell everyone if I don't send one"


def test_follow_up_cause_is_triage_change_cause():
    assert intake.Amendment.FOLLOW_UP == TriageChange.Cause.FOLLOW_UP


def test_a_report_triaged_for_the_first_time_records_no_change(make_report):
    report = make_report(account=PICTURES)
    assert ReportTriage.objects.get(report=report).scored_at is not None
    assert not TriageChange.objects.filter(report=report).exists()


def test_a_follow_up_rescores_the_report_and_says_why_the_band_moved(make_report):
    report = make_report(account=PICTURES)
    before = Report.objects.get(pk=report.pk).priority
    add_information(report=report, text=THREAT)
    report.refresh_from_db()
    change = TriageChange.objects.get(report=report)
    assert change.cause == TriageChange.Cause.FOLLOW_UP
    assert change.band_before == before and change.band_after == report.priority
    assert report.priority < before  # a threat to share: more urgent
    assert "threats" in change.factors_added
    assert change.words_added["threats"]
    assert change.score_after > change.score_before
    assert change.detail["addition_id"] == report.additions.get().pk
    assert change.seen_at is None


def test_follow_up_words_are_kept_for_the_analyst(make_report):
    report = make_report(account="Nothing much happened.")
    add_information(report=report, text=THREAT)
    words = ReportTriage.objects.get(report=report).words
    assert words["threats"]


def test_another_report_about_the_same_person_marks_the_first(make_report):
    first = make_report(subject_identifiers="sam@example.org")
    make_report(subject_identifiers="SAM@example.org")
    change = TriageChange.objects.get(report=first)
    assert change.cause == TriageChange.Cause.LINKED_REPORT
    assert change.factors_added == ["prior_reports"]
    assert change.detail["linked_report"].startswith("SG-")


def test_queue_marks_new_information_until_an_analyst_opens_the_report(analyst_client, make_report):
    report = make_report(account=PICTURES)
    add_information(report=report, text=THREAT)
    queue = analyst_client.get("/staff/").content.decode()
    assert queue.count("sg-new-information") == 1
    page = analyst_client.get(f"/staff/reports/{report.reference}/").content.decode()
    assert 'id="new-information"' in page and 'id="what-changed"' in page
    assert "The reporter added information" in page and "The band moved from" in page
    assert "Now counts: Threats to share pictures" in page
    assert TriageChange.objects.get(report=report).seen_at is not None
    assert "sg-new-information" not in analyst_client.get("/staff/").content.decode()
    again = analyst_client.get(f"/staff/reports/{report.reference}/").content.decode()
    assert 'id="new-information"' not in again and 'id="what-changed"' in again


def test_marking_seen_records_who(make_report, make_staff):
    report = make_report(account=PICTURES)
    add_information(report=report, text=THREAT)
    supervisor = make_staff("supervisor")
    changes.mark_seen(user=supervisor, report=report)
    assert TriageChange.objects.get(report=report).seen_by == supervisor


def test_report_page_shows_the_words_that_counted(analyst_client, make_report):
    report = make_report(account=PICTURES, categories=[Category.SOMETHING_ELSE], other_category_detail="chat")
    page = analyst_client.get(f"/staff/reports/{report.reference}/").content.decode()
    assert "sg-matched-words" in page and "Words:" in page


def test_a_follow_up_on_a_closed_report_puts_it_back_on_the_queue(analyst_client, make_report):
    report = make_report(account=PICTURES)
    Report.objects.filter(pk=report.pk).update(status="closed", priority=Priority.P4)
    add_information(report=report, text=THREAT)
    report.refresh_from_db()
    assert report.status == "triaged"
    reopened = report.status_changes.get()
    assert (reopened.from_status, reopened.to_status, reopened.changed_by) == ("closed", "triaged", None)
    assert TriageChange.objects.get(report=report).band_before == Priority.P4
    assert report.reference in analyst_client.get("/staff/").content.decode()


def test_the_same_follow_up_triaged_twice_is_one_change(make_report):
    from safeguard.triage.tasks import triage_reports

    report = make_report(account=PICTURES)
    addition = add_information(report=report, text=THREAT)
    triage_reports(report_ids=[report.pk], cause="follow_up", detail={"addition_id": addition.pk})
    assert TriageChange.objects.filter(report=report).count() == 1
