"""Default review periods in the spirit of MoPI (APP Information management): change them on the retention page."""

from django.db import migrations

DEFAULTS = [
    ("report", 6 * 365, 10 * 365, "MoPI group 3 style: first review 6 years after the report; 10-year cycle if kept"),
    ("subject", 10 * 365, 10 * 365, "MoPI group 1/2 style (child protection): review every 10 years"),
    ("case", 10 * 365, 10 * 365, "MoPI group 1/2 style (child protection): review every 10 years"),
    ("evidence", 6 * 365, 10 * 365, "Reviewed with the report it came with: 6 years, then a 10-year cycle"),
]


def seed(apps, schema_editor):
    schedule = apps.get_model("retention", "RetentionSchedule")
    for record_type, review_after, retain_for, basis in DEFAULTS:
        schedule.objects.get_or_create(
            record_type=record_type,
            defaults={"review_after_days": review_after, "retain_for_days": retain_for, "basis": basis},
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
