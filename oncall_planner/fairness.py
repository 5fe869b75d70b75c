"""Fairness statistics shared by the planner, the validator and reviews.

Pure functions over a list of per-person loads (on-call hours, weeks, pages). Definitions:

- balance score (Grafana OnCall's schedule quality report): the mean over all pairs of people of
  ``min(Di, Dj) / max(Di, Dj)``; people with zero load are included (Grafana forgets them, which
  hides the worst imbalance). 1.0 is perfectly balanced, ≥ 0.95 counts as balanced.
- Gini coefficient, multiplied by ``n / (n - 1)`` so that small teams can reach 1.0.
- coefficient of variation: population standard deviation over the mean.
- outliers: people at ``factor`` × the mean or more (PagerDuty flags 2×).

And the numbers of a plan, each defined once here and used by the planner's objective, the
plan's fairness summary, the CLI table, ``check`` (P105–P107) and reviews:

- load: ``primary_weight`` × primary weeks + ``secondary_weight`` × secondary weeks
  (:func:`load`); a plan's weeks are counted on its effective roster, overrides included,
  as real hours ÷ 168 (:func:`effective_weeks`); the solver plans whole weeks, or for a
  coverage window its rotation weeks, each worth :func:`window_share` of a week (the window's
  weight × its hours ÷ the week's real hours);
- fair share: a person's part of the load, one share per person across the org, split among
  their rotations (:func:`water_fill`, :func:`org_fair_shares`);
- the balance of a schedule: :func:`balance_score` of on-call weeks over capacity, counted across
  the org, of the members who may be on call (:func:`balance_loads`);
- holiday burden: the share of each holiday's local day that falls inside a person's shifts
  (:func:`holiday_overlap`), not "any overlap = a whole holiday week".
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncall_planner.plans import Layer, Plan, SchedulePlan
    from oncall_planner.spec import Schedule

__all__ = [
    "balance_loads",
    "balance_score",
    "coefficient_of_variation",
    "effective_load",
    "effective_weeks",
    "gini",
    "holiday_overlap",
    "load",
    "max_over_mean",
    "on_call_intervals",
    "on_call_share_caps",
    "on_call_weeks",
    "org_capacity",
    "org_fair_shares",
    "outliers",
    "share_weeks",
    "water_fill",
    "window_share",
]

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


# ---------------------------------------------------------------------------------------------
# The numbers of a plan


def load(
    primary_weeks: Any, secondary_weeks: Any, primary_weight: int, secondary_weight: int
) -> Any:
    """The load of a person: ``primary_weight`` × primary + ``secondary_weight`` × secondary.

    Works on numbers and on solver expressions alike (the objective passes sums of variables).

    >>> load(3, 2, 2, 1)
    8
    """
    return primary_weight * primary_weeks + secondary_weight * secondary_weeks


def window_share(hours: float, week_hours: float, weight: float = 1.0) -> float:
    """The weeks' worth of one rotation week of a coverage window, before the layer weight:
    ``weight × hours ÷ week_hours`` (the window's real on-call hours in the week over the
    week's own real length, handoff to handoff: the unit :func:`effective_weeks` counts).

    The fair load of a windowed shift is ``load`` of these (the layer weight times it); a
    whole week is 1, so schedules without windows count exactly as before.

    >>> window_share(40.0, 168.0)  # mon-fri 08:00-16:00
    0.23809523809523808
    >>> window_share(63.0, 168.0, 1.5)  # a weekend, weighing 1.5
    0.5625
    """
    if week_hours <= 0:
        raise ValueError(f"week_hours must be positive, got {week_hours}")
    return weight * hours / week_hours


def org_capacity(schedules: Iterable[Schedule]) -> dict[str, float]:
    """Person id → capacity, counted once across the org: the smallest of their entries.

    A person in three schedules with ``capacity: 0.34`` in each is a third of one person, not
    a third in each rotation (which added up to a whole person, issue 9).
    """
    found: dict[str, float] = {}
    for schedule in schedules:
        for m in schedule.participants.members:
            found[m.id] = min(found.get(m.id, m.capacity), m.capacity)
    return dict(sorted(found.items()))


def _paged_pieces(
    schedule_plans: Iterable[SchedulePlan],
    until: datetime | None = None,
    *,
    shadow: bool = False,
) -> Iterator[tuple[str, Layer, datetime, datetime, float]]:
    """(person, layer, start, end, weeks) of every paged piece of the effective roster inside
    its plan's weeks and before ``until`` (UTC times); ``weeks`` as :func:`effective_weeks`
    counts them. ``shadow``: shadow pieces instead of paged ones."""
    from oncall_planner.plans import PAGED_LAYERS
    from oncall_planner.roster import effective_shifts, handoffs

    for sp in schedule_plans:
        bounds = [h.astimezone(UTC) for h in handoffs(sp)]
        first, last = bounds[0], bounds[-1]
        if until is not None:
            last = min(last, until.astimezone(UTC))
        for p in effective_shifts(sp):
            if (p.layer in PAGED_LAYERS) == shadow:
                continue
            a, b = max(p.start.astimezone(UTC), first), min(p.end.astimezone(UTC), last)
            if a >= b:
                continue
            weeks = 0.0
            for lo, hi in itertools.pairwise(bounds):
                x, y = max(a, lo), min(b, hi)
                if x < y:
                    weeks += (y - x) / (hi - lo)
            yield p.person, p.layer, a, b, weeks


def effective_weeks(
    schedule_plans: Iterable[SchedulePlan] | Plan,
    *,
    until: datetime | None = None,
    shadow: bool = False,
) -> dict[str, dict[Layer, float]]:
    """Person id → paged layer → weeks held, counted on the effective roster.

    Weeks are real hours ÷ 168: an override of 48 h is 2/7 of a week for the person covering
    and 2/7 less for the person covered. In a week that DST makes 167 h or 169 h long, time is
    divided by that week's real length, so a whole weekly shift is exactly one week and a
    cover moves exactly what it takes. Only time inside the plans' weeks counts. A plan
    without overrides gives whole numbers: its weekly shifts.

    Args:
        schedule_plans: The schedules' plans (``plan.schedules``, or the plan itself).
        until: Count only time before this aware instant (carry-over up to a date).
        shadow: Count the shadow layer instead of primary and secondary.

    Raises:
        TypeError: ``schedule_plans`` holds something else than schedule plans, or ``until``
            is not a datetime (the message names the parameter and what is accepted).
        ValueError: ``until`` is naive.
    """
    from oncall_planner import _args
    from oncall_planner.plans import Plan, SchedulePlan

    f = "effective_weeks"
    if isinstance(schedule_plans, Plan):
        schedule_plans = schedule_plans.schedules
    accepted = "an iterable of SchedulePlan (plan.schedules) or a Plan"
    if not isinstance(schedule_plans, Iterable) or isinstance(schedule_plans, str | bytes):
        raise _args.wrong_type(f, "schedule_plans", schedule_plans, accepted)
    schedule_plans = list(schedule_plans)
    for sp in schedule_plans:
        if not isinstance(sp, SchedulePlan):
            raise _args.wrong_type(f, "schedule_plans", sp, accepted)
    if until is not None:
        until = _args.instant_arg(f, "until", until)
    found: dict[str, dict[Layer, float]] = {}
    for person, layer, _a, _b, weeks in _paged_pieces(schedule_plans, until, shadow=shadow):
        mine = found.setdefault(person, {})
        mine[layer] = mine.get(layer, 0.0) + weeks
    return dict(sorted(found.items()))


def _window_weights(sp: SchedulePlan) -> Callable[[Layer, datetime], float]:
    """The weight of the window a layer's shift holds at an instant (1 without windows)."""
    weights = {w.name: w.weight for w in sp.windows}
    spans: dict[Layer, list[tuple[datetime, datetime, float]]] = {}
    for s in sp.shifts:
        if s.window is not None:
            spans.setdefault(s.layer, []).append(
                (s.start.astimezone(UTC), s.end.astimezone(UTC), weights.get(s.window, 1.0))
            )
    starts: dict[Layer, list[datetime]] = {}
    for layer, items in spans.items():
        items.sort()
        starts[layer] = [a for a, _, _ in items]

    def weight(layer: Layer, at: datetime) -> float:
        # One person per layer at a time: the last shift starting by ``at`` is the only one
        # that may hold it.
        items = spans.get(layer, [])
        k = bisect.bisect_right(starts.get(layer, []), at) - 1
        if k >= 0 and items[k][0] <= at < items[k][1]:
            return items[k][2]
        return 1.0

    return weight


def effective_load(
    schedule_plans: Iterable[SchedulePlan] | Plan,
    primary_weight: int,
    secondary_weight: int,
    *,
    until: datetime | None = None,
) -> dict[str, float]:
    """Person id → load held on the effective roster: :func:`load` of the weeks
    :func:`effective_weeks` counts, each piece of a coverage window weighed by the window's
    ``weight`` (:func:`window_share`: weight × hours ÷ the week's real hours). Without windows
    this is ``load`` of ``effective_weeks``; the planner's fairness summary and objective count
    the same numbers.

    Raises:
        TypeError, ValueError: As :func:`effective_weeks`.
    """
    from oncall_planner.plans import Layer, Plan

    plans: Any = schedule_plans
    if isinstance(plans, Plan):
        plans = plans.schedules
    elif isinstance(plans, Iterable) and not isinstance(plans, str | bytes):
        plans = list(plans)
    weeks = effective_weeks(plans, until=until)  # checks the arguments
    found: dict[str, float] = {}
    windowed = [sp for sp in plans if sp.windows or any(s.window for s in sp.shifts)]
    if not windowed:
        for person, held in weeks.items():
            found[person] = float(
                load(
                    held.get(Layer.PRIMARY, 0.0),
                    held.get(Layer.SECONDARY, 0.0),
                    primary_weight,
                    secondary_weight,
                )
            )
        return found
    for sp in plans:
        weight = _window_weights(sp)
        for person, layer, a, _b, part in _paged_pieces([sp], until):
            w = primary_weight if layer is Layer.PRIMARY else secondary_weight
            found[person] = found.get(person, 0.0) + float(w) * part * weight(layer, a)
    return dict(sorted(found.items()))


def on_call_weeks(schedule_plans: Iterable[SchedulePlan]) -> dict[str, float]:
    """Person id → paged (primary or secondary) weeks across these schedules' plans
    (``plan.schedules`` for a whole plan), on the effective roster (:func:`effective_weeks`):
    override time counts for whoever held the layer."""
    return {p: sum(layers.values()) for p, layers in effective_weeks(schedule_plans).items()}


def on_call_intervals(
    schedule_plans: Iterable[SchedulePlan],
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Person id → their paged intervals of the effective roster inside the plans' weeks (UTC,
    sorted; layers and schedules may overlap: take the union for hours on call)."""
    found: dict[str, list[tuple[datetime, datetime]]] = {}
    for person, _layer, a, b, _w in _paged_pieces(schedule_plans):
        found.setdefault(person, []).append((a, b))
    return {p: sorted(v) for p, v in sorted(found.items())}


def on_call_share_caps(schedules: Iterable[Schedule]) -> dict[str, float]:
    """Person id → their ``max_on_call_share`` (H010): the lowest of their own settings and
    those of every schedule they belong to; people with none set are left out."""
    caps: dict[str, float] = {}
    for schedule in schedules:
        for m in schedule.participants.members:
            for cap in (m.max_on_call_share, schedule.participants.max_on_call_share):
                if cap is not None:
                    caps[m.id] = min(caps.get(m.id, cap), cap)
    return dict(sorted(caps.items()))


def share_weeks(cap: float, weeks: int) -> int:
    """The most on-call weeks a share allows over ``weeks`` weeks (25 % of 13 weeks: 3)."""
    return math.floor(cap * weeks + 1e-9)


def balance_loads(
    schedule_plans: Iterable[SchedulePlan], eligible: Iterable[str], capacity: Mapping[str, float]
) -> dict[str, float]:
    """The loads a schedule's balance score is computed on: on-call weeks over capacity.

    ``schedule_plans`` are every schedule of the plan (the org); ``eligible`` are the schedule's
    members who may be on call at some point of it (people with no on-call time count: Grafana
    forgets them); ``capacity`` is :func:`org_capacity`. Weeks are counted across the org, so a
    person shared by three rotations who carries one person's share is balanced, not an outlier
    at a third of the weeks in each.
    """
    weeks = on_call_weeks(schedule_plans)
    return {p: weeks.get(p, 0) / capacity.get(p, 1.0) for p in sorted(set(eligible))}


def holiday_overlap(
    shift_start: datetime, shift_end: datetime, day_start: datetime, day_end: datetime
) -> float:
    """The share (0..1) of a holiday's local day (``day_start``–``day_end``) inside a shift.

    Easter Monday in a Monday 10:00 handoff rotation is 10/24 in the week that ends that
    morning and 14/24 in the week that starts then: together one holiday, not two holiday weeks.
    Days of 23 or 25 hours (DST) are shared by their real length.
    """
    a = max(shift_start, day_start).astimezone(UTC)
    b = min(shift_end, day_end).astimezone(UTC)
    length = (day_end.astimezone(UTC) - day_start.astimezone(UTC)).total_seconds()
    if b <= a or length <= 0:
        return 0.0
    return (b - a).total_seconds() / length


def water_fill(
    total: float, share: Mapping[str, float], correction: Mapping[str, float]
) -> dict[str, float]:
    """Targets ``max(0, share·λ + correction)`` that add up to ``total``.

    ``share`` sums to 1; ``correction`` moves load between people (history). The level λ may
    be negative: with large history on two of three members the third one's target is the
    whole load and the others get 0, never more than the plan holds (a level kept at 0 gave
    the third member 17.7 of 12 load units, and the planner declared a plannable team
    infeasible: issue 9).

    >>> water_fill(12.0, {"a": 0.5, "b": 0.5}, {"a": -2.0, "b": 2.0})
    {'a': 4.0, 'b': 8.0}
    """

    if not share or total <= 0 or sum(share.values()) <= 0:
        return dict.fromkeys(share, 0.0)
    # f(λ) = Σ max(0, share·λ + correction) is piecewise linear and non-decreasing: a person
    # counts from their breakpoint -correction/share up. Walk the breakpoints upwards to the
    # segment where f reaches ``total``.
    fixed = sum(max(0.0, correction.get(p, 0.0)) for p in share if share[p] <= 0)
    rising = sorted((-correction.get(p, 0.0) / share[p], p) for p in share if share[p] > 0)
    slope = intercept = level = 0.0
    for k, (_, p) in enumerate(rising):
        slope += share[p]
        intercept += correction.get(p, 0.0)
        upper = rising[k + 1][0] if k + 1 < len(rising) else math.inf
        level = (total - fixed - intercept) / slope
        if level <= upper:
            break
    return {p: max(0.0, share[p] * level + correction.get(p, 0.0)) for p in share}


def org_fair_shares(
    totals: Mapping[str, float],
    weight: Mapping[tuple[str, str], float],
    capacity: Mapping[str, float],
    past: Mapping[str, float],
    history_weight: float,
    *,
    rounds: int = 500,
) -> dict[tuple[str, str], float]:
    """Each person's fair share of each rotation's load, one share per person across the org.

    Args:
        totals: Rotation → the load it hands out.
        weight: (rotation, person) → capacity × weeks the person is available in it.
        capacity: Person → capacity (counted once).
        past: Person → load served before (history, counted once); only people in it take
            part in the history correction (trainees are left out by the caller).
        history_weight: How much of the past imbalance to repay (0..1).
        rounds: Iterations of the split among rotations.

    Returns:
        (rotation, person) → target load; a person's fair share is the sum over rotations.

    A person in one rotation gets the rotation's load shared by ``weight`` and corrected for
    history (:func:`water_fill`). A person in several rotations is split among them
    (``α``, summing to 1): each rotation sees their weight × α, and α moves toward the rotations
    that hand out more load per unit of weight until those are level (a proportional-response
    iteration). Sam in three 5-person rotations gets one person's share, a third in each.
    """
    rotations: dict[str, list[str]] = {}
    for r, p in sorted(weight):
        rotations.setdefault(r, []).append(p)
    of: dict[str, list[str]] = {}
    for r, people in rotations.items():
        for p in people:
            of.setdefault(p, []).append(r)
    alpha = {(r, p): 1.0 / len(of[p]) for r, people in rotations.items() for p in people}
    shared = {p for p, rs in of.items() if len(rs) > 1}
    # Only rotations linked by shared people need the iteration.
    linked = {r for p in shared for r in of[p]}

    def solve(r: str) -> dict[str, float]:
        people = rotations[r]
        w = {p: weight[(r, p)] * alpha[(r, p)] for p in people}
        mass = sum(w.values())
        if mass <= 0:
            return dict.fromkeys(people, 0.0)
        share = {p: w[p] / mass for p in people}
        veterans = [p for p in people if p in past and weight[(r, p)] > 0]
        cap = sum(capacity.get(p, 1.0) * alpha[(r, p)] for p in veterans)
        correction: dict[str, float] = {}
        if cap > 0:
            per_cap = sum(alpha[(r, p)] * past[p] for p in veterans) / cap
            for p in veterans:
                correction[p] = (
                    history_weight * alpha[(r, p)] * (per_cap * capacity.get(p, 1.0) - past[p])
                )
        return water_fill(totals.get(r, 0.0), share, correction)

    def pressure(r: str) -> float:
        mass = sum(weight[(r, p)] * alpha[(r, p)] for p in rotations[r])
        return totals.get(r, 0.0) / mass if mass > 0 else 0.0

    for _ in range(rounds if linked else 0):
        level = {r: pressure(r) for r in sorted(linked)}
        moved = 0.0
        for p in sorted(shared):
            raw = {r: alpha[(r, p)] * level[r] for r in of[p] if weight[(r, p)] > 0}
            norm = sum(raw.values())
            if norm <= 0:
                continue
            for r, v in raw.items():
                moved = max(moved, abs(alpha[(r, p)] - v / norm))
                alpha[(r, p)] = v / norm
        if moved < 1e-9:
            break
    targets: dict[tuple[str, str], float] = {}
    for r in rotations:
        for p, t in solve(r).items():
            targets[(r, p)] = t
    return targets
