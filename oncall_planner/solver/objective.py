"""The soft goals, in priority order, and the weights that make the order strict.

Priority (highest first):

1. ``FairLoad``: each member's load (primary weeks × ``primary_weight`` + secondary weeks ×
   ``secondary_weight``) against a fair share that counts capacity, availability and the
   imbalance carried over from history: minimise the worst excess outside the band
   ``floor(share) ≤ load ≤ ceil(share)``, then the total excess; then the same for primary weeks.
2. ``HolidaySpread``: the most holiday weeks on call held by one member.
3. ``Spacing``: on-call weeks closer than ``spacing_weeks`` (back-to-back weeks cost most).
4. ``Stability``: assignments of the previous plan (after the frozen weeks) that change.
5. ``Preferences``: on-call weeks a member asked to avoid, and wished-for weeks not given.

Each goal is an integer expression with known bounds ``lb ≤ goal ≤ ub``. The weights are built
from the bottom: ``weight(5) = 1`` and ``weight(k) = 1 + Σ_{j>k} weight(j)·(ub_j − lb_j)``. One
unit of goal k is then worth more than every lower goal's whole range together, so the weighted
sum is minimised exactly when the goals are minimised lexicographically (see docs/planner.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Protocol

from ortools.sat.python import cp_model

from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Instance, Rotation
from oncall_planner.solver.model import ModelBuilder
from oncall_planner.solver.options import PlanOptions

__all__ = [
    "SOFT_GOALS",
    "FairLoad",
    "GoalTerm",
    "HolidaySpread",
    "Preferences",
    "SoftGoal",
    "Spacing",
    "Stability",
    "add_objective",
    "fair_targets",
    "lexicographic_weights",
    "ranked_goals",
]

Expr = cp_model.LinearExprT


@dataclass(frozen=True)
class GoalTerm:
    """A goal's expression with bounds valid for every feasible plan."""

    expr: Expr
    lb: int
    ub: int


class SoftGoal(Protocol):
    """A soft goal: an integer measure to minimise."""

    name: ClassVar[str]

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """The goal's expression (None when it does not apply)."""


def available_weeks(instance: Instance, rot: Rotation, person: str) -> int:
    """Weeks in which the person may hold at least one layer."""
    return sum(
        1
        for w in range(rot.n_weeks)
        if any(instance.allowed(rot.index, person, w, layer) for layer in rot.layers)
    )


def history_load(rot: Rotation, person: str, options: PlanOptions) -> int:
    """The person's past load in load units."""
    h = rot.members[person].history
    return options.primary_weight * h.primary_weeks + options.secondary_weight * h.secondary_weeks


def fair_targets(instance: Instance, rot: Rotation, options: PlanOptions) -> dict[str, float]:
    """Each member's fair share of this plan's load.

    The plan's load is shared in proportion to capacity × available weeks. The history part
    moves load from those who served more (per unit of capacity) to those who served less;
    trainees still shadowing have no meaningful history and are left out of it. Targets never go
    below 0: water-filling finds the level ``λ`` with ``Σ max(0, share·λ + correction) = load``.
    """
    pw, sw = options.primary_weight, options.secondary_weight
    total = rot.n_weeks * (pw + (sw if Layer.SECONDARY in rot.layers else 0))
    avail = {p: available_weeks(instance, rot, p) for p in rot.members}
    weight = {p: rot.members[p].capacity * avail[p] for p in rot.members}
    mass = sum(weight.values())
    if mass <= 0:
        return dict.fromkeys(rot.members, 0.0)
    share = {p: weight[p] / mass for p in rot.members}
    veterans = [p for p in rot.members if rot.need.get(p, 0) == 0 and avail[p] > 0]
    past = {p: history_load(rot, p, options) for p in veterans}
    cap = sum(rot.members[p].capacity for p in veterans)
    correction = dict.fromkeys(rot.members, 0.0)
    if cap > 0:
        per_cap = sum(past.values()) / cap
        for p in veterans:
            correction[p] = options.history_weight * (per_cap * rot.members[p].capacity - past[p])

    def filled(level: float) -> float:
        return sum(max(0.0, share[p] * level + correction[p]) for p in rot.members)

    lo, hi = 0.0, float(total) + sum(abs(c) for c in correction.values()) + 1.0
    while filled(hi) < total:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if filled(mid) < total:
            lo = mid
        else:
            hi = mid
    return {p: max(0.0, share[p] * hi + correction[p]) for p in rot.members}


