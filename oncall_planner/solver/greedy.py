"""A greedy plan: the fallback when time runs out, and the optional starting hint.

Week by week, each layer goes to an allowed member who stays within the ceiling of their fair
share, preferably one not on call in the last ``spacing_weeks``, and otherwise the one furthest
behind their share pro rata; anyone already on another layer that week, busy in another schedule
at an overlapping time, at ``max_consecutive_weeks``, whose stint across schedules would grow
past the smallest ``max_consecutive_weeks`` involved (H009), or at their ``max_on_call_share``
(H010) is skipped. With coverage windows, a schedule's weeks count once whichever windows, and
anyone whose occurrences would overlap theirs elsewhere, leave less than ``min_rest`` (H011) or
pass their ``max_night_hours`` in the schedule-week (H012) is skipped too. The result is usually
valid; when it is not (nobody fits), a slot is left empty and the plan is not used.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from datetime import UTC, datetime, timedelta

from oncall_planner.carryover import weeks_before
from oncall_planner.expand import same_stint
from oncall_planner.fairness import on_call_share_caps, share_weeks
from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Cell, Instance
from oncall_planner.solver.objective import pro_rata_allowances

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
        # A schedule's windows are one schedule here (its rotations share week spans).
        of: dict[str, set[str]] = {}
        for rot in instance.rotations:
            for p in rot.members:
                of.setdefault(p, set()).add(rot.schedule.name)
        self._held: dict[str, list[tuple[datetime, datetime, int]]] = {
            p: [] for p, names in of.items() if len(names) > 1
        }
        for group in instance.schedule_groups():
            rot = instance.rotations[group[0]]
            carried: dict[str, int] = {}
            for r in group:
                for p, k in instance.rotations[r].run_before.items():
                    carried[p] = max(carried.get(p, 0), k)
            for p, k in carried.items():
                if p in self._held:
                    for week in weeks_before(rot.problem, k):
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


def _share_allowances(instance: Instance) -> dict[str, int]:
    """H010: the most on-call weeks each capped person may hold, over their longest horizon
    (as ``constraints.MaxOnCallShare`` and the checker count it)."""
    caps = on_call_share_caps(rot.schedule for rot in instance.rotations)
    horizon: dict[str, int] = {}
    for rot in instance.rotations:
        for p in rot.members:
            horizon[p] = max(horizon.get(p, 0), rot.n_weeks)
    return {p: share_weeks(cap, horizon[p]) for p, cap in caps.items() if p in horizon}


def greedy_assignment(
    instance: Instance,
    targets: dict[int, dict[str, float]],
    weights: dict[Layer, int],
    spacing_weeks: int = 2,
) -> tuple[set[Cell], bool]:
    """The greedy plan's cells, and whether every slot was filled.

    Plans with coverage windows are made by :func:`_windowed_assignment`.
    """
    if instance.windowed:
        return _windowed_assignment(instance, targets, weights, spacing_weeks)
    chosen: set[Cell] = set()
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    stints = _Stints(instance)
    allowed_weeks = _share_allowances(instance)
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


def _run_fits(on: set[int], week: int, limit: int, carried: int) -> bool:
    """H003 across a schedule's windows: the run of on-call weeks holding ``week`` (the weeks
    carried into week 0 included when it reaches back there) stays within ``limit``."""
    first = week
    while first - 1 in on:
        first -= 1
    last = week
    while last + 1 in on:
        last += 1
    return last - first + 1 + (carried if first == 0 else 0) <= limit


def _windowed_assignment(
    instance: Instance,
    targets: dict[int, dict[str, float]],
    weights: dict[Layer, int],
    spacing_weeks: int,
) -> tuple[set[Cell], bool]:
    """The greedy plan of an instance with coverage windows (every rule kept, or a slot left
    empty): rotation by rotation, week by week, as :func:`greedy_assignment`, with a schedule's
    weeks counted once whichever windows (H003, H009, H010), occurrences that may not overlap
    (H007) and must leave ``min_rest`` between different windows (H011), and night time summed
    over a schedule-week (H012). Load counts each cell at ``Rotation.share``."""
    chosen: set[Cell] = set()
    stints = _Stints(instance)
    allowed_weeks = _share_allowances(instance)
    rest = {
        rot.schedule.name: rot.schedule.participants.min_rest
        for rot in instance.rotations
        if rot.schedule.participants.min_rest
    }
    held_weeks: dict[str, int] = {}
    on: dict[tuple[str, str], set[int]] = {}  # (schedule, person) → weeks on call
    night: dict[tuple[str, str, int], int] = {}
    pieces: dict[str, list[tuple[datetime, datetime, int]]] = {}  # person → (a, b, rotation)
    carried: dict[tuple[str, str], int] = {}
    for rot in instance.rotations:
        for p, k in rot.run_before.items():
            key = (rot.schedule.name, p)
            carried[key] = max(carried.get(key, 0), k)
    complete = True

    def clear(p: str, r: int, week_pieces: tuple[tuple[datetime, datetime], ...]) -> bool:
        """No overlap with the person's other cells (H007), enough rest (H011)."""
        name = instance.rotations[r].schedule.name
        for a, b in week_pieces:
            for x, y, k in pieces.get(p, []):
                if k == r:
                    continue
                if a < y and x < b:
                    return False
                other = instance.rotations[k].schedule.name
                need = max(rest.get(name, timedelta(0)), rest.get(other, timedelta(0)))
                if need > timedelta(0) and (
                    timedelta(0) <= x - b < need or timedelta(0) <= a - y < need
                ):
                    return False
        return True

    for rot in instance.rotations:
        name = rot.schedule.name
        load = dict.fromkeys(rot.members, 0.0)
        held = dict.fromkeys(rot.members, 0)
        primaries = dict.fromkeys(rot.members, 0)
        handed = sum(targets.get(rot.index, {}).values())
        primary_share = {
            p: rot.n_weeks * targets.get(rot.index, {}).get(p, 0.0) / handed if handed > 0 else 0.0
            for p in rot.members
        }
        last_on = dict.fromkeys(rot.members, -spacing_weeks)
        n = rot.n_weeks
        allowances = pro_rata_allowances(
            {p: targets.get(rot.index, {}).get(p, 0.0) for p in rot.members}, n, len(rot.layers)
        )
        heaviest = max(weights[layer] for layer in rot.layers) * max(
            (rot.share(w) for w in range(n)), default=1.0
        )
        for w, week in enumerate(rot.problem.weeks):
            taken: set[str] = set()
            utc = tuple((a.astimezone(UTC), b.astimezone(UTC)) for a, b in week.pieces())
            for layer in rot.layers:
                fixed = rot.frozen.get(w)
                candidates = []
                for p in rot.members:
                    if not instance.allowed(rot.index, p, w, layer) or p in taken:
                        continue
                    weeks_on = on.setdefault((name, p), set())
                    new_week = w not in weeks_on
                    if new_week and not (
                        _run_fits(weeks_on, w, rot.limit, carried.get((name, p), 0))
                        and held_weeks.get(p, 0) < allowed_weeks.get(p, math.inf)
                        and stints.fits(p, week.start, week.end, rot.limit)
                    ):
                        continue
                    cap = rot.night_cap(p)
                    if cap is not None and (
                        night.get((name, p, w), 0) + rot.night_minutes(p, w) > cap
                    ):
                        continue
                    if not clear(p, rot.index, utc):
                        continue
                    candidates.append(p)
                if fixed is not None:
                    candidates = [p for lay, p in fixed if lay is layer and p in candidates]
                if not candidates:
                    complete = False
                    continue
                goal = targets.get(rot.index, {})
                cost = weights[layer] * rot.share(w)
                share = (w + 1) / n
                # As the objective ranks them: the fair-load band (share ± just under one
                # cell), the window spread (pro-rata counts so far), spacing, then whoever is
                # furthest behind pro rata.
                score = {
                    p: (
                        max(0.0, load[p] + cost - goal.get(p, 0.0) - heaviest + 1e-6),
                        max(0, primaries[p] + 1 - math.ceil(primary_share[p] - 1e-9))
                        if layer is Layer.PRIMARY and len(rot.layers) > 1
                        else 0,
                        max(0, held[p] + 1 - allowances[p][w]) if p in allowances else 0,
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
                held[best] += 1
                primaries[best] += layer is Layer.PRIMARY
                weeks_on = on[(name, best)]
                if w not in weeks_on:
                    weeks_on.add(w)
                    held_weeks[best] = held_weeks.get(best, 0) + 1
                    stints.add(best, week.start, week.end, rot.limit)
                night[(name, best, w)] = night.get((name, best, w), 0) + rot.night_minutes(best, w)
                pieces.setdefault(best, []).extend((a, b, rot.index) for a, b in utc)
    return chosen, complete
