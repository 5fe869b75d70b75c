"""Fairness statistics shared by the planner, the validator and reviews.

Pure functions over a list of per-person loads (on-call hours, weeks, pages). Definitions:

- balance score (Grafana OnCall's schedule quality report): the mean over all pairs of people of
  ``min(Di, Dj) / max(Di, Dj)``; people with zero load are included (Grafana forgets them, which
  hides the worst imbalance). 1.0 is perfectly balanced, ≥ 0.95 counts as balanced.
- Gini coefficient, multiplied by ``n / (n - 1)`` so that small teams can reach 1.0.
- coefficient of variation: population standard deviation over the mean.
- outliers: people at ``factor`` × the mean or more (PagerDuty flags 2×).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["balance_score", "coefficient_of_variation", "gini", "max_over_mean", "outliers"]

#: Grafana OnCall counts a schedule as balanced at this score or above.
BALANCED = 0.95


def balance_score(values: Sequence[float]) -> float:
    """Mean over pairs of ``min/max`` load; 1.0 when fewer than two people or all zero.

    >>> balance_score([1, 1, 1])
    1.0
    >>> balance_score([2, 1])
    0.5
    """
    n = len(values)
    if n < 2:
        return 1.0
    # Sorted ascending, the pair (i < j) has min = v[i] and max = v[j].
    v = sorted(float(x) for x in values)
    total = 0.0
    for j in range(1, n):
        if v[j] == 0:
            total += j  # both zero: equal load
            continue
        total += sum(v[:j]) / v[j]
    return total / (n * (n - 1) / 2)


def gini(values: Sequence[float], *, corrected: bool = True) -> float:
    """Gini coefficient of the loads (0 = equal); small-sample corrected by default.

    >>> round(gini([0, 0, 0, 4]), 6)
    1.0
    """
    n = len(values)
    if n < 2:
        return 0.0
    v = sorted(float(x) for x in values)
    total = sum(v)
    if total == 0:
        return 0.0
    # G = sum_i (2i - n - 1) v_i / (n * sum v), i from 1, v ascending.
    g = sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(v)) / (n * total)
    return g * n / (n - 1) if corrected else g


def coefficient_of_variation(values: Sequence[float]) -> float:
    """Population standard deviation over the mean (0 when the mean is 0)."""
    n = len(values)
    if n == 0:
        return 0.0
    mean = sum(values) / n
    if mean == 0:
        return 0.0
    return math.sqrt(sum((x - mean) ** 2 for x in values) / n) / mean


def max_over_mean(values: Sequence[float]) -> float:
    """The largest load over the mean (1.0 for equal loads; 0 when all are zero)."""
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return max(values) / mean if mean else 0.0


def outliers(loads: Mapping[str, float], factor: float = 2.0) -> list[str]:
    """The people whose load is ``factor`` × the mean or more, sorted by id."""
    if not loads:
        return []
    mean = sum(loads.values()) / len(loads)
    if mean <= 0:
        return []
    return sorted(p for p, x in loads.items() if x >= factor * mean)