class FairLoad:
    """Priority 1: every load within its fair share, rounded down or up.

    A fair share is rarely whole (7.8 load units), so the ideal is ``floor ≤ load ≤ ceil``;
    each unit outside that band is an excess. Minimise the worst member's excess, then the
    total, then the same for primary weeks alone (so that nobody collects all the primaries
    while others hold secondaries). The ideal band makes the linear relaxation exact when
    the ideal is reachable, which it usually is: the solver then proves optimality at once,
    where a min-max of fractional deviations took seconds on six people (docs/planner.md).
    """

    name: ClassVar[str] = "fair load"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """n·(worst excess) + Σ excess, for the load and (with a secondary) primary weeks."""
        model = m.model
        parts: list[Expr] = []
        ub = 0
        for rot in m.rotations:
            people = [p for p in rot.members if m.x.on_call_weeks(rot.index, p)]
            if not people:
                continue
            targets = fair_targets(m.instance, rot, options)
            n = len(people)
            total = sum(targets.values())
            measures: list[tuple[str, dict[str, Expr], dict[str, float], int]] = []
            load: dict[str, Expr] = {}
            for p in people:
                load[p] = options.primary_weight * sum(
                    m.x.in_layer(rot.index, p, Layer.PRIMARY)
                ) + options.secondary_weight * sum(m.x.in_layer(rot.index, p, Layer.SECONDARY))
            measures.append(("load", load, targets, options.primary_weight * rot.n_weeks))
            if Layer.SECONDARY in rot.layers and total > 0:
                primary: dict[str, Expr] = {
                    p: sum(m.x.in_layer(rot.index, p, Layer.PRIMARY)) for p in people
                }
                shares = {p: rot.n_weeks * targets[p] / total for p in people}
                measures.append(("primary", primary, shares, rot.n_weeks))
            for kind, value, goal, top in measures:
                worst = model.new_int_var(0, top, f"{rot.name}:fair:{kind}:max_excess")
                excesses = []
                for p in people:
                    low, high = math.floor(goal[p] + 1e-9), math.ceil(goal[p] - 1e-9)
                    e = model.new_int_var(0, top, f"{rot.name}:fair:{kind}:excess:{p}")
                    model.add(e >= value[p] - high)
                    model.add(e >= low - value[p])
                    model.add(worst >= e)
                    excesses.append(e)
                # The load counts more than the primary split inside this goal.
                scale = 4 if kind == "load" else 1
                parts.append(scale * (n * worst + sum(excesses)))
                ub += scale * 2 * n * top
        if not parts:
            return None
        return GoalTerm(sum(parts), 0, ub)


class HolidaySpread:
    """Priority 2: nobody collects the holiday weeks."""

    name: ClassVar[str] = "holiday spread"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """The most holiday weeks on call held by one member, per schedule."""
        parts: list[Expr] = []
        ub = 0
        for rot in m.rotations:
            holiday_weeks = sorted(rot.problem.holiday_weeks)
            if not holiday_weeks:
                continue
            worst = m.model.new_int_var(0, len(holiday_weeks), f"{rot.name}:holiday:max")
            for p in rot.members:
                held = [v for w in holiday_weeks for v in m.x.on_call(rot.index, p, w)]
                if held:
                    m.model.add(worst >= sum(held))
            parts.append(worst)
            ub += len(holiday_weeks)
        if not parts:
            return None
        return GoalTerm(sum(parts), 0, ub)


class Spacing:
    """Priority 3: long gaps between stints; back-to-back weeks only when needed.

    For every window of ``spacing_weeks`` consecutive weeks, the on-call weeks beyond the first
    cost one unit each, so back-to-back weeks (in two windows) cost more than weeks one apart.
    """

    name: ClassVar[str] = "spacing"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """Σ over people and windows of ``max(0, on-call weeks in the window − 1)``."""
        g = options.spacing_weeks
        parts: list[Expr] = []
        ub = 0
        for rot in m.rotations:
            # In a window of g weeks the L layers hold at most g·L roles, by at least L
            # different people (one role per person-week), so the excess summed over people
            # is at most (g - 1)·L. Windows reaching back before week 0 exist only for members
            # on call right before it: at most g - 1 such windows each, of excess ≤ g - 1.
            layers = len(rot.layers)
            carried_people = sum(1 for p in rot.members if rot.run_before.get(p, 0))
            ub += (rot.n_weeks - 1) * (g - 1) * layers + (g - 1) ** 2 * carried_people
            for p in rot.members:
                weeks = m.x.on_call_weeks(rot.index, p)
                if not weeks:
                    continue
                carried = 1 if rot.run_before.get(p, 0) else 0
                for first in range(-(g - 1) if carried else 0, rot.n_weeks - 1):
                    variables = [v for w in range(first, first + g) for v in weeks.get(w, [])]
                    # Week -1 counts when the member was on call right before the plan.
                    const = carried if first < 0 else 0
                    if len(variables) + const < 2:
                        continue
                    top = len(variables) + const - 1
                    e = m.model.new_int_var(0, top, f"{rot.name}:spacing:{p}:w{first}")
                    m.model.add(e >= sum(variables) + const - 1)
                    parts.append(e)
        if not parts:
            return None
        return GoalTerm(sum(parts), 0, ub)


