"""The public error pages on a phone: GOV.UK layout, Exit this page, and no serious accessibility problems."""

from playwright.sync_api import expect

from .conftest import axe_violations, describe_violations


def _assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def _reach_the_danger_question(page):
    page.goto(page.base_url + "/report/leaving-this-site-quickly/")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/about-you/")
    page.locator("input[name=role][value=parent_carer]").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/age/")
    page.locator("input[name=age_answer][value=not_sure]").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/danger/")


def test_public_404_on_a_phone(page):
    response = page.goto(page.base_url + "/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("button", name="Exit this page")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    _assert_accessible(page)


def test_expired_form_on_a_phone_keeps_the_answers_and_goes_back_to_the_question(page):
    _reach_the_danger_question(page)
    page.context.clear_cookies(name="csrftoken")  # what a phone discarding the cookie looks like to us
    page.locator("input[name=danger_now][value=no]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This page timed out")
    expect(page.get_by_role("button", name="Exit this page")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _assert_accessible(page)

    page.get_by_role("button", name="Go back to where you were").click()
    page.wait_for_url("**/report/danger/")
    page.get_by_role("link", name="Back").click()  # the earlier answers are still there
    expect(page.locator("input[name=age_answer][value=not_sure]")).to_be_checked()
    page.get_by_role("link", name="Back").click()
    expect(page.locator("input[name=role][value=parent_carer]")).to_be_checked()


def test_session_gone_on_a_phone_offers_to_start_again(page):
    _reach_the_danger_question(page)
    page.context.clear_cookies()
    page.locator("input[name=danger_now][value=no]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session has timed out")
    expect(page.get_by_role("button", name="Start again")).to_have_attribute("href", "/report/")
    _assert_accessible(page)
