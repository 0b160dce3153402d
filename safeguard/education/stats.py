"""Small statistics for survey analysis, with no heavy dependency (see docs/adr/0051).

Wilson score interval (Wilson 1927; Newcombe 1998, method 3), for k successes out of n:

    centre     = (p + z²/2n) / (1 + z²/n)
    half-width = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)

with p = k/n and z the standard normal quantile (1.959963984540054 for 95%). Unlike the simple
Wald interval it stays inside [0, 1] and behaves at p near 0 or 1 and for small n.
"""

import math

Z_95 = 1.959963984540054  # Φ⁻¹(0.975)


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    if total <= 0:
        raise ValueError("A proportion needs at least one respondent.")
    if not 0 <= successes <= total:
        raise ValueError(f"successes must be between 0 and {total}, not {successes}")
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half_width = (z / denominator) * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    # At k = 0 or k = n the bound is exactly 0 or 1; floating point would leave it a hair inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == total else min(1.0, centre + half_width)
    return low, high
