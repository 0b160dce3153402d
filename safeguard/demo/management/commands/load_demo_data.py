"""`manage.py load_demo_data`: demo staff with fixed credentials and ~20 synthetic reports. Idempotent."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.core.demo import DEMO_PASSWORD, DEMO_STAFF, ensure_staff, refuse_in_production
from safeguard.demo.reports import DEMO_REPORTS, age
from safeguard.reporting.models import Report, Status
from safeguard.reporting.services import create_report
from safeguard.triage.services import assign_report, change_status


class Command(BaseCommand):
    help = "Load demo staff (fixed password and TOTP secrets) and synthetic reports. Refuses in production."

    def handle(self, *args, **options):
        refuse_in_production("load_demo_data")
        staff = {username: ensure_staff(username, role, first, last) for username, role, first, last in DEMO_STAFF}
        created = sum(
            self._ensure_report(key, hours, source, fields, staff) for key, hours, source, fields in DEMO_REPORTS
        )
        self.stdout.write(
            f"Demo data ready: {len(staff)} staff accounts (password {DEMO_PASSWORD!r}), "
            f"{created} new report(s), {len(DEMO_REPORTS) - created} already there."
        )

    def _ensure_report(self, key, hours, source, fields, staff) -> bool:
        if Report.objects.filter(details__demo_seed=key).exists():
            return False
        fields = {**fields, "details": {**fields.get("details", {}), "demo_seed": key}}
        report = create_report(actor=Actor.system("demo data"), source=source, fields=fields).report
        # Spread received times so the queue shows ages; demo data only, so no audit entry for this.
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - age(hours))
        if key in {"demo-04", "demo-09"}:
            self._take(report, staff["analyst"], staff["supervisor"])
        return True

    def _take(self, report, analyst, supervisor):
        report.refresh_from_db()
        assign_report(user=supervisor, report=report, assignee=analyst)
        if report.status != Status.IN_REVIEW:
            change_status(user=analyst, report=report, to_status=Status.IN_REVIEW, note="Demo: looking into it.")
