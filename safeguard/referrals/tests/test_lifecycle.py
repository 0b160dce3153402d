"""Pause, resume after a crash without duplicating, cancel."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguard.referrals import services, workers
from safeguard.referrals.models import ImportState, ReferralImport, ReferralLine
from safeguard.reporting.models import Report, Source

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db

FILE = jsonl(*(record(n) for n in range(1, 8)))


class Crash(Exception):
    pass


def crash_after(n):
    def hook(done):
        if done == n:
            raise Crash

    return hook


def test_crash_then_resume_imports_each_line_once(importer):
    with pytest.raises(Crash):
        importer(FILE, chunk_size=2, after_chunk=crash_after(2))
    imp = ReferralImport.objects.get()
    assert imp.state == ImportState.PAUSED and "unexpected error" in imp.fatal_error
    assert imp.checkpoint == 4 and imp.accepted == 4
    services.resume(user=importer.user, imp=imp)
    imp = services.run_import(imp.pk, chunk_size=2)
    assert imp.state == ImportState.COMPLETED
    assert (imp.records_read, imp.accepted, imp.duplicates) == (7, 7, 0)
    assert Report.objects.filter(source=Source.REFERRAL).count() == 7
    assert sorted(ReferralLine.objects.values_list("line_no", flat=True)) == list(range(1, 8))


def test_worker_killed_mid_run_is_resumable_once_stale(importer):
    with pytest.raises(Crash):
        importer(FILE, chunk_size=3, after_chunk=crash_after(1))
    imp = ReferralImport.objects.get()
    # As if the process had been killed: still "running", no heartbeat for a while.
    ReferralImport.objects.filter(pk=imp.pk).update(state=ImportState.RUNNING)
    imp.refresh_from_db()
    with pytest.raises(ValidationError):
        services.resume(user=importer.user, imp=imp)
    ReferralImport.objects.filter(pk=imp.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    services.resume(user=importer.user, imp=imp)
    imp = services.run_import(imp.pk, chunk_size=3)
    assert imp.state == ImportState.COMPLETED and imp.accepted == 7
    assert Report.objects.filter(source=Source.REFERRAL).count() == 7


def test_pause_stops_after_the_chunk_in_hand_then_resume_finishes(importer):
    def pause(done):
        if done == 1:
            services.request_pause(user=importer.user, imp=ReferralImport.objects.get())

    imp = importer(FILE, chunk_size=3, after_chunk=pause)
    assert imp.state == ImportState.PAUSED and imp.accepted == 3
    services.resume(user=importer.user, imp=imp)
    imp = services.run_import(imp.pk, chunk_size=3)
    assert imp.state == ImportState.COMPLETED and imp.accepted == 7


def test_cancel_keeps_committed_lines_and_reads_no_more(importer):
    def cancel(done):
        if done == 1:
            services.cancel(user=importer.user, imp=ReferralImport.objects.get())

    imp = importer(FILE, chunk_size=3, after_chunk=cancel)
    assert imp.state == ImportState.CANCELLED and imp.accepted == 3
    with pytest.raises(ValidationError):
        services.resume(user=importer.user, imp=imp)
    assert services.run_import(imp.pk) is None  # a cancelled import is never picked up again


def test_queued_import_is_cancelled_at_once(importer, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(FILE)
    imp = services.create_import(user=importer.user, partner="NCB", fmt="jsonl", original_name="x.jsonl", path=path)
    imp = services.cancel(user=importer.user, imp=imp)
    assert imp.state == ImportState.CANCELLED


def test_background_task_runs_the_import(importer, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "x.jsonl"
    path.write_bytes(FILE)
    imp = services.create_import(user=importer.user, partner="NCB", fmt="jsonl", original_name="x.jsonl", path=path)
    with django_capture_on_commit_callbacks(execute=True):
        services.start(user=importer.user, imp=imp)
    imp.refresh_from_db()
    assert imp.state == ImportState.COMPLETED and imp.accepted == 7


@pytest.mark.django_db(transaction=True)
def test_worker_processes_prepare_chunks_in_order(importer):
    data = FILE + jsonl(record(3))  # a duplicate at the end
    imp = importer(data, chunk_size=2, workers=2)
    assert imp.state == ImportState.COMPLETED
    assert (imp.records_read, imp.accepted, imp.duplicates) == (8, 7, 1)
    lines = ReferralLine.objects.filter(referral_import=imp).order_by("line_no")
    assert [line.line_no for line in lines] == list(range(1, 9))
    assert lines.get(line_no=8).outcome == "duplicate_in_file"


def _lines(imp):
    return list(
        ReferralLine.objects.filter(referral_import=imp)
        .order_by("line_no")
        .values_list("line_no", "outcome", "priority", "score", "matched_subject")
    )


@pytest.mark.parametrize("overlap", [True, False])
def test_prepare_thread_commits_chunks_in_order_as_without_it(importer, overlap):
    """The next chunk prepared on a thread (ADR 0076) changes nothing in what is committed, nor in which order."""
    data = FILE + jsonl(record(3), record(8, incidentSummary={}))  # a duplicate and an invalid line at the end
    imp = importer(data, chunk_size=2, overlap=overlap)
    assert imp.state == ImportState.COMPLETED
    assert (imp.records_read, imp.accepted, imp.duplicates, imp.rejected, imp.checkpoint) == (9, 7, 1, 1, 9)
    lines = _lines(imp)
    assert [line[0] for line in lines] == list(range(1, 9))
    assert lines[7][1] == "duplicate_in_file"
    reports = Report.objects.filter(source=Source.REFERRAL).order_by("pk")
    assert [r.details["referral"]["line"] for r in reports] == list(range(1, 8))


def test_a_query_in_the_prepare_thread_is_refused_and_the_import_stays_resumable(importer, monkeypatch):
    """The prepare thread must never use the database (its work is outside the chunk's transaction)."""
    from safeguard.referrals import pipeline

    real, calls = pipeline.prepare_chunk, []

    def querying(records, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            ReferralImport.objects.count()
        return real(records, **kwargs)

    monkeypatch.setattr(pipeline, "prepare_chunk", querying)
    with pytest.raises(RuntimeError, match="must not query the database"):
        importer(FILE, chunk_size=3, overlap=True)
    imp = ReferralImport.objects.get()
    assert imp.state == ImportState.PAUSED and imp.checkpoint == 3 and imp.accepted == 3
    monkeypatch.setattr(pipeline, "prepare_chunk", real)
    services.resume(user=importer.user, imp=imp)
    imp = services.run_import(imp.pk, chunk_size=3)
    assert imp.state == ImportState.COMPLETED and imp.accepted == 7
    assert sorted(ReferralLine.objects.values_list("line_no", flat=True)) == list(range(1, 8))


def test_collector_runs_less_often_during_an_import_and_is_restored_even_after_a_crash(importer):
    import gc

    before, seen = gc.get_threshold(), []

    def crash_on_second(done):
        seen.append(gc.get_threshold())
        if done == 2:
            raise Crash

    with pytest.raises(Crash):
        importer(FILE, chunk_size=2, after_chunk=crash_on_second)
    assert seen[0][0] >= workers.BULK_GC_THRESHOLD and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before
