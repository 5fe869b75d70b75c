"""The soft goals, in priority order, and the weights that make the order strict.

Priority (highest first):

1. ``FairLoad``: each member's load (primary weeks × ``primary_weight`` + secondary weeks ×
   ``secondary_weight``) against a fair share that counts capacity, availability and the
   imbalance carried over from history: minimise the worst excess outside the band
   ``floor(share) ≤ load ≤ ceil(share)``, then the total excess; then the same for primary weeks.
   A person in several schedules is measured once, on their org totals against their one org
   fair share (:func:`org_targets`).
2. ``WindowSpread`` (coverage windows only): each window's weeks spread among its members.
3. ``HolidaySpread``: the largest holiday burden (share of holiday days inside one's shifts,
   summed over one's schedules) held by a member of each schedule.
4. ``Spacing``: on-call weeks closer than ``spacing_weeks`` (back-to-back weeks cost most).
5. ``Stability``: assignments of the previous plan (after the frozen weeks) that change.
6. ``Preferences``: on-call weeks a member asked to avoid, and wished-for weeks not given.

Each goal is an integer expression with known bounds ``lb ≤ goal ≤ ub``. The weights are built
from the bottom: ``weight(last) = 1`` and ``weight(k) = 1 + Σ_{j>k} weight(j)·(ub_j − lb_j)``. One
unit of goal k is then worth more than every lower goal's whole range together, so the weighted
sum is minimised exactly when the goals are minimised lexicographically (see docs/planner.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ortools.sat.python import cp_model

from oncall_planner.fairness import load, org_capacity, org_fair_shares
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
    "WindowSpread",
    "add_objective",
    "cell_load",
    "fair_targets",
    "lexicographic_weights",
    "org_targets",
    "person_targets",
    "pro_rata_allowances",
    "ranked_goals",
    "spread_allowances",
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


def history_load(rot: Rotation, person: str, options: PlanOptions) -> float:
    """The person's past load in load units (fractional weeks count: a cover is repaid)."""
    h = rot.members[person].history
    pw, sw = options.primary_weight, options.secondary_weight
    return float(load(h.primary_weeks, h.secondary_weeks, pw, sw))


def rotation_load(rot: Rotation, options: PlanOptions) -> float:
    """The load a rotation hands out over the horizon (every paged layer, every week; a
    window's weeks each worth :meth:`Rotation.share`)."""
    weeks = rot.n_weeks
    if rot.window is not None:
        layers = options.primary_weight + (
            options.secondary_weight if Layer.SECONDARY in rot.layers else 0
        )
        return layers * sum(rot.share(w) for w in range(weeks))
    return int(
        load(
            weeks,
            weeks if Layer.SECONDARY in rot.layers else 0,
            options.primary_weight,
            options.secondary_weight,
        )
    )


def org_targets(instance: Instance, options: PlanOptions) -> dict[tuple[int, str], float]:
    """(rotation index, person) → the person's fair share of that rotation's load.

    One fair share per person across the org (:func:`oncall_planner.fairness.org_fair_shares`):
    capacity counted once (the smallest entry), history counted once (the first schedule that
    records any, by name), availability per rotation. Trainees still shadowing take no part in
    the history correction. Computed once per instance and weights.
    """
    key = (options.primary_weight, options.secondary_weight, options.history_weight)
    cached = instance.fair_cache.get(key)
    if cached is not None:
        return cached
    names = {rot.index: f"{rot.index:06d}" for rot in instance.rotations}
    capacity = org_capacity(rot.schedule for rot in instance.rotations)
    totals = {names[rot.index]: float(rotation_load(rot, options)) for rot in instance.rotations}
    weight: dict[tuple[str, str], float] = {}
    past: dict[str, float] = {}
    for rot in instance.rotations:
        for p in rot.members:
            avail = available_weeks(instance, rot, p)
            weight[(names[rot.index], p)] = capacity[p] * avail
            if rot.need.get(p, 0) == 0 and avail > 0:
                h = float(history_load(rot, p, options))
                if p not in past or (past[p] == 0 and h > 0):
                    past[p] = h
    shares = org_fair_shares(totals, weight, capacity, past, options.history_weight)
    back = {v: k for k, v in names.items()}
    result = {(back[r], p): t for (r, p), t in shares.items()}
    instance.fair_cache[key] = result
    return result


