"""What a file is, from its bytes: hashes, true type, and for images PDQ, EXIF and a safe rendition.

Nothing here trusts a file name or a declared content type. Image decoding is guarded: pixel count
is checked from the header before any pixels are decoded, truncated data is an error, and the
rendition is rebuilt from pixels alone so no metadata survives into it.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import filetype
import numpy as np
import pdqhash
from django.conf import settings
from PIL import Image, ImageFile, ImageFilter, ImageOps, UnidentifiedImageError

from safeguard.core.vault.streams import HEAD_BYTES

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
DEFAULT_MAX_PIXELS = 50_000_000
RENDITION_SIZE = 256
RENDITION_BLUR_RADIUS = 6

# Pillow's own bomb guard is a warning below 2x its limit; we check sizes ourselves and never load truncated data.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class RejectedFile(Exception):
    """The file cannot be processed safely. `reason` is shown to staff, so it is plain English."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def detect_type(head: bytes) -> str:
    """The MIME type the content itself shows. Plain text when it decodes as UTF-8 (chat exports)."""
    if not head:
        return "application/x-empty"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    sample = head[:HEAD_BYTES]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the sample is still text.
        if error.start < len(sample) - 3:
            return "application/octet-stream"
    if b"\0" in sample:
        return "application/octet-stream"
    return "text/plain"


@dataclass
class ImageAnalysis:
    width: int
    height: int
    pdq: str  # 64 hex characters
    pdq_quality: int  # 0-100; hashes under 50 are too featureless to match on
    exif: dict = field(default_factory=dict)
    rendition_png: bytes = b""  # blurred greyscale thumbnail, no metadata


def max_pixels() -> int:
    return getattr(settings, "SAFEGUARD_EVIDENCE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def analyse_image(data: bytes) -> ImageAnalysis:
    """Decode an image safely and describe it. Raises RejectedFile with a plain reason when it cannot."""
    limit = max_pixels()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                # Checked before any pixel is decoded: the header alone says how big the image claims to be.
                if width * height > limit:
                    raise RejectedFile(
                        f"Image is {width} x {height} pixels, more than the {limit:,} pixel limit "
                        "(a possible decompression bomb); it was not opened."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                exif = extract_exif(image)
                rgb = _first_frame_rgb(image)
        except RejectedFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise RejectedFile(
                f"Image is larger than the {limit:,} pixel limit (a possible decompression bomb); it was not opened."
            ) from None
        except UnidentifiedImageError:
            raise RejectedFile("File looks like an image but cannot be read as one (malformed).") from None
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
            reason = "truncated" if "truncated" in str(error).lower() else "damaged or malformed"
            raise RejectedFile(f"Image data is {reason} and cannot be decoded.") from None
    bits, quality = pdqhash.compute(np.asarray(rgb))
    pdq = np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()
    return ImageAnalysis(
        width=width,
        height=height,
        pdq=pdq,
        pdq_quality=int(quality),
        exif=exif,
        rendition_png=make_rendition(rgb),
    )


def _first_frame_rgb(image: Image.Image) -> Image.Image:
    image.seek(0)
    upright = ImageOps.exif_transpose(image) or image
    return upright.convert("RGB")


def make_rendition(rgb: Image.Image) -> bytes:
    """A small blurred greyscale copy for first viewing, rebuilt from pixels so nothing else carries over."""
    thumb = rgb.convert("L")
    # The copy is blurred next, so a cheap resampling filter loses nothing that matters.
    thumb.thumbnail((RENDITION_SIZE, RENDITION_SIZE), Image.Resampling.BILINEAR)
    thumb = thumb.filter(ImageFilter.GaussianBlur(RENDITION_BLUR_RADIUS))
    clean = Image.frombytes("L", thumb.size, thumb.tobytes())  # pixels only: no EXIF, no text chunks
    out = io.BytesIO()
    clean.save(out, format="PNG", compress_level=1)
    return out.getvalue()


_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    cleaned = "".join(ch for ch in str(value) if ch.isprintable()).strip()
    return cleaned[:200] or None


def _degrees(value, ref) -> float | None:
    try:
        d, m, s = (float(Fraction(v)) if not isinstance(v, float) else v for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if _text(ref) in {"S", "W"}:
        result = -result
    return round(result, 6)


def extract_exif(image: Image.Image) -> dict:
    """The EXIF fields staff need, as plain JSON. GPS presence matters even when coordinates are unreadable."""
    # Malformed EXIF must not stop the image being processed: note it and carry on.
    try:
        exif = image.getexif()
        if not exif:
            return {}
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:
        return {"error": "EXIF present but unreadable"}
    fields = {
        "camera_make": _text(exif.get(0x010F)),
        "camera_model": _text(exif.get(0x0110)),
        "software": _text(exif.get(0x0131)),
        "datetime": _text(exif.get(0x0132)),
        "datetime_original": _text(sub.get(0x9003)),
        "orientation": exif.get(0x0112),
        "gps_present": bool(gps),
    }
    if gps:
        fields["gps_latitude"] = _degrees(gps.get(2), gps.get(1)) if gps.get(2) else None
        fields["gps_longitude"] = _degrees(gps.get(4), gps.get(3)) if gps.get(4) else None
    return {k: v for k, v in fields.items() if v is not None}
