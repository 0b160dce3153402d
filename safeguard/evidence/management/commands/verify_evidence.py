"""Decrypt and re-hash every stored evidence file; report any that differ from their ingest record."""

from django.core.management.base import BaseCommand, CommandError

from safeguard.evidence.services import verify_store


class Command(BaseCommand):
    help = "Re-hash every stored evidence file and report mismatches (exit status 1 if any)."

    def handle(self, *args, **options):
        checked, problems = verify_store()
        for problem in problems:
            self.stderr.write(f"evidence #{problem.evidence_id} ({problem.stored_name}): {problem.problem}")
        if problems:
            raise CommandError(f"{len(problems)} of {checked} evidence files failed verification", returncode=1)
        self.stdout.write(f"All {checked} evidence files verified: hashes match the ingest record.")
