import pytest

from safeguard.audit.services import Actor
from safeguard.education import analysis
from safeguard.education.surveys import import_responses_csv

from .factories import offline_survey

HEADER = "age_band,met_offline,took_friend,apps,confidence"


def load(rows):
    survey = offline_survey()
    import_responses_csv(actor=Actor.system("test"), survey=survey, data="\n".join([HEADER, *rows]))
    return analysis.load(survey)


def by_band(data, code):
    return {r.group: r for r in analysis.crosstab(data, data.question(code), analysis.AGE_BAND)}


@pytest.mark.django_db
def test_a_lone_small_group_takes_the_next_smallest_with_it():
    data = load(["5-7,no,,video,2"] * 4 + ["8-10,yes,no,games,3"] * 15 + ["11-13,no,,chat,4"] * 40)
    groups = by_band(data, "met_offline")
    # 4 alone could be recovered from the total minus the others; hiding the 15 too leaves only their sum (19).
    assert groups["Children 5 to 7"].suppressed and groups["Children 8 to 10"].suppressed
    assert not groups["Children 11 to 13"].suppressed
    assert all(c.count is None and c.low is None for c in groups["Children 8 to 10"].cells)


@pytest.mark.django_db
def test_conditional_questions_are_suppressed_on_those_asked():
    # 12 asked 'took_friend' overall, but within each band fewer than 10: nothing by band, the total shown.
    data = load(["8-10,yes,yes,games,3"] * 6 + ["11-13,yes,no,games,3"] * 6 + ["11-13,no,,chat,4"] * 40)
    overall = analysis.analyse(data, data.question("took_friend"))
    assert overall.answered == 12 and not overall.suppressed
    assert all(r.suppressed for r in by_band(data, "took_friend").values())


@pytest.mark.django_db
def test_no_secondary_suppression_when_nothing_small():
    data = load(["8-10,no,,games,3"] * 10 + ["11-13,yes,yes,chat,4"] * 10)
    assert not any(r.suppressed for r in by_band(data, "met_offline").values())
    assert analysis.bar_chart_svg(analysis.analyse(data, data.question("met_offline"))).startswith("<svg")
