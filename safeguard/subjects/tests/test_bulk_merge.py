"""Merging many groups of subjects at once (the bulk referral import's merge), exactly as pair by pair would."""

import pytest

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor, verify_chain
from safeguard.subjects.models import ReportSubject, Subject, SubjectMerge
from safeguard.subjects.services import link_report, merge_subject_groups, reverse_merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def subjects(make_report):
    """n subjects, each holding one report: (subject ids, their report ids), in creation order."""

    def make(n):
        reports = [
            make_report(subject_identifiers=f"person{i}@example.net", platform_name="ChatterBox") for i in range(n)
        ]
        for report in reports:
            link_report(report)
        ids = [ReportSubject.objects.get(report=r).subject_id for r in reports]
        assert len(set(ids)) == n
        return ids, [r.pk for r in reports]

    return make


def subject_of(report_id):
    return ReportSubject.objects.get(report_id=report_id).subject_id


def merge(groups):
    return merge_subject_groups(groups=groups, reason="Shares a strong identifier", actor=Actor.system("test"))


def test_a_chain_of_groups_ends_in_one_survivor(subjects):
    ids, reports = subjects(4)
    survivor_of = merge([[ids[2], ids[3]], [ids[1], ids[2]], [ids[0], ids[1]]])
    assert survivor_of == dict.fromkeys(ids, ids[0])
    assert {subject_of(r) for r in reports} == {ids[0]}
    # One reversible merge per absorbed subject, each listing the reports it moved, into the final survivor.
    merges = {m.absorbed_id: m for m in SubjectMerge.objects.all()}
    assert sorted(merges) == ids[1:]
    for n, subject_id in enumerate(ids[1:], start=1):
        assert merges[subject_id].survivor_id == ids[0] and merges[subject_id].moved_report_ids == [reports[n]]
    assert set(Subject.objects.filter(pk__in=ids[1:]).values_list("merged_into", flat=True)) == {ids[0]}
    assert Subject.objects.get(pk=ids[0]).merged_into is None


def test_a_subject_named_by_two_groups_is_merged_once(subjects):
    ids, reports = subjects(3)
    survivor_of = merge([[ids[0], ids[2]], [ids[1], ids[2]]])
    assert survivor_of == dict.fromkeys(ids, ids[0])
    assert SubjectMerge.objects.filter(absorbed_id=ids[2]).count() == 1
    assert SubjectMerge.objects.count() == 2
    assert {subject_of(r) for r in reports} == {ids[0]}


def test_separate_groups_stay_separate_and_single_subjects_are_untouched(subjects):
    ids, reports = subjects(5)
    survivor_of = merge([[ids[1], ids[0]], [ids[3], ids[2]], [ids[4]]])
    assert survivor_of == {ids[0]: ids[0], ids[1]: ids[0], ids[2]: ids[2], ids[3]: ids[2], ids[4]: ids[4]}
    assert [subject_of(r) for r in reports] == [ids[0], ids[0], ids[2], ids[2], ids[4]]
    assert merge([]) == {} and merge([[ids[4]]]) == {ids[4]: ids[4]}
    assert SubjectMerge.objects.count() == 2


def test_each_merge_is_audited_as_a_combination_in_one_append_and_reversible(subjects, make_staff):
    ids, reports = subjects(3)
    before = AuditEntry.objects.count()
    merge([[ids[0], ids[1], ids[2]]])
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [e.action for e in entries] == ["combination", "combination"]
    assert sorted(e.detail["merged"] for e in entries) == ids[1:]
    assert all(e.detail["into"] == ids[0] and e.object_id == str(ids[0]) for e in entries)
    assert sorted(e.detail["reports"][0] for e in entries) == reports[1:]
    assert verify_chain().ok
    reverse_merge(user=make_staff("supervisor"), merge=SubjectMerge.objects.get(absorbed_id=ids[2]))
    assert subject_of(reports[2]) == ids[2] and subject_of(reports[1]) == ids[0]
