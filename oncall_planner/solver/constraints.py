"""The planner's hard rules, one class per rule code (H001–H013).

Each rule adds its own constraints to the model; the solver-free checkers in
``oncall_planner.validate.hard`` are their specification, and a test keeps the two sets of codes
equal. Rules that rule cells out before the search (time off, untrained, frozen, busy in another
schedule) do it through :meth:`Instance.forbidding`, so the planning model has no variable for
those cells; in the explanation model they become guarded constraints.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol

from oncall_planner.carryover import weeks_before
from oncall_planner.expand import same_stint
from oncall_planner.fairness import on_call_share_caps, share_weeks
from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Cell
from oncall_planner.solver.model import ModelBuilder

__all__ = [
    "HARD_CONSTRAINTS",
    "Coverage",
    "CrossScheduleOverlap",
    "CrossScheduleStints",
    "FrozenWeeks",
    "HardConstraint",
    "MaxConsecutiveWeeks",
    "MaxNightHours",
    "MaxOnCallShare",
    "MinRest",
    "MinRotationSize",
    "OneRolePerWeek",
    "ShadowBeforeRotation",
    "TimeOff",
    "WindowEligibility",
]


class HardConstraint(Protocol):
    """A hard rule of the planner."""

    code: ClassVar[str]

    def add(self, m: ModelBuilder) -> None:
        """Add the rule's constraints to the model."""


class Coverage:
    """H001: exactly one person on each paged layer every week."""

    code: ClassVar[str] = "H001"

    def add(self, m: ModelBuilder) -> None:
        """One exactly-one per rotation, week and layer."""
        for rot in m.rotations:
            for w in range(rot.n_weeks):
                for layer in rot.layers:
                    variables = [v for _, v in m.x.people_on(rot.index, w, layer)]
                    if m.explain:
                        m.require(self.code, rot.index, w, m.model.add(sum(variables) == 1))
                    else:
                        m.model.add_exactly_one(variables)


class OneRolePerWeek:
    """H002: one role per person and week (primary ≠ secondary; shadows are untrained)."""

    code: ClassVar[str] = "H002"

    def add(self, m: ModelBuilder) -> None:
        """One at-most-one per person-week over the layers."""
        for rot in m.rotations:
            if len(rot.layers) < 2:
                continue
            for p in rot.members:
                for w, variables in sorted(m.x.on_call_weeks(rot.index, p).items()):
                    if len(variables) < 2:
                        continue
                    if m.explain:
                        m.require(
                            self.code,
                            rot.index,
                            w,
                            m.model.add(sum(variables) <= 1),
                        )
                    else:
                        m.model.add_at_most_one(variables)


class MaxConsecutiveWeeks:
    """H003: at most ``max_consecutive_weeks`` on-call weeks in a row, counting carry-over.

    A sliding window of ``limit + 1`` weeks holds at most ``limit`` on-call weeks; windows that
    start before week 0 count the carried-over stint as constants.
    """

    code: ClassVar[str] = "H003"

    def add(self, m: ModelBuilder) -> None:
        """One linear window constraint per person and window, grouped by its last week.

        A schedule with coverage windows counts a week once, whichever windows it holds.
        """
        for group in m.instance.schedule_groups():
            rot = m.rotations[group[0]]
            limit = rot.limit
            run_before: dict[str, int] = {}
            for r in group:
                run_before.update(m.rotations[r].run_before)
            for p in sorted(run_before):
                weeks = m.schedule_weeks(rot.index, p)
                if not weeks:
                    continue
                carried = run_before.get(p, 0)
                for first in range(-limit, rot.n_weeks - limit):
                    last = first + limit
                    before = sum(1 for k in range(first, 0) if k >= -carried)
                    variables = [
                        v for w in range(max(first, 0), last + 1) for v in weeks.get(w, [])
                    ]
                    if not variables or len(variables) + before <= limit:
                        continue
                    m.require(
                        self.code,
                        rot.index,
                        last,
                        m.model.add(sum(variables) <= limit - before),
                    )


