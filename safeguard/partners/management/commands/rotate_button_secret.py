from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import Partner


class Command(BaseCommand):
    help = "Give a partner a new Report Abuse button signing secret. Buttons signed with the old one stop verifying."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, **opts):
        partner = Partner.objects.filter(slug=opts["slug"]).first()
        if partner is None:
            raise CommandError(f"No partner with slug {opts['slug']!r}.")
        services.rotate_button_secret(actor=Actor.system("manage.py rotate_button_secret"), partner=partner)
        self.stdout.write(f"New button signing secret for {partner.slug} (give it to the partner securely):")
        self.stdout.write(partner.button_secret)
