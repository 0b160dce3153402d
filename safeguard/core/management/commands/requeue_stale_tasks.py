"""`manage.py requeue_stale_tasks --older-than 30`: requeue tasks RUNNING for longer than that many minutes."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from safeguard.core.tasks_recovery import requeue_stale_tasks


class Command(BaseCommand):
    help = "Requeue database-queue tasks left RUNNING longer than --older-than minutes (their worker died)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, help="Minutes (longer than the slowest task)")

    def handle(self, *args, **options):
        ids = requeue_stale_tasks(older_than=timedelta(minutes=options["older_than"]))
        self.stdout.write(f"Requeued {len(ids)} task(s).")
