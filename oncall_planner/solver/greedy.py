"""A greedy plan: the fallback when time runs out, and the optional starting hint.

Week by week, each layer goes to an allowed member who stays within the ceiling of their fair
share, preferably one not on call in the last ``spacing_weeks``, and otherwise the one furthest
behind their share pro rata; anyone already on another layer that week, busy in another schedule
at an overlapping time, or at ``max_consecutive_weeks`` is skipped. The result is usually
valid; when it is not (nobody fits), a slot is left empty and the plan is not used.
"""

from __future__ import annotations

import math
from datetime import datetime

from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Cell, Instance

__all__ = ["greedy_assignment"]


def greedy_assignment(
    instance: Instance,
    targets: dict[int, dict[str, float]],
    weights: dict[Layer, int],
    spacing_weeks: int = 2,
) -> tuple[set[Cell], bool]:
    """The greedy plan's cells, and whether every slot was filled."""
    chosen: set[Cell] = set()
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
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
                    and not any(week.overlaps(a, b) for a, b in busy.get(p, []))
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
                busy.setdefault(best, []).append((week.start, week.end))
            for p in rot.members:
                run[p] = run[p] + 1 if p in taken else 0
    return chosen, complete
