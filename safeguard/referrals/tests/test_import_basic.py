import pytest

from safeguard.audit.models import AuditEntry
from safeguard.referrals.models import ImportState, LineOutcome, ReferralError, ReferralLine
from safeguard.reporting.models import Report, Source
from safeguard.subjects.models import ReportIdentifier, ReportSubject
from safeguard.triage.models import ReportTriage

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db


def test_jsonl_lines_become_triaged_linked_reports(importer):
    imp = importer(jsonl(record(1), record(2), record(3)))
    assert imp.state == ImportState.COMPLETED
    assert (imp.records_read, imp.accepted, imp.rejected, imp.duplicates) == (3, 3, 0, 0)
    reports = Report.objects.filter(source=Source.REFERRAL)
    assert reports.count() == 3
    report = reports.get(details__referral__line=2)
    assert report.details["referral"]["partnerReference"] == "OP-LANTERN-2"
    assert report.status == "triaged"
    assert ReportTriage.objects.filter(report=report).exists()
    assert ReportIdentifier.objects.filter(report=report, kind="email", value="suspect2@example.net").exists()
    assert ReportSubject.objects.filter(report=report).exists()
    line = ReferralLine.objects.get(referral_import=imp, line_no=2)
    assert line.report_id == report.pk and line.outcome == LineOutcome.ACCEPTED
    assert line.priority == report.priority


def test_one_audit_entry_per_chunk_lists_the_reports(importer):
    imp = importer(jsonl(record(1), record(2), record(3)), chunk_size=2)
    entries = AuditEntry.objects.filter(
        object_type="referrals.referralimport", object_id=str(imp.pk), action="collection"
    )
    chunk_entries = [e for e in entries if "reports" in e.detail]
    assert len(chunk_entries) == 2
    listed = sorted(i for e in chunk_entries for i in e.detail["reports"])
    assert listed == sorted(Report.objects.filter(source=Source.REFERRAL).values_list("pk", flat=True))


def test_invalid_lines_do_not_hold_back_valid_ones(importer):
    bad = record(2)
    bad["incidentSummary"]["incidentType"] = "not_a_type"
    imp = importer(jsonl(record(1), bad, record(3)) + b"{not json\n")
    assert (imp.accepted, imp.rejected) == (2, 2)
    errors = list(ReferralError.objects.filter(referral_import=imp).order_by("line_no"))
    assert errors[0].line_no == 2 and errors[0].field == "incidentSummary.incidentType"
    assert errors[1].line_no == 4 and "Not valid JSON" in errors[1].reason


def test_duplicates_within_file_and_against_earlier_imports(importer):
    first = importer(jsonl(record(1), record(2), record(1)))
    assert (first.accepted, first.duplicates) == (2, 1)
    dup = ReferralLine.objects.get(referral_import=first, line_no=3)
    assert dup.outcome == LineOutcome.DUPLICATE_IN_FILE
    assert "Duplicate of line 1 of this file" in ReferralError.objects.get(referral_import=first, line_no=3).reason
    second = importer(jsonl(record(2), record(9)))
    assert (second.accepted, second.duplicates) == (1, 1)
    assert ReferralLine.objects.get(referral_import=second, line_no=1).outcome == LineOutcome.DUPLICATE_EXISTING
    assert Report.objects.filter(source=Source.REFERRAL).count() == 3


def test_lines_about_a_known_subject_are_linked_to_it(importer, make_report):
    known = make_report(subject_identifiers="suspect5@example.net")
    from safeguard.subjects.services import link_report

    link_report(known)
    subject_id = ReportSubject.objects.get(report=known).subject_id
    imp = importer(jsonl(record(5), record(6)))
    assert imp.linked == 1
    line = ReferralLine.objects.get(referral_import=imp, line_no=1)
    assert line.matched_subject and line.subject_id == subject_id
    assert ReportSubject.objects.get(report_id=line.report_id).subject_id == subject_id
    # The known report gains a prior report.
    assert ReportSubject.objects.filter(subject_id=subject_id).count() == 2


def test_lines_in_one_file_sharing_an_identifier_share_a_subject(importer):
    a = record(1)
    b = record(2)
    b["personOrUserReported"]["emails"] = ["suspect1@example.net"]
    imp = importer(jsonl(a, b), chunk_size=10)
    lines = list(ReferralLine.objects.filter(referral_import=imp).order_by("line_no"))
    assert lines[0].subject_id == lines[1].subject_id is not None
    assert ReportTriage.objects.get(report_id=lines[1].report_id).prior_report_count == 1


