"""Fixtures for the public journey: a clean rate-limit cache, a private evidence folder, helpers."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from PIL import Image


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def evidence_dir(evidence_dir) -> Path:
    """Every journey test writes evidence to its own folder (the root conftest's fixture, made autouse here)."""
    return evidence_dir


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def png_bytes(size=(64, 48)) -> bytes:
    """A generated test pattern (stripes), never a photo."""
    image = Image.new("RGB", size, "white")
    for x in range(0, size[0], 8):
        for y in range(size[1]):
            image.putpixel((x, y), (30, 90, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_bytes(fmt: str, size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()
