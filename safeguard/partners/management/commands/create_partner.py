from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import Partner


class Command(BaseCommand):
    help = "Register an industry partner. Prints its Report Abuse button signing secret once."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--platform", action="append", default=[], help="repeat for each platform")
        parser.add_argument("--contact-name", default="")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--requests-per-minute", type=int, default=600)
        parser.add_argument("--daily-quota", type=int, default=100_000)

    def handle(self, *args, **opts):
        if Partner.objects.filter(slug=opts["slug"]).exists():
            raise CommandError(f"A partner with slug {opts['slug']!r} already exists.")
        partner = services.create_partner(
            actor=Actor.system("manage.py create_partner"),
            name=opts["name"],
            slug=opts["slug"],
            platforms=opts["platform"],
            contact_name=opts["contact_name"],
            contact_email=opts["contact_email"],
            requests_per_minute=opts["requests_per_minute"],
            daily_quota=opts["daily_quota"],
        )
        self.stdout.write(f"Created partner {partner.slug} ({partner.name}).")
        self.stdout.write(f"Button signing secret (give it to the partner securely): {partner.button_secret}")
