from datetime import timedelta

import pytest

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Category, Priority, Report
from safeguard.subjects.models import ReportSubject, SubjectMerge
from safeguard.triage.models import Notification, ScoringModelVersion
from safeguard.triage.scoring import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS


def subject_of(report):
    return ReportSubject.objects.get(report=report).subject


def test_queue_shows_time_left_and_highlights_breaches(analyst_client, make_report):
    late = make_report(categories=[Category.MEET_UP])  # P2: 24 hours
    Report.objects.filter(pk=late.pk).update(created_at=late.created_at - timedelta(hours=30))
    make_report()
    page = analyst_client.get("/staff/").content.decode()
    assert "Time left" in page and "Overdue by 6 h" in page and "29 days" in page
    assert 'id="overdue"' in page
    only = analyst_client.get("/staff/?overdue=1").content.decode()
    assert late.reference in only and only.count("sg-overdue") == 1


def test_report_page_shows_score_factors_subject_and_who_to_talk_to(analyst_client, make_report, make_staff):
    owner = make_staff("investigator", username="inv-dee")
    first = make_report(subject_identifiers="sam@example.org")
    Report.objects.filter(pk=first.pk).update(assigned_to=owner)
    second = make_report(subject_identifiers="SAM@example.org", categories=[Category.THREATENED_TO_SHARE])
    page = analyst_client.get(f"/staff/reports/{second.reference}/").content.decode()
    assert "Threats to share pictures (sextortion) were reported." in page
    assert 'id="priority-score"' in page and "+50" in page and 'id="subject-link"' in page
    assert "inv-dee is working this subject on report " + first.reference in page


def test_subject_page_timeline_is_audited(analyst_client, make_report):
    report = make_report(subject_identifiers="sam@example.org and @SamTheCoach", platform_name="Snapchat")
    subject = subject_of(report)
    page = analyst_client.get(f"/staff/subjects/{subject.pk}/").content.decode()
    assert report.reference in page and "samthecoach" in page and "sam@example.org" in page
    assert AuditEntry.objects.filter(
        action="consultation", object_type="subjects.subject", object_id=str(subject.pk)
    ).exists()


def test_subject_page_suggests_weak_links_and_supervisor_merges_then_reverses(supervisor_client, make_report):
    a = make_report(subject_identifiers="@samthecoach", platform_name="Snapchat")
    b = make_report(subject_identifiers="@sаmthecoach", platform_name="Snapchat")  # Cyrillic а: never merges
    sa, sb = subject_of(a), subject_of(b)
    assert sa != sb
    page = supervisor_client.get(f"/staff/subjects/{sb.pk}/").content.decode()
    assert "Possibly the same person" in page and sa.label in page
    response = supervisor_client.post(f"/staff/subjects/{sb.pk}/merge/", {"absorbed": sa.pk, "reason": ""})
    assert response.status_code == 302 and subject_of(a) != subject_of(b)  # a reason is required
    supervisor_client.post(f"/staff/subjects/{sb.pk}/merge/", {"absorbed": sa.pk, "reason": "Same profile photo"})
    assert subject_of(a) == subject_of(b)
    merge = SubjectMerge.objects.get()
    supervisor_client.post(f"/staff/subject-merges/{merge.pk}/reverse/")
    assert subject_of(a) != subject_of(b)


