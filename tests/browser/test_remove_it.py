"""Remove it (issue 22) in real Chromium on a 390 px screen: generated pattern pictures are hashed in the page, only
the codes leave the browser (every request body inspected), the codes equal the server's own MD5 and PDQ, a file
that is not a picture gets the plain message, and the no-JavaScript page says this part needs JavaScript."""

import hashlib
import io

from PIL import Image, ImageDraw

from safeguard.evidence.hashing import analyse_image
from safeguard.evidence.models import SharedHash

from .conftest import axe_violations, describe_violations


def _pattern(n: int, fmt: str) -> bytes:
    """Stripes and a circle: a generated pattern, never a photo."""
    image = Image.new("RGB", (600, 800))
    draw = ImageDraw.Draw(image)
    for y in range(0, 800, 20):
        draw.rectangle([0, y, 600, y + 10], fill=((y * 3 + n * 40) % 256, (y + n * 90) % 256, 120))
    draw.ellipse([100 + n * 30, 200, 400, 500], fill=(250, 200 - n * 40, 30))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def test_only_the_codes_leave_the_browser_and_they_match_the_servers(page):
    pictures = [_pattern(1, "PNG"), _pattern(2, "JPEG")]
    posted: list[bytes] = []
    page.on(
        "request", lambda request: posted.append(request.post_data_buffer or b"") if request.method != "GET" else None
    )

    page.goto(page.base_url + "/remove-it/")
    assert not (found := axe_violations(page)), describe_violations(found)
    page.goto(page.base_url + "/remove-it/choose/")
    page.set_input_files(
        "#remove-it-files",
        files=[
            {"name": "one.png", "mimeType": "image/png", "buffer": pictures[0]},
            {"name": "two.jpg", "mimeType": "image/jpeg", "buffer": pictures[1]},
            {"name": "notes.png", "mimeType": "image/png", "buffer": b"just some words, not a picture"},
        ],
    )
    listing = page.locator("[data-remove-it-list]")
    listing.get_by_text("This doesn't look like a picture or video").wait_for()
    page.get_by_text("2 pictures or videos are ready to send").wait_for()
    assert not (found := axe_violations(page)), describe_violations(found)
    page.locator("[data-remove-it-send]").click()
    page.wait_for_url("**/remove-it/sent/")
    assert page.get_by_text("RI-").count() >= 1
    assert not (found := axe_violations(page)), describe_violations(found)

    assert posted, "the codes were sent"
    for body in posted:
        assert len(body) < 4096, "a request body was large enough to hold a picture"
        for picture in pictures:
            assert picture[:64] not in body and picture[-64:] not in body
        assert b"one.png" not in body and b"two.jpg" not in body

    stored = {row.md5: row for row in SharedHash.objects.all()}
    assert len(stored) == 2
    for picture in pictures:
        row = stored[hashlib.md5(picture, usedforsecurity=False).hexdigest()]
        assert row.pdq == analyse_image(picture).pdq  # the browser's PDQ is the server's, bit for bit


def test_without_javascript_the_page_says_it_needs_it_and_offers_the_report_route(nojs_page):
    page = nojs_page
    page.goto(page.base_url + "/remove-it/choose/")
    assert page.locator("[data-remove-it-nojs]").is_visible()
    assert "JavaScript" in page.locator("[data-remove-it-nojs]").inner_text()
    assert page.locator("[data-remove-it-nojs] a[href^='/report/']").count() >= 1
    assert not page.locator("[data-remove-it-form]").is_visible()
