"""`manage.py backup [--output PATH]`: database and evidence files in one verifiable archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and the evidence store into one tar archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Archive path (default var/backups/safeguard-<UTC time>.tar)")

    def handle(self, *args, **options):
        default = Path(settings.BASE_DIR) / "var" / "backups" / f"safeguard-{timezone.now():%Y%m%dT%H%M%SZ}.tar"
        output = Path(options["output"] or default)
        try:
            manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: {rows} rows in {len(manifest['counts'])} tables, "
                f"{len(manifest['evidence'])} evidence files, audit chain at #{manifest['audit_head']['sequence']}."
            )
        )
