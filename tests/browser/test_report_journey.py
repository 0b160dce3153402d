"""A young person completes the public journey in real Chromium, without and with JavaScript."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Priority, Report

from .conftest import axe_violations, describe_violations
from .journey import young_person_walk


@pytest.fixture
def pattern_png(tmp_path):
    """A generated pattern, never a photo."""
    image = Image.new("RGB", (64, 48))
    image.putdata([((x * 4) % 256, (y * 5) % 256, 128) for y in range(48) for x in range(64)])
    path = tmp_path / "chat-screenshot.png"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _assert_stored_as_submitted(reference: str, *, attachments: int) -> None:
    report = Report.objects.get(reference=reference)
    assert report.child_in_danger_now is True
    assert report.priority == Priority.P1
    assert report.platform_name == "PixelQuest"
    assert report.reporter_role == "young_person"
    assert "<script>" in report.account  # stored as typed…
    assert report.attachments.count() == attachments
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="collection").exists()


def test_young_person_completes_the_journey_without_javascript(nojs_page, pattern_png):
    walk = young_person_walk(nojs_page, screenshot=pattern_png)
    _assert_stored_as_submitted(walk.reference, attachments=1)


def test_young_person_completes_the_journey_with_javascript(page, pattern_png):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    walk = young_person_walk(page, screenshot=pattern_png)
    _assert_stored_as_submitted(walk.reference, attachments=1)
    assert dialogs == []  # …and never executed when shown back


def test_every_page_of_the_journey_has_no_serious_accessibility_violations(page):
    failures = {}

    def check(p):
        violations = axe_violations(p)
        if violations:
            failures[p.url] = describe_violations(violations)

    walk = young_person_walk(page, on_page=check)
    for extra in ("/report/staying-safe/", "/report/follow-up/"):
        page.goto(page.base_url + extra)
        check(page)
    assert len(walk.visited) >= 12
    assert not failures, failures


def test_error_pages_have_no_serious_accessibility_violations(page):
    page.goto(page.base_url + "/report/leaving-this-site-quickly/")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/about-you/")
    page.get_by_role("button", name="Continue").click()  # nothing chosen
    # expect() waits for the response to the POST to arrive and render.
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