class ShadowBeforeRotation:
    """H004: a member still shadowing is never primary or secondary.

    Shadow weeks are placed before the solve (as early as availability allows), so the weeks
    before a trainee finishes are known and their cells have no variable; every shadow week has
    a trained primary beside it because only trained members have primary cells.
    """

    code: ClassVar[str] = "H004"

    def add(self, m: ModelBuilder) -> None:
        """Rule out cells before the trainee's last shadow week."""
        inst = m.instance

        def untrained(cell: Cell) -> bool:
            r, p, w, _ = cell
            return w < inst.rotations[r].trained_from.get(p, 0)

        m.forbid(self.code, untrained)


class MinRotationSize:
    """H005: at least ``min_rotation_size`` trained members.

    A property of the roster, not of the weeks: it is checked before the model is built (see
    :func:`oncall_planner.solver.explain.prechecks`), so it adds nothing to the model.
    """

    code: ClassVar[str] = "H005"

    def add(self, m: ModelBuilder) -> None:
        """Nothing to add: the pre-check raises before the solve."""


class TimeOff:
    """H006: no role in a week that overlaps the member's time off."""

    code: ClassVar[str] = "H006"

    def add(self, m: ModelBuilder) -> None:
        """Rule out the time-off cells."""
        rotations = m.rotations
        m.forbid(self.code, lambda c: rotations[c[0]].off(c[1], c[2]))


class CrossScheduleOverlap:
    """H007: nobody holds roles in two schedules at overlapping times."""

    code: ClassVar[str] = "H007"

    def add(self, m: ModelBuilder) -> None:
        """At most one role over each pair of overlapping weeks of a shared person."""
        inst = m.instance
        m.forbid(self.code, lambda c: (c[0], c[2], c[1]) in inst.busy)
        for r1, w1, r2, w2, p in inst.overlaps:
            variables = m.x.on_call(r1, p, w1) + m.x.on_call(r2, p, w2)
            if len(variables) < 2:
                continue
            if m.explain:
                m.require(self.code, r1, w1, m.model.add(sum(variables) <= 1))
            else:
                m.model.add_at_most_one(variables)


class FrozenWeeks:
    """H008: weeks starting before ``freeze_until`` keep the previous plan's shifts."""

    code: ClassVar[str] = "H008"

    def add(self, m: ModelBuilder) -> None:
        """Fix the previous assignments; rule out every other cell of a frozen week."""
        rotations = m.rotations

        def other_than_frozen(cell: Cell) -> bool:
            r, p, w, layer = cell
            fixed = rotations[r].frozen.get(w)
            return fixed is not None and (layer, p) not in fixed

        m.forbid(self.code, other_than_frozen)
        for rot in rotations:
            for w, fixed in sorted(rot.frozen.items()):
                for layer, p in fixed:
                    if layer is Layer.SHADOW:
                        continue
                    var = m.x.get(rot.index, p, w, layer)
                    if var is None:
                        # Another rule rules the published shift out (the pre-check reports
                        # it); the empty layer makes the model infeasible.
                        continue
                    m.require(self.code, rot.index, w, m.model.add(var == 1))


