"""Each test gets its own evidence folder and a fresh PDQ index cache."""

from pathlib import Path

import pytest

from safeguard.evidence.matching import pdq_cache


@pytest.fixture(autouse=True)
def evidence_dir(evidence_dir) -> Path:
    """The root conftest's own evidence folder for every test here, with the PDQ index cache emptied around it."""
    pdq_cache.clear()
    yield evidence_dir
    pdq_cache.clear()
