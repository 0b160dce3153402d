"""`manage.py recover_stalled_imports`: requeue referral imports whose worker died (heartbeat older than 45 s).

Run by the scheduler (core run_schedule) every few seconds; safe to run from cron too, or twice."""

from django.core.management.base import BaseCommand

from safeguard.referrals.services import recover_stalled_imports


class Command(BaseCommand):
    help = "Requeue running referral imports whose heartbeat stopped (their worker died), from their checkpoint."

    def handle(self, *args, **options):
        recovered = recover_stalled_imports()
        if recovered:
            self.stdout.write(f"Requeued stalled imports: {', '.join(map(str, recovered))}")
