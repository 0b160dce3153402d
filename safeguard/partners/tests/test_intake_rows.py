"""The intake's hand-built rows and documents say exactly what the library calls they replace would have
said (ADR 0019): the triage task row as django-tasks-db's enqueue writes it, the response as ReportOut
dumps it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from safeguard.core.rows import new_rows
from safeguard.partners import api as partner_api
from safeguard.partners.models import PartnerReport, PartnerReportState
from safeguard.partners.schemas import ReportOut
from safeguard.reporting.models import Report
from safeguard.triage import enqueue
from safeguard.triage.task_priority import triage_report_task
from safeguard.triage.tasks import triage_report

from .conftest import valid_report

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")


@pytest.fixture
def database_backend(monkeypatch):
    backend = DatabaseBackend("default", {"QUEUES": ["default"]})
    monkeypatch.setattr(enqueue, "_backend", lambda: backend)
    enqueue._row_template.cache_clear()
    yield backend
    enqueue._row_template.cache_clear()


@postgres_only
def test_a_submission_queues_triage_in_its_report_insert_as_django_tasks_would(api, database_backend):
    response = api.post("/api/v1/reports", {**valid_report(), "finish": True})
    assert response.status_code == 201
    report = Report.objects.get(reference=response.json()["reference"])
    [fast] = DBTaskResult.objects.all()
    assert fast.args_kwargs == {"args": [report.pk], "kwargs": {}}

    # The same task enqueued the library's way (at the report's band's priority, as enqueue_triage queues it),
    # for comparison column by column.
    slow = database_backend.enqueue(triage_report_task(report.priority), (report.pk,), {}).db_result
    slow.refresh_from_db()
    for field in DBTaskResult._meta.concrete_fields:
        if field.attname not in ("id", "enqueued_at"):
            assert getattr(fast, field.attname) == getattr(slow, field.attname), field.attname
    assert abs(fast.enqueued_at - slow.enqueued_at) < timedelta(minutes=1)

    # A worker finds it ready and can run it.
    ready = DBTaskResult.objects.ready().filter(pk=fast.pk).get_locked()
    assert ready is not None and ready.task_result.task.func is triage_report.func
    ready.task.call(*ready.task_result.args)
    report.refresh_from_db()
    assert report.status == "triaged"


@postgres_only
def test_a_rolled_back_submission_leaves_no_task(api, database_backend, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("refused after the report was inserted")

    monkeypatch.setattr("safeguard.partners.services.insert_at_end", refuse)
    with pytest.raises(RuntimeError):
        api.post("/api/v1/reports", {**valid_report(), "finish": True})
    assert not DBTaskResult.objects.exists() and not Report.objects.exists()


def test_other_backends_enqueue_the_usual_way(api, monkeypatch):
    queued = []
    monkeypatch.setattr("safeguard.triage.intake_stage.enqueue_triage", queued.append)
    response = api.post("/api/v1/reports", {**valid_report(), "finish": True})
    assert response.status_code == 201
    assert [r.reference for r in queued] == [response.json()["reference"]]


@pytest.mark.parametrize("state", ["open", "finished"])
def test_the_hand_built_response_is_what_report_out_dumps(partner, state):
    report = Report.objects.create(reference="SG-TEST-0001", source="partner_api") if state == "finished" else None
    partner_report = PartnerReport.objects.create(
        partner=partner,
        state=PartnerReportState(state),
        report=report,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    expected = ReportOut(
        id=partner_report.public_id,
        state=partner_report.state,
        expiresAt=partner_report.expires_at if state == "open" else None,
        reference=report.reference if report else None,
        status="received" if report else None,
        files=3,
    ).model_dump(mode="json")
    assert partner_api._report_out(partner_report, files=3) == expected


def test_new_rows_are_what_the_model_constructor_makes(partner):
    values = {"partner_id": partner.pk, "state": PartnerReportState.FINISHED, "expires_at": timezone.now()}
    [fast] = new_rows(PartnerReport, [values])
    slow = PartnerReport(**values)
    for field in PartnerReport._meta.concrete_fields:
        if field.attname != "public_id":  # a fresh uuid4 each
            assert getattr(fast, field.attname) == getattr(slow, field.attname), field.attname
    assert fast.public_id != slow.public_id and fast._state.adding and fast.pk is None

    report_fields = {"reference": "SG-TEST-0002", "source": "partner_api", "categories": ["meet_up"]}
    [fast_report, other] = new_rows(Report, [report_fields, report_fields])
    slow_report = Report(**report_fields)
    for field in Report._meta.concrete_fields:
        assert getattr(fast_report, field.attname) == getattr(slow_report, field.attname), field.attname
    assert fast_report.details is not other.details  # a callable default is called for each row
    fast_report.save()
    assert Report.objects.get(pk=fast_report.pk).categories == ["meet_up"]
