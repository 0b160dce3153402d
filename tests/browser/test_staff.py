"""Staff sign in with both factors in a real browser, see a reported child-in-danger case first, and
every staff page they pass through is accessible."""

import pytest
from django.core.management import call_command

from safeguard.accounts.totp import current_code
from safeguard.audit.models import AuditEntry
from safeguard.reporting.models import Priority, Report

from .conftest import axe_violations, describe_violations

PASSWORD = "browser-test-password-1234"


def _submit(page):
    """Press the page's main button and wait for the next page to load."""
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").or_(page.get_by_role("button", name="Sign in")).first.click()


@pytest.fixture
def analyst(make_staff):
    return make_staff("analyst", username="ada-analyst", password=PASSWORD)


def _sign_in(page, user, *, code=None):
    page.goto(page.base_url + "/staff/")
    assert "/staff/account/sign-in/" in page.url  # nobody reaches the queue without signing in
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page)
    assert "/sign-in/code/" in page.url
    page.locator("input[name=code]").fill(code or current_code(user.totp_device))
    _submit(page)


def test_password_alone_does_not_reach_the_queue(page, analyst):
    page.goto(page.base_url + "/staff/")
    page.locator("input[name=username]").fill(analyst.username)
    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page)
    page.goto(page.base_url + "/staff/")
    assert "/sign-in/code/" in page.url
    assert "Report queue" not in page.inner_text("body")


def test_wrong_code_is_refused(page, analyst):
    right = current_code(analyst.totp_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    _sign_in(page, analyst, code=wrong)
    assert "/sign-in/code/" in page.url
    assert page.locator(".govuk-error-summary").is_visible()


def test_analyst_signs_in_with_2fa_and_opens_the_p1_report_first(page, analyst, make_report):
    make_report(categories=["keep_secret"], platform_name="TalkTown")
    urgent = make_report(child_in_danger_now=True, platform_name="PixelQuest")
    assert urgent.priority == Priority.P1

    failures = {}

    def check():
        violations = axe_violations(page)
        if violations:
            failures[page.url] = describe_violations(violations)

    _sign_in(page, analyst)
    assert page.url.rstrip("/").endswith("/staff")
    check()
    first_row = page.locator("tbody tr").first
    assert urgent.reference in first_row.inner_text()
    with page.expect_navigation():
        first_row.get_by_role("link").first.click()
    assert urgent.reference in page.inner_text("h1") or urgent.reference in page.inner_text("main")
    check()
    assert AuditEntry.objects.filter(
        action="consultation", object_id=str(urgent.pk), actor__username=analyst.username
    ).exists()
    assert not failures, failures


def test_demo_data_loads_and_the_demo_analyst_can_sign_in(page):
    call_command("load_demo_data", verbosity=0)
    from safeguard.accounts.models import User

    demo = User.objects.get(username="analyst")
    page.goto(page.base_url + "/staff/")
    page.locator("input[name=username]").fill("analyst")
    page.locator("input[name=password]").fill("safeguard-demo-only")
    _submit(page)
    page.locator("input[name=code]").fill(current_code(demo.totpdevice_set.get(confirmed=True)))
    _submit(page)
    assert Report.objects.count() >= 20
    assert page.locator("tbody tr").count() >= 10
