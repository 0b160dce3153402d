"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Playwright's own browser download is not used (it is not reachable from CI); the system
chromium at /usr/bin/chromium is, installed by `make test`.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told it is safe. It is: each test drives the browser and the ORM in turn.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SAFEGUARD_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"

# The flags Chromium needs as root in a closed network (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser: Browser, *, javascript: bool) -> BrowserContext:
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": 390, "height": 844},  # a phone: most children report from one
        # axe is injected as a script tag, which our Content-Security-Policy would (rightly) block.
        bypass_csp=True,
    )
    # No network here: answer the neutral exit site locally so the exit can be observed.
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>Weather"),
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    """A JavaScript-enabled page on a phone-sized screen."""
    context = _new_context(browser, javascript=True)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    """A page with JavaScript switched off: every public journey must still work."""
    context = _new_context(browser, javascript=False)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def axe_violations(page: Page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now and return the violations of the given impacts."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    return json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations],
        indent=2,
    )
