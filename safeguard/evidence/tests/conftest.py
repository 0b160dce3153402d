"""Each test gets its own evidence folder and a fresh PDQ index cache."""

from pathlib import Path

import pytest

from safeguard.evidence.matching import pdq_cache


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path) -> Path:
    root = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    pdq_cache.clear()
    yield root
    pdq_cache.clear()
