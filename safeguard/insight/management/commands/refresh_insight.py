from django.core.management.base import BaseCommand

from safeguard.insight.rollup import rebuild_rollup, refresh_rollup


class Command(BaseCommand):
    help = "Count new reports into the threat-assessment rollup (--full: rebuild it from every report)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Start again from nothing (after erasures).")

    def handle(self, *args, full=False, **options):
        counted = rebuild_rollup() if full else refresh_rollup()
        self.stdout.write(f"Counted {counted} report(s).")
