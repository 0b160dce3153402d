"""`manage.py create_staff_user USERNAME --role ROLE`: an account with a one-time password, printed once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts.models import Role
from safeguard.accounts.services import create_staff_user
from safeguard.audit.services import Actor


class Command(BaseCommand):
    help = "Create a staff account. Prints a one-time password; the person enrols 2FA at first sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, username, role, email, first_name, last_name, **options):
        try:
            created = create_staff_user(
                actor=Actor.system("create_staff_user command"),
                username=username,
                role=role,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Created {created.user.username} ({created.user.get_role_display()}).\n"
            f"One-time password: {created.temporary_password}\n"
            f"It works for one sign-in, until {created.user.one_time_password_expires_at:%Y-%m-%d %H:%M} UTC.\n"
            "Give it to them directly. At first sign-in they must set up an authenticator app and choose a password."
        )