class Stability:
    """Priority 4: with a previous plan, change as few assignments after the frozen weeks."""

    name: ClassVar[str] = "stability"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """The number of previous (week, layer) assignments that are not kept."""
        kept: list[Expr] = []
        count = 0
        for rot in m.rotations:
            for (w, layer), p in sorted(
                rot.previous.items(), key=lambda kv: (kv[0][0], kv[0][1].order)
            ):
                count += 1
                var = m.x.get(rot.index, p, w, layer)
                if var is not None:
                    kept.append(var)
        if not count:
            return None
        return GoalTerm(count - sum(kept), 0, count)


class Preferences:
    """Priority 5: honour ``avoid_weeks`` and ``prefer_weeks``."""

    name: ClassVar[str] = "preferences"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """On-call weeks to avoid that are given, plus wished-for weeks that are not."""
        parts: list[Expr] = []
        ub = 0
        for rot in m.rotations:
            for p, member in rot.members.items():
                for w in sorted(rot.problem.weeks_holding(member.avoid_weeks)):
                    variables = m.x.on_call(rot.index, p, w)
                    if variables:
                        parts.append(sum(variables))
                        ub += 1
                for w in sorted(rot.problem.weeks_holding(member.prefer_weeks)):
                    variables = m.x.on_call(rot.index, p, w)
                    if variables:
                        parts.append(1 - sum(variables))
                        ub += 1
        if not parts:
            return None
        return GoalTerm(sum(parts), 0, ub)


#: The soft goals, highest priority first.
SOFT_GOALS: tuple[SoftGoal, ...] = (
    FairLoad(),
    HolidaySpread(),
    Spacing(),
    Stability(),
    Preferences(),
)


def ranked_goals(m: ModelBuilder, options: PlanOptions) -> tuple[SoftGoal, ...]:
    """The soft goals in the order this model ranks them, highest first.

    Without a previous plan: :data:`SOFT_GOALS`. With one (a re-plan), keeping published
    shifts ranks above every fairness goal: a change is made only when a hard rule forces it
    (time off added, a member gone), so unchanged inputs give the previous plan back and one
    new week of time off moves the fewest shifts that make the plan valid again (the shortest
    swap chain). Fairness then decides *who* takes the freed weeks. With ``max_changes`` above
    0, preferences rank first, inside a budget of that many changes beyond the forced ones
    (the planner adds that bound, see ``api._bound_changes``): ``avoid_weeks``/``prefer_weeks``
    added after publishing are honoured when a change can do it.
    """
    if not any(rot.previous for rot in m.rotations):
        return SOFT_GOALS
    stability, preferences = Stability(), Preferences()
    rest = tuple(g for g in SOFT_GOALS if g.name not in (stability.name, preferences.name))
    if options.max_changes > 0:
        return (preferences, stability, *rest)
    return (stability, *rest, preferences)


def lexicographic_weights(ranges: list[int]) -> list[int]:
    """Weights for goals ranked highest first, given each goal's range ``ub − lb``.

    ``weights[k] = 1 + Σ_{j>k} weights[j]·ranges[j]``: one unit of goal k outweighs every lower
    goal at its worst, so the weighted sum orders plans lexicographically.

    >>> lexicographic_weights([100, 5, 3])
    [24, 4, 1]
    """
    weights = [0] * len(ranges)
    below = 0
    for k in range(len(ranges) - 1, -1, -1):
        weights[k] = 1 + below
        below += weights[k] * ranges[k]
    return weights


def add_objective(m: ModelBuilder, options: PlanOptions) -> list[tuple[str, int, GoalTerm]]:
    """Add the weighted objective; return (goal name, weight, term) for each goal present."""
    terms = [(g.name, g.term(m, options)) for g in ranked_goals(m, options)]
    present = [(name, t) for name, t in terms if t is not None]
    if not present:
        return []
    weights = lexicographic_weights([t.ub - t.lb for _, t in present])
    m.model.minimize(sum(w * t.expr for w, (_, t) in zip(weights, present, strict=True)))
    return [(name, w, t) for w, (name, t) in zip(weights, present, strict=True)]
