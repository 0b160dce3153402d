"""Issue 21: a running import whose worker is killed recovers by itself within a minute (heartbeat), the page says
"stalled, restarting" instead of "about 3 seconds left", and a truncated XML file stops at a resumable point."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.referrals import services
from safeguard.referrals.models import ImportState, ReferralImport, ReferralLine
from safeguard.reporting.models import Report, Source

from .conftest import jsonl, record
from .test_bad_input import xml_bundle

pytestmark = pytest.mark.django_db

FILE = jsonl(*(record(n) for n in range(1, 8)))


class Crash(Exception):
    pass


def _killed_mid_run(importer, *, heartbeat_age: timedelta) -> ReferralImport:
    """As a SIGKILL leaves it: RUNNING, one chunk committed, the heartbeat `heartbeat_age` old."""

    def crash(done):
        if done == 1:
            raise Crash

    with pytest.raises(Crash):
        importer(FILE, chunk_size=3, after_chunk=crash)
    ReferralImport.objects.update(state=ImportState.RUNNING, heartbeat_at=timezone.now() - heartbeat_age)
    return ReferralImport.objects.get()


def test_a_dead_import_is_recovered_by_itself_and_finishes_each_line_once(importer):
    imp = _killed_mid_run(importer, heartbeat_age=services.STALE_AFTER + timedelta(seconds=1))
    assert imp.checkpoint == 3
    with TestCase.captureOnCommitCallbacks(execute=True):  # the requeued task runs (ImmediateBackend)
        assert services.recover_stalled_imports() == [imp.pk]
    imp.refresh_from_db()
    assert imp.state == ImportState.COMPLETED and (imp.accepted, imp.duplicates) == (7, 0)
    assert Report.objects.filter(source=Source.REFERRAL).count() == 7
    assert sorted(ReferralLine.objects.values_list("line_no", flat=True)) == list(range(1, 8))
    assert AuditEntry.objects.filter(actor_label="system:referral import recovery").count() == 1


def test_a_live_import_is_left_alone(importer):
    imp = _killed_mid_run(importer, heartbeat_age=services.STALE_AFTER - timedelta(seconds=5))
    assert services.recover_stalled_imports() == []
    imp.refresh_from_db()
    assert imp.state == ImportState.RUNNING


def test_recovery_comes_within_a_minute_of_the_last_heartbeat():
    from safeguard.core.management.commands.run_schedule import SCHEDULE

    job = next(job for job in SCHEDULE if job.command == "recover_stalled_imports")
    # Stale 45 s after the last beat, then found at the job's next run: at most its interval plus the loop's tick.
    assert services.STALE_AFTER.total_seconds() + job.every_s + 5.0 <= 60
    assert services.HEARTBEAT_EVERY.total_seconds() * 4 <= services.STALE_AFTER.total_seconds()


def test_the_scheduled_command_recovers_a_dead_import(importer):
    from django.core.management import call_command

    imp = _killed_mid_run(importer, heartbeat_age=timedelta(minutes=2))
    call_command("recover_stalled_imports")
    imp.refresh_from_db()
    assert imp.state in (ImportState.QUEUED, ImportState.COMPLETED)  # queued, or already run by the task


def test_a_pause_asked_before_the_worker_died_is_honoured(importer):
    imp = _killed_mid_run(importer, heartbeat_age=timedelta(minutes=2))
    ReferralImport.objects.filter(pk=imp.pk).update(requested_state=ImportState.PAUSED)
    services.recover_stalled_imports()
    imp.refresh_from_db()
    assert imp.state == ImportState.PAUSED and imp.requested_state == ""


def test_the_page_says_stalled_restarting_not_seconds_left(importer, staff_client):
    imp = _killed_mid_run(importer, heartbeat_age=timedelta(minutes=5))
    ReferralImport.objects.filter(pk=imp.pk).update(bytes_read=100, size=10_000, seconds_running=1.0)
    client = staff_client("investigator", user=importer.user)
    body = client.get(reverse("referrals:detail", args=[imp.pk])).content.decode()
    assert "Stalled, restarting" in body and "stalled, restarting" in body
    assert "seconds left" not in body and "about 99 seconds" not in body
    assert "line 3" in body  # where it carries on from


def test_the_page_says_when_no_worker_is_there_to_restart_it(importer, staff_client, settings):
    from django.core.cache import cache

    from safeguard.core import worker_heartbeat

    imp = _killed_mid_run(importer, heartbeat_age=timedelta(minutes=5))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    cache.delete(worker_heartbeat.KEY)
    client = staff_client("investigator", user=importer.user)
    body = client.get(reverse("referrals:detail", args=[imp.pk])).content.decode()
    assert "No task worker has been seen for over a minute" in body
    worker_heartbeat.beat("worker-1")
    body = client.get(reverse("referrals:detail", args=[imp.pk])).content.decode()
    assert "No task worker" not in body
    cache.delete(worker_heartbeat.KEY)


def test_a_running_import_beats_while_it_reads(importer, monkeypatch):
    beats = []
    real = services.beat

    def counting(imp):
        beats.append(imp.pk)
        real(imp)

    monkeypatch.setattr(services, "HEARTBEAT_EVERY", timedelta(0))
    monkeypatch.setattr(services, "beat", counting)
    imp = importer(FILE, chunk_size=100)
    assert imp.state == ImportState.COMPLETED and beats


def test_a_slow_run_taken_over_by_a_recovered_one_stops_without_pausing_the_import(importer):
    """The heartbeat was late (not dead): recovery requeued it and another run carries on; the slow one, at its
    next commit, finds the import no longer where it left it and stops quietly."""

    def taken_over(done):
        if done == 1:
            ReferralImport.objects.update(checkpoint=5)  # the other run committed meanwhile

    imp = importer(FILE, chunk_size=3, after_chunk=taken_over)
    assert imp.state == ImportState.RUNNING and imp.fatal_error == ""
    assert imp.checkpoint == 5


# --- truncated XML: stops at a documented, resumable point the page shows ---------------------------------


def _cuts(data: bytes) -> dict[str, int]:
    text = data.decode()
    second = text.index('<report id="P-2"')
    return {
        "inside a tag name": second + 3,
        "inside an attribute": text.index('"P-2"') + 2,
        "inside a text node": text.index("Proposed meeting", second) + 5,
        "between elements": text.index("<victim>", second),
        "right after a report": text.index("</report>", second) + len("</report>"),
        "before the root ends": text.index("</reportBundle>") + 3,
    }


@pytest.mark.parametrize("where", list(_cuts(xml_bundle(1, 2, 3))))
def test_truncated_xml_stops_after_the_last_complete_report_and_says_so(importer, where):
    data = xml_bundle(1, 2, 3)
    cut = _cuts(data)[where]
    complete = data[:cut].count(b"</report>")
    imp = importer(data[:cut], "xml", chunk_size=10)
    assert imp.state == ImportState.FAILED
    assert imp.accepted == complete and imp.checkpoint == complete
    assert "ends early (truncated)" in imp.fatal_error
    assert f"stopped after report {complete}" in imp.fatal_error


def test_truncated_then_complete_file_imports_only_the_rest(importer, staff_client):
    data = xml_bundle(1, 2, 3, 4)
    first = importer(data[: data.index(b'<report id="P-3"') + 40], "xml", chunk_size=10)
    assert first.state == ImportState.FAILED and first.accepted == 2
    client = staff_client("investigator", user=importer.user)
    body = client.get(reverse("referrals:detail", args=[first.pk])).content.decode()
    assert "Stopped after report 2" in body and "Import the complete file again" in body
    again = importer(data, "xml", chunk_size=10)
    assert again.state == ImportState.COMPLETED
    assert (again.accepted, again.duplicates) == (2, 2)  # reports 1-2 recognised, 3-4 imported
    assert Report.objects.filter(source=Source.REFERRAL).count() == 4
