from datetime import date

import pytest

from safeguard.audit.services import Actor
from safeguard.education import reach, services
from safeguard.education.models import Audience, Region

from .factories import organisation, programme

ACTOR = Actor.system("test")


def add(org, prog, day, band, n):
    services.record_session(actor=ACTOR, organisation=org, programme=prog, delivered_on=day, age_band=band, attendees=n)


@pytest.fixture
def sessions(db):
    prog = programme()
    pro = programme("pro-course", audience=Audience.PROFESSIONALS)
    north = organisation("Hollowmere High", Region.NORTH_EAST, size=None)
    london = organisation("Quayside Juniors", Region.LONDON, size=None)
    add(north, prog, date(2025, 2, 10), "11-13", 300)  # last year: 300 by 1 April, 1,200 in all
    add(north, prog, date(2025, 10, 10), "11-13", 900)
    add(north, prog, date(2026, 1, 20), "11-13", 200)
    add(london, prog, date(2026, 3, 5), "8-10", 100)
    add(london, prog, date(2026, 3, 6), "parents", 40)  # parents are not children reached
    add(london, pro, date(2026, 3, 7), "professionals", 25)
    services.set_target(actor=ACTOR, year=2026, children=1000, professionals=100)


def test_dashboard_totals_breakdowns_and_seasonal_forecast(sessions):
    board = reach.dashboard(today=date(2026, 4, 1))
    assert board.children.reached == 300 and board.children.target == 1000 and board.children.percent == 30
    assert board.professionals.reached == 25
    assert dict(board.children_by_region)["North East"] == 200 and dict(board.children_by_region)["London"] == 100
    assert dict(board.children_by_age_band)["Children 8 to 10"] == 100
    assert dict(board.children.by_month)["Jan"] == 200 and dict(board.children.by_month)["Mar"] == 100
    # Seasonal: a quarter of last year's total (300 of 1,200) was in by this date, so 300 / 0.25 = 1,200.
    forecast = board.children.forecast
    assert (forecast.method, forecast.projected, forecast.will_meet) == ("seasonal", 1200, True)
    assert "300 of 1,200" in forecast.explanation


def test_run_rate_when_there_is_no_last_year():
    forecast = reach.forecast(so_far=250, last_year_to_date=0, last_year_total=0, today=date(2026, 4, 1), target=1000)
    # 1 April 2026 is day 91 of 365: 250 × 365 / 91 = 1,002.7
    assert (forecast.method, forecast.projected, forecast.will_meet) == ("run rate", 1003, True)
    assert "91 days" in forecast.explanation


def test_past_year_is_shown_as_complete(sessions):
    board = reach.dashboard(year=2025, today=date(2026, 4, 1))
    assert board.children.reached == 1200 and board.children.target is None
    assert board.children.forecast.will_meet is None
