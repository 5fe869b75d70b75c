"""What a re-plan changed: the previous plan's shifts that moved, each with its reason.

Solver-free (``check``-side code may use it): it compares two plans week by week, by shift start
and layer, and explains each change from the schedules ("bob is now on time off in week 6").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from oncall_planner.expand import Problem, expand
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, ShiftChange
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
