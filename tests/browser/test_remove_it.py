"""Remove it (issue 22) in real Chromium on a 390 px screen: generated pattern pictures are hashed in the page, only
the codes leave the browser (every request body inspected), the codes equal the server's own MD5 and PDQ, a file
that is not a picture gets the plain message, and the no-JavaScript page says this part needs JavaScript."""

import hashlib
import io
import os

from PIL import Image, ImageDraw

from safeguard.evidence.hashing import analyse_image
from safeguard.evidence.models import SharedHash
from safeguard.evidence.self_reported import record_platform_matches
from safeguard.reporting.models import Report

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


def _shoot(page, name: str) -> None:
    """With SHOTS=<dir>, keep a full-page screenshot at 390 px and at 1280 px (for looking at, not for asserting)."""
    folder = os.environ.get("SHOTS")
    if not folder:
        return
    width = page.viewport_size
    for w in (390, 1280):
        page.set_viewport_size({"width": w, "height": 900})
        page.screenshot(path=f"{folder}/remove-it-{name}-{w}.png", full_page=True)
    page.set_viewport_size(width)


def _send_one(page, picture: bytes) -> tuple[str, str]:
    page.goto(page.base_url + "/remove-it/choose/")
    page.set_input_files("#remove-it-files", files=[{"name": "a.png", "mimeType": "image/png", "buffer": picture}])
    page.get_by_text("1 picture or video is ready to send").wait_for()
    page.locator("[data-remove-it-send]").click()
    page.wait_for_url("**/remove-it/sent/")
    _shoot(page, "sent")
    return page.locator("#reference").inner_text().strip(), page.locator("#secret").inner_text().strip()


def test_coming_back_seeing_a_removal_adding_more_and_taking_the_codes_back(page):
    """The follow-up half of the journey at 390 px: wrong details get the plain message, the right ones show what
    platforms reported, more pictures can be added, and taking the codes back needs the box ticked."""
    reference, secret = _send_one(page, _pattern(1, "PNG"))
    row = SharedHash.objects.get()
    results = record_platform_matches(
        partner_label="chatterbox",
        items=[{"signal_type": "md5", "value": row.md5, "action": "removed", "client_ref": "cb-1"}],
    )
    assert [r.result for r in results] == ["ok"]

    page.context.clear_cookies()  # as if they came back another day
    page.goto(page.base_url + "/remove-it/come-back/")
    _shoot(page, "come-back")
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Secret code").fill("ABCD-1234-EFGH")
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert not (found := axe_violations(page)), describe_violations(found)
    _shoot(page, "come-back-wrong")
    page.get_by_label("Secret code").fill(secret)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/remove-it/your-pictures/")
    assert "A platform has told us it removed a copy" in page.locator("#status").inner_text()
    assert not (found := axe_violations(page)), describe_violations(found)
    _shoot(page, "your-pictures")

    page.get_by_role("button", name="Add more pictures or videos").click()
    page.wait_for_url("**/remove-it/your-pictures/add/")
    page.set_input_files(
        "#remove-it-files", files=[{"name": "b.jpg", "mimeType": "image/jpeg", "buffer": _pattern(3, "JPEG")}]
    )
    page.get_by_text("1 picture or video is ready to send").wait_for()
    _shoot(page, "add-more")
    page.locator("[data-remove-it-send]").click()
    page.wait_for_url("**/remove-it/your-pictures/")
    page.get_by_text("We have shared the codes for 1 more").wait_for()
    assert SharedHash.objects.count() == 2

    page.get_by_role("link", name="Take my codes back").click()
    page.wait_for_url("**/remove-it/your-pictures/take-back/")
    page.get_by_role("button", name="Take my codes back").click()
    page.get_by_text("Tick the box to say you want to take your codes back").first.wait_for()
    assert not (found := axe_violations(page)), describe_violations(found)
    _shoot(page, "take-back-error")
    page.get_by_label("Yes, take my codes back").check()
    page.get_by_role("button", name="Take my codes back").click()
    page.wait_for_url("**/remove-it/your-pictures/")
    assert "You took back 2 codes" in page.locator("#status").inner_text()
    _shoot(page, "taken-back")
    assert set(SharedHash.objects.values_list("state", flat=True)) == {"withdrawn"}

    page.get_by_role("button", name="Sign out").click()
    page.goto(page.base_url + "/remove-it/your-pictures/")
    assert "/remove-it/come-back/" in page.url


def test_someone_threatening_them_is_sent_to_the_team_only_with_their_consent(page):
    page.goto(page.base_url + "/remove-it/someone-is-threatening-me/")
    assert not (found := axe_violations(page)), describe_violations(found)
    _shoot(page, "threatened")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("What have they said or asked for? (optional)").fill(
        "Said they will post a picture unless I send more. Asked me to keep the chat secret."
    )
    page.get_by_role("button", name="Send to the team").click()
    page.get_by_text("Tick the box to say we can send this to our team").first.wait_for()
    assert Report.objects.count() == 0
    _shoot(page, "threatened-error")
    page.get_by_label("Yes, send this to your team as a report (you need to tick this)").check()
    page.get_by_role("button", name="Send to the team").click()
    page.wait_for_url("**/someone-is-threatening-me/sent/")
    assert not (found := axe_violations(page)), describe_violations(found)
    _shoot(page, "threat-sent")
    assert Report.objects.count() == 1
