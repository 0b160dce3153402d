from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.partners import services
from safeguard.partners.models import DEFAULT_SCOPES, Partner, Scope


class Command(BaseCommand):
    help = "Create a named API key for a partner and print it. It is shown only this once."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name", help="what the key is for, e.g. 'production-ingest'")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            default=None,
            help=(
                "repeat; default: the reporting scopes (reports:submit, evidence:upload, reports:status). "
                "The self-reported hash list scopes (hashes:fetch, hashes:report) are granted only when named."
            ),
        )
        parser.add_argument("--expires-days", type=int, default=365, help="0 for no expiry")

    def handle(self, *args, **opts):
        partner = Partner.objects.filter(slug=opts["slug"]).first()
        if partner is None:
            raise CommandError(f"No partner with slug {opts['slug']!r}.")
        if partner.api_keys.filter(name=opts["name"]).exists():
            raise CommandError(f"{partner.slug} already has a key named {opts['name']!r}.")
        days = opts["expires_days"]
        new = services.create_api_key(
            actor=Actor.system("manage.py create_partner_key"),
            partner=partner,
            name=opts["name"],
            scopes=opts["scope"] or [str(scope) for scope in DEFAULT_SCOPES],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        self.stdout.write(f"Key {new.key.name} for {partner.slug}, scopes {', '.join(new.key.scopes)}.")
        self.stdout.write("Copy it now; it cannot be shown again:")
        self.stdout.write(new.plaintext)
