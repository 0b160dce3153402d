"""Serve the PDQ test page, our static files and generated test files to Chromium from a routed origin.

Used by tests/browser/test_remove_hash_parity.py and bench/bench_browser_pdq.py. No web server: Playwright
answers every request to ORIGIN from disk or from `files`, so nothing reaches the network.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Browser, Page, Route

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "safeguard" / "static"
PAGE_DIR = Path(__file__).resolve().parent
ORIGIN = "http://pdq.test"
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".html": "text/html"}


class Harness:
    def __init__(self, browser: Browser) -> None:
        self.files: dict[str, bytes] = {}
        self.context = browser.new_context()
        self.context.set_default_timeout(60_000)
        self.context.route(f"{ORIGIN}/**", self._serve)
        self.page: Page = self.context.new_page()
        self.page.goto(f"{ORIGIN}/pdq/index.html")
        self.page.wait_for_function("window.pdqReady === true")

    def _serve(self, route: Route) -> None:
        path = unquote(urlsplit(route.request.url).path)
        body: bytes | None = None
        if path.startswith("/files/"):
            body = self.files.get(path.removeprefix("/files/"))
            kind = "application/octet-stream"
        else:
            base, rest = (STATIC, path.removeprefix("/static/")) if path.startswith("/static/") else (PAGE_DIR, "")
            if path.startswith("/pdq/"):
                rest = path.removeprefix("/pdq/")
            target = (base / rest).resolve()
            if (
                rest
                and target.is_file()
                and (
                    target.is_relative_to(STATIC.resolve())
                    or target.is_relative_to(PAGE_DIR)
                    or target.is_relative_to((STATIC / "dist").resolve())
                )
            ):
                body = target.read_bytes()
            kind = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if body is None:
            route.fulfill(status=404, body=b"not found")
        else:
            route.fulfill(status=200, body=body, content_type=kind)

    def hash(self, name: str, data: bytes) -> dict:
        """hashFile on these bytes as a File called `name`: {"ok": True, "result": ...} or the HashError's fields."""
        self.files[name] = data
        try:
            return self.page.evaluate("([url, name]) => window.pdqTest.hash(url, name)", [f"/files/{name}", name])
        finally:
            del self.files[name]

    def close(self) -> None:
        self.context.close()
