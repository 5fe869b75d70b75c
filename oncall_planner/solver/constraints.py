"""The planner's hard rules, one class per rule code (H001–H010).

Each rule adds its own constraints to the model; the solver-free checkers in
``oncall_planner.validate.hard`` are their specification, and a test keeps the two sets of codes
equal. Rules that rule cells out before the search (time off, untrained, frozen, busy in another
schedule) do it through :meth:`Instance.forbidding`, so the planning model has no variable for
those cells; in the explanation model they become guarded constraints.
"""

from __future__ import annotations

from datetime import datetime
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
    "MaxOnCallShare",
    "MinRotationSize",
    "OneRolePerWeek",
    "ShadowBeforeRotation",
    "TimeOff",
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
        """One linear window constraint per person and window, grouped by its last week."""
        for rot in m.rotations:
            limit = rot.limit
            for p in rot.members:
                weeks = m.x.on_call_weeks(rot.index, p)
                if not weeks:
                    continue
                carried = rot.run_before.get(p, 0)
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
        of: dict[str, list[int]] = {}
        for rot in rotations:
            for p in rot.members:
                of.setdefault(p, []).append(rot.index)
        for p, rs in sorted(of.items()):
            if len(rs) < 2:
                continue
            slots = sorted(
                [
                    (rotations[r].problem.weeks[w].start, rotations[r].problem.weeks[w].end, r, w)
                    for r in rs
                    for w, variables in m.x.on_call_weeks(r, p).items()
                    if variables
                ]
                # The stint carried into week 0 (history or the previous plan) is constant.
                + [
                    (week.start, week.end, r, week.index)
                    for r in rs
                    for week in weeks_before(
                        rotations[r].problem, rotations[r].run_before.get(p, 0)
                    )
                ]
            )
            nexts = [
                [
                    j
                    for j in range(i + 1, len(slots))
                    if slots[j][0] >= end and same_stint(end, slots[j][0])
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
            variables = [v for k in chain for v in m.x.on_call(slots[k][2], p, slots[k][3])]
            if len(involved) > 1 and variables:
                _, _, r, w = slots[chain[-1]]
                m.require(self.code, r, w, m.model.add(sum(variables) <= len(chain) - 1 - carried))
            return
        for j in nexts[chain[-1]]:
            r = slots[j][2]
            limit_j = min(limit, m.rotations[r].limit)
            self._extend(m, p, slots, nexts, [*chain, j], limit_j, involved | {r})


class MaxOnCallShare:
    """H010: nobody on call for more of the plan's weeks than their ``max_on_call_share``."""

    code: ClassVar[str] = "H010"

    def add(self, m: ModelBuilder) -> None:
        """One ``Σ on-call weeks ≤ ⌊share × weeks⌋`` per capped person, across schedules."""
        rotations = m.rotations
        caps = on_call_share_caps(rot.schedule for rot in rotations)
        for p, cap in caps.items():
            rs = [rot for rot in rotations if p in rot.members]
            horizon = max(rot.n_weeks for rot in rs)
            variables = [
                v
                for rot in rs
                for _, week_vars in sorted(m.x.on_call_weeks(rot.index, p).items())
                for v in week_vars
            ]
            allowed = share_weeks(cap, horizon)
            if len(variables) <= allowed:
                continue
            m.require(self.code, rs[0].index, 0, m.model.add(sum(variables) <= allowed))


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
)
