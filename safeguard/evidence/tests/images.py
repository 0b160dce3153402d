"""Generated test images: geometric patterns from a seed, never photographs."""

import io

import numpy as np
from PIL import Image


def pattern(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(0.01, 0.08), rng.uniform(0.01, 0.08), rng.uniform(0, 6.28)
        channels.append(127 + 100 * np.sin(fx * x + phase) * np.cos(fy * y))
    pixels = np.stack(channels, axis=-1)
    for _ in range(6):  # a few solid blocks give PDQ strong features
        x0, y0 = rng.integers(0, width - 40), rng.integers(0, height - 40)
        pixels[y0 : y0 + 40, x0 : x0 + 40] = rng.integers(0, 255, 3)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def png(seed: int = 1, size: tuple[int, int] = (320, 240)) -> bytes:
    return encode(pattern(seed, size))


def jpeg(seed: int = 1, size: tuple[int, int] = (320, 240), **options) -> bytes:
    return encode(pattern(seed, size), "JPEG", quality=90, **options)


def flat_png(size: tuple[int, int] = (200, 200)) -> bytes:
    """A single colour: PDQ quality 0, too featureless to match on."""
    return encode(Image.new("RGB", size, (120, 130, 140)))
