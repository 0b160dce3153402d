"""A new member of staff's first sign-in in a real browser (issue 21): one-time password, authenticator,
then their own password before anything else; the error summary and each page pass axe."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.services import create_staff_user
from safeguard.accounts.totp import current_code
from safeguard.audit.services import Actor

from .conftest import axe_violations, describe_violations

OWN_PASSWORD = "amber heron beside the tidal mill"


def _press(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_first_sign_in_sets_up_the_authenticator_then_their_own_password(page):
    created = create_staff_user(actor=Actor.system("browser test"), username="first-day", role="analyst")
    failures = {}

    def check():
        violations = axe_violations(page)
        if violations:
            failures[page.url] = describe_violations(violations)

    page.goto(page.base_url + "/staff/")
    page.locator("input[name=username]").fill("first-day")
    page.locator("input[name=password]").fill(created.temporary_password)
    _press(page, "Continue")
    assert "/sign-in/set-up-authenticator/" in page.url
    device = TOTPDevice.objects.get(user=created.user, confirmed=False)
    page.locator("input[name=code]").fill(current_code(device))
    _press(page, "Confirm and continue")

    assert "/staff/account/password/" in page.url  # before the queue or anything else
    assert "Choose your own password" in page.inner_text("h1")
    assert "at least 12 characters" in page.inner_text("main")
    check()
    page.locator("input[name=current_password]").fill(created.temporary_password)
    page.locator("input[name=new_password]").fill("safeguard2026")
    page.locator("input[name=confirm_password]").fill("safeguard2026")
    _press(page, "Save and continue")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "attackers try first" in summary.inner_text()
    check()

    page.locator("input[name=current_password]").fill(created.temporary_password)
    page.locator("input[name=new_password]").fill(OWN_PASSWORD)
    page.locator("input[name=confirm_password]").fill(OWN_PASSWORD)
    _press(page, "Save and continue")
    assert page.url.rstrip("/").endswith("/staff")
    assert "Your password has been changed" in page.inner_text("body")
    check()
    created.user.refresh_from_db()
    assert created.user.check_password(OWN_PASSWORD) and not created.user.password_is_one_time
    assert not failures, failures
