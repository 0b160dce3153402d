"""`manage.py task_worker --worker-id web-1-worker-1`: a database-queue worker that first requeues the tasks
its previous run (same id) died holding (safeguard/core/tasks_recovery.py), and records a heartbeat every 15 s
while it runs, which `/readyz` reads (safeguard/core/worker_heartbeat.py)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from safeguard.core.tasks_recovery import requeue_tasks_of_worker
from safeguard.core.worker_heartbeat import start_beating


class Command(BaseCommand):
    help = "Run a database task worker under a stable id, requeueing what an earlier run with that id left RUNNING."

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="Stable per worker slot, e.g. worker-1")
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty")

    def handle(self, *args, **options):
        requeued = requeue_tasks_of_worker(options["worker_id"])
        if requeued:
            self.stderr.write(f"Requeued {len(requeued)} task(s) left RUNNING by an earlier {options['worker_id']}.")
        extra = ["--batch"] if options["batch"] else []
        beating = start_beating(options["worker_id"])
        try:
            self._work(options, extra)
        finally:
            beating.set()

    def _work(self, options, extra) -> None:
        call_command(
            "db_worker",
            "--worker-id",
            options["worker_id"],
            "--queue-name",
            options["queue_name"],
            "--interval",
            str(options["interval"]),
            "--no-startup-delay",
            *extra,
        )
