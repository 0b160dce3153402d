"""The browser's hashes equal the server's (issue 22, ADR 0105): for generated pattern images of many formats, modes
and sizes, the MD5 that `static/js/remove/hash.mjs` makes in Chromium is hashlib's, and its PDQ is within Hamming
distance 2 of what `safeguard.evidence.hashing.analyse_image` (Pillow -> convert("RGB") -> pdqhash) makes of the same
bytes, quality within QUALITY_TOLERANCE. Also: the error codes for bad files, and video at one PDQ a second.

All pictures are generated here (stripes, gradients, rings, noise, checkerboards), never photos. One browser context
(a module-scoped Harness) serves every case, so the whole file runs in well under a minute.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from safeguard.evidence.hashing import analyse_image

from .pdq.harness import Harness

MAX_DISTANCE = 2  # the bar
QUALITY_TOLERANCE = 2
ZERO_HASH = "0" * 64

# ----------------------------------------------------------------------------------------------------------------
# Generated patterns: (height, width) -> RGB uint8


def _grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """x as a row and y as a column (float32), broadcast against each other: cheap even at 12 megapixels."""
    return np.arange(width, dtype=np.float32)[None, :], np.arange(height, dtype=np.float32)[:, None]


def _rgb(r, g, b, width: int, height: int) -> np.ndarray:
    out = np.empty((height, width, 3), np.uint8)
    for channel, values in enumerate((r, g, b)):
        out[..., channel] = np.clip(values, 0, 255)
    return out


def stripes(width: int, height: int, seed: int = 0) -> np.ndarray:
    x, y = _grid(width, height)
    period = 7 + seed * 5
    angle = 0.3 + seed * 0.7
    wave = np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / period)
    r = 128 + 120 * wave
    g = 128 + 100 * np.sin(x / (width + 1) * np.pi * (2 + seed))
    b = 255 * y / max(1, height - 1)
    return _rgb(r, g, b, width, height)


def gradient(width: int, height: int, seed: int = 0) -> np.ndarray:
    x, y = _grid(width, height)
    r = 255 * x / max(1, width - 1)
    g = 255 * y / max(1, height - 1)
    b = 255 * ((x + y * (1 + seed)) % max(2, width // 3)) / max(2, width // 3)
    return _rgb(r, g, b, width, height)


def circles(width: int, height: int, seed: int = 0) -> np.ndarray:
    x, y = _grid(width, height)
    cx, cy = width * (0.3 + 0.1 * seed), height * 0.55
    radius = np.hypot(x - cx, y - cy)
    ring = ((radius // max(3, min(width, height) / 12)) % 2) * 200
    r = ring + 40
    g = 255 - ring * (0.5 + 0.2 * seed)
    b = 128 + 100 * np.cos(radius / max(1, min(width, height)) * 8)
    return _rgb(r, g, b, width, height)


def noise(width: int, height: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    block = max(1, min(width, height) // 16)
    small = rng.integers(0, 256, (height // block + 1, width // block + 1, 3), dtype=np.uint8)
    big = np.repeat(np.repeat(small, block, axis=0), block, axis=1)[:height, :width]
    fine = rng.integers(-30, 31, (height, width, 3))
    return (big.astype(np.int32) + fine).clip(0, 255).astype(np.uint8)


def checker(width: int, height: int, seed: int = 0) -> np.ndarray:
    x, y = _grid(width, height)
    cell = max(1, min(width, height) // (6 + seed))
    on = ((x // cell + y // cell) % 2).astype(bool)
    out = np.empty((height, width, 3), np.uint8)
    out[...] = (30, 60 + 20 * seed, 200)
    out[on] = (240, 220, 40 + 30 * seed)
    return out


PATTERNS: dict[str, Callable[..., np.ndarray]] = {
    "stripes": stripes,
    "gradient": gradient,
    "circles": circles,
    "noise": noise,
    "checker": checker,
}


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def rgb(pattern: str, width: int, height: int, seed: int = 0) -> Image.Image:
    return Image.fromarray(PATTERNS[pattern](width, height, seed), "RGB")


def with_alpha(pattern: str, width: int, height: int, *, mode: str) -> Image.Image:
    """RGBA: `holes` cuts fully transparent squares (colour kept under them); `ramp` is alpha rising left to right."""
    pixels = PATTERNS[pattern](width, height, 1)
    x, y = _grid(width, height)
    holes = np.where(((x // 40 + y // 40) % 3) == 0, 0, 255)
    alpha = holes if mode == "holes" else 255 * x / max(1, width - 1)
    alpha = np.broadcast_to(alpha, (height, width)).astype(np.uint8)
    return Image.fromarray(np.dstack([pixels, alpha]), "RGBA")


def palette_with_transparency(width: int, height: int) -> bytes:
    image = rgb("circles", width, height).quantize(colors=16)
    return _save(image, "PNG", transparency=0)


def animated_gif(width: int, height: int) -> bytes:
    frames = [rgb("stripes", width, height, seed).quantize(colors=64) for seed in range(3)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def rotated_jpeg(width: int, height: int) -> bytes:
    """A JPEG whose EXIF says rotate 90 degrees (orientation 6): both sides must turn it upright."""
    image = rgb("gradient", width, height, 2)
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(image, "JPEG", quality=90, exif=exif.tobytes())


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], bytes]


def _cases() -> Iterator[Case]:
    # PNG, RGB, sizes from the smallest hashable to 12 megapixels, odd sizes included
    for pattern, (w, h) in [
        ("stripes", (5, 5)),
        ("gradient", (6, 7)),
        ("circles", (31, 17)),
        ("noise", (64, 64)),
        ("checker", (127, 129)),
        ("stripes", (333, 777)),
        ("circles", (640, 480)),
        ("gradient", (1000, 1000)),
        ("noise", (1920, 1080)),
        ("stripes", (4000, 3000)),
    ]:
        yield Case(
            f"png-rgb-{pattern}-{w}x{h}", lambda p=pattern, w=w, h=h: _save(rgb(p, w, h), "PNG", compress_level=1)
        )
    # Too small to hash (under 5 px on a side): the zero hash, quality 0, as the C++ does
    for w, h in [(1, 1), (2, 3), (4, 4), (4, 100), (100, 4)]:
        yield Case(f"png-tiny-{w}x{h}", lambda w=w, h=h: _save(rgb("noise", w, h), "PNG"))
    yield Case("jpeg-tiny-1x1", lambda: _save(rgb("gradient", 1, 1), "JPEG", quality=90))
    yield Case("gif-tiny-3x3", lambda: _save(rgb("checker", 3, 3).quantize(colors=4), "GIF"))
    # JPEG at several qualities, patterns and sizes (4:2:0 chroma, Pillow's default)
    for quality in (50, 75, 95):
        for pattern, (w, h) in [("stripes", (640, 480)), ("circles", (333, 777)), ("noise", (1024, 768))]:
            yield Case(
                f"jpeg-q{quality}-{pattern}-{w}x{h}",
                lambda p=pattern, w=w, h=h, q=quality: _save(rgb(p, w, h, 1), "JPEG", quality=q),
            )
    yield Case("jpeg-q90-gradient-4000x3000", lambda: _save(rgb("gradient", 4000, 3000), "JPEG", quality=90))
    yield Case("jpeg-q85-checker-2999x2001", lambda: _save(rgb("checker", 2999, 2001), "JPEG", quality=85))
    yield Case(
        "jpeg-q90-444-circles-500x500", lambda: _save(rgb("circles", 500, 500), "JPEG", quality=90, subsampling=0)
    )
    yield Case(
        "jpeg-q80-progressive-stripes-800x600",
        lambda: _save(rgb("stripes", 800, 600, 2), "JPEG", quality=80, progressive=True),
    )
    yield Case("jpeg-grey-gradient-300x200", lambda: _save(rgb("gradient", 300, 200).convert("L"), "JPEG", quality=85))
    yield Case("jpeg-exif-rotated-400x300", lambda: rotated_jpeg(400, 300))
    # WebP, lossless and lossy
    for pattern, (w, h) in [("stripes", (320, 240)), ("noise", (333, 777)), ("checker", (1200, 900))]:
        yield Case(
            f"webp-lossless-{pattern}-{w}x{h}", lambda p=pattern, w=w, h=h: _save(rgb(p, w, h), "WEBP", lossless=True)
        )
    for quality, pattern, (w, h) in [
        (50, "circles", (320, 240)),
        (80, "gradient", (777, 333)),
        (95, "noise", (1000, 800)),
    ]:
        yield Case(
            f"webp-lossy-q{quality}-{pattern}-{w}x{h}",
            lambda p=pattern, w=w, h=h, q=quality: _save(rgb(p, w, h), "WEBP", quality=q),
        )
    # GIF (palette), including an animation (the first frame is hashed)
    for pattern, (w, h) in [("checker", (200, 200)), ("circles", (333, 250)), ("stripes", (640, 480))]:
        yield Case(
            f"gif-{pattern}-{w}x{h}", lambda p=pattern, w=w, h=h: _save(rgb(p, w, h).quantize(colors=128), "GIF")
        )
    yield Case("gif-animated-stripes-300x200", lambda: animated_gif(300, 200))
    # BMP: 24-bit, 8-bit palette, greyscale
    for pattern, (w, h) in [("gradient", (333, 222)), ("noise", (101, 99)), ("circles", (800, 600))]:
        yield Case(f"bmp-rgb-{pattern}-{w}x{h}", lambda p=pattern, w=w, h=h: _save(rgb(p, w, h), "BMP"))
    yield Case("bmp-palette-checker-256x256", lambda: _save(rgb("checker", 256, 256).quantize(colors=32), "BMP"))
    yield Case("bmp-grey-stripes-300x300", lambda: _save(rgb("stripes", 300, 300).convert("L"), "BMP"))
    # Greyscale, palette and 1-bit PNG
    yield Case("png-grey-circles-400x400", lambda: _save(rgb("circles", 400, 400).convert("L"), "PNG"))
    yield Case("png-grey-noise-333x777", lambda: _save(rgb("noise", 333, 777).convert("L"), "PNG"))
    yield Case("png-palette-stripes-500x300", lambda: _save(rgb("stripes", 500, 300).quantize(colors=64), "PNG"))
    yield Case("png-1bit-checker-250x250", lambda: _save(rgb("checker", 250, 250).convert("1"), "PNG"))
    # Transparency (ADR 0105): the server hashes the colour channels as stored, alpha dropped
    yield Case("png-rgba-holes-stripes-400x300", lambda: _save(with_alpha("stripes", 400, 300, mode="holes"), "PNG"))
    yield Case("png-rgba-ramp-circles-333x777", lambda: _save(with_alpha("circles", 333, 777, mode="ramp"), "PNG"))
    yield Case("png-rgba-holes-noise-1200x900", lambda: _save(with_alpha("noise", 1200, 900, mode="holes"), "PNG"))
    yield Case(
        "png-grey-alpha-gradient-300x300",
        lambda: _save(with_alpha("gradient", 300, 300, mode="holes").convert("LA"), "PNG"),
    )
    yield Case("png-palette-trns-circles-320x240", lambda: palette_with_transparency(320, 240))
    yield Case(
        "webp-lossless-rgba-holes-checker-400x400",
        lambda: _save(with_alpha("checker", 400, 400, mode="holes"), "WEBP", lossless=True, exact=True),
    )
    yield Case(
        "webp-lossy-rgba-ramp-gradient-500x300",
        lambda: _save(with_alpha("gradient", 500, 300, mode="ramp"), "WEBP", quality=90),
    )


CASES = list(_cases())
assert len(CASES) >= 55, len(CASES)
DISTANCES: Counter[int] = Counter()  # PDQ distance -> images; printed at the end (run with -s to see it)
QUALITY_GAPS: Counter[int] = Counter()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@pytest.fixture(scope="module")
def harness(browser) -> Iterator[Harness]:
    harness = Harness(browser)
    yield harness
    harness.close()
    if DISTANCES:
        print("\nPDQ distance browser vs pdqhash (distance: images):", dict(sorted(DISTANCES.items())))
        print("PDQ quality gap browser vs pdqhash (gap: images):", dict(sorted(QUALITY_GAPS.items())))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_browser_hash_equals_the_servers(harness, case):
    data = case.make()
    expected = analyse_image(data)
    outcome = harness.hash(f"{case.id}.bin", data)
    assert outcome.get("ok"), f"{case.id}: the browser refused it: {outcome}"
    got = outcome["result"]
    assert got["kind"] == "image"
    assert got["md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest(), f"{case.id}: MD5 differs"
    assert (got["width"], got["height"]) == (expected.width, expected.height) or (
        # an EXIF-rotated picture: the browser reports it upright, analyse_image the stored size
        (got["height"], got["width"]) == (expected.width, expected.height)
    ), case.id
    distance = hamming(got["pdq"], expected.pdq)
    DISTANCES[distance] += 1
    QUALITY_GAPS[abs(got["pdq_quality"] - expected.pdq_quality)] += 1
    assert distance <= MAX_DISTANCE, (
        f"{case.id}: PDQ distance {distance} (browser {got['pdq']} q{got['pdq_quality']}, "
        f"server {expected.pdq} q{expected.pdq_quality})"
    )
    assert abs(got["pdq_quality"] - expected.pdq_quality) <= QUALITY_TOLERANCE, (
        f"{case.id}: quality {got['pdq_quality']} in the browser, {expected.pdq_quality} on the server"
    )
    if min(got["width"], got["height"]) < 5:
        assert (got["pdq"], got["pdq_quality"]) == (ZERO_HASH, 0), case.id


# ----------------------------------------------------------------------------------------------------------------
# Bad files


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png_header() -> bytes:
    """A PNG claiming 10000 x 10000 pixels (100 M) with a few bytes of data: refused before any decoding."""
    ihdr = struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _truncated(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("words.png", lambda: b"These are some words in a text file, not a picture.\n" * 20, "not_an_image"),
        ("cut.png", lambda: _truncated(_save(rgb("noise", 300, 300), "PNG")), "unreadable"),
        ("cut.jpg", lambda: _truncated(_save(rgb("noise", 300, 300), "JPEG", quality=90)), "unreadable"),
        ("huge.png", huge_png_header, "too_big"),
    ],
)
def test_bad_files_get_the_right_error(harness, name, make, code):
    outcome = harness.hash(name, make())
    assert not outcome.get("ok"), f"{name} was hashed: {outcome}"
    assert (outcome["name"], outcome["code"]) == ("HashError", code), f"{name}: {outcome}"
    assert outcome["message"], name


def test_server_agrees_those_files_are_bad():
    """The same files are refused by analyse_image too, so the browser never hashes what the server would not."""
    from safeguard.evidence.hashing import RejectedFile

    for data in (_truncated(_save(rgb("noise", 300, 300), "PNG")), huge_png_header()):
        with pytest.raises(RejectedFile):
            analyse_image(data)


# ----------------------------------------------------------------------------------------------------------------
# Video

VIDEO_SECONDS = 4


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        pytest.skip("ffmpeg is not on PATH: cannot generate the test video (apt-get install ffmpeg)")
    return found


# container: (file suffix, encoder arguments); H.264 in MP4 where this ffmpeg has libx264
VIDEO_FORMATS = {
    "webm": ("webm", ["-c:v", "libvpx", "-b:v", "800k", "-deadline", "realtime", "-cpu-used", "8"]),
    "mp4": ("mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]),
}


@pytest.fixture(scope="module", params=sorted(VIDEO_FORMATS))
def video(request, tmp_path_factory) -> tuple[str, bytes]:
    ffmpeg = _ffmpeg()
    suffix, encoder = VIDEO_FORMATS[request.param]
    out: Path = tmp_path_factory.mktemp("video") / f"pattern.{suffix}"
    done = subprocess.run(  # noqa: S603 - a fixed command line
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=25:duration={VIDEO_SECONDS}",  # a moving generated pattern
            *encoder,
            "-y",
            str(out),
        ],
        capture_output=True,
        timeout=60,
    )
    if done.returncode:
        pytest.skip(f"this ffmpeg cannot write {suffix}: {done.stderr.decode(errors='replace')[-200:]}")
    return suffix, out.read_bytes()


def test_video_gets_one_pdq_a_second(harness, video):
    suffix, data = video
    outcome = harness.hash(f"pattern.{suffix}", data)
    assert outcome.get("ok"), outcome
    got = outcome["result"]
    assert got["kind"] == "video"
    assert got["md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert abs(got["duration"] - VIDEO_SECONDS) < 0.5, got["duration"]
    frames = got["vpdq"]
    assert [frame["timestamp"] for frame in frames] == list(range(VIDEO_SECONDS))
    for frame in frames:
        assert len(frame["pdq"]) == 64 and frame["pdq"] != ZERO_HASH, frame
        assert 50 <= frame["quality"] <= 100, frame
    # the pattern moves: consecutive seconds are different frames
    assert len({frame["pdq"] for frame in frames}) == len(frames)


@pytest.mark.parametrize("keep", [1 / 3, 0.9])
def test_truncated_video_is_unreadable(harness, video, keep):
    suffix, data = video
    outcome = harness.hash(f"cut.{suffix}", data[: int(len(data) * keep)])
    assert not outcome.get("ok"), f"a cut-off {suffix} video was hashed: {outcome}"
    assert (outcome["name"], outcome["code"]) == ("HashError", "unreadable"), outcome


# ----------------------------------------------------------------------------------------------------------------
# Known limits (ADR 0105)

NO_WEBGL2 = """() => {
    const patch = (proto) => {
        const original = proto.getContext;
        proto.getContext = function (kind, ...rest) {
            return kind === "webgl2" ? null : original.call(this, kind, ...rest);
        };
        return () => { proto.getContext = original; };
    };
    const undo = [patch(HTMLCanvasElement.prototype), patch(OffscreenCanvas.prototype)];
    window.restoreWebgl2 = () => undo.forEach((restore) => restore());
}"""


def test_without_webgl2_transparent_pictures_still_hash_and_opaque_ones_still_match(harness):
    """Where WebGL2 is missing, a picture with transparent parts is hashed from the 2D canvas (its hidden colour lost,
    so it may not match the server's); opaque pictures never use WebGL and are unaffected."""
    holes = _save(with_alpha("stripes", 400, 300, mode="holes"), "PNG")
    opaque = _save(rgb("circles", 400, 300), "PNG")
    harness.page.evaluate(NO_WEBGL2)
    try:
        without = harness.hash("holes.png", holes)
        plain = harness.hash("opaque.png", opaque)
    finally:
        harness.page.evaluate("() => window.restoreWebgl2()")
    assert without.get("ok"), without
    assert plain["result"]["pdq"] == analyse_image(opaque).pdq
    with_webgl = harness.hash("holes.png", holes)
    assert with_webgl["result"]["pdq"] == analyse_image(holes).pdq
    # What the WebGL2 read is for: the canvas alone turns the transparent squares black.
    assert hamming(without["result"]["pdq"], analyse_image(holes).pdq) > MAX_DISTANCE


@pytest.mark.xfail(
    strict=True,
    reason="16-bit PNG: Pillow's convert('RGB') clips 16-bit values to 255 (the picture turns white); the browser "
    "scales to 8 bits. Left as the server does it, for hash-list compatibility (ADR 0105).",
)
def test_sixteen_bit_png(harness):
    x, _ = _grid(300, 200)
    wide = np.broadcast_to(x * (65535 / 299), (200, 300)).astype(np.uint16)
    data = _save(Image.fromarray(wide), "PNG")
    got = harness.hash("deep.png", data)["result"]
    assert hamming(got["pdq"], analyse_image(data).pdq) <= MAX_DISTANCE
