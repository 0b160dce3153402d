from django.core.management.base import BaseCommand

from safeguard.partners import limits, services


class Command(BaseCommand):
    help = "Erase partner reports left unfinished for 24 hours (run hourly). Audit entries are kept."

    def handle(self, *args, **opts):
        expired = services.expire_unfinished()
        limits.purge_old_counters()
        self.stdout.write(f"Expired {expired} unfinished partner report(s).")
