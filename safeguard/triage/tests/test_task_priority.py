"""The child in danger goes first (issue 20): a report's triage task is queued at its first band's priority, a
partner batch's triage in tasks of at most SAFEGUARD_TRIAGE_BATCH_TASK_SIZE reports at batch priority, and the
database worker takes a P1 report's task queued after a batch's before them."""

import math
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from safeguard.audit.services import Actor
from safeguard.core import task_priority
from safeguard.core.internals.rq import rq_queue_name
from safeguard.reporting import intake
from safeguard.reporting.intake import Incoming
from safeguard.reporting.models import Priority, Report, Source, Status
from safeguard.reporting.services import create_report
from safeguard.triage import enqueue
from safeguard.triage.intake_stage import enqueue_triage
from safeguard.triage.models import ReportTriage
from safeguard.triage.task_priority import BAND_PRIORITY, triage_priority, triage_report_task
from safeguard.triage.tasks import rescore_open_reports, triage_batch, triage_report

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
QUEUED_ELSEWHERE: list[tuple[str, int, tuple]] = []


class ElsewhereBackend(BaseTaskBackend):
    """A queue outside the database (as Redis is): records what it is told."""

    supports_priority = True

    def enqueue(self, task, args, kwargs):
        QUEUED_ELSEWHERE.append((task.name, task.priority, tuple(args)))


ROUTINE = "Someone in a game chat asked to keep their messages secret."


@pytest.fixture
def database_queue():
    with override_settings(TASKS=DATABASE_QUEUE):
        enqueue._row_template.cache_clear()
        yield
    enqueue._row_template.cache_clear()


def _public(**fields) -> Report:
    fields.setdefault("account", ROUTINE)
    return create_report(actor=Actor.of(None), source=Source.PUBLIC_WEB, fields=fields).report


def _partner_batch(count: int) -> list[Report]:
    items = [Incoming(fields={"account": f"{ROUTINE} Report {n}."}) for n in range(count)]
    return intake.accept(actor=Actor.system("test"), source=Source.PARTNER_API, items=items)


