import pytest
from django.core.management import call_command

from safeguard.core.management.commands import run_schedule
from safeguard.core.management.commands.run_schedule import SCHEDULE, run_due

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_is_a_real_command_that_runs():
    call_command("run_schedule", "--once")  # raises if a scheduled command does not exist


def test_jobs_run_on_their_own_intervals(monkeypatch):
    calls = []
    monkeypatch.setattr(run_schedule, "call_command", lambda name, *a, **k: calls.append(name))
    last_run: dict[str, float] = {}
    assert run_due(last_run=last_run, now=0) == [job.command for job in SCHEDULE]
    # The stalled-import recovery runs every 5 s (docs/adr/0100); every other job on its own longer interval.
    assert run_due(last_run=last_run, now=30) == ["recover_stalled_imports"]
    assert run_due(last_run=last_run, now=61) == [
        "notify_breaches",
        "requeue_stale_tasks",
        "recover_stalled_imports",
        "collect_reported_urls",
    ]
    assert run_due(last_run=last_run, now=64) == []
    assert "refresh_insight" in run_due(last_run=last_run, now=15 * 60 + 1)


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    ran = []

    def fake(name, *args, **kwargs):
        ran.append(name)
        if name == "notify_breaches":
            raise RuntimeError("mail server down")
        if name == "verify_audit":
            raise SystemExit(1)

    monkeypatch.setattr(run_schedule, "call_command", fake)
    assert run_due(last_run={}, now=0) == [job.command for job in SCHEDULE]
    assert ran == [job.command for job in SCHEDULE]
