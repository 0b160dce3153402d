import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image

from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence.hashing import RejectedFile, analyse_image, detect_type
from safeguard.evidence.pdq_index import hamming

from .images import encode, flat_png, jpeg, pattern, png


def test_three_hashes_in_one_pass():
    data = b"synthetic chat export"
    assert hash_bytes(data) == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha1": hashlib.sha1(data).hexdigest(),  # noqa: S324
        "md5": hashlib.md5(data).hexdigest(),  # noqa: S324
    }


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (png(), "image/png"),
        (jpeg(), "image/jpeg"),
        (encode(pattern(1), "GIF"), "image/gif"),
        (b"PK\x03\x04" + bytes(60), "application/zip"),
        ("Chat export\n[10:01] user: hello 👋\n".encode(), "text/plain"),
        (bytes([0, 1, 2, 250, 251]) * 10, "application/octet-stream"),
        (b"", "application/x-empty"),
    ],
)
def test_type_comes_from_the_content(data, mime):
    assert detect_type(data[:8192]) == mime


def test_image_analysis_gives_pdq_quality_and_a_safe_rendition():
    result = analyse_image(png(3))
    assert (result.width, result.height) == (320, 240)
    assert len(result.pdq) == 64 and int(result.pdq, 16) >= 0
    assert result.pdq_quality >= 50
    with Image.open(io.BytesIO(result.rendition_png)) as rendition:
        assert rendition.mode == "L"  # greyscale
        assert max(rendition.size) <= 256
        assert not rendition.getexif()
        assert not {k for k in rendition.info if k not in {"dpi"}}


def test_pdq_is_close_for_an_altered_copy_and_far_for_another_image():
    original = analyse_image(png(5))
    altered = analyse_image(encode(pattern(5).resize((250, 190)).rotate(0), "JPEG", quality=60))
    other = analyse_image(png(6))
    assert hamming(original.pdq, altered.pdq) <= 31
    assert hamming(original.pdq, other.pdq) > 31


def test_a_flat_image_has_low_pdq_quality():
    assert analyse_image(flat_png()).pdq_quality < 50


def _exif_jpeg() -> bytes:
    image = pattern(7)
    exif = Image.Exif()
    exif[0x010F] = "FictionalCam"
    exif[0x0110] = "Model Z"
    exif[0x0131] = "Synthetic Editor 1.0"
    exif[0x0132] = "2026:01:02 03:04:05"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)
    gps[3], gps[4] = "W", (0.0, 7.0, 30.0)
    return encode(image, "JPEG", exif=exif.tobytes())


def test_exif_becomes_structured_fields():
    exif = analyse_image(_exif_jpeg()).exif
    assert exif["camera_make"] == "FictionalCam"
    assert exif["camera_model"] == "Model Z"
    assert exif["software"] == "Synthetic Editor 1.0"
    assert exif["datetime"] == "2026:01:02 03:04:05"
    assert exif["gps_present"] is True
    assert exif["gps_latitude"] == pytest.approx(51.5)
    assert exif["gps_longitude"] == pytest.approx(-0.125)


def test_rendition_of_an_image_with_exif_has_none():
    rendition = analyse_image(_exif_jpeg()).rendition_png
    assert b"FictionalCam" not in rendition
    with Image.open(io.BytesIO(rendition)) as image:
        assert not image.getexif()


@pytest.mark.parametrize("make", [png, jpeg])
def test_truncated_images_are_rejected(make):
    data = make(8)
    with pytest.raises(RejectedFile, match=r"truncated|damaged|malformed"):
        analyse_image(data[: len(data) * 2 // 3])


def test_garbage_with_an_image_signature_is_rejected():
    with pytest.raises(RejectedFile, match=r"cannot be read|malformed|damaged"):
        analyse_image(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image, with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_pixel_bomb_is_rejected_before_decoding():
    with pytest.raises(RejectedFile, match="pixel limit"):
        analyse_image(_png_header_only(100_000, 100_000))


def test_pixel_limit_is_configurable(settings):
    settings.SAFEGUARD_EVIDENCE_MAX_PIXELS = 10_000
    with pytest.raises(RejectedFile, match="10,000 pixel limit"):
        analyse_image(png(1, (200, 200)))
