"""The age question and the professionals' page in real Chromium, with JavaScript on and off, checked by axe.

Set SAFEGUARD_SCREENSHOT_DIR to keep screenshots of both pages, with and without an error, at 390 and 1280 px.
"""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from safeguard.reporting.models import Report

from .conftest import axe_violations, describe_violations

SCREENSHOT_DIR = os.environ.get("SAFEGUARD_SCREENSHOT_DIR", "")


def _continue(page: Page, name: str = "Continue") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _to_age_page(page: Page, role: str) -> None:
    page.goto(page.base_url + "/report/leaving-this-site-quickly/")
    _continue(page)
    page.locator(f"input[name=role][value={role}]").check()
    _continue(page)
    assert page.url.split("?")[0].endswith("/report/age/")


def _no_serious_violations(page: Page, javascript: bool) -> None:
    if not javascript:
        return  # axe is a script: it runs in the JavaScript half of each pair
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def _screenshot(page: Page, name: str) -> None:
    if not SCREENSHOT_DIR:
        return
    folder = Path(SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def _rest_of_the_journey(page: Page) -> None:
    """From "Is a child in danger" to check your answers, answered briefly."""
    page.locator("input[name=danger_now][value=no]").check()
    _continue(page)
    page.locator("input[name=categories][value=keep_secret]").check()
    _continue(page)
    page.locator("input[name=platform_name]").fill("PixelQuest")
    page.locator("input[name=environment][value=online_game]").check()
    _continue(page)
    _continue(page)  # who: nothing known
    page.locator("input[name=not_sure]").check()
    page.locator("[name=incident_when_description]").fill("Last weekend")
    _continue(page)
    page.locator("textarea[name=account]").fill("They asked to keep the chat secret and proposed meeting offline.")
    _continue(page)
    _continue(page)  # no screenshots
    page.locator("input[name=wants_contact][value=no]").check()
    _continue(page)
    assert "Check your answers" in page.inner_text("h1")


def _young_person(page: Page, *, javascript: bool) -> None:
    _to_age_page(page, "young_person")
    expect(page.locator("h1")).to_have_text("How old are you?")
    assert page.locator("input[name=age_answer][value=not_sure]").count() == 0
    reveal = page.locator("#conditional-age")
    if javascript:
        expect(reveal).to_be_hidden()  # revealed when "Enter age" is chosen
    else:
        expect(reveal).to_be_visible()  # nothing hides it without JavaScript
    page.locator("input[name=age_answer][value=given]").check()
    expect(reveal).to_be_visible()
    _no_serious_violations(page, javascript)
    _screenshot(page, f"age-young-{'js' if javascript else 'nojs'}")

    page.locator("input[name=age]").fill("thirteen")
    _continue(page)
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your age as a number, like 13")
    expect(reveal).to_be_visible()
    _no_serious_violations(page, javascript)
    _screenshot(page, f"age-young-error-{'js' if javascript else 'nojs'}")

    page.locator("input[name=age]").fill("19")
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("You can still report if you are 18 or over.")
    expect(page.get_by_role("link", name="Change 'About you' to 'I am another adult'")).to_be_visible()
    _no_serious_violations(page, javascript)
    _screenshot(page, f"age-young-18-{'js' if javascript else 'nojs'}")

    page.locator("input[name=age]").fill("13")
    _continue(page)
    _rest_of_the_journey(page)
    main = page.inner_text("main")
    assert "Your age" in main and "13" in main
    _continue(page, "Send report")
    report = Report.objects.order_by("-pk").first()
    assert report is not None and report.details["public_web"]["child_age"] == 13


def _professional(page: Page, *, javascript: bool) -> None:
    _to_age_page(page, "professional")
    expect(page.locator("h1")).to_have_text("How old is the child?")
    _continue(page)  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the child's age, or select 'Not sure' or 'I'd rather not say'"
    )
    _no_serious_violations(page, javascript)
    _screenshot(page, f"age-child-error-{'js' if javascript else 'nojs'}")
    page.locator("input[name=age_answer][value=not_sure]").check()
    _continue(page)

    expect(page.locator("h1")).to_have_text("About your organisation (optional)")
    _no_serious_violations(page, javascript)
    _screenshot(page, f"organisation-{'js' if javascript else 'nojs'}")
    page.locator("input[name=organisation]").fill("Larkspur Academy")
    page.locator("input[name=actions_taken][value=told_dsl]").check()
    page.locator("input[name=actions_taken][value=nothing_yet]").check()
    if javascript:  # GOV.UK's exclusive checkbox unticks the others
        expect(page.locator("input[name=actions_taken][value=told_dsl]")).not_to_be_checked()
        page.locator("input[name=actions_taken][value=told_dsl]").check()
        expect(page.locator("input[name=actions_taken][value=nothing_yet]")).not_to_be_checked()
        page.locator("input[name=actions_taken][value=something_else]").check()
    else:  # both sent: the server says what to fix
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Select what has been done, or select 'Nothing yet'"
        )
        page.locator("input[name=actions_taken][value=nothing_yet]").uncheck()
        page.locator("input[name=actions_taken][value=something_else]").check()
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us what else has been done")
    _no_serious_violations(page, javascript)
    _screenshot(page, f"organisation-error-{'js' if javascript else 'nojs'}")
    page.locator("input[name=action_other]").fill("Spoke to the family")
    _continue(page)
    _rest_of_the_journey(page)
    main = page.inner_text("main")
    assert "Organisation: Larkspur Academy" in main
    assert "Told the designated safeguarding lead; Something else: Spoke to the family" in main


def test_young_person_answers_their_age_without_javascript(nojs_page):
    _young_person(nojs_page, javascript=False)


def test_young_person_answers_their_age_with_javascript(page):
    _young_person(page, javascript=True)


def test_professional_answers_the_age_and_their_organisation_without_javascript(nojs_page):
    _professional(nojs_page, javascript=False)


def test_professional_answers_the_age_and_their_organisation_with_javascript(page):
    _professional(page, javascript=True)
