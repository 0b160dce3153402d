"""Run Safeguard's periodic jobs: the one process to start beside the web servers and task workers.

django.tasks has no scheduler of its own, and several duties must happen without anyone asking: breach
notices for reports past their deadline, purging abandoned uploads, erasing unfinished partner reports,
counting new reports into the threat-assessment rollup, requeuing tasks whose worker died (and referral imports
whose heartbeat stopped), checking the audit chain. Each job is an ordinary management command, so it can equally
be run from cron; this loop exists so that `make run` and the production-like topology need nothing else installed.

Run exactly one scheduler per deployment: the jobs are idempotent, but two schedulers would do each twice.
"""

import logging
import time
from dataclasses import dataclass

from django.core.management import BaseCommand, call_command

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    command: str
    every_s: int
    args: tuple[str, ...] = ()


SCHEDULE = (
    Job("notify_breaches", every_s=60),  # a P1 deadline is an hour: a minute's delay at most
    # Every minute: tasks of workers silent for a minute (heartbeat), and anything RUNNING for 30 minutes.
    Job("requeue_stale_tasks", every_s=60, args=("--dead-workers",)),
    # A referral import whose heartbeat stopped 45 s ago carries on within a minute (docs/adr/0100).
    Job("recover_stalled_imports", every_s=5),
    Job("expire_partner_reports", every_s=15 * 60),  # unfinished partner reports go after 24 hours
    Job("purge_pending_uploads", every_s=15 * 60),
    Job("refresh_insight", every_s=15 * 60),
    Job("collect_reported_urls", every_s=60),  # web addresses in new reports join the takedown queue (issue 23)
    Job("send_takedown_notices", every_s=5 * 60),  # notices, re-notices and escalations that are due
    Job("recheck_takedowns", every_s=60 * 60),
    Job("verify_audit", every_s=24 * 60 * 60),  # a broken chain is logged as an error for the on-call
)


def run_due(*, last_run: dict[str, float], now: float) -> list[str]:
    """Run every job whose interval has passed (all of them on the first call); return the names run.

    A failing job is logged and retried at its next interval: one broken duty must not stop the others.
    """
    ran = []
    for job in SCHEDULE:
        if now - last_run.get(job.command, float("-inf")) < job.every_s:
            continue
        last_run[job.command] = now
        ran.append(job.command)
        try:
            call_command(job.command, *job.args, verbosity=0)
        except SystemExit as exit_:  # verify_audit exits 1 on a broken chain
            if exit_.code:
                logger.error("Scheduled job %s exited with status %s", job.command, exit_.code)
        except Exception:
            logger.exception("Scheduled job %s failed; it will run again in %s s", job.command, job.every_s)
    return ran


class Command(BaseCommand):
    help = "Run the periodic jobs (breach notices, purges, rollup, stale tasks, audit check) on their intervals."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and stop (for cron or a test)")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks for due jobs")

    def handle(self, *args, once=False, tick=5.0, **options):
        last_run: dict[str, float] = {}
        while True:
            ran = run_due(last_run=last_run, now=time.monotonic())
            if ran:
                logger.info("Scheduled jobs run: %s", ", ".join(ran))
            if once:
                return
            time.sleep(tick)