def _rows(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at"))


def test_the_bands_priorities_are_in_order_and_in_django_tasks_range():
    priorities = [BAND_PRIORITY[band] for band in (Priority.P1, Priority.P2, Priority.P3, Priority.P4)]
    assert priorities == sorted(priorities, reverse=True) and len(set(priorities)) == 4
    assert priorities[0] == 100  # django-tasks' highest: nothing queued goes before a child in danger now
    assert task_priority.BATCH_TRIAGE < task_priority.BULK < task_priority.NORMAL <= priorities[-1]
    assert triage_priority(None) == task_priority.TRIAGE_P4


def test_a_single_reports_task_row_has_its_bands_priority(database_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        urgent = _public(child_in_danger_now=True)
        routine = _public()
    assert urgent.priority == Priority.P1 and routine.priority != Priority.P1
    by_report = {row.args_kwargs["args"][0]: row.priority for row in _rows(triage_report)}
    assert by_report == {urgent.pk: 100, routine.pk: BAND_PRIORITY[Priority(routine.priority)]}

    # Every band, through the same enqueue intake uses.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        for band in Priority:
            enqueue_triage(Report(pk=routine.pk, priority=band))
    assert [row.priority for row in _rows(triage_report)] == [BAND_PRIORITY[band] for band in Priority]


def test_the_forged_task_row_carries_the_priority_enqueue_gives(database_queue, django_capture_on_commit_callbacks):
    backend = triage_report.get_backend()
    columns, _ = enqueue._row_template(backend.alias, triage_priority(Priority.P1))
    names = [column.strip('"`') for column in columns.split(", ")]
    report = _public()
    for band in Priority:
        DBTaskResult.objects.all().delete()
        report.priority = band
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_triage(report)
        [queued] = _rows(triage_report)
        _, template = enqueue._row_template(backend.alias, triage_priority(band))
        forged = dict(zip(names, template, strict=True))["priority"]
        assert forged == ("value", queued.priority), band
        assert queued.priority == BAND_PRIORITY[band]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the forged row is PostgreSQL's")
def test_a_p1_report_forged_in_its_insert_is_queued_at_p1(database_queue):
    report = create_report(
        actor=Actor.of(None),
        source=Source.PUBLIC_WEB,
        fields={"account": ROUTINE, "child_in_danger_now": True},
        triage_in_report_insert=True,
    ).report
    [row] = _rows(triage_report)
    assert row.args_kwargs == {"args": [report.pk], "kwargs": {}} and row.priority == 100


@override_settings(SAFEGUARD_TRIAGE_BATCH_TASK_SIZE=500)
def test_a_batch_of_1200_is_triaged_by_tasks_of_at_most_500_at_batch_priority(
    database_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports = _partner_batch(1200)
    rows = _rows(triage_batch)
    assert len(rows) == math.ceil(1200 / 500) == 3
    assert {row.priority for row in rows} == {task_priority.BATCH_TRIAGE}
    slices = [row.args_kwargs["args"][0] for row in rows]
    assert [len(ids) for ids in slices] == [500, 500, 200]
    assert [pk for ids in slices for pk in ids] == [report.pk for report in reports]  # each report once, in order
    assert not _rows(triage_report)


def test_the_worker_takes_a_p1_queued_after_a_batch_first(
    database_queue, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.SAFEGUARD_TRIAGE_BATCH_TASK_SIZE = 4
    with django_capture_on_commit_callbacks(execute=True):
        batch = _partner_batch(10)
    with django_capture_on_commit_callbacks(execute=True):
        urgent = _public(child_in_danger_now=True)
    assert len(_rows(triage_batch)) == 3

    # db_worker's own loop, for one task. (It closes stale connections between tasks: not the test's.)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run()

    [done] = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert done.task_path == triage_report.module_path and done.args_kwargs["args"] == [urgent.pk]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 3  # the batch's, untouched
    urgent.refresh_from_db()
    assert urgent.status == Status.TRIAGED and urgent.priority == Priority.P1
    assert ReportTriage.objects.filter(report=urgent).exists()
    assert not ReportTriage.objects.filter(report_id__in=[r.pk for r in batch]).exists()

    # Then the batch, slice by slice, until the queue is empty: everything triaged.
    worker.max_tasks, worker._run_tasks, worker.batch = None, 0, True
    worker.run()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 4
    assert ReportTriage.objects.filter(report_id__in=[r.pk for r in batch]).count() == 10
    assert set(Report.objects.filter(pk__in=[r.pk for r in batch]).values_list("status", flat=True)) == {Status.TRIAGED}


def test_triage_batch_called_with_more_than_a_slice_still_triages_them_all(settings):
    settings.SAFEGUARD_TRIAGE_BATCH_TASK_SIZE = 3
    reports = _partner_batch(7)  # the test backend runs the slices' tasks at once; again here, by hand, in one
    ReportTriage.objects.all().delete()
    triage_batch.call([r.pk for r in reports])
    assert ReportTriage.objects.filter(report_id__in=[r.pk for r in reports]).count() == 7
    triage_batch.call([r.pk for r in reports])  # idempotent: the same rows again
    assert ReportTriage.objects.filter(report_id__in=[r.pk for r in reports]).count() == 7


def test_bulk_work_is_queued_below_normal():
    from safeguard.referrals.tasks import run_referral_import

    assert rescore_open_reports.priority == task_priority.BULK
    assert run_referral_import.priority == task_priority.BULK
    assert triage_batch.priority == task_priority.BATCH_TRIAGE


def test_rq_puts_each_task_on_its_prioritys_queue(settings):
    all_three = {name: {"URL": "redis://127.0.0.1:6379/0"} for name in ("urgent", "default", "bulk")}
    settings.RQ_QUEUES = all_three  # as settings.py configures them for the RQ backend
    assert rq_queue_name(triage_report_task(Priority.P1)) == "urgent"
    assert rq_queue_name(triage_report_task(Priority.P2)) == "urgent"
    assert rq_queue_name(triage_report_task(Priority.P3)) == "default"
    assert rq_queue_name(triage_report_task(Priority.P4)) == "default"
    assert rq_queue_name(triage_batch) == "bulk"
    assert rq_queue_name(rescore_open_reports) == "bulk"
    named = SimpleNamespace(queue_name="elsewhere", priority=100)  # a task queued on a queue of its own: kept
    assert rq_queue_name(named) == "elsewhere"
    settings.RQ_QUEUES = {"default": all_three["default"]}
    assert rq_queue_name(triage_report_task(Priority.P1)) == "default"  # only queues that are configured
    assert task_priority.RQ_QUEUE_ORDER == ("urgent", "default", "bulk")


def test_a_queue_outside_the_database_is_told_only_once_the_report_commits(django_capture_on_commit_callbacks):
    QUEUED_ELSEWHERE.clear()
    elsewhere = {"default": {"BACKEND": f"{__name__}.ElsewhereBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=elsewhere):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            urgent = _public(child_in_danger_now=True)
        assert QUEUED_ELSEWHERE == []  # no worker can take it before the report exists for it
        for callback in callbacks:
            callback()
    queued = list(QUEUED_ELSEWHERE)
    assert queued == [("triage_report", 100, (urgent.pk,))]
