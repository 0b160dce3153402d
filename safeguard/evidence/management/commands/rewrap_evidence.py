"""After adding a new master key first in SAFEGUARD_EVIDENCE_KEYS: re-wrap every file's data key under it."""

from django.core.management.base import BaseCommand

from safeguard.audit.services import Actor
from safeguard.evidence.services import rewrap_store


class Command(BaseCommand):
    help = "Re-wrap evidence data keys under the current master key (content is not re-encrypted)."

    def handle(self, *args, **options):
        count = rewrap_store(actor=Actor.system("rewrap_evidence"))
        self.stdout.write(f"Re-wrapped {count} evidence files. Old master keys can be retired once verified.")