def fair_targets(instance: Instance, rot: Rotation, options: PlanOptions) -> dict[str, float]:
    """Each member's fair share of this rotation's load.

    The load is shared in proportion to capacity × available weeks; the history part moves
    load from those who served more (per unit of capacity) to those who served less; a person
    in several rotations carries one person's share, split among them (:func:`org_targets`).
    Targets never go below 0 and add up to the rotation's load.
    """
    targets = org_targets(instance, options)
    return {p: targets.get((rot.index, p), 0.0) for p in rot.members}


def person_targets(instance: Instance, options: PlanOptions) -> dict[str, float]:
    """Person → their org fair share: the sum of their shares over their rotations."""
    found: dict[str, float] = {}
    for (_, p), t in sorted(org_targets(instance, options).items()):
        found[p] = found.get(p, 0.0) + t
    return found


class FairLoad:
    """Priority 1: every person's load within their fair share, rounded down or up.

    A fair share is rarely whole (7.8 load units), so the ideal is ``floor ≤ load ≤ ceil``;
    each unit outside that band is an excess. A person is one person across the org: their
    load and share are summed over every rotation they belong to, and measured once. Minimise
    each rotation's worst member's excess, then the total, then the same for primary weeks
    alone (so that nobody collects all the primaries while others hold secondaries). The ideal
    band makes the linear relaxation exact when the ideal is reachable, which it usually is:
    the solver then proves optimality at once, where a min-max of fractional deviations took
    seconds on six people (docs/planner.md).
    """

    name: ClassVar[str] = "fair load"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """Σ rotations n·(worst excess) + Σ people excess, for load and primary weeks."""
        if m.instance.windowed:
            return _windowed_fair_load(m, options)
        model = m.model
        targets = org_targets(m.instance, options)
        pw, sw = options.primary_weight, options.secondary_weight
        # Person → their load, primary weeks, targets and the most they could hold, org-wide.
        value: dict[str, dict[str, Expr]] = {"load": {}, "primary": {}}
        goal: dict[str, dict[str, float]] = {"load": {}, "primary": {}}
        top: dict[str, dict[str, int]] = {"load": {}, "primary": {}}
        members: dict[int, list[str]] = {}
        for rot in m.rotations:
            people = [p for p in rot.members if m.x.on_call_weeks(rot.index, p)]
            if not people:
                continue
            members[rot.index] = people
            total = sum(targets.get((rot.index, p), 0.0) for p in rot.members)
            for p in people:
                prim = sum(m.x.in_layer(rot.index, p, Layer.PRIMARY))
                sec = sum(m.x.in_layer(rot.index, p, Layer.SECONDARY))
                t = targets.get((rot.index, p), 0.0)
                share = rot.n_weeks * t / total if total > 0 else 0.0
                for kind, v, g, most in (
                    ("load", load(prim, sec, pw, sw), t, pw * rot.n_weeks),
                    ("primary", prim, share, rot.n_weeks),
                ):
                    before: Any = value[kind].get(p, 0)
                    value[kind][p] = before + v
                    goal[kind][p] = goal[kind].get(p, 0.0) + g
                    top[kind][p] = top[kind].get(p, 0) + most
        if not members:
            return None
        uses_primary = any(Layer.SECONDARY in m.rotations[r].layers for r in members)
        parts: list[Expr] = []
        ub = 0
        for kind in ("load", "primary") if uses_primary else ("load",):
            excess: dict[str, cp_model.IntVar] = {}
            bound: dict[str, int] = {}
            for p in sorted(value[kind]):
                low = math.floor(goal[kind][p] + 1e-9)
                high = math.ceil(goal[kind][p] - 1e-9)
                # The excess is at most the larger of the load's range and the share itself.
                bound[p] = max(top[kind][p], high)
                e = model.new_int_var(0, bound[p], f"fair:{kind}:excess:{p}")
                model.add(e >= value[kind][p] - high)
                model.add(e >= low - value[kind][p])
                excess[p] = e
            # The load counts more than the primary split inside this goal.
            scale = 4 if kind == "load" else 1
            for r, people in sorted(members.items()):
                rot = m.rotations[r]
                if kind == "primary" and Layer.SECONDARY not in rot.layers:
                    continue
                worst_top = max(bound[p] for p in people)
                worst = model.new_int_var(0, worst_top, f"{rot.name}:fair:{kind}:max_excess")
                for p in people:
                    model.add(worst >= excess[p])
                parts.append(scale * len(people) * worst)
                ub += scale * len(people) * worst_top
            parts.append(scale * sum(excess.values()))
            ub += scale * sum(bound.values())
        return GoalTerm(sum(parts), 0, ub)


