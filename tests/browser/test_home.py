from .conftest import axe_violations, describe_violations


def test_home_page_offers_reporting_and_999_and_passes_axe(page):
    page.goto(page.base_url + "/")
    assert "call 999" in page.inner_text("main")
    assert page.get_by_role("button", name="Report abuse").is_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_healthz_answers_ok(page):
    response = page.goto(page.base_url + "/healthz")
    assert response.status == 200
    assert '"ok"' in page.inner_text("body")
