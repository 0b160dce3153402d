"""Re-check noticed addresses and record the ones that are gone (run by run_schedule every hour)."""

from django.core.management import BaseCommand

from safeguard.takedown.notices import recheck_noticed


class Command(BaseCommand):
    help = "Re-check noticed takedown addresses; a gone one is recorded as removed."

    def handle(self, *args, **options):
        counts = recheck_noticed()
        if options["verbosity"]:
            self.stdout.write(
                ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "Nothing noticed."
            )
