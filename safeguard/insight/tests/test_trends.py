import math

import pytest

from safeguard.insight.trends import compare_shares, drivers, holm, two_proportion_z


def test_two_proportion_z_matches_a_hand_calculation():
    # 100/1000 -> 150/1000: pooled 0.125, se = sqrt(.125*.875*(2/1000)) = 0.014790
    z, p = two_proportion_z(100, 1000, 150, 1000)
    assert z == pytest.approx(0.05 / math.sqrt(0.125 * 0.875 * 0.002))
    assert z == pytest.approx(3.3806, abs=1e-3)
    assert p == pytest.approx(0.000723, rel=1e-2)


def test_holm_adjustment():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])


def test_growing_share_is_flagged_and_noise_is_not():
    choices = [("game", "Online gaming"), ("chat", "Chat room"), ("email", "Email")]
    before = {"game": 100, "chat": 800, "email": 100}
    after = {"game": 200, "chat": 700, "email": 104}
    results = {t.key: t for t in compare_shares([("environment", choices, before, after)])}
    assert results["game"].emerging
    assert results["chat"].significant and not results["chat"].emerging
    assert not results["email"].significant
    assert results["email"].verdict == "No significant change"


def test_small_counts_are_not_tested():
    results = compare_shares([("environment", [("a", "A"), ("b", "B")], {"a": 3, "b": 500}, {"a": 30, "b": 500})])
    assert not results[0].tested and results[0].verdict == "Too few reports to test"
    assert results[0].previous.display == "fewer than 5"


def test_drivers_are_the_biggest_risers():
    before = {"blockworld": ("Blockworld", 10), "chathub": ("ChatHub", 50)}
    after = {"blockworld": ("Blockworld", 60), "chathub": ("ChatHub", 55), "newapp": ("NewApp", 3)}
    found = drivers(before, after)
    assert [label for label, _, _ in found] == ["Blockworld", "ChatHub", "NewApp"]
    assert found[2][2].display == "fewer than 5"
