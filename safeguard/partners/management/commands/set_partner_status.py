from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import Partner, PartnerStatus


class Command(BaseCommand):
    help = "Suspend a partner (all its keys and buttons stop working at once) or make it active again."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("status", choices=PartnerStatus.values)

    def handle(self, *args, **opts):
        partner = Partner.objects.filter(slug=opts["slug"]).first()
        if partner is None:
            raise CommandError(f"No partner with slug {opts['slug']!r}.")
        services.set_partner_status(
            actor=Actor.system("manage.py set_partner_status"), partner=partner, status=PartnerStatus(opts["status"])
        )
        self.stdout.write(f"{partner.slug} is now {partner.status}.")
