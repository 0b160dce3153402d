from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Category, Priority, Report, Source, Status
from safeguard.triage import engine
from safeguard.triage.models import DutyShift, Notification, RescoreRun, ScoringModelVersion
from safeguard.triage.priority import initial_priority
from safeguard.triage.scoring import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, score, validate_model
from safeguard.triage.services import publish_scoring_model


def test_factors_add_up_and_are_explained():
    features = {"threats": 1.0, "images": 1.0, "victim_age": 0.5}
    result = score(features, DEFAULT_WEIGHTS, DEFAULT_THRESHOLDS)
    weights = DEFAULT_WEIGHTS
    assert result.score == weights["threats"] + weights["images"] + weights["victim_age"] * 0.5
    assert result.band == Priority.P2
    assert result.reasons[0].startswith("Threats to share pictures")
    assert len(result.reasons) == 3 and result.points["threats"] == weights["threats"]


def test_nothing_found_is_p4_routine():
    result = score({}, DEFAULT_WEIGHTS, DEFAULT_THRESHOLDS)
    assert result.band == Priority.P4 and result.reasons == ["No urgent factor was found; routine review."]


@pytest.mark.django_db  # reads the active scoring model (cached, so this passed or failed by test order)
def test_initial_priority_uses_the_engine():
    report = Report(child_in_danger_now=True, categories=[Category.ASKED_FOR_IMAGES])
    decision = initial_priority(report)
    assert decision.priority == Priority.P1 and "danger right now" in decision.reasons[0]


def test_role_with_access_to_children_counts(make_report):
    report = make_report(account="He said he is a football coach at the club and asked to keep the chat secret.")
    assert any("access to children" in r for r in Report.objects.get(pk=report.pk).priority_reasons)


def test_younger_victims_score_higher(make_report):
    def partner(age):
        payload = {"victims": [{"age": age}, {"age": 16}], "personOrUserReported": {}}
        return make_report(source=Source.PARTNER_API, details={"partner_api": {"payload": payload, "files": []}})

    young, older = partner(9), partner(15)
    assert young.triage.score > older.triage.score
    assert young.triage.victims > 0  # two distinct victims


@pytest.mark.parametrize(
    ("weights", "thresholds", "field"),
    [
        ({**DEFAULT_WEIGHTS, "threats": "lots"}, DEFAULT_THRESHOLDS, "threats"),
        ({**DEFAULT_WEIGHTS, "threats": -1}, DEFAULT_THRESHOLDS, "threats"),
        ({**DEFAULT_WEIGHTS, "made_up": 3}, DEFAULT_THRESHOLDS, "weights"),
        (DEFAULT_WEIGHTS, {"1": 10, "2": 50, "3": 20}, "thresholds"),
    ],
)
def test_model_validation_names_the_problem(weights, thresholds, field):
    with pytest.raises(ValidationError) as error:
        validate_model(weights, thresholds)
    assert field in error.value.message_dict


def test_new_linked_report_raises_the_subjects_other_open_reports(make_report):
    first = make_report(subject_identifiers="sam@example.org", categories=[Category.ASKED_FOR_IMAGES])
    first.refresh_from_db()
    assert first.priority == Priority.P3
    for _ in range(3):
        make_report(subject_identifiers="Sam@Example.org")
    first.refresh_from_db()
    assert first.triage.prior_report_count == 3
    assert first.priority == Priority.P2
    assert any("other reports about the same person" in r for r in first.priority_reasons)


def test_publishing_a_model_rescores_open_reports_in_the_background_with_counts(make_report, make_staff):
    open_report = make_report(categories=[Category.MEET_UP])
    closed = make_report(categories=[Category.MEET_UP])
    Report.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert Report.objects.get(pk=open_report.pk).priority == Priority.P2
    supervisor = make_staff("supervisor")
    run = publish_scoring_model(
        user=supervisor, weights={**DEFAULT_WEIGHTS, "offline_meeting": 100}, thresholds=DEFAULT_THRESHOLDS, note="x"
    )
    run.refresh_from_db()
    assert run.finished_at is not None and run.reports == 1
    assert run.before["P2"] == 1 and run.after["P1"] == 1
    assert Report.objects.get(pk=open_report.pk).priority == Priority.P1
    assert Report.objects.get(pk=closed.pk).priority == Priority.P2  # closed reports keep their score
    assert AuditEntry.objects.filter(detail__changed=1).exists()
    assert ScoringModelVersion.objects.get(active=True).number == 1
    assert AuditEntry.objects.filter(object_type="triage.rescorerun", object_id=str(run.pk)).exists()
    assert AuditEntry.objects.filter(object_type="triage.scoringmodelversion").exists()
    assert RescoreRun.objects.count() == 1


def test_only_supervisors_publish_models(make_staff):
    with pytest.raises(PermissionDenied):
        publish_scoring_model(user=make_staff("analyst"), weights=DEFAULT_WEIGHTS, thresholds=DEFAULT_THRESHOLDS)


