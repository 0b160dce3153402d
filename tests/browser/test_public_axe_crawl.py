"""Axe on every public page the crawler reaches (issue 18): no serious or critical violation, on a phone.

The anonymous crawl of tests/crawl finds the pages (over the demo data); each is then opened in real Chromium at
390 px and checked with axe.
"""

from django.test import Client

from tests.crawl.crawler import crawl
from tests.crawl.test_crawl import PUBLIC_STARTS, load_demo

from .conftest import axe_violations, describe_violations


def test_every_public_page_passes_axe(page):
    load_demo()
    visits = crawl(Client(), list(PUBLIC_STARTS))
    urls = [v.url for v in visits if v.status == 200 and v.content_type == "text/html"]
    assert len(urls) >= 10, urls
    failures = {}
    for url in urls:
        page.goto(page.base_url + url)
        violations = axe_violations(page)
        if violations:
            failures[url] = describe_violations(violations)
    print(f"\naxe: {len(urls)} public pages checked")
    assert not failures, failures
