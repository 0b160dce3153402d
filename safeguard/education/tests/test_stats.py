import math

import pytest

from safeguard.education.stats import wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Table I, method 3 (Wilson score, no continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_matches_published_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert (round(got_low, 4), round(got_high, 4)) == (low, high)


def test_stays_inside_zero_and_one_at_the_extremes():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    low = wilson_interval(10, 10)[0]
    assert math.isclose(low, 1 - wilson_interval(0, 10)[1])


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_refuses_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)
