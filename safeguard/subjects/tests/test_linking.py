import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import verify_chain
from safeguard.subjects.models import ReportIdentifier, ReportSubject, Subject, SubjectMerge
from safeguard.subjects.services import link_report, merge_subjects_by_supervisor, reverse_merge


def subject_of(report):
    return ReportSubject.objects.get(report=report).subject


@pytest.fixture
def report(make_report):
    def make(identifiers, platform="Snapchat", **fields):
        return make_report(subject_identifiers=identifiers, platform_name=platform, **fields)

    return make


def test_reports_sharing_a_strong_identifier_share_a_subject(report):
    first = report("email sam.jones@example.org")
    second = report("Contact: SAM.JONES@example.org  and @other_name")
    assert subject_of(first) == subject_of(second)


def test_different_identifiers_get_different_subjects(report):
    assert subject_of(report("sam@example.org")) != subject_of(report("kim@example.org"))


def test_usernames_only_link_on_the_same_platform(report):
    assert subject_of(report("@samthecoach", platform="Snapchat")) != subject_of(
        report("@samthecoach", platform="Roblox")
    )
    assert subject_of(report("@SamTheCoach", platform="Snap chat")) == subject_of(
        report("@samthecoach", platform="snapchat")
    )


def test_garbage_and_weak_identifiers_never_merge(report):
    a = report("from 10.0.0.1 and @sаmthecoach")  # private IP, Cyrillic а
    b = report("from 10.0.0.1 and @samthecoach")
    assert subject_of(a) != subject_of(b)
    spoof = ReportIdentifier.objects.get(report=a, kind="username")
    assert spoof.raw == "sаmthecoach" and not spoof.valid and not spoof.mergeable and spoof.problem


def test_report_without_identifiers_has_no_subject(report):
    r = report("")
    assert not ReportSubject.objects.filter(report=r).exists()


def test_linking_is_idempotent(report):
    r = report("sam@example.org 07911 123456")
    before = (subject_of(r).pk, list(ReportIdentifier.objects.filter(report=r).values_list("kind", "value")))
    link_report(r)
    link_report(r)
    after = (subject_of(r).pk, list(ReportIdentifier.objects.filter(report=r).values_list("kind", "value")))
    assert before[0] == after[0] and sorted(before[1]) == sorted(after[1])
    assert Subject.objects.count() == 1


def test_a_report_bridging_two_subjects_merges_them_recorded_as_combination(report):
    a = report("sam@example.org")
    b = report("07911 123456")
    assert subject_of(a) != subject_of(b)
    bridge = report("sam@example.org and 07911 123456")
    survivor = subject_of(bridge)
    assert subject_of(a) == subject_of(b) == survivor
    merge = SubjectMerge.objects.get()
    assert merge.survivor == survivor and merge.moved_report_ids == [b.pk]
    assert AuditEntry.objects.filter(action="combination", detail__merged=merge.absorbed_id).exists()
    assert verify_chain().ok


def test_supervisor_reverses_a_merge_and_analyst_cannot(report, make_staff):
    a = report("sam@example.org")
    b = report("07911 123456")
    report("sam@example.org and 07911 123456")
    merge = SubjectMerge.objects.get()
    with pytest.raises(PermissionDenied):
        reverse_merge(user=make_staff("analyst"), merge=merge)
    reverse_merge(user=make_staff("supervisor"), merge=merge)
    assert subject_of(a) != subject_of(b)
    assert Subject.objects.get(pk=merge.absorbed_id).merged_into is None
    with pytest.raises(ValidationError):
        reverse_merge(user=make_staff("supervisor"), merge=merge)


def test_supervisor_merges_on_a_suggestion_with_a_reason(report, make_staff):
    a = report("@samthecoach and 10.0.0.1")
    b = report("@sаmthecoach")
    supervisor = make_staff("supervisor")
    with pytest.raises(ValidationError):
        merge_subjects_by_supervisor(user=supervisor, survivor=subject_of(a), absorbed=subject_of(b), reason=" ")
    merge_subjects_by_supervisor(user=supervisor, survivor=subject_of(a), absorbed=subject_of(b), reason="Same photo")
    assert subject_of(a) == subject_of(b)


def test_partner_report_links_on_platform_id(make_report):
    from safeguard.reporting.models import Source

    def partner(esp_id):
        payload = {"personOrUserReported": {"espIdentifier": esp_id, "espService": "ChatterBox"}, "victims": []}
        return make_report(
            source=Source.PARTNER_API,
            platform_name="ChatterBox",
            details={"partner_api": {"payload": payload, "files": []}},
        )

    assert subject_of(partner("cb-1")) == subject_of(partner("CB-1 "))
    assert subject_of(partner("cb-1")) != subject_of(partner("cb-2"))
