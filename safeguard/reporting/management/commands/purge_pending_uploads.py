"""Remove screenshots that were added to the public form but never sent. Run it hourly or daily."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from safeguard.reporting.uploads import purge_stale_pending_uploads


class Command(BaseCommand):
    help = "Delete pending public-form uploads older than --hours (default 24) that were never submitted."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0, help="Age in hours after which a pending file goes")

    def handle(self, *args, hours: float, **options):
        removed = purge_stale_pending_uploads(older_than=timedelta(hours=hours))
        self.stdout.write(f"Removed {removed} stale pending upload(s)")
