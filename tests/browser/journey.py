"""Walk the public report journey the way a person does: read the page, answer, continue.

Each visited page is recorded, so accessibility can be checked on every page of the journey.
"""

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

from safeguard.reporting.models import Report


@dataclass
class Walk:
    visited: list[str] = field(default_factory=list)
    reference: str = ""
    secret: str = ""


def _continue(page: Page, name: str = "Continue") -> None:
    """Press a button and wait for the next page, so the next step never reads the old one."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _path(page: Page) -> str:
    return page.url.split("?")[0].removeprefix(page.base_url)


def young_person_walk(page: Page, *, screenshot: Path | None = None, on_page=None) -> Walk:
    """A young person reports being asked for pictures on a game chat, anonymously."""
    walk = Walk()

    def arrive():
        walk.visited.append(_path(page))
        if on_page:
            on_page(page)

    page.goto(page.base_url + "/report/")
    arrive()
    _continue(page, "Start now")
    arrive()
    if "/leaving-this-site-quickly/" in page.url:
        _continue(page)
        arrive()

    page.locator("input[name=role][value=young_person]").check()
    _continue(page)
    arrive()

    assert "How old are you?" in page.inner_text("h1")
    page.locator("input[name=age_answer][value=given]").check()
    page.locator("input[name=age]").fill("13")
    _continue(page)
    arrive()

    page.locator("input[name=danger_now][value=yes]").check()  # a child is in danger right now
    _continue(page)
    arrive()
    assert "999" in page.inner_text("main")  # the 999 advice comes first
    _continue(page)
    arrive()

    page.locator("input[name=categories][value=asked_for_images]").check()
    page.locator("input[name=categories][value=keep_secret]").check()
    _continue(page)
    arrive()

    page.locator("input[name=platform_name]").fill("PixelQuest")
    page.locator("input[name=environment][value=online_game]").check()
    _continue(page)
    arrive()

    page.locator("textarea[name=subject_identifiers]").fill("Username: pixel_pal_99")
    page.locator("input[name=subject_claimed_age]").fill("14")
    _continue(page)
    arrive()

    page.locator("input[name=not_sure]").check()
    page.locator("[name=incident_when_description]").fill("Last weekend")
    _continue(page)
    arrive()

    page.locator("textarea[name=account]").fill(
        "They asked me to keep our chat secret and asked for photos. <script>alert(1)</script>"
    )
    _continue(page)
    arrive()

    if screenshot is not None:
        page.locator("input[type=file]").set_input_files(str(screenshot))
        _continue(page, "Upload file")
        arrive()
        assert screenshot.name in page.inner_text("main")
    _continue(page)
    arrive()

    page.locator("input[name=wants_contact][value=no]").check()
    _continue(page)
    arrive()

    assert "Check your answers" in page.inner_text("h1")
    assert "PixelQuest" in page.inner_text("main")
    _continue(page, "Send report")
    arrive()

    main = page.inner_text("main")
    report = Report.objects.order_by("-pk").first()
    assert report is not None
    assert report.reference in main
    walk.reference = report.reference
    return walk
