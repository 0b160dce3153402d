"""Send the takedown notices, re-notices and escalations that are due (run by run_schedule every 5 minutes)."""

from django.core.management import BaseCommand

from safeguard.takedown.notices import send_due_notices


class Command(BaseCommand):
    help = "Send due takedown notices, re-notices and escalations, one message per recipient."

    def handle(self, *args, **options):
        result = send_due_notices()
        if options["verbosity"]:
            self.stdout.write(
                f"{result.notices} notices for {result.items} addresses; {result.escalations} escalated; "
                f"{result.not_located} with no host contact known."
            )
