"""Each test gets its own evidence folder and fresh PDQ and video index caches."""

from pathlib import Path

import pytest

from safeguard.evidence.matching import pdq_cache
from safeguard.evidence.video_matching import clear_caches


@pytest.fixture(autouse=True)
def evidence_dir(evidence_dir) -> Path:
    """The root conftest's own evidence folder for every test here, with the PDQ index cache emptied around it."""
    pdq_cache.clear()
    clear_caches()
    yield evidence_dir
    pdq_cache.clear()
    clear_caches()
