"""Every password set before issue 21 was one an administrator was shown (there was no way to change it), so
each existing account must choose its own: the next sign-in, within 30 days, spends it and leads to the change
page (ADR 0102). After 30 days it is refused as expired and the person needs a reset. Demo accounts are put
back to normal by the demo loaders (core.demo.ensure_staff)."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

LEGACY_WINDOW = timedelta(days=30)


def existing_passwords_are_one_time(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    usable = User.objects.exclude(password="").exclude(password__startswith="!")
    usable.update(
        password_is_one_time=True,
        one_time_password_expires_at=timezone.now() + LEGACY_WINDOW,
        one_time_password_used_at=None,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_one_time_passwords_and_account_requests")]

    operations = [migrations.RunPython(existing_passwords_are_one_time, migrations.RunPython.noop)]
