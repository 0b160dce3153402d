"""The supervisor's review of the self-reported hash list (issue 22) in a real browser on a phone: the list and a
hash's page pass axe, a hold without a reason is refused plainly, a hold with one shows the banner."""

import hashlib

import pytest

from safeguard.evidence import self_reported as sr

from .conftest import axe_violations, describe_violations
from .test_staff import PASSWORD, _sign_in


def _code(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor", username="sam-supervisor", password=PASSWORD)


def test_supervisor_reviews_the_list_and_holds_a_hash(page, supervisor):
    image = {"kind": "image", "md5": _code("a", 32), "pdq": _code("a-pdq", 64), "pdq_quality": 90}
    video = {"kind": "video", "md5": _code("v", 32),
             "vpdq": [{"pdq": _code(f"v{n}", 64), "quality": 80, "timestamp": float(n)} for n in range(3)]}  # fmt: skip
    (shared, _) = sr.add_hashes(request_ref="RI-DEMO-0001", items=[image, video])
    sr.record_platform_matches(
        partner_label="chatterbox",
        items=[
            {
                "signal_type": "md5",
                "value": image["md5"],
                "action": "removed",
                "client_ref": "c-1",
                "where_seen": "https://chatterbox.example/u/someone/post/1234567890",
            }
        ],
    )
    failures = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            failures[name] = describe_violations(violations)

    _sign_in(page, supervisor)
    page.get_by_role("link", name="Self-reported hashes").click()
    page.wait_for_url("**/staff/evidence/self-reported/")
    assert "RI-DEMO-0001" in page.inner_text("table")
    check("list")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # the table scrolls in its box
    with page.expect_navigation():
        page.locator("tbody tr").filter(has_text=image["md5"][:8]).get_by_role("link").first.click()
    assert image["md5"] in page.inner_text("main") and "Removed" in page.inner_text("#matches")
    check("detail")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    with page.expect_navigation():
        page.get_by_role("button", name="Hold back").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Give the reason for holding this hash back" in page.inner_text(".govuk-error-summary")
    check("missing reason")
    page.get_by_label("Hold this hash back").fill("Suspected misuse: checking with the young person")
    with page.expect_navigation():
        page.get_by_role("button", name="Hold back").click()
    assert "Hash held back" in page.inner_text(".govuk-notification-banner")
    assert "Held" in page.inner_text("main") and "Suspected misuse" in page.inner_text("#history")
    check("held")
    shared.refresh_from_db()
    assert shared.review_state == "held"
    assert not failures, failures
