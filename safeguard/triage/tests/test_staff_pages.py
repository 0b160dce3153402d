"""The report queue, the report page and staff changes, with their audit entries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.reporting.models import Attachment, Category, ReportAddition, Status, StatusChange

pytestmark = pytest.mark.django_db

QUEUE = reverse("staff:queue")


def entries_for(report, action):
    return AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk), action=action)


def test_queue_orders_by_priority_then_age_with_p1_first_and_red(analyst_client, make_report):
    from safeguard.reporting.models import Report

    routine_old = make_report(categories=[])
    routine_new = make_report(categories=[])
    danger = make_report(child_in_danger_now=True, categories=[Category.MEET_UP], platform_name="ChatterBox")
    threat = make_report(categories=[Category.THREATENED_TO_SHARE])
    Report.objects.filter(pk=routine_old.pk).update(created_at=timezone.now() - timedelta(days=3))

    response = analyst_client.get(QUEUE)
    body = response.content.decode()
    order = [r.reference for r in response.context["page"].object_list]
    assert order == [danger.reference, threat.reference, routine_old.reference, routine_new.reference]
    assert body.index(danger.reference) < body.index(threat.reference)
    assert "govuk-tag--red" in body and "Child in danger now" in body
    assert "ChatterBox" in body
    assert "3\xa0days ago" in body or "3 days ago" in body


def test_queue_hides_closed_reports_unless_asked(analyst_client, make_report):
    from safeguard.reporting.models import Report

    closed = make_report()
    Report.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert closed.reference not in analyst_client.get(QUEUE).content.decode()
    assert closed.reference in analyst_client.get(QUEUE, {"status": "closed"}).content.decode()


def test_queue_filters_by_priority_and_explains_bad_filters(analyst_client, make_report):
    danger = make_report(child_in_danger_now=True)
    routine = make_report()
    body = analyst_client.get(QUEUE, {"priority": "1"}).content.decode()
    assert danger.reference in body and routine.reference not in body
    response = analyst_client.get(QUEUE, {"priority": "9", "status": "nonsense"})
    body = response.content.decode()
    assert "Choose a priority from the list" in body and "Choose a status from the list" in body
    assert danger.reference in body and routine.reference in body  # bad filters are ignored, not fatal


def test_queue_paginates(analyst_client, make_report):
    for _ in range(27):
        make_report()
    first = analyst_client.get(QUEUE)
    assert len(first.context["page"].object_list) == 25
    second = analyst_client.get(QUEUE, {"page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert analyst_client.get(QUEUE, {"page": "abc"}).status_code == 200


def test_queue_page_is_one_consultation_naming_the_reports_shown(analyst_client, make_report):
    shown = [make_report(), make_report()]
    analyst_client.get(QUEUE, {"priority": "4"})
    entry = AuditEntry.objects.get(object_type="triage.queue")
    assert entry.action == Action.CONSULTATION and entry.actor == analyst_client.user
    assert sorted(entry.detail["reports"]) == sorted(r.pk for r in shown)
    assert entry.detail["filters"] == {"priority": 4}
    assert not entries_for(shown[0], Action.CONSULTATION).exists()  # one entry for the page, not one per report


def test_report_page_shows_everything_and_is_audited(analyst_client, make_report):
    report = make_report(
        child_in_danger_now=True,
        categories=[Category.KEEP_SECRET, Category.MEET_UP],
        platform_name="PixelQuest",
        subject_identifiers="PixelQuest player: nightowl_fox",
        account="Asked to keep the chat secret and proposed meeting offline.",
    )
    Attachment.objects.create(
        report=report,
        stored_name="x/1.png",
        original_name="screenshot.png",
        content_type="image/png",
        size=2048,
        sha256="ab" * 32,
    )
    ReportAddition.objects.create(report=report, text="They messaged again this morning.")
    response = analyst_client.get(reverse("staff:report", args=[report.reference]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        report.reference,
        "The reporter said a child is in danger right now.",
        "Asked to keep it secret",
        "PixelQuest",
        "nightowl_fox",
        "screenshot.png",
        "image/png",
        "ab" * 32,
        "2.0\xa0KB",
        "They messaged again this morning.",
        "govuk-summary-list",
    ):
        assert text in body, text
    assert "<img" not in body  # files are listed, never rendered
    entry = entries_for(report, Action.CONSULTATION).get()
    assert entry.actor == analyst_client.user


def test_report_page_accepts_a_loosely_typed_reference(analyst_client, make_report):
    report = make_report()
    loose = report.reference.lower().replace("-", "")
    response = analyst_client.get(reverse("staff:report", args=[loose]))
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/{report.reference}/")


def test_unknown_reference_is_404(analyst_client):
    assert analyst_client.get(reverse("staff:report", args=["SG-0000-0000"])).status_code == 404


def test_status_change_records_history_and_alteration_together(analyst_client, make_report):
    report = make_report()
    report.refresh_from_db()
    before = report.status
    url = reverse("staff:change_status", args=[report.reference])
    response = analyst_client.post(url, {"to_status": "in_review", "note": "Checking the platform."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_REVIEW
    change = StatusChange.objects.get(report=report)
    assert (change.from_status, change.to_status, change.note) == (before, "in_review", "Checking the platform.")
    assert change.changed_by == analyst_client.user
    alteration = entries_for(report, Action.ALTERATION).filter(actor=analyst_client.user).get()
    assert alteration.detail == {"field": "status", "from": before, "to": "in_review", "with_note": True}
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Status changed to" in page and "Checking the platform." in page


def test_bad_status_change_keeps_the_note_and_explains(analyst_client, make_report):
    report = make_report()
    url = reverse("staff:change_status", args=[report.reference])
    response = analyst_client.post(url, {"to_status": "", "note": "My careful note"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose the new status" in body and "My careful note" in body
    report.refresh_from_db()
    response = analyst_client.post(url, {"to_status": report.status, "note": "again"})
    assert "is already" in response.content.decode()
    assert not StatusChange.objects.filter(report=report).exists()
    assert not entries_for(report, Action.ALTERATION).filter(actor=analyst_client.user).exists()


def test_failed_change_writes_no_alteration(analyst_client, make_report, monkeypatch):
    """The change and its audit entry commit together: if the audit write fails, so does the change."""
    from safeguard.triage import services

    report = make_report()
    report.refresh_from_db()
    before = report.status

    def broken_record(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.change_status(user=analyst_client.user, report=report, to_status=Status.CLOSED)
    report.refresh_from_db()
    assert report.status == before
    assert not StatusChange.objects.filter(report=report).exists()


def test_analyst_can_take_and_release_but_not_give_to_others(analyst_client, make_staff, make_report):
    report = make_report()
    url = reverse("staff:assign", args=[report.reference])
    assert analyst_client.post(url, {"assignee": "me"}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == analyst_client.user
    assert entries_for(report, Action.ALTERATION).filter(detail__field="assigned_to").count() == 1
    colleague = make_staff("analyst")
    assert analyst_client.post(url, {"assignee": str(colleague.pk)}).status_code == 403
    assert analyst_client.post(url, {"assignee": "none"}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to is None


def test_supervisor_assigns_to_someone(supervisor_client, make_staff, make_report):
    analyst = make_staff("analyst")
    admin = make_staff("administrator")
    report = make_report()
    page = supervisor_client.get(reverse("staff:report", args=[report.reference])).content.decode()
    assert analyst.username in page and admin.username not in page
    url = reverse("staff:assign", args=[report.reference])
    assert supervisor_client.post(url, {"assignee": str(analyst.pk)}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == analyst
    response = supervisor_client.post(url, {"assignee": str(admin.pk)})
    assert response.status_code == 400 and "cannot work on reports" in response.content.decode()
    response = supervisor_client.post(url, {"assignee": "nobody-in-particular"})
    assert response.status_code == 400 and "Choose who to assign" in response.content.decode()
    report.refresh_from_db()
    assert report.assigned_to == analyst


def test_queue_shows_assignee(supervisor_client, make_staff, make_report):
    analyst = make_staff("analyst", username="alex-analyst")
    report = make_report()
    supervisor_client.post(reverse("staff:assign", args=[report.reference]), {"assignee": str(analyst.pk)})
    assert "alex-analyst" in supervisor_client.get(QUEUE).content.decode()


def test_selectors_and_services_refuse_wrong_roles_without_views(make_staff, make_report):
    from django.core.exceptions import PermissionDenied

    from safeguard.triage import selectors, services

    admin = make_staff("administrator")
    report = make_report()
    with pytest.raises(PermissionDenied):
        selectors.report_queue(user=admin)
    with pytest.raises(PermissionDenied):
        selectors.consult_report(user=admin, reference=report.reference)
    with pytest.raises(PermissionDenied):
        services.change_status(user=admin, report=report, to_status=Status.CLOSED)
    with pytest.raises(PermissionDenied):
        services.assign_report(user=admin, report=report, assignee=admin)


def test_queue_warns_about_open_p1_reports_even_when_filtered(analyst_client, make_report):
    make_report(child_in_danger_now=True)
    make_report(child_in_danger_now=True)
    body = analyst_client.get(QUEUE, {"priority": "4"}).content.decode()
    assert "2 open P1 reports: a child may be in danger now" in body
