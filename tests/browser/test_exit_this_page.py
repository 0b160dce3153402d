"""GOV.UK "Exit this page": by click and by pressing Shift three times; the draft is forgotten."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import NEUTRAL_SITE


def _start_a_draft(page):
    page.goto(page.base_url + "/report/leaving-this-site-quickly/")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/about-you/")
    page.locator("input[name=role][value=parent_carer]").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/age/")
    page.locator("input[name=age_answer][value=not_sure]").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/danger/")


def _assert_exited(page):
    # expect() polls: Clear-Site-Data makes Chromium abandon and re-issue the first navigation.
    expect(page).to_have_url(re.compile("^" + re.escape(NEUTRAL_SITE)))


def _assert_draft_forgotten(page):
    page.goto(page.base_url + "/report/about-you/")
    assert page.locator("input[name=role]:checked").count() == 0


@pytest.mark.parametrize("fixture", ["page", "nojs_page"])
def test_exit_button_click_leaves_for_a_neutral_site_and_clears_the_session(fixture, request):
    page = request.getfixturevalue(fixture)
    _start_a_draft(page)
    page.get_by_role("button", name="Exit this page").click()
    _assert_exited(page)
    _assert_draft_forgotten(page)


def test_pressing_shift_three_times_exits(page):
    _start_a_draft(page)
    # The keyboard shortcut exists once GOV.UK Frontend's module script has run; on a busy machine
    # that can be after the page's load event.
    page.wait_for_function("document.body.dataset.govukFrontendExitThisPageKeypress === 'true'")
    page.locator("body").click(position={"x": 5, "y": 400})
    for _ in range(3):
        page.keyboard.press("Shift")
    _assert_exited(page)
    _assert_draft_forgotten(page)


def test_every_journey_page_has_the_exit_button(nojs_page):
    page = nojs_page
    for path in ("/report/", "/report/leaving-this-site-quickly/", "/report/staying-safe/", "/report/about-you/"):
        page.goto(page.base_url + path)
        exit_link = page.get_by_role("button", name="Exit this page")
        assert exit_link.count() == 1, path
        assert exit_link.get_attribute("href") == "/exit"
