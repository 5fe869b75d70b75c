"""What a re-plan changed: the previous plan's shifts that moved, each with its reason.

Solver-free (``check``-side code may use it): it compares two plans week by week (window by
window) and layer, and explains each change from the schedules ("bob is now on time off in week 6").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from oncall_planner.carryover import previous_assignments
from oncall_planner.expand import Problem, expand
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan, ShiftChange
from oncall_planner.spec import Member, Schedule, Window

__all__ = ["plan_changes"]


def plan_changes(
    previous: Plan, plan: Plan, schedules: Sequence[Schedule]
) -> tuple[ShiftChange, ...]:
    """The paged shifts of ``plan`` whose holder differs from ``previous``, with reasons.

    Only weeks that both plans cover are compared, matched by time as the planner reads a
    previous plan (``carryover.previous_assignments``): a whole week by its start instant, so a
    plan that starts later still lines up; with coverage windows, a window's week by the week its
    occurrences fall in (the weekend window starts on Friday, not at the handoff), the change
    then naming the window and starting at the week's first occurrence. Reasons read the
    window's own hours (time off on Saturday does not explain a weekday change). Shadow weeks
    are not compared: they carry no pager.

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
        if old is not None and schedule is not None:
            changes += _changes(schedule, sp, old)
    return tuple(changes)


def _changes(schedule: Schedule, sp: SchedulePlan, old: SchedulePlan) -> list[ShiftChange]:
    members = {m.id: m for m in schedule.participants.members}
    windows: list[Window | None] = list(schedule.windows) or [None]
    found: list[tuple[int, int, Layer, datetime, str | None, str | None, Problem]] = []
    for k, window in enumerate(windows):
        problem = expand(schedule, sp.start, sp.weeks, window=window)
        now = previous_assignments(problem, sp)
        for w, pairs in previous_assignments(problem, old).items():
            before_of = {layer: p for layer, p in pairs if layer in PAGED_LAYERS}
            if not before_of:
                continue  # a week the previous plan did not cover
            after_of = {layer: p for layer, p in now.get(w, ()) if layer in PAGED_LAYERS}
            start = problem.weeks[w].pieces()[0][0]
            for layer in sorted(set(before_of) | set(after_of), key=lambda x: x.order):
                before, after = before_of.get(layer), after_of.get(layer)
                if before != after:
                    found.append((w, k, layer, start, before, after, problem))
    found.sort(key=lambda it: (it[0], it[2].order, it[3], it[1]))
    taking = {after: w for w, _, _, _, _, after, _ in found if after is not None}
    return [
        ShiftChange(
            schedule=sp.name,
            week=w,
            layer=layer,
            start=start,
            before=before,
            after=after,
            reason=_reason(problem, members, w, before, after, taking),
            window=None if problem.window is None else problem.window.name,
        )
        for w, _, layer, start, before, after, problem in found
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
