"""Web addresses found in reports since the last run join the takedown queue (run by run_schedule every minute)."""

from django.core.management import BaseCommand

from safeguard.takedown.services import COLLECT_BATCH, collect_reported_urls


class Command(BaseCommand):
    help = "Add the web addresses found in new reports to the takedown assessment queue."

    def handle(self, *args, **options):
        total = 0
        while (read := collect_reported_urls(limit=COLLECT_BATCH)) == COLLECT_BATCH:
            total += read
        total += read
        if options["verbosity"]:
            self.stdout.write(f"Read {total} reported web addresses.")
