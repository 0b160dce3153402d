"""MUST SHOW (issue 9): 6,000 synthetic responses, 25% met someone offline, 83% of those took a friend.

The expected intervals are computed here independently of safeguard.education.stats, from the Wilson
score interval written as the roots of its quadratic: p̂ = k/n lies within z standard errors of p,
(p̂ - p)² = z² p(1-p)/n, i.e. (1 + z²/n) p² - (2p̂ + z²/n) p + p̂² = 0.
"""

import csv
import io
import math
from statistics import NormalDist

import pytest

from safeguard.audit.services import Actor
from safeguard.education import analysis
from safeguard.education.surveys import import_responses_csv

from .factories import offline_survey

TOTAL, MET, TOOK_FRIEND = 6000, 1500, 1245  # 1500/6000 = 25%; 1245/1500 = 83%
BANDS = ["8-10", "11-13", "14-18"]


def expected_wilson(k, n):
    z = NormalDist().inv_cdf(0.975)
    p_hat = k / n
    a = 1 + z * z / n
    b = -(2 * p_hat + z * z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def synthetic_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["age_band", "met_offline", "took_friend", "apps", "confidence"])
    for i in range(TOTAL):
        met = i < MET
        took = "yes" if i < TOOK_FRIEND else "no"
        writer.writerow(
            [
                BANDS[i % 3],
                "yes" if met else "no",
                took if met else "",
                "games;chat" if i % 2 else "video",
                str(1 + i % 5),
            ]
        )
    return out.getvalue()


@pytest.fixture
def loaded_survey(db):
    survey = offline_survey()
    assert import_responses_csv(actor=Actor.system("test"), survey=survey, data=synthetic_csv()) == TOTAL
    return survey


def cell(result, answer):
    return next(c for c in result.cells if c.answer == answer)


def test_analysis_reports_quarter_met_offline_and_83_percent_took_a_friend(loaded_survey):
    data = analysis.load(loaded_survey)

    met = cell(analysis.analyse(data, data.question("met_offline")), "yes")
    assert (met.count, met.denominator) == (MET, TOTAL)
    assert met.proportion == pytest.approx(0.25)
    low, high = expected_wilson(MET, TOTAL)
    assert (met.low, met.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert (round(met.low, 4), round(met.high, 4)) == (0.2392, 0.2611)

    took = analysis.analyse(data, data.question("took_friend"))
    friend = cell(took, "yes")
    # The denominator is only those asked: the 1,500 who met someone offline, not all 6,000.
    assert (friend.count, friend.denominator) == (TOOK_FRIEND, MET)
    assert friend.proportion == pytest.approx(0.83)
    low, high = expected_wilson(TOOK_FRIEND, MET)
    assert (friend.low, friend.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert (round(friend.low, 4), round(friend.high, 4)) == (0.8102, 0.8482)
    assert took.not_answered == 0


def test_crosstab_by_age_band_uses_each_bands_own_denominators(loaded_survey):
    data = analysis.load(loaded_survey)
    rows = analysis.crosstab(data, data.question("met_offline"), analysis.AGE_BAND)
    assert [r.group for r in rows] == ["Children 8 to 10", "Children 11 to 13", "Young people 14 to 18"]
    assert sum(cell(r, "yes").count for r in rows) == MET
    for r in rows:
        yes = cell(r, "yes")
        assert r.answered == TOTAL // 3
        assert (yes.low, yes.high) == pytest.approx(expected_wilson(yes.count, yes.denominator))
    friend_rows = analysis.crosstab(data, data.question("took_friend"), analysis.AGE_BAND)
    assert sum(r.answered for r in friend_rows) == MET
    assert sum(cell(r, "yes").count for r in friend_rows) == TOOK_FRIEND


def test_exports_carry_the_same_figures(loaded_survey):
    results = analysis.survey_report(loaded_survey, by=analysis.AGE_BAND)
    rows = list(csv.DictReader(io.StringIO(analysis.to_csv(results))))
    met = next(
        r for r in rows if r["question"] == "met_offline" and r["group"] == "all respondents" and r["answer"] == "yes"
    )
    assert (met["count"], met["respondents"], met["proportion"]) == ("1500", "6000", "0.25")
    assert analysis.to_xlsx(results, title=loaded_survey.title)[:2] == b"PK"
