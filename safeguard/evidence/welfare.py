"""Staff welfare: how much of an image a member of staff sees, one deliberate step at a time.

Step 0 is the sealed rendition made at ingest (256 px, greyscale, heavily blurred). Each further step is
asked for with a POST (no JavaScript needed) and rendered afresh in memory from the original: less blur,
then colour, then full size. Every rendering is rebuilt from decoded pixels, so no EXIF, text chunk or
trailing data of the original ever reaches a browser, and originals are never embedded inline.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

from .hashing import max_pixels


@dataclass(frozen=True)
class RevealStep:
    number: int
    label: str  # what the member of staff sees at this step
    action: str  # the button that moves to this step
    max_side: int | None  # None: the image's own size
    blur_radius: float
    colour: bool


REVEAL_STEPS: tuple[RevealStep, ...] = (
    RevealStep(0, "Blurred, greyscale thumbnail", "", 256, 8.0, False),
    RevealStep(1, "Less blurred, greyscale", "Show less blurred", 512, 3.0, False),
    RevealStep(2, "In colour, lightly blurred", "Show in colour", 512, 1.5, True),
    RevealStep(3, "Full size, in colour", "Show full size", None, 0.0, True),
)
LAST_STEP = REVEAL_STEPS[-1].number


def step(number: int) -> RevealStep:
    return REVEAL_STEPS[max(0, min(int(number), LAST_STEP))]


def render_step(original: bytes, reveal: RevealStep) -> bytes:
    """A PNG of the original at this step, from pixels only. Raises ValueError if it cannot be decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(original)) as image:
                if image.width * image.height > max_pixels():
                    raise ValueError("image is over the pixel limit")
                image.seek(0)
                upright = ImageOps.exif_transpose(image) or image
                pixels = upright.convert("RGB" if reveal.colour else "L")
        except (OSError, SyntaxError, EOFError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValueError(f"image cannot be decoded: {error}") from None
    if reveal.max_side:
        pixels.thumbnail((reveal.max_side, reveal.max_side), Image.Resampling.LANCZOS)
    if reveal.blur_radius:
        pixels = pixels.filter(ImageFilter.GaussianBlur(reveal.blur_radius))
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())  # nothing but pixels carries over
    out = io.BytesIO()
    clean.save(out, format="PNG", compress_level=1)
    return out.getvalue()


# --- where each member of staff has got to, per file, for this sign-in -------------------------------------
# Kept in the session on purpose: a new sign-in starts every image blurred again.
SESSION_KEY = "evidence_reveal"


def current_step(session, evidence_id: int) -> RevealStep:
    return step(session.get(SESSION_KEY, {}).get(str(evidence_id), 0))


def set_step(session, evidence_id: int, number: int) -> RevealStep:
    levels = dict(session.get(SESSION_KEY, {}))
    if number:
        levels[str(evidence_id)] = number
    else:
        levels.pop(str(evidence_id), None)
    session[SESSION_KEY] = levels
    return step(number)
