"""`manage.py demo_login`: how to sign in as the demo analyst, with the current two-factor code."""

from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts.models import User
from safeguard.accounts.services import confirmed_device
from safeguard.accounts.totp import current_code, secret_base32
from safeguard.core.demo import DEMO_PASSWORD, refuse_in_production


class Command(BaseCommand):
    help = "Print the demo analyst's username, password, TOTP secret and current code. Refuses in production."

    def add_arguments(self, parser):
        parser.add_argument("--code-only", action="store_true", help="print only the current 6-digit code")
        parser.add_argument("--username", default="analyst", help="another demo user, e.g. admin or education")

    def handle(self, *args, code_only=False, username="analyst", **options):
        refuse_in_production("demo_login")
        user = User.objects.filter(username=username).first()
        device = confirmed_device(user) if user else None
        if device is None:
            raise CommandError(
                f"No demo user {username!r} with an authenticator: run `manage.py load_demo_data` first."
            )
        code = current_code(device)
        if code_only:
            self.stdout.write(code)
            return
        self.stdout.write(
            "\n".join(
                [
                    "Demo staff sign-in (development only):",
                    f"  username:    {username}",
                    f"  password:    {DEMO_PASSWORD}",
                    f"  TOTP secret: {secret_base32(device)}  (add to any authenticator app)",
                    f"  code now:    {code}  (changes every 30 seconds: `make totp` prints a fresh one)",
                    "  Other demo users: investigator, supervisor, admin, education (same password).",
                ]
            )
        )