def test_analyst_cannot_merge_or_reverse(analyst_client, make_report):
    a = make_report(subject_identifiers="sam@example.org")
    assert (
        analyst_client.post(f"/staff/subjects/{subject_of(a).pk}/merge/", {"absorbed": 1, "reason": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize("query", ["SAM@Example.org", "07911 123456", "+447911123456"])
def test_search_finds_by_any_form_of_an_identifier_and_is_audited(analyst_client, make_report, query):
    report = make_report(subject_identifiers="sam@example.org, 07911123456")
    page = analyst_client.get("/staff/search/", {"q": query}).content.decode()
    assert report.reference in page and subject_of(report).label in page
    entry = AuditEntry.objects.filter(action="consultation", object_type="triage.search").last()
    assert entry is not None
    from safeguard.triage.search import query_fingerprint

    assert entry.detail["query_fingerprint"] == query_fingerprint(query) and entry.detail["reports"] == [report.pk]
    assert "sam" not in str(entry.detail).lower()  # the log holds no personal data


def test_full_text_search_of_narratives(analyst_client, make_report):
    hit = make_report(account="He proposed meeting offline near the skate park and asked to keep the chat secret.")
    make_report(account="Someone in a game chat asked for photos.")
    page = analyst_client.get("/staff/search/", {"q": "skate park"}).content.decode()
    assert hit.reference in page and page.count("/staff/reports/") == 1


def test_search_with_fts_syntax_is_safe_and_empty_query_explained(analyst_client, make_report):
    make_report(account="asked for photos")
    assert analyst_client.get("/staff/search/", {"q": 'photos" OR NEAR(('}).status_code == 200
    response = analyst_client.get("/staff/search/", {"q": "  "})
    assert response.status_code == 400 and "Enter an identifier" in response.content.decode()


def test_administrator_cannot_search(admin_client):
    assert admin_client.get("/staff/search/", {"q": "x"}).status_code == 403


def test_supervisor_edits_the_model_with_validation(supervisor_client, make_report):
    report = make_report(categories=[Category.ASKED_FOR_IMAGES])
    form = {
        **{k: str(v) for k, v in DEFAULT_WEIGHTS.items()},
        **{f"threshold_{b}": str(t) for b, t in DEFAULT_THRESHOLDS.items()},
    }
    bad = supervisor_client.post("/staff/scoring-model/", {**form, "images": "many", "threshold_1": "10"})
    page = bad.content.decode()
    assert bad.status_code == 400 and "Enter a number of points" in page and 'value="many"' in page
    assert not ScoringModelVersion.objects.exists()
    good = supervisor_client.post("/staff/scoring-model/", {**form, "images": "60", "note": "Images matter more"})
    assert good.status_code == 302
    assert Report.objects.get(pk=report.pk).priority == Priority.P2
    page = supervisor_client.get("/staff/scoring-model/").content.decode()
    assert "Version 1 is in use" in page and "P3: 1" in page and "P2: 1" in page


def test_analyst_reads_the_model_but_cannot_change_it(analyst_client):
    assert analyst_client.get("/staff/scoring-model/").status_code == 200
    assert analyst_client.post("/staff/scoring-model/", {}).status_code == 403


def test_notifications_page(supervisor_client, make_report):
    make_report(child_in_danger_now=True)
    page = supervisor_client.get("/staff/notifications/").content.decode()
    assert "is P1 immediate" in page
    supervisor_client.post("/staff/notifications/")
    assert not Notification.objects.filter(recipient=supervisor_client.user, read_at__isnull=True).exists()


def test_candidate_networks_by_shared_victim_and_room(analyst_client, make_report):
    from safeguard.reporting.models import Source

    def partner(esp_id, victim, room):
        payload = {
            "personOrUserReported": {"espIdentifier": esp_id, "estimatedLocation": {"countryCode": "GB"}},
            "victims": [{"screenName": victim, "age": 12}],
            "internetDetails": {"chatImIncident": {"chatRoomName": room}},
        }
        return make_report(
            source=Source.PARTNER_API,
            platform_name="ChatterBox",
            details={"partner_api": {"payload": payload, "files": []}},
        )

    partner("u1", "kid_a", "Room 1")
    partner("u2", "kid_a", "Room 2")
    partner("u3", "kid_b", "Room 2")
    partner("u4", "kid_c", "Room 9")  # not connected
    page = analyst_client.get("/staff/networks/").content.decode()
    assert "3 subjects, 3 reports" in page and "shared victims" in page and "shared groups or rooms" in page
    assert "ChatterBox" in page and "GB" in page
    assert analyst_client.get("/staff/networks/?min_size=5").content.decode().count("sg-network") == 0
    assert analyst_client.get("/staff/networks/?min_size=x").status_code == 400


def test_subject_page_says_who_is_working_the_subject(analyst_client, make_report, make_staff):
    owner = make_staff("investigator", username="inv-dee")
    report = make_report(subject_identifiers="sam@example.org")
    subject = subject_of(report)
    page = analyst_client.get(f"/staff/subjects/{subject.pk}/").content.decode()
    assert "Nobody is working this subject on an open report yet, and no open case" in page
    assert "will appear here when" not in page
    Report.objects.filter(pk=report.pk).update(assigned_to=owner)
    page = analyst_client.get(f"/staff/subjects/{subject.pk}/").content.decode()
    assert f"inv-dee is working this subject on report {report.reference}" in page
