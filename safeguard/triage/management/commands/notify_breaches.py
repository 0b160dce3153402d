"""Tell the on-duty supervisor(s) about open reports past their response deadline. Run every few minutes (cron).

Idempotent: each supervisor hears about each overdue report once.
"""

from django.core.management.base import BaseCommand

from safeguard.triage.notifications import notify_breaches


class Command(BaseCommand):
    help = "Notify on-duty supervisors of open reports past their band's response deadline."

    def handle(self, *args, **options):
        sent = notify_breaches()
        self.stdout.write(f"{sent} new breach notice(s) sent.")
