"""`manage.py verify_audit`: re-hash the audit chain. Exit status 1 and the first broken entry if tampered."""

import sys

from django.core.management.base import BaseCommand

from safeguard.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the DPA 2018 s.62 audit log; exits 1 if any entry was changed or removed."

    def handle(self, *args, **options):
        verdict = verify_chain()
        if verdict.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit log intact: {verdict.checked} entries verified."))
            return
        self.stderr.write(
            self.style.ERROR(
                f"Audit log BROKEN at sequence {verdict.first_broken_sequence}: {verdict.reason} "
                f"({verdict.checked} entries verified before it)."
            )
        )
        sys.exit(1)
