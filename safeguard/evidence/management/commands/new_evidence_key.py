"""Print a new random master key in the SAFEGUARD_EVIDENCE_KEYS format, for an operator to store safely."""

from django.core.management.base import BaseCommand, CommandError

from safeguard.core.vault.crypto import _KEY_ID, generate_key_text


class Command(BaseCommand):
    help = "Print a new evidence master key as KID:BASE64. Put it first in SAFEGUARD_EVIDENCE_KEYS, then rewrap."

    def add_arguments(self, parser):
        parser.add_argument("key_id", help="a name for the key, e.g. 2026-11")

    def handle(self, *args, **options):
        if not _KEY_ID.match(options["key_id"]):
            raise CommandError("A key id is 1-64 letters, digits, dots, dashes or underscores.")
        self.stdout.write(generate_key_text(options["key_id"]))
