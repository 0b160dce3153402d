from datetime import date

from safeguard.education import analysis, demo, reach
from safeguard.education.models import Session, Survey


def test_demo_data_loads_once_and_the_pages_have_something_to_show(db, supervisor_client):
    assert demo.load(today=date(2026, 6, 15)) is True
    assert demo.load(today=date(2026, 6, 15)) is False
    assert Session.objects.count() > 100
    board = reach.dashboard(today=date(2026, 6, 15))
    assert board.children.reached > 0 and board.children.forecast.method == "seasonal"
    survey = Survey.objects.get()
    results = analysis.survey_report(survey, by=analysis.AGE_BAND)
    assert not results[0].suppressed
    assert supervisor_client.get(f"/staff/education/surveys/{survey.pk}/?by=met_offline").status_code == 200
    assert supervisor_client.get("/staff/education/?year=2026").status_code == 200