def test_bulk_rescore_matches_single_scoring(make_report):
    reports = [
        make_report(categories=[Category.THREATENED_TO_SHARE], incident_date=date.today() - timedelta(days=2)),
        make_report(categories=[Category.ASKED_FOR_IMAGES], incident_date=date.today() - timedelta(days=20)),
        make_report(child_in_danger_now=True),
        make_report(),
    ]
    singles = {
        r.pk: (Report.objects.get(pk=r.pk).priority, Report.objects.get(pk=r.pk).priority_reasons) for r in reports
    }
    before, after, total, changed = engine.rescore()
    assert total == 4 and sum(before.values()) == sum(after.values()) == 4 and changed == 0
    for r in reports:
        fresh = Report.objects.get(pk=r.pk)
        assert (fresh.priority, fresh.priority_reasons) == singles[r.pk]


def test_p1_notifies_the_on_duty_supervisor_once_with_email(make_report, make_staff):
    on_duty = make_staff("supervisor", email="duty@example.org")
    off_duty = make_staff("supervisor", email="off@example.org")
    now = timezone.now()
    DutyShift.objects.create(supervisor=on_duty, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=7))
    report = make_report(child_in_danger_now=True)
    notices = Notification.objects.filter(kind=Notification.Kind.P1)
    assert [n.recipient for n in notices] == [on_duty]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["duty@example.org"]
    assert report.reference in mail.outbox[0].subject and "secret" not in mail.outbox[0].body
    from safeguard.triage.tasks import triage_report

    triage_report.call(report.pk)
    assert notices.count() == 1  # idempotent
    assert not Notification.objects.filter(recipient=off_duty).exists()


def test_p1_with_empty_rota_notifies_every_supervisor(make_report, make_staff):
    a, b = make_staff("supervisor"), make_staff("supervisor")
    make_report(child_in_danger_now=True)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {a.pk, b.pk}


def test_deconfliction_notifies_the_other_owner_and_names_who_to_talk_to(make_report, make_staff):
    from safeguard.subjects.deconfliction import who_to_talk_to

    owner = make_staff("investigator")
    first = make_report(subject_identifiers="sam@example.org")
    Report.objects.filter(pk=first.pk).update(assigned_to=owner)
    second = make_report(subject_identifiers="sam@example.org")
    notice = Notification.objects.get(kind=Notification.Kind.DECONFLICTION)
    assert notice.recipient == owner and second.reference in notice.message
    talk_to = who_to_talk_to(second)
    assert [h.owner for h in talk_to] == [owner]
    assert first.reference in talk_to[0].notice()


def test_restricted_holding_names_only_the_owner(make_staff):
    from safeguard.subjects.deconfliction import Holding

    owner = make_staff("investigator", username="dee")
    notice = Holding(owner=owner, kind="case", label="OP-SECRET", restricted=True).notice()
    assert "dee" in notice and "OP-SECRET" not in notice


def test_breach_notices_go_to_the_on_duty_supervisor_once(make_report, make_staff):
    from django.core.management import call_command

    supervisor = make_staff("supervisor")
    late = make_report(categories=[Category.MEET_UP])
    Report.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=25))
    make_report(categories=[Category.MEET_UP])  # not late yet
    call_command("notify_breaches", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("notify_breaches", stdout=open("/dev/null", "w"))  # noqa: SIM115
    notice = Notification.objects.get(kind=Notification.Kind.BREACH)
    assert notice.recipient == supervisor and notice.report_id == late.pk and "overdue by 1 h" in notice.message


def test_reports_counted_at_the_cap_are_not_rescored_for_each_new_report(make_report, monkeypatch):
    from safeguard.audit.services import verify_chain
    from safeguard.triage.features import MAX_COUNTED_PRIOR_REPORTS

    reports = [make_report(subject_identifiers="sam@example.org") for _ in range(MAX_COUNTED_PRIOR_REPORTS + 1)]
    first = Report.objects.get(pk=reports[0].pk)
    assert first.triage.prior_report_count == MAX_COUNTED_PRIOR_REPORTS and first.triage.prior_reports == 1.0

    rescored = []
    original = engine.rescore

    def spy(*, report_ids):
        rescored.append(set(report_ids))
        return original(report_ids=report_ids)

    monkeypatch.setattr(engine, "rescore", spy)
    newest = make_report(subject_identifiers="SAM@example.org")
    # Every earlier report was already counted at the cap: its score cannot change, so none is rescored.
    assert rescored == []
    newest = Report.objects.get(pk=newest.pk)
    assert newest.triage.prior_report_count == MAX_COUNTED_PRIOR_REPORTS + 1
    assert Report.objects.get(pk=first.pk).triage.prior_report_count == MAX_COUNTED_PRIOR_REPORTS  # "at least"
    assert verify_chain().ok
