"""A greedy plan: the fallback when time runs out, and the optional starting hint.

Week by week, each layer goes to an allowed member who stays within the ceiling of their fair
share, preferably one not on call in the last ``spacing_weeks``, and otherwise the one furthest
behind their share pro rata; anyone already on another layer that week, busy in another schedule
at an overlapping time, at ``max_consecutive_weeks``, whose stint across schedules would grow
past the smallest ``max_consecutive_weeks`` involved (H009), or at their ``max_on_call_share``
(H010) is skipped. The result is usually valid; when it is not (nobody fits), a slot is left
empty and the plan is not used.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from datetime import datetime

from oncall_planner.carryover import weeks_before
from oncall_planner.expand import same_stint
from oncall_planner.fairness import on_call_share_caps, share_weeks
from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Cell, Instance

__all__ = ["greedy_assignment"]


class _Stints:
    """The shifts given so far to people in several schedules, to keep H009.

    Per person, their shifts (and the weeks carried into week 0 of each schedule, as H003 and
    the checker count them) sorted by start, each with its schedule's ``max_consecutive_weeks``.
    A new shift is allowed when the stint it would belong to (``expand.same_stint`` chained
    both ways, joining the stints before and after it) holds at most the smallest limit of the
    shifts in it. Within one schedule that is H003, which the greedy keeps anyway.
    """

    def __init__(self, instance: Instance) -> None:
        of: dict[str, int] = {}
        for rot in instance.rotations:
            for p in rot.members:
                of[p] = of.get(p, 0) + 1
        self._held: dict[str, list[tuple[datetime, datetime, int]]] = {
            p: [] for p, n in of.items() if n > 1
        }
        for rot in instance.rotations:
            for p in rot.members:
                if p in self._held:
                    for week in weeks_before(rot.problem, rot.run_before.get(p, 0)):
                        self.add(p, week.start, week.end, rot.limit)

    def fits(self, person: str, start: datetime, end: datetime, limit: int) -> bool:
        """Whether a shift ``start``–``end`` keeps the person's stint within its limits."""
        held = self._held.get(person)
        if not held:
            return True
        i = bisect_left(held, (start,))
        count, smallest = 1, limit
        k, after = i - 1, start
        while k >= 0 and same_stint(held[k][1], after):
            count, smallest, after = count + 1, min(smallest, held[k][2]), held[k][0]
            k -= 1
        k, before = i, end
        while k < len(held) and same_stint(before, held[k][0]):
            count, smallest, before = count + 1, min(smallest, held[k][2]), held[k][1]
            k += 1
        return count <= smallest

    def add(self, person: str, start: datetime, end: datetime, limit: int) -> None:
        """Record a shift (a no-op for people in one schedule)."""
        held = self._held.get(person)
        if held is not None:
            insort(held, (start, end, limit))


def greedy_assignment(
    instance: Instance,
    targets: dict[int, dict[str, float]],
    weights: dict[Layer, int],
    spacing_weeks: int = 2,
) -> tuple[set[Cell], bool]:
    """The greedy plan's cells, and whether every slot was filled.

    Schedules with coverage windows get no greedy plan (an empty, incomplete one): their rules
    across windows (min rest, night hours, weeks counted once) are left to the solver, which
    then starts without a hint and has no fallback when time runs out.
    """
    if instance.windowed:
        return set(), False
    chosen: set[Cell] = set()
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    stints = _Stints(instance)
    # H010: the most on-call weeks each capped person may hold, over their longest horizon
    # (as ``constraints.MaxOnCallShare`` and the checker count it).
    caps = on_call_share_caps(rot.schedule for rot in instance.rotations)
    horizon: dict[str, int] = {}
    for rot in instance.rotations:
        for p in rot.members:
            horizon[p] = max(horizon.get(p, 0), rot.n_weeks)
    allowed_weeks = {p: share_weeks(cap, horizon[p]) for p, cap in caps.items() if p in horizon}
    held: dict[str, int] = {}
    complete = True
    for rot in instance.rotations:
        load = dict.fromkeys(rot.members, 0)
        run = {p: rot.run_before.get(p, 0) for p in rot.members}
        last_on = {p: -1 if run[p] else -spacing_weeks for p in rot.members}
        n = rot.n_weeks
        for w, week in enumerate(rot.problem.weeks):
            taken: set[str] = set()
            for layer in rot.layers:
                fixed = rot.frozen.get(w)
                candidates = [
                    p
                    for p in rot.members
                    if instance.allowed(rot.index, p, w, layer)
                    and p not in taken
                    and run[p] < rot.limit
                    and held.get(p, 0) < allowed_weeks.get(p, math.inf)
                    and not any(week.overlaps(a, b) for a, b in busy.get(p, []))
                    and stints.fits(p, week.start, week.end, rot.limit)
                ]
                if fixed is not None:
                    candidates = [p for lay, p in fixed if lay is layer and p in candidates]
                if not candidates:
                    complete = False
                    continue
                goal = targets.get(rot.index, {})
                cost = weights[layer]
                share = (w + 1) / n
                # First avoid pushing anyone past the ceiling of their share (the fairness
                # goal's band), then anyone on call less than spacing_weeks ago, then prefer
                # whoever is furthest behind pro rata; ties go to the smallest id.
                score = {
                    p: (
                        max(0.0, load[p] + cost - math.ceil(goal.get(p, 0.0) - 1e-9)),
                        w - last_on[p] < spacing_weeks,
                        load[p] - goal.get(p, 0.0) * share,
                        p,
                    )
                    for p in candidates
                }
                best = min(candidates, key=score.__getitem__)
                chosen.add((rot.index, best, w, layer))
                taken.add(best)
                last_on[best] = w
                load[best] += cost
                held[best] = held.get(best, 0) + 1
                busy.setdefault(best, []).append((week.start, week.end))
                stints.add(best, week.start, week.end, rot.limit)
            for p in rot.members:
                run[p] = run[p] + 1 if p in taken else 0
    return chosen, complete
