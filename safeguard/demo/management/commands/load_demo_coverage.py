"""`manage.py load_demo_coverage`: one of every kind of record the other demo loaders leave out, so every page and
template branch has something to show (reports in every status, a partner API report, a subject merge, a case and
an operation, a referral import, a retention review and a disposal). Run after the other four loaders. Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts.models import User
from safeguard.core.demo import refuse_in_production
from safeguard.demo import coverage
from safeguard.routing.models import Recipient


class Command(BaseCommand):
    help = "Load the demo records that cover every status and kind (after the other demo loaders)."

    def handle(self, *args, **options):
        refuse_in_production("load_demo_coverage")
        staff = {u.username: u for u in User.objects.filter(username__in=["analyst", "investigator", "supervisor"])}
        force = Recipient.objects.filter(code="thames-valley").first()
        if len(staff) < 3 or force is None:
            raise CommandError("Run load_demo_data and load_dissemination_demo first (they make the staff and force).")
        made = coverage.load(
            analyst=staff["analyst"], investigator=staff["investigator"], supervisor=staff["supervisor"], force=force
        )
        self.stdout.write(f"Demo coverage ready: {', '.join(made) or 'nothing new (all there already)'}.")
