"""What a re-plan changed: the previous plan's shifts that moved, each with its reason.

Solver-free (``check``-side code may use it): it compares two plans week by week, by shift start
and layer, and explains each change from the schedules ("bob is now on time off in week 6").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from oncall_planner.carryover import previous_assignments
from oncall_planner.expand import Problem, expand
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan, ShiftChange
from oncall_planner.spec import Member, Schedule

__all__ = ["plan_changes"]


def plan_changes(
    previous: Plan, plan: Plan, schedules: Sequence[Schedule]
) -> tuple[ShiftChange, ...]:
    """The paged shifts of ``plan`` whose holder differs from ``previous``, with reasons.

    Only weeks that both plans cover are compared (a week is matched by its start instant, so
    a plan that starts later still lines up). Shadow weeks are not compared: they carry no pager.

    Args:
        previous: The plan before the re-plan.
        plan: The new plan.
        schedules: The schedules as they are now (time off, members, preferences).

    Returns:
        The changes, by schedule name, week and layer.
    """
    by_name = {s.name: s for s in schedules}
    before_plans = {sp.name: sp for sp in previous.schedules}
    changes: list[ShiftChange] = []
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        old = before_plans.get(sp.name)
        schedule = by_name.get(sp.name)
        if old is None or schedule is None:
            continue
        if schedule.windows:
            changes += _window_changes(schedule, sp, old)
            continue
        problem = expand(schedule, sp.start, sp.weeks)
        index = {w.start: w.index for w in problem.weeks}
        held: dict[tuple[datetime, Layer], str] = {
            (s.start, s.layer): s.person for s in old.shifts if s.layer in PAGED_LAYERS
        }
        now: dict[tuple[datetime, Layer], str] = {
            (s.start, s.layer): s.person for s in sp.shifts if s.layer in PAGED_LAYERS
        }
        members = {m.id: m for m in schedule.participants.members}
        covered = {start for start, _ in held}
        found: list[tuple[int, Layer, datetime, str | None, str | None]] = []
        for key in sorted(set(held) | set(now), key=lambda k: (k[0], k[1].order)):
            start, layer = key
            w = index.get(start)
            if w is None:
                continue
            if start not in covered:
                continue  # a week the previous plan did not cover
            before, after = held.get(key), now.get(key)
            if before != after:
                found.append((w, layer, start, before, after))
        taking = {after: w for w, _, _, _, after in found if after is not None}
        for w, layer, start, before, after in found:
            changes.append(
                ShiftChange(
                    schedule=sp.name,
                    week=w,
                    layer=layer,
                    start=start,
                    before=before,
                    after=after,
                    reason=_reason(problem, members, w, before, after, taking),
                )
            )
    return tuple(changes)


def _window_changes(schedule: Schedule, sp: SchedulePlan, old: SchedulePlan) -> list[ShiftChange]:
    """With windows the unit is a window's week: its holder before and after, per layer.

    Occurrences need not start at a handoff (the weekend window starts on Friday), so cells are
    matched by the week their occurrences fall in (``carryover.previous_assignments``), and a
    cell the previous plan did not cover is left out. Reasons read the window's own hours (time
    off on Saturday does not explain a weekday change).
    """
    members = {m.id: m for m in schedule.participants.members}
    found: list[tuple[int, int, Layer, str, datetime, str | None, str | None, Problem]] = []
    for k, window in enumerate(schedule.windows):
        problem = expand(schedule, sp.start, sp.weeks, window=window)
        held = previous_assignments(problem, old)
        now = previous_assignments(problem, sp)
        for w, pairs in held.items():
            week = problem.weeks[w]
            if not week.intervals:
                continue
            before_of = {layer: p for layer, p in pairs if layer in PAGED_LAYERS}
            after_of = {layer: p for layer, p in now.get(w, ()) if layer in PAGED_LAYERS}
            for layer in sorted(set(before_of) | set(after_of), key=lambda x: x.order):
                before, after = before_of.get(layer), after_of.get(layer)
                if before != after:
                    start = week.intervals[0][0]
                    found.append((w, k, layer, window.name, start, before, after, problem))
    found.sort(key=lambda it: (it[0], it[2].order, it[4], it[1]))
    taking = {after: w for w, _, _, _, _, _, after, _ in found if after is not None}
    return [
        ShiftChange(
            schedule=sp.name,
            week=w,
            layer=layer,
            start=start,
            before=before,
            after=after,
            reason=_reason(problem, members, w, before, after, taking),
            window=name,
        )
        for w, _, layer, name, start, before, after, problem in found
    ]


def _reason(
    problem: Problem,
    members: dict[str, Member],
    week: int,
    before: str | None,
    after: str | None,
    taking: dict[str, int],
) -> str:
    """Why the shift changed, checked from the hardest cause to the softest."""
    if before is None:
        return f"the layer had nobody in the previous plan; {after} takes it"
    member = members.get(before)
    if member is None:
        return f"{before} is no longer a member"
    if week in problem.unavailable.get(before, frozenset()):
        return f"{before} is now on time off in week {week}"
    if week in problem.weeks_holding(member.avoid_weeks):
        return f"{before} asked to avoid week {week}"
    wished = members.get(after) if after is not None else None
    if wished is not None and week in problem.weeks_holding(wished.prefer_weeks):
        return f"{after} asked for week {week}"
    if before in taking and taking[before] != week:
        return f"{before} covers week {taking[before]} instead (swap chain)"
    return "keeps the hard rules after the changes above (consecutive weeks, one role a week)"
