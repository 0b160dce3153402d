"""The confirmation page's "Copy secret code" button: shown only when JavaScript and the clipboard are there,
copies exactly the code shown, and says so (or says how to copy it by hand) in a live region.

Headless Chromium grants no clipboard read, so the page's clipboard is replaced before it loads by one that keeps
what was written (or refuses, as a locked-down phone browser can)."""

from playwright.sync_api import expect

from .journey import young_person_walk

KEEPING_CLIPBOARD = """
Object.defineProperty(navigator, "clipboard", {
  configurable: true,
  value: { writeText: async (text) => { window.__copied = text; } },
});
"""
REFUSING_CLIPBOARD = """
Object.defineProperty(navigator, "clipboard", {
  configurable: true,
  value: { writeText: async () => { throw new DOMException("Denied", "NotAllowedError"); } },
});
"""


def _button(page):
    return page.get_by_role("button", name="Copy secret code")


def test_copy_button_copies_the_secret_shown_and_says_copied(page):
    page.add_init_script(KEEPING_CLIPBOARD)
    young_person_walk(page)
    secret = page.locator("#secret").inner_text().strip()
    assert len(secret) >= 8
    _button(page).click()
    expect(page.locator("[data-sg-copy-status]")).to_have_text("Copied")
    assert page.evaluate("window.__copied") == secret


def test_when_the_browser_refuses_the_page_says_how_to_copy_by_hand(page):
    page.add_init_script(REFUSING_CLIPBOARD)
    young_person_walk(page)
    _button(page).click()
    expect(page.locator("[data-sg-copy-status]")).to_have_text("Could not copy. Select the code and copy it yourself.")
    expect(page.locator("#secret")).to_be_visible()


def test_without_javascript_there_is_no_button_and_the_code_is_plain_text(nojs_page):
    young_person_walk(nojs_page)
    expect(_button(nojs_page)).to_be_hidden()  # a button that could do nothing is not shown
    expect(nojs_page.locator("#secret")).to_be_visible()
