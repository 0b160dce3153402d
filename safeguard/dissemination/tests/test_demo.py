from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguard.accounts.models import User
from safeguard.dissemination.management.commands.load_dissemination_demo import PACKAGES
from safeguard.dissemination.models import Dissemination, DisseminationStatus


def test_demo_is_idempotent_and_prints_the_officers_secret(db):
    out = StringIO()
    call_command("load_dissemination_demo", stdout=out)
    assert "TOTP secret" in out.getvalue()
    assert "tvp-officer" in out.getvalue()
    call_command("load_dissemination_demo", stdout=StringIO())
    officer = User.objects.get(username="tvp-officer")
    assert officer.force.code == "thames-valley"
    packages = Dissemination.objects.filter(recipient=officer.force)
    assert packages.count() == len(PACKAGES)  # the second run made none
    assert set(packages.values_list("status", flat=True)) == set(DisseminationStatus.values)


def test_demo_refuses_in_production(db, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_dissemination_demo", stdout=StringIO())