class CrossScheduleStints:
    """H009: a stint across schedules holds at most the smallest ``max_consecutive_weeks``.

    A stint is a chain of one person's shifts, each starting less than 6 days after the
    previous one ends (``expand.same_stint``). For every chain of possible weeks of a shared
    person that touches two schedules or more and is longer than the smallest limit of the
    schedules it touches, not all of its weeks may be taken. Chains are extended week by week
    and stop at the first such length, so there are few (at most one successor per schedule
    and step). This is exact: if a plan had a too-long stint, its first weeks would be one of
    these chains; and weeks taken in between only join the same stint. The stint carried into
    week 0 of a schedule (history or the previous plan, as H003 counts it) starts chains as
    constant weeks.
    """

    code: ClassVar[str] = "H009"

    def add(self, m: ModelBuilder) -> None:
        """One ``Σ chain ≤ len(chain) − 1`` per offending chain, grouped by its last week."""
        rotations = m.rotations
        # One slot per schedule-week: a schedule's windows are one schedule here.
        of: dict[str, list[int]] = {}
        for group in m.instance.schedule_groups():
            for p in sorted({p for r in group for p in rotations[r].members}):
                of.setdefault(p, []).append(group[0])
        for p, rs in sorted(of.items()):
            if len(rs) < 2:
                continue
            slots = sorted(
                [
                    (rotations[r].problem.weeks[w].start, rotations[r].problem.weeks[w].end, r, w)
                    for r in rs
                    for w, variables in m.schedule_weeks(r, p).items()
                    if variables
                ]
                # The stint carried into week 0 (history or the previous plan) is constant.
                + [
                    (week.start, week.end, r, week.index)
                    for r in rs
                    for week in weeks_before(rotations[r].problem, _run_before(m, r, p))
                ]
            )
            # Whole weeks of a shared person that overlap cannot both be held (H007). A week
            # carried into the plan is held already, and a schedule-week with windows may
            # overlap another schedule's week without its occurrences doing so: overlapping
            # such weeks are one stint (as ``expand.stints`` chains them).
            loose = [rotations[r].window is not None or w < 0 for _, _, r, w in slots]
            nexts = [
                [
                    j
                    for j in range(i + 1, len(slots))
                    if (slots[j][0] >= end or loose[i] or loose[j]) and same_stint(end, slots[j][0])
                ]
                for i, (_, end, _, _) in enumerate(slots)
            ]
            for i, (_, _, r, _) in enumerate(slots):
                self._extend(m, p, slots, nexts, [i], rotations[r].limit, frozenset({r}))

    def _extend(
        self,
        m: ModelBuilder,
        p: str,
        slots: list[tuple[datetime, datetime, int, int]],
        nexts: list[list[int]],
        chain: list[int],
        limit: int,
        involved: frozenset[int],
    ) -> None:
        if len(chain) > limit:
            carried = sum(1 for k in chain if slots[k][3] < 0)
            variables = [v for k in chain for v in m.week_on(slots[k][2], p, slots[k][3])]
            if len(involved) > 1 and variables:
                _, _, r, w = slots[chain[-1]]
                m.require(self.code, r, w, m.model.add(sum(variables) <= len(chain) - 1 - carried))
            return
        for j in nexts[chain[-1]]:
            r = slots[j][2]
            limit_j = min(limit, m.rotations[r].limit)
            self._extend(m, p, slots, nexts, [*chain, j], limit_j, involved | {r})


def _run_before(m: ModelBuilder, r: int, person: str) -> int:
    """The person's carried-over stint into the schedule of rotation ``r`` (any window)."""
    return max((m.rotations[k].run_before.get(person, 0) for k in m.siblings(r)), default=0)


class MaxOnCallShare:
    """H010: nobody on call for more of the plan's weeks than their ``max_on_call_share``."""

    code: ClassVar[str] = "H010"

    def add(self, m: ModelBuilder) -> None:
        """One ``Σ on-call weeks ≤ ⌊share × weeks⌋`` per capped person, across schedules."""
        rotations = m.rotations
        caps = on_call_share_caps(rot.schedule for rot in rotations)
        firsts = [rotations[group[0]] for group in m.instance.schedule_groups()]
        for p, cap in caps.items():
            rs = [
                rot
                for rot in firsts
                if any(p in rotations[r].members for r in m.siblings(rot.index))
            ]
            if not rs:
                continue
            horizon = max(rot.n_weeks for rot in rs)
            variables = [
                v
                for rot in rs
                for _, week_vars in sorted(m.schedule_weeks(rot.index, p).items())
                for v in week_vars
            ]
            allowed = share_weeks(cap, horizon)
            if len(variables) <= allowed:
                continue
            m.require(self.code, rs[0].index, 0, m.model.add(sum(variables) <= allowed))


