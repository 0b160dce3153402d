"""Emerging threats: which environments and activities are taking a growing share of reports (docs/adr/0082).

For each environment and activity, its share of reports in the period is compared with its share in the
period before by a two-proportion z-test (pooled standard error; two-sided p from the normal distribution,
math.erfc, so no statistics package is needed). Because about fifteen shares are tested at once, the p-values
are adjusted by Holm's step-down method, which controls the family-wise error rate at `ALPHA`: a rise is
called a trend only if it survives that. A category with a small count in either period is not tested (its
share would reveal a suppressed count). The platforms driving a trend are those whose count in that category
rose the most.
"""

import math
from dataclasses import dataclass, field

from .suppression import Cell, figure, is_small

ALPHA = 0.05


@dataclass
class Trend:
    dimension: str
    key: str
    label: str
    previous: Cell
    current: Cell
    previous_share: float | None
    current_share: float | None
    z: float | None = None
    p_value: float | None = None
    adjusted_p: float | None = None
    platforms: list[tuple[str, Cell, Cell]] = field(default_factory=list)  # platform, previous, current

    @property
    def tested(self) -> bool:
        return self.z is not None

    @property
    def change_points(self) -> float | None:
        if self.previous_share is None or self.current_share is None:
            return None
        return 100 * (self.current_share - self.previous_share)

    @property
    def bar(self) -> tuple[float, float, str] | None:
        """x, width and colour of the change drawn on a 100-wide axis centred at 50 (5 per point, capped)."""
        if self.change_points is None:
            return None
        width = min(50.0, abs(self.change_points) * 5)
        return (50.0, width, "#d4351c") if self.change_points > 0 else (50.0 - width, width, "#1d70b8")

    @staticmethod
    def _pct(share: float | None) -> str:
        return "" if share is None else f"{share:.1%}"

    @property
    def previous_share_display(self) -> str:
        return self._pct(self.previous_share)

    @property
    def current_share_display(self) -> str:
        return self._pct(self.current_share)

    @property
    def significant(self) -> bool:
        return self.adjusted_p is not None and self.adjusted_p < ALPHA

    @property
    def emerging(self) -> bool:
        return self.significant and (self.change_points or 0) > 0

    @property
    def verdict(self) -> str:
        if not self.tested:
            return "Too few reports to test"
        if self.emerging:
            return "Growing (significant)"
        if self.significant:
            return "Falling (significant)"
        return "No significant change"


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """z and two-sided p for the change from x1/n1 to x2/n2 (pooled standard error)."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def compare_shares(
    groups: list[tuple[str, list[tuple[str, str]], dict[str, int], dict[str, int]]],
) -> list[Trend]:
    """groups: (dimension, [(key, label)], previous counts, current counts). Holm across every test in all groups."""
    trends: list[Trend] = []
    for dimension, choices, previous, current in groups:
        n1, n2 = sum(previous.values()), sum(current.values())
        for key, label in choices:
            x1, x2 = previous.get(key, 0), current.get(key, 0)
            testable = n1 > 0 and n2 > 0 and not is_small(x1) and not is_small(x2) and not is_small(n1 - x1)
            testable = testable and not is_small(n2 - x2) and (x1 + x2) > 0
            trend = Trend(
                dimension=dimension,
                key=key,
                label=label,
                previous=figure(key, label, x1),
                current=figure(key, label, x2),
                previous_share=(x1 / n1) if testable else None,
                current_share=(x2 / n2) if testable else None,
            )
            if testable:
                trend.z, trend.p_value = two_proportion_z(x1, n1, x2, n2)
            trends.append(trend)
    tested = [t for t in trends if t.tested]
    for trend, adjusted in zip(tested, holm([t.p_value for t in tested]), strict=True):
        trend.adjusted_p = adjusted
    return trends


def drivers(previous: dict[str, tuple[str, int]], current: dict[str, tuple[str, int]], limit: int = 5):
    """The platforms whose count rose most: [(label, previous cell, current cell)]. Keyed by platform key."""
    rises = []
    for key in set(previous) | set(current):
        label = (current.get(key) or previous.get(key))[0]
        before, now = previous.get(key, ("", 0))[1], current.get(key, ("", 0))[1]
        if now > before:
            rises.append((now - before, label, before, now))
    rises.sort(key=lambda r: (-r[0], r[1]))
    return [(label, figure(label, label, before), figure(label, label, now)) for _, label, before, now in rises[:limit]]
