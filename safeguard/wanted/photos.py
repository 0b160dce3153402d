"""Generated placeholder portraits: a silhouette and initials on a pattern. Never a photo of a person."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

SIZE = (300, 375)  # 4:5, the usual portrait shape


def placeholder_png(*, initials: str, seed: str) -> bytes:
    digest = hashlib.sha256(seed.encode()).digest()
    background = (60 + digest[0] % 120, 60 + digest[1] % 120, 60 + digest[2] % 120)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    stripe = tuple(min(255, c + 25) for c in background)
    for x in range(-SIZE[1], SIZE[0], 24):  # diagonal stripes, so each record's picture looks different
        draw.line([(x, SIZE[1]), (x + SIZE[1], 0)], fill=stripe, width=8)
    silhouette = (35, 35, 35)
    draw.ellipse([95, 60, 205, 180], fill=silhouette)  # head
    draw.ellipse([40, 190, 260, 430], fill=silhouette)  # shoulders
    font = ImageFont.load_default(size=48)
    draw.text((SIZE[0] // 2, 280), initials[:3] or "?", fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
