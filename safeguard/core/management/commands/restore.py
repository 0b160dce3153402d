"""`manage.py restore ARCHIVE`: restore a backup into an empty instance, then verify it."""

from django.core.management.base import BaseCommand, CommandError

from safeguard.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty instance; verify counts, file hashes and the audit chain."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite an instance that already holds data (its data is lost)."
        )

    def handle(self, *args, **options):
        try:
            report = restore_backup(options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        summary = (
            f"{report.counts_checked} table counts, {report.files_checked} evidence files, "
            f"{report.audit_entries_checked} audit entries checked"
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError(f"Restored, but verification FAILED ({summary}).")
        self.stdout.write(self.style.SUCCESS(f"Restored and verified: {summary}."))