class MinRest:
    """H011: at least ``min_rest`` off the pager between two of a person's stretches in
    different windows (or schedules).

    Two cells conflict when one of the first's occurrences ends less than the larger
    ``min_rest`` of their schedules before one of the second's starts (as
    :func:`oncall_planner.windows.rest_breaches` measures it: occurrences of one window never
    conflict with each other, they are one stretch when they touch; occurrences that overlap
    are H002/H007's matter). Such pairs get an at-most-one for every person who may hold both.
    """

    code: ClassVar[str] = "H011"

    def add(self, m: ModelBuilder) -> None:
        """One at-most-one per conflicting pair of cells of a shared person."""
        rotations = m.rotations
        rest = {
            rot.schedule.name: rot.schedule.participants.min_rest
            for rot in rotations
            if rot.schedule.participants.min_rest
        }
        if not rest:
            return
        longest = max(rest.values())
        pieces = sorted(
            (a.astimezone(UTC), b.astimezone(UTC), rot.index, week.index)
            for rot in rotations
            for week in rot.problem.weeks
            for a, b in week.pieces()
        )
        starts = [a for a, _, _, _ in pieces]
        pairs: set[tuple[int, int, int, int]] = set()
        for _a, end, r1, w1 in pieces:
            k = bisect_left(starts, end)
            while k < len(pieces) and pieces[k][0] - end < longest:
                b_start, _, r2, w2 = pieces[k]
                k += 1
                if r2 == r1:
                    continue
                s1, s2 = rotations[r1].schedule.name, rotations[r2].schedule.name
                need = max(rest.get(s1, timedelta(0)), rest.get(s2, timedelta(0)))
                if b_start - end < need:
                    pairs.add((r1, w1, r2, w2))
        for r1, w1, r2, w2 in sorted(pairs):
            shared = sorted(set(rotations[r1].members) & set(rotations[r2].members))
            for p in shared:
                first, second = m.x.on_call(r1, p, w1), m.x.on_call(r2, p, w2)
                if not first or not second:
                    continue
                variables = first + second
                if m.explain:
                    m.require(self.code, r2, w2, m.model.add(sum(variables) <= 1))
                else:
                    m.model.add_at_most_one(variables)


class MaxNightHours:
    """H012: nobody on call more than their ``max_night_hours`` between 22:00 and 08:00 in
    their own zone in one rotation week of a schedule.

    Night time is counted in whole minutes of each cell's occurrences
    (:func:`oncall_planner.windows.night_hours`). A cell holding more night time alone is ruled
    out before the search (see :meth:`Instance.forbidding`); a schedule-week whose windows
    together could exceed it gets ``Σ night minutes × cell ≤ cap``.
    """

    code: ClassVar[str] = "H012"

    def add(self, m: ModelBuilder) -> None:
        """Rule out the cells over the cap alone; bound each capped person's schedule-week."""
        rotations = m.rotations
        m.forbid(self.code, lambda c: rotations[c[0]].too_many_night_hours(c[1], c[2]))
        for group in m.instance.schedule_groups():
            rots = [rotations[r] for r in group]
            people = sorted({p for rot in rots for p in rot.members})
            for p in people:
                cap = next(
                    (c for rot in rots if p in rot.members and (c := rot.night_cap(p)) is not None),
                    None,
                )
                if cap is None:
                    continue
                for w in range(rots[0].n_weeks):
                    cells = [
                        (rot.night_minutes(p, w), m.x.on_call(rot.index, p, w))
                        for rot in rots
                        if p in rot.members and m.x.on_call(rot.index, p, w)
                    ]
                    cells = [(n, variables) for n, variables in cells if n > 0]
                    if len(cells) < 2 or sum(n for n, _ in cells) <= cap:
                        continue
                    expr = sum(n * v for n, variables in cells for v in variables)
                    m.require(self.code, group[0], w, m.model.add(expr <= cap))


class WindowEligibility:
    """H013: nobody holds a window whose ``members:`` selector leaves them out.

    The planning model has no cell for them at all (a window's rotation lists the members it
    selects); the explanation model has, and rules them out under this code.
    """

    code: ClassVar[str] = "H013"

    def add(self, m: ModelBuilder) -> None:
        """Rule out the cells of members a window does not select."""
        rotations = m.rotations
        m.forbid(self.code, lambda c: c[1] in rotations[c[0]].excluded)


#: Every hard rule of the planner, in code order.
HARD_CONSTRAINTS: tuple[HardConstraint, ...] = (
    Coverage(),
    OneRolePerWeek(),
    MaxConsecutiveWeeks(),
    ShadowBeforeRotation(),
    MinRotationSize(),
    TimeOff(),
    CrossScheduleOverlap(),
    FrozenWeeks(),
    CrossScheduleStints(),
    MaxOnCallShare(),
    MinRest(),
    MaxNightHours(),
    WindowEligibility(),
)
