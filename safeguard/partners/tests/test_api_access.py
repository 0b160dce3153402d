"""Keys, scopes, expiry, revocation, suspension and isolation between partners."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguard.partners import services
from safeguard.partners.models import ApiKey, PartnerStatus, Scope

from .conftest import ADMIN, PartnerClient, make_key, valid_report


def test_key_is_stored_only_as_a_hash(partner):
    new = make_key(partner, name="ingest")
    stored = ApiKey.objects.get(pk=new.key.pk)
    secret = new.plaintext.split("_", 2)[2]
    assert new.plaintext.startswith(f"sgk_{stored.prefix}_")
    assert secret not in str(stored.__dict__) and len(stored.secret_sha256) == 64


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer sgk_", "Bearer nothing", "Basic abc", "Bearer sgk_abcdef123456_wrongsecret"],
)
def test_missing_or_wrong_key_is_401_in_the_common_shape(db, header):
    from django.test import Client

    response = Client().get("/api/v1/reports/7d3d1f8e-52a4-4c43-9a5e-8f5f27d1f0b1", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    [error] = response.json()["errors"]
    assert set(error) == {"loc", "message", "type"} and error["type"] == "unauthenticated"


def test_wrong_secret_for_a_real_prefix_is_401(partner):
    new = make_key(partner)
    forged = new.plaintext[:-4] + "AAAA"
    assert PartnerClient(forged).post("/api/v1/reports", valid_report()).status_code == 401


def test_revoked_key_is_refused(partner):
    new = make_key(partner)
    services.revoke_api_key(actor=ADMIN, key=new.key)
    response = PartnerClient(new.plaintext).post("/api/v1/reports", valid_report())
    assert response.status_code == 401 and "revoked" in response.json()["errors"][0]["message"]


def test_expired_key_is_refused(partner):
    new = make_key(partner, expires_at=timezone.now() - timedelta(seconds=1))
    response = PartnerClient(new.plaintext).post("/api/v1/reports", valid_report())
    assert response.status_code == 401 and "expired" in response.json()["errors"][0]["message"]


def test_suspended_partner_is_refused(partner, api):
    services.set_partner_status(actor=ADMIN, partner=partner, status=PartnerStatus.SUSPENDED)
    response = api.post("/api/v1/reports", valid_report())
    assert response.status_code == 403


def test_last_used_is_recorded(partner):
    new = make_key(partner)
    PartnerClient(new.plaintext).post("/api/v1/reports", valid_report())
    new.key.refresh_from_db()
    assert new.key.last_used_at is not None


@pytest.mark.parametrize(
    ("scopes", "method", "path_suffix", "allowed"),
    [
        ([Scope.STATUS], "post", "", False),
        ([Scope.SUBMIT], "get", "", False),
        ([Scope.SUBMIT], "upload", "/files", False),
        ([Scope.EVIDENCE], "upload", "/files", True),
        ([Scope.STATUS], "get", "", True),
        ([Scope.EVIDENCE, Scope.STATUS], "post", "/finish", False),
    ],
)
def test_scopes(partner, api, scopes, method, path_suffix, allowed):
    opened = api.post("/api/v1/reports", valid_report()).json()
    limited = PartnerClient(make_key(partner, name="limited", scopes=scopes).plaintext)
    path = "/api/v1/reports" + (f"/{opened['id']}{path_suffix}" if (method != "post" or path_suffix) else "")
    if method == "post":
        response = limited.post(path, valid_report())
    elif method == "get":
        response = limited.get(path)
    else:
        response = limited.upload(path, {"file": SimpleUploadedFile("a.bin", b"abc")})
    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403 and response.json()["errors"][0]["type"] == "insufficient_scope"


@pytest.mark.parametrize("action", ["read", "finish", "attach", "retract"])
def test_no_partner_can_touch_another_partners_report(api, other_api, action):
    opened = api.post("/api/v1/reports", valid_report()).json()
    base = f"/api/v1/reports/{opened['id']}"
    if action == "read":
        response = other_api.get(base)
    elif action == "attach":
        response = other_api.upload(base + "/files", {"file": SimpleUploadedFile("a.bin", b"abc")})
    else:
        response = other_api.post(f"{base}/{action}")
    # 404, not 403: another partner cannot even learn that the id exists.
    assert response.status_code == 404
    assert response.json()["errors"][0]["type"] == "not_found"
    # ...and the owner's report is untouched.
    assert api.get(base).json()["state"] == "open"


def test_status_of_unknown_id_is_404_and_bad_id_is_422(api):
    assert api.get("/api/v1/reports/7d3d1f8e-52a4-4c43-9a5e-8f5f27d1f0b1").status_code == 404
    response = api.get("/api/v1/reports/not-a-uuid")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][0] == "path"
