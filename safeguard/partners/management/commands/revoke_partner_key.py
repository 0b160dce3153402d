from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import ApiKey


class Command(BaseCommand):
    help = "Revoke a partner's API key, named by partner slug and key name."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")

    def handle(self, *args, **opts):
        key = ApiKey.objects.filter(partner__slug=opts["slug"], name=opts["name"]).first()
        if key is None:
            raise CommandError("No such key.")
        services.revoke_api_key(actor=Actor.system("manage.py revoke_partner_key"), key=key)
        self.stdout.write(f"Revoked {key}.")
