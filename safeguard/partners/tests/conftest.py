import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.partners import keys, limits, services
from safeguard.partners.models import Scope

ADMIN = Actor.system("tests")


def valid_report(**overrides) -> dict:
    """A complete, synthetic report document (fictional platform and accounts)."""
    document = {
        "incidentSummary": {
            "incidentType": "online_enticement_of_children",
            "incidentDateTime": "2026-11-20T18:30:00Z",
            "platform": "ChatterBox messenger",
            "reportAnnotations": ["offline_meeting_proposed", "asked_to_keep_secret"],
        },
        "internetDetails": {"chatImIncident": {"chatClient": "ChatterBox Android", "conversationReference": "c/7731"}},
        "personOrUserReported": {
            "espIdentifier": "cb-user-40417",
            "screenName": "Skater_Sam_14",
            "displayNames": ["Sam"],
            "emails": ["sam.example@example.invalid"],
            "ipCaptureEvents": [
                {"ipAddress": "192.0.2.44", "eventName": "Login", "dateTime": "2026-11-20T18:00:00Z", "port": 51515}
            ],
        },
        "victims": [{"age": 13, "espIdentifier": "cb-user-11802", "area": "Northtown"}],
        "reporterContact": {"name": "Trust & Safety desk", "email": "safety@chatterbox.example"},
        "additionalInfo": "Adult account asked a child to keep the chat secret and proposed meeting offline.",
    }
    document.update(overrides)
    return document


class PartnerClient:
    """A test client that speaks JSON with a partner's key."""

    def __init__(self, key: str):
        self.client = Client()
        self.key = key

    def _headers(self, headers):
        out = {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}
        for name, value in (headers or {}).items():
            out["HTTP_" + name.upper().replace("-", "_")] = value
        return out

    def post(self, path, body=None, headers=None):
        data = body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
        return self.client.post(path, data=data, content_type="application/json", **self._headers(headers))

    def upload(self, path, files, headers=None):
        return self.client.post(path, data=files, **self._headers(headers))

    def get(self, path, headers=None):
        return self.client.get(path, **self._headers(headers))


def make_partner(slug="chatterbox", name="ChatterBox", **kwargs):
    return services.create_partner(actor=ADMIN, name=name, slug=slug, platforms=["ChatterBox messenger"], **kwargs)


def make_key(partner, name="main", scopes=None, expires_at=None):
    if expires_at is None:
        expires_at = timezone.now() + timedelta(days=30)
    return services.create_api_key(
        actor=ADMIN, partner=partner, name=name, scopes=scopes or list(Scope.values), expires_at=expires_at
    )


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def api(partner):
    return PartnerClient(make_key(partner).plaintext)


@pytest.fixture
def other_api(db):
    other = make_partner(slug="pixelplay", name="PixelPlay Games")
    return PartnerClient(make_key(other).plaintext)


@pytest.fixture
def fresh_process_state():
    """Per-process caches emptied before and after: the API key cache and the leased rate-limit blocks."""
    keys.forget_cached_keys()
    limits.forget_leases()
    yield
    keys.forget_cached_keys()
    limits.forget_leases()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
        },
    }
