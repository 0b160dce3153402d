from datetime import date

import pytest

from safeguard.insight import outcomes as outcomes_module


@pytest.fixture
def figures(monkeypatch):
    def fake_outcome_figures(*, start, end):
        assert (start, end) == (date(2026, 1, 1), date(2026, 12, 31))
        return {
            "disseminations_by_recipient": [
                {"name": "Testshire Constabulary", "kind": "uk_territorial", "count": 40},
                {"name": "Fictional Valley Police", "kind": "uk_territorial", "count": 12},
                {"name": "NCB Ruritania", "kind": "international", "count": 2},
            ],
            "disseminations": 54,
            "children_safeguarded": 17,
            "arrests": 3,
            "charges": 0,
            "convictions": 6,
            "networks_disrupted": 1,
            "networks_dismantled": 5,
            "subjects_identified": 20,
        }

    monkeypatch.setattr(outcomes_module, "outcome_figures", fake_outcome_figures)
    monkeypatch.setattr(outcomes_module, "deployment_count", lambda *, start, end: 9)


@pytest.mark.django_db
def test_outcomes_are_gathered_and_suppressed(figures):
    result = outcomes_module.outcomes(start=date(2026, 1, 1), end=date(2026, 12, 31))
    shown = {c.key: c.display for c in result.headline}
    assert shown["disseminations"] == "54"
    assert shown["children_safeguarded"] == "17"
    assert shown["arrests"] == "fewer than 5"
    assert shown["charges"] == "0"
    assert shown["networks_dismantled"] == "5"
    assert shown["deployments"] == "9"
    # one recipient is small, so the next smallest is withheld too
    assert [c.display for c in result.by_recipient.cells] == ["40", "withheld", "fewer than 5"]
    assert result.by_recipient.total.count == 54
    assert [c.key for c in result.wanted] == ["posted", "located", "arrested"]
    assert [c.key for c in result.education] == ["children_reached", "professionals_trained", "sessions"]


@pytest.mark.django_db
def test_outcomes_page_and_annual_review_use_them(figures, supervisor_client):
    page = supervisor_client.get("/staff/insight/outcomes/", {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Testshire Constabulary" in html and "Major operational deployments" in html
