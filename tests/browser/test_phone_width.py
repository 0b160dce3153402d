"""No page scrolls sideways on a phone (390 px), for every demo role and anonymously.

The crawler of tests/crawl finds each role's pages over the demo data (two of each kind of page, to keep CI
short); each is opened in real Chromium at 390 px and the document must be no wider than the screen. Wide tables
scroll inside their own box (`.sg-table-scroll`), charts shrink, long codes wrap.
"""

from django.conf import settings
from django.test import Client

from tests.crawl.crawler import crawl
from tests.crawl.test_crawl import PUBLIC_STARTS, ROLES, load_demo, signed_in

PHONE = 390
PER_NAME = 2


def _html(visits) -> list[str]:
    return [v.url for v in visits if v.status == 200 and v.content_type == "text/html"]


def test_no_page_is_wider_than_a_phone_for_any_role(page):
    load_demo()
    too_wide, checked = [], 0
    for who in (*ROLES, None):
        if who is None:
            client, starts = Client(), list(PUBLIC_STARTS)
        else:
            client, home = signed_in(who)
            starts = [home, "/staff/"]
        urls = _html(crawl(client, starts, per_name=PER_NAME))
        page.context.clear_cookies()
        if who is not None:
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base_url}])
        for url in urls:
            page.goto(page.base_url + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            checked += 1
            if width > PHONE:
                too_wide.append(f"[{who or 'anonymous'}] {url}: {width} px")
    print(f"\nphone width: {checked} pages checked at {PHONE} px")
    assert checked >= 100, checked
    assert not too_wide, "\n".join(too_wide)
