"""A bounded crawler over the demo data, as each role and anonymously (issue 18: no dead ends, no raw errors).

`crawl(client, start_urls)` follows every same-site link and every GET form (submitted with its default values)
with the Django test client, at most `PER_NAME` pages per URL name and `TOTAL` pages in all, and returns the pages
it saw with what it found wrong on each. `tests/crawl/test_crawl.py` asserts on the problems; the browser test of
the public pages reuses the URLs it visits to run axe.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from django.urls import Resolver404, resolve

from tests.pdfcheck import raw_codes

PER_NAME = 6  # pages per URL name (a report page, a case page ...): enough to meet each template's branches
TOTAL = 450  # pages per role
SKIP_PATHS = ("/exit", "/staff/account/sign-out", "/static/", "/api/v1/docs")
# Pages that are deliberately not GOV.UK pages: the fictional messenger that shows partners the Report Abuse button.
NOT_GOVUK = ("/partners/demo/",)
DOWNLOAD_TYPES = {
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/calendar",
    "application/json",
    "application/atom+xml",
    "image/png",
    "image/jpeg",
    "image/webp",
    "text/plain",
}
REPRS = (
    ("['", "a Python list"),
    ("{'", "a Python dict"),
    ("<QuerySet", "a QuerySet"),
    ("object at 0x", "an object repr"),
    ("<django.", "an object repr"),
    ("datetime.date(", "a date repr"),
)


class _Page(HTMLParser):
    """Links, GET forms, visible text, cell texts and option texts of one HTML page."""

    HIDDEN = {"script", "style", "template", "title", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self.text, self.cells, self.options = [], [], [], [], []
        self.html_class, self.has_header, self.has_footer = "", False, False
        self._hidden = 0
        self._form = None
        self._cell = None
        self._option = None
        self._select = None
        self._literal = 0  # inside <code>: a column name or command people must type, shown as it is

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "html":
            self.html_class = a.get("class") or ""
        if "govuk-template__header" in classes or "govuk-header" in classes:
            self.has_header = True
        if "govuk-footer" in classes:
            self.has_footer = True
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in ("code", "kbd", "samp"):
            self._literal += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": []}
        elif self._form is not None and tag == "input" and a.get("name"):
            self._start_input(a)
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._form["fields"].append((a["name"], ""))
        elif tag == "select":
            self._select = {"name": a.get("name"), "first": None, "selected": None}
        elif tag == "option":
            self._start_option(a)
        elif tag in ("td", "dd"):
            self._cell = []

    def _start_input(self, a):
        """An input inside a form: its value goes with the form unless unchecked or a button."""
        kind = (a.get("type") or "text").lower()
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        if kind in ("submit", "button", "image", "file", "reset"):
            return
        self._form["fields"].append((a["name"], a.get("value") or ""))

    def _start_option(self, a):
        """An option: its text is collected; inside a select, the first and the selected value are noted."""
        self._option = []
        if self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in ("code", "kbd", "samp") and self._literal:
            self._literal -= 1
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            if self._form is not None and self._select["name"] and chosen is not None:
                self._form["fields"].append((self._select["name"], chosen))
            self._select = None
        elif tag == "option" and self._option is not None:
            self.options.append("".join(self._option).strip())
            self._option = None
        elif tag in ("td", "dd") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._hidden:
            return
        if not self._literal:
            self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._option is not None:
            self._option.append(data)


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    found_on: str
    problems: list[str] = field(default_factory=list)


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")


def _url_name(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return f"unresolved:{path}"
    return match.view_name or path


def _codes_pattern():
    codes = sorted(raw_codes(), key=len, reverse=True)
    return re.compile(r"(?<![\w@.\-/])(" + "|".join(map(re.escape, codes)) + r")(?![\w@.\-/])")


def page_problems(html: str, codes) -> tuple[list[str], _Page]:
    parser = _Page()
    parser.feed(html)
    problems = []
    if "govuk-template" not in parser.html_class.split() or not (parser.has_header and parser.has_footer):
        problems.append("not a GOV.UK page (govuk-template, header and footer)")
    text = " ".join(" ".join(parser.text).split())
    for needle, what in REPRS:
        if needle in text:
            at = text.index(needle)
            problems.append(f"{what} in the text: …{text[max(0, at - 40) : at + 40]}…")
    for match in codes.finditer(text):
        at = match.start()
        problems.append(f"stored code {match.group(1)!r} in the text: …{text[max(0, at - 40) : at + 40]}…")
        break
    for cell in parser.cells:
        if cell in ("None", "none", "[]", "{}"):
            problems.append(f"a table or summary cell reads {cell!r}")
            break
    if any(set(option) == {"-"} for option in parser.options if option):
        problems.append("a select offers '---------'")
    return problems, parser


def crawl(client, start_urls, *, per_name=PER_NAME, total=TOTAL) -> list[Visit]:
    codes = _codes_pattern()
    queue = deque((url, "(start)") for url in start_urls)
    seen, per = set(), Counter()
    visits = []
    while queue and len(visits) < total:
        url, found_on = queue.popleft()
        parts = urlsplit(url)
        url = urlunsplit(("", "", parts.path, parts.query, ""))
        if url in seen or parts.path.startswith(SKIP_PATHS):
            continue
        seen.add(url)
        name = _url_name(parts.path)
        if per[name] >= per_name:
            continue
        per[name] += 1
        response = client.get(url)
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        visit = Visit(url, response.status_code, content_type, found_on)
        visits.append(visit)
        if response.status_code >= 500:
            visit.problems.append(f"answered {response.status_code}")
        elif response.status_code in (403, 404):
            visit.problems.append(f"a link or form leads to a {response.status_code}")
        if 300 <= response.status_code < 400:
            location = response.get("Location", "")
            if _same_site(location):
                queue.appendleft((urljoin(url, location), url))
            continue
        if content_type != "text/html":
            if response.status_code == 200 and content_type not in DOWNLOAD_TYPES:
                visit.problems.append(f"unexpected content type {content_type!r}")
            continue
        html = response.content.decode()
        problems, parser = page_problems(html, codes)
        if not parts.path.startswith(NOT_GOVUK):
            visit.problems.extend(problems)
        for href in parser.links:
            if href.startswith(("mailto:", "tel:", "#", "javascript:")) or not _same_site(href):
                continue
            queue.append((urljoin(url, href), url))
        for form in parser.forms:
            if form["method"] != "get":
                continue
            action = urljoin(url, form["action"] or urlunsplit(("", "", parts.path, "", "")))
            if not _same_site(action):
                continue
            query = urlencode(form["fields"])
            queue.append((f"{urlsplit(action).path}?{query}" if query else urlsplit(action).path, url))
    return visits


def problems_of(visits: list[Visit]) -> list[str]:
    return [f"{v.url} (from {v.found_on}): {p}" for v in visits for p in v.problems]