def test_same_content_in_another_key_order_is_a_duplicate(importer):
    original = record(1)
    reordered = dict(reversed(list(original.items())))
    reordered["incidentSummary"] = dict(reversed(list(original["incidentSummary"].items())))
    imp = importer(jsonl(original, reordered))
    assert (imp.accepted, imp.duplicates) == (1, 1)


def test_an_escalated_line_is_p1_and_alerts_the_supervisors(importer, make_staff):
    from safeguard.triage.models import Notification

    supervisor = make_staff("supervisor")
    urgent = record(1)
    urgent["incidentSummary"].update(escalateToHighPriority=True, escalationReason="A child may be at risk now")
    imp = importer(jsonl(urgent, record(2)))
    line = ReferralLine.objects.get(referral_import=imp, line_no=1)
    assert line.priority == 1
    assert Notification.objects.filter(recipient=supervisor, kind="p1", report_id=line.report_id).exists()


def test_a_line_bridging_two_known_subjects_merges_them_and_refreshes_their_reports(importer, make_report):
    from safeguard.subjects.models import SubjectMerge
    from safeguard.subjects.services import link_report

    known = [make_report(subject_identifiers=f"suspect{n}@example.net", platform_name="Elsewhere") for n in (5, 6)]
    for report in known:
        link_report(report)
    subjects = sorted(ReportSubject.objects.get(report=r).subject_id for r in known)
    bridge = record(5)
    bridge["personOrUserReported"]["emails"] = ["suspect5@example.net", "suspect6@example.net"]
    imp = importer(jsonl(bridge, record(6)), chunk_size=10)
    lines = list(ReferralLine.objects.filter(referral_import=imp).order_by("line_no"))
    assert {line.subject_id for line in lines} == {subjects[0]}
    merge = SubjectMerge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id, merge.moved_report_ids) == (subjects[0], subjects[1], [known[1].pk])
    # Four reports about one person now: each held one counts three prior reports, and is rescored with them.
    for report in known:
        triage = ReportTriage.objects.get(report=report)
        assert triage.prior_report_count == 3 and triage.prior_reports == pytest.approx(3 / 5)
    assert ReportTriage.objects.get(report_id=lines[1].report_id).prior_report_count == 3
    # A later import about the same person refreshes them again.
    importer(jsonl(record(6, additionalInfo="Another chat.")))
    assert ReportTriage.objects.get(report=known[0]).prior_report_count == 4


def test_held_reports_are_refreshed_only_while_their_prior_reports_factor_can_grow(importer, make_report):
    from safeguard.subjects.services import link_report
    from safeguard.triage.features import MAX_COUNTED_PRIOR_REPORTS

    busy = [make_report(subject_identifiers="suspect5@example.net") for _ in range(MAX_COUNTED_PRIOR_REPORTS + 1)]
    lone = make_report(subject_identifiers="suspect6@example.net")
    for report in [*busy, lone]:
        link_report(report)
    ReportTriage.objects.filter(report__in=busy).update(prior_report_count=MAX_COUNTED_PRIOR_REPORTS, prior_reports=1.0)
    ReportTriage.objects.filter(report=lone).update(prior_report_count=0, prior_reports=0.0)
    bridge = record(5)
    bridge["personOrUserReported"]["emails"] = ["suspect5@example.net", "suspect6@example.net"]
    imp = importer(jsonl(bridge))
    line = ReferralLine.objects.get(referral_import=imp)
    total = len(busy) + 2
    # The new report counts exactly; the busy subject's reports were already at the cap and are left alone
    # ("at least 5"); the merged-in report's factor could grow, so it is refreshed and counts exactly.
    assert ReportTriage.objects.get(report_id=line.report_id).prior_report_count == total - 1
    assert set(ReportTriage.objects.filter(report__in=busy).values_list("prior_report_count", flat=True)) == {
        MAX_COUNTED_PRIOR_REPORTS
    }
    refreshed = ReportTriage.objects.get(report=lone)
    assert refreshed.prior_report_count == total - 1 and refreshed.prior_reports == 1.0
