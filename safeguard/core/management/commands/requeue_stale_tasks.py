"""`manage.py requeue_stale_tasks --older-than 30`: requeue tasks RUNNING for longer than that many minutes;
`--dead-workers`: also requeue those whose worker stopped beating a minute ago (core/tasks_recovery.py)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from safeguard.core.tasks_recovery import requeue_stale_tasks, requeue_tasks_of_dead_workers


class Command(BaseCommand):
    help = "Requeue database-queue tasks left RUNNING longer than --older-than minutes (their worker died)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, help="Minutes (longer than the slowest task)")
        parser.add_argument(
            "--dead-workers", action="store_true", help="Also requeue tasks of workers silent for a minute"
        )

    def handle(self, *args, **options):
        ids = requeue_stale_tasks(older_than=timedelta(minutes=options["older_than"]))
        if options["dead_workers"]:
            ids += requeue_tasks_of_dead_workers()
        self.stdout.write(f"Requeued {len(ids)} task(s).")
