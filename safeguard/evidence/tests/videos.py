"""Generated test videos (FFmpeg's lavfi test patterns, never footage), and the skip where vpdq is missing.

Where `SAFEGUARD_REQUIRE_VPDQ` is set (CI, .ci/run) a missing vpdq or ffmpeg fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest


def require_vpdq():
    """Import vpdq or skip the calling module (fail in CI)."""
    if os.environ.get("SAFEGUARD_REQUIRE_VPDQ"):
        import vpdq

        assert shutil.which("ffmpeg") and shutil.which("ffprobe"), "CI needs FFmpeg (make system-deps)"
        return vpdq
    if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
        pytest.skip("FFmpeg is not installed (make system-deps)", allow_module_level=True)
    return pytest.importorskip("vpdq", reason="vpdq is not built here (make system-deps, then pip install)")


@cache
def generated(pattern: str = "testsrc2", *, seconds: int = 4, size: str = "640x360", extra: str = "") -> bytes:
    """An H.264 MP4 of a lavfi pattern (testsrc2, mandelbrot, smptehdbars, ...), `seconds` long at 10 fps."""
    return _ffmpeg(["-f", "lavfi", "-i", f"{pattern}=size={size}:rate=10", "-t", str(seconds), *extra.split()])


def reencoded(data: bytes, *, crf: int = 32, scale: str = "480:270", codec: str = "libx264") -> bytes:
    """The same video through another encode: a lower quality (CRF) and a smaller picture."""
    with tempfile.TemporaryDirectory(prefix="safeguard-test-") as folder:
        source = Path(folder) / "in.mp4"  # MP4 input must seek: not a pipe
        source.write_bytes(data)
        return _ffmpeg(["-i", str(source), "-vf", f"scale={scale}", "-c:v", codec, "-crf", str(crf)])


def _ffmpeg(args: list[str]) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg
    with tempfile.TemporaryDirectory(prefix="safeguard-test-") as folder:
        out = Path(folder) / "out.mp4"
        subprocess.run(  # noqa: S603 - fixed arguments
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args, "-pix_fmt", "yuv420p", "-f", "mp4", str(out)],
            check=True,
            capture_output=True,
        )
        return out.read_bytes()
