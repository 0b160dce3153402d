import pytest
from django.core.management import CommandError, call_command

from safeguard.partners.models import ApiKey, Partner

from .conftest import PartnerClient, valid_report


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_partner_and_key_lifecycle_from_the_command_line(db):
    assert "Button signing secret" in run("create_partner", "chatterbox", "ChatterBox", "--platform", "ChatterBox")
    output = run("create_partner_key", "chatterbox", "ingest", "--scope", "reports:submit")
    key = output.strip().splitlines()[-1]
    assert key.startswith("sgk_") and ApiKey.objects.get(name="ingest").scopes == ["reports:submit"]
    client = PartnerClient(key)
    assert client.post("/api/v1/reports", valid_report()).status_code == 201

    run("set_partner_status", "chatterbox", "suspended")
    assert client.post("/api/v1/reports", valid_report()).status_code == 403
    run("set_partner_status", "chatterbox", "active")
    run("revoke_partner_key", "chatterbox", "ingest")
    assert client.post("/api/v1/reports", valid_report()).status_code == 401

    old_secret = Partner.objects.get().button_secret
    assert old_secret not in run("rotate_button_secret", "chatterbox")
    with pytest.raises(CommandError):
        run("create_partner_key", "nobody", "x")


def test_hash_list_scopes_are_granted_only_when_named(db):
    run("create_partner", "chatterbox", "ChatterBox")
    run("create_partner_key", "chatterbox", "ingest")
    assert ApiKey.objects.get(name="ingest").scopes == ["evidence:upload", "reports:status", "reports:submit"]
    output = run("create_partner_key", "chatterbox", "hashes", "--scope", "hashes:fetch", "--scope", "hashes:report")
    assert "hashes:fetch, hashes:report" in output
    assert ApiKey.objects.get(name="hashes").scopes == ["hashes:fetch", "hashes:report"]