#: Load units are scaled by this in the objective of plans with coverage windows, whose
#: rotation weeks are worth fractions of a week (integer coefficients).
LOAD_SCALE = 100


def cell_load(rot: Rotation, week: int, layer: Layer, options: PlanOptions) -> int:
    """A cell's load in :data:`LOAD_SCALE` units: layer weight × :meth:`Rotation.share`."""
    weight = options.primary_weight if layer is Layer.PRIMARY else options.secondary_weight
    return round(LOAD_SCALE * float(load(1, 0, weight, 0)) * rot.share(week))


def _windowed_fair_load(m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
    """FairLoad when some rotation is a coverage window: loads in scaled integers.

    Rotation weeks weigh :func:`cell_load`, so a load is rarely a whole number of weeks; the
    ideal band is the fair share ± (just under) the person's heaviest cell: handing each cell
    to whoever is furthest below their share ends with everyone inside it, so a plan can reach
    it and the stage is proven by its floor. A band half as wide was out of reach for 7
    people sharing 26 weekday and weekend cells (27 s unproven). Inside the band, the primary
    split is balanced by counts as for whole weeks (2 primary + 2 secondary each, not 3 + 1).
    """
    model = m.model
    targets = org_targets(m.instance, options)
    value: dict[str, list[Expr]] = {}
    goal: dict[str, float] = {}
    top: dict[str, int] = {}
    heaviest: dict[str, int] = {}
    members: dict[int, list[str]] = {}
    for rot in m.rotations:
        people = [p for p in rot.members if m.x.on_call_weeks(rot.index, p)]
        if not people:
            continue
        members[rot.index] = people
        for p in people:
            most = 0
            for w, _variables in sorted(m.x.on_call_weeks(rot.index, p).items()):
                costs = []
                for layer in rot.layers:
                    var = m.x.get(rot.index, p, w, layer)
                    if var is None:
                        continue
                    c = cell_load(rot, w, layer, options)
                    value.setdefault(p, []).append(c * var)
                    costs.append(c)
                most += max(costs, default=0)
                heaviest[p] = max(heaviest.get(p, 0), *costs, 1)
            goal[p] = goal.get(p, 0.0) + LOAD_SCALE * targets.get((rot.index, p), 0.0)
            top[p] = top.get(p, 0) + most
    if not members:
        return None
    excess: dict[str, cp_model.IntVar] = {}
    bound: dict[str, int] = {}
    for p in sorted(value):
        low = math.floor(goal[p] - heaviest[p] + 1e-9) + 1
        high = max(low, math.ceil(goal[p] + heaviest[p] - 1e-9) - 1)
        bound[p] = max(top[p], high, 0)
        e = model.new_int_var(0, bound[p], f"fair:load:excess:{p}")
        total = sum(value[p])
        model.add(e >= total - high)
        model.add(e >= low - total)
        excess[p] = e
    parts: list[Expr] = []
    ub = 0
    for r, people in sorted(members.items()):
        rot = m.rotations[r]
        worst_top = max(bound[p] for p in people)
        worst = model.new_int_var(0, worst_top, f"{rot.name}:fair:load:max_excess")
        for p in people:
            model.add(worst >= excess[p])
        parts.append(len(people) * worst)
        ub += len(people) * worst_top
    parts.append(sum(excess.values()))
    ub += sum(bound.values())
    # The primary split, in cells against each person's part of each rotation's weeks, inside
    # floor..ceil, as FairLoad does for whole weeks (counted once, without the worst term).
    primary: dict[str, list[Expr]] = {}
    share: dict[str, float] = {}
    for r, people in sorted(members.items()):
        rot = m.rotations[r]
        if Layer.SECONDARY not in rot.layers:
            continue
        handed = sum(targets.get((r, q), 0.0) for q in rot.members)
        for p in people:
            primary.setdefault(p, []).extend(m.x.in_layer(r, p, Layer.PRIMARY))
            t = targets.get((r, p), 0.0)
            share[p] = share.get(p, 0.0) + (rot.n_weeks * t / handed if handed > 0 else 0.0)
    for p in sorted(primary):
        if not primary[p]:
            continue
        low = math.floor(share[p] + 1e-9)
        high = math.ceil(share[p] - 1e-9)
        most = max(len(primary[p]), high)
        e = model.new_int_var(0, most, f"fair:primary:excess:{p}")
        model.add(e >= sum(primary[p]) - high)
        model.add(e >= low - sum(primary[p]))
        parts.append(e)
        ub += most
    return GoalTerm(sum(parts), 0, ub)


#: A member's pro-rata count of a window's cells is rounded up only past this fraction: with
#: 7 people and one shifted by time off, the others' pro-rata at week 6 was 1.008 and a second
#: weekend before everyone had one cost nothing.
SPREAD_TOLERANCE = 0.1


def pro_rata_allowances(shares: dict[str, float], weeks: int, layers: int) -> dict[str, list[int]]:
    """Member → the most cells of a window they may hold in weeks ``0..k``, for each ``k``:
    their part of the window's ``weeks × layers`` cells (``shares``: their fair shares of its
    load), pro rata, rounded up past :data:`SPREAD_TOLERANCE` (see :class:`WindowSpread`).

    >>> pro_rata_allowances({"a": 1.0, "b": 1.0, "c": 1.0}, 6, 1)["a"]
    [1, 1, 1, 2, 2, 2]
    """
    total = sum(shares.values())
    if len(shares) < 2 or total <= 0:
        return {}
    slots = weeks * layers
    return {
        p: [math.ceil(slots * t / total * (k + 1) / weeks - SPREAD_TOLERANCE) for k in range(weeks)]
        for p, t in shares.items()
    }


def spread_allowances(
    instance: Instance, rot: Rotation, options: PlanOptions
) -> dict[str, list[int]]:
    """:func:`pro_rata_allowances` of a window's rotation (empty without a window)."""
    if rot.window is None:
        return {}
    shares = fair_targets(instance, rot, options)
    return pro_rata_allowances(shares, rot.n_weeks, len(rot.layers))


class WindowSpread:
    """Priority 2 (plans with coverage windows only): each window's weeks spread among the
    members who may hold it, so that nobody gets a second weekend before everyone had one.

    A member's fair count of a window's cells is their part of it (their fair share of the
    window's load, :func:`org_targets`, over everyone's). At every week ``k`` of the horizon,
    the cells they hold in weeks ``0..k`` may be at most the pro-rata part of that count,
    rounded up; each cell beyond costs one unit. With ``n`` equal members on ``L`` layers
    nobody holds a second cell before week ``n ÷ L``: everyone has had one. Time off and
    unequal shares move the counts (availability is in the share), so a plan usually reaches 0,
    and the stage is proven by its floor.
    """

    name: ClassVar[str] = "window spread"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """Σ over windows, members and weeks k of ``max(0, cells in 0..k − ⌈pro-rata⌉)``."""
        parts: list[Expr] = []
        ub = 0
        for rot in m.rotations:
            people = [p for p in rot.members if m.x.on_call_weeks(rot.index, p)]
            allowances = spread_allowances(m.instance, rot, options)
            if len(people) < 2 or not allowances:
                continue
            for p in people:
                weeks = m.x.on_call_weeks(rot.index, p)
                held: list[cp_model.IntVar] = []
                for k, allowed in enumerate(allowances[p]):
                    held += weeks.get(k, [])
                    if len(held) <= allowed:
                        continue
                    top = len(held) - allowed
                    e = m.model.new_int_var(0, top, f"{rot.name}:spread:{p}:w{k}")
                    m.model.add(e >= sum(held) - allowed)
                    parts.append(e)
                    ub += top
        if not parts:
            return None
        return GoalTerm(sum(parts), 0, ub)


class HolidaySpread:
    """Priority 2: nobody collects the holidays.

    A person's holiday burden is the share of each holiday's local day inside their shifts
    (:func:`oncall_planner.fairness.holiday_overlap`), in hundredths of a day, summed over
    every rotation they belong to; each rotation minimises its most burdened member.
    """

    name: ClassVar[str] = "holiday spread"

    def term(self, m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
        """Σ rotations of the largest holiday burden held by one of their members."""
        burden: dict[str, list[Expr]] = {}
        most: dict[str, int] = {}
        rotations = []
        for rot in m.rotations:
            weeks = {w: round(100 * x) for w, x in sorted(rot.problem.holiday_share.items())}
            weeks = {w: x for w, x in weeks.items() if x > 0}
            if not weeks:
                continue
            rotations.append((rot, weeks))
            for p in rot.members:
                for w, x in weeks.items():
                    burden.setdefault(p, []).extend(x * v for v in m.x.on_call(rot.index, p, w))
                most[p] = most.get(p, 0) + sum(weeks.values())
        parts: list[Expr] = []
        lb = ub = 0
        for rot, weeks in rotations:
            people = [p for p in rot.members if burden.get(p)]
            if not people:
                continue
            top = max(most[p] for p in people)
            least = min(top, holiday_floor(weeks, len(rot.layers), len(people)))
            worst = m.model.new_int_var(least, top, f"{rot.name}:holiday:max")
            for p in people:
                m.model.add(worst >= sum(burden[p]))
            parts.append(worst)
            lb += least
            ub += top
        if not parts:
            return None
        return GoalTerm(sum(parts), lb, ub)


def holiday_floor(weeks: dict[int, int], layers: int, people: int) -> int:
    """The least a rotation's most burdened member can hold, in hundredths of a holiday day.

    ``weeks`` maps holiday weeks to their burden. Every layer of every week is held by one of
    the rotation's ``people`` (H001), so someone holds the heaviest holiday week, and the
    burden handed out, ``layers × Σ weeks``, is shared by at most ``people``: the most burdened
    member holds at least the larger of the two (their burden in other schedules only adds).
    The solver's linear bound is far weaker (an org's holiday stage ended at 500 against a
    bound of 292 after 15 s; this floor is 500, proven at once).

    >>> holiday_floor({3: 100, 9: 42, 10: 58}, 2, 10)
    100
    >>> holiday_floor({3: 100, 9: 100}, 2, 3)
    134
    """
    if not weeks:
        return 0
    return max(max(weeks.values()), -(-layers * sum(weeks.values()) // max(1, people)))


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
        for group in m.instance.schedule_groups():
            # A schedule with windows counts a week once, whichever windows it holds.
            rot = m.rotations[group[0]]
            run_before: dict[str, int] = {}
            for r in group:
                run_before.update(m.rotations[r].run_before)
            # In a window of g weeks the L layers hold at most g·L roles, by at least L
            # different people (one role per person-week), so the excess summed over people
            # is at most (g - 1)·L. Windows reaching back before week 0 exist only for members
            # on call right before it: at most g - 1 such windows each, of excess ≤ g - 1.
            # With k coverage windows, g·k·L roles: at most g·k·L − L.
            layers = len(rot.layers)
            carried_people = sum(1 for p in run_before if run_before[p])
            ub += (rot.n_weeks - 1) * (g * len(group) * layers - layers) + (
                g - 1
            ) ** 2 * carried_people
            for p in sorted(run_before):
                weeks = m.schedule_weeks(rot.index, p)
                if not weeks:
                    continue
                carried = 1 if run_before.get(p, 0) else 0
                for first in range(-(g - 1) if carried else 0, rot.n_weeks - 1):
                    variables = [v for w in range(first, first + g) for v in weeks.get(w, [])]
                    # Week -1 counts when the member was on call right before the plan.
                    const = carried if first < 0 else 0
                    if len(variables) + const < 2:
                        continue
                    top = len(variables) + const - 1
                    e = m.model.new_int_var(0, top, f"{rot.schedule.name}:spacing:{p}:w{first}")
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
    WindowSpread(),
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
