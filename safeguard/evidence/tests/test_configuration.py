import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[3]
REAL_KEY = f"prod-1:{base64.b64encode(b'p' * 32).decode()}"


def _load_production_settings(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_", "DATABASE_", "CACHE_"))}
    env.update({"SAFEGUARD_ENV": "production", "DJANGO_SECRET_KEY": "s" * 60, **extra})
    return subprocess.run(
        [sys.executable, "-c", "import safeguard.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_evidence_keys():
    result = _load_production_settings()
    assert result.returncode != 0
    assert "SAFEGUARD_EVIDENCE_KEYS must hold real master keys" in result.stderr


def test_production_refuses_the_development_key():
    from django.conf import settings

    result = _load_production_settings(SAFEGUARD_EVIDENCE_KEYS=settings.SAFEGUARD_EVIDENCE_KEYS)
    assert result.returncode != 0


def test_production_starts_with_a_real_key():
    assert _load_production_settings(SAFEGUARD_EVIDENCE_KEYS=REAL_KEY).returncode == 0


def test_a_malformed_key_stops_start_up(settings):
    settings.SAFEGUARD_EVIDENCE_KEYS = "prod-1:short"
    with pytest.raises(ImproperlyConfigured, match="SAFEGUARD_EVIDENCE_KEYS"):
        apps.get_app_config("evidence").ready()
