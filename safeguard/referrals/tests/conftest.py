import io
import json

import pytest


def record(n: int = 1, **overrides) -> dict:
    """One valid referral line (synthetic; incident described at safeguarding-guidance level only)."""
    data = {
        "incidentSummary": {
            "incidentType": "online_enticement_of_children",
            "incidentDateTime": "2026-10-01T12:00:00Z",
            "platform": "ChatterBox",
            "reportAnnotations": ["asked_to_keep_secret"],
        },
        "personOrUserReported": {
            "screenName": f"suspect_{n}",
            "emails": [f"suspect{n}@example.net"],
            "ipCaptureEvents": [{"ipAddress": "81.2.69.160", "eventName": "Login", "dateTime": "2026-10-01T11:00:00Z"}],
            "estimatedLocation": {"countryCode": "GB"},
        },
        "victims": [{"age": 13}],
        "additionalInfo": "Asked the child to keep the chat secret.",
        "partnerReference": f"OP-LANTERN-{n}",
    }
    data.update(overrides)
    return data


def jsonl(*records) -> bytes:
    return b"\n".join(json.dumps(r).encode() for r in records) + b"\n"


@pytest.fixture
def importer(make_staff, settings, tmp_path):
    """Create and run an import from bytes; returns the finished ReferralImport."""
    from safeguard.referrals import services

    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    user = make_staff("investigator")

    def run(content: bytes, fmt: str = "jsonl", *, mapping=None, chunk_size=2, user=user, **kwargs):
        path = tmp_path / f"upload.{fmt}"
        path.write_bytes(content)
        imp = services.create_import(
            user=user,
            partner="Interpol NCB Ruritania",
            fmt=fmt,
            original_name=path.name,
            path=path,
            column_mapping=mapping,
        )
        return services.run_import(imp.pk, chunk_size=chunk_size, **kwargs) or imp

    run.user = user
    return run


@pytest.fixture
def stream():
    return lambda data: io.BufferedReader(io.BytesIO(data))
