"""Hand-built plans for the validator's tests (no solver involved).

``greedy_plan`` builds a plan that satisfies every hard rule whenever a simple greedy can: each
week it gives primary, then secondary, to the available trained member with the fewest on-call
weeks so far, never past ``max_consecutive_weeks``, never in two schedules at overlapping
times; new engineers shadow a trained primary first.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import UTC, date, datetime

from oncall_planner.expand import Problem, expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import Schedule

START = date(2027, 1, 4)


def schedule_text(body: str) -> Schedule:
    """A schedule from dedented YAML text (findings point at lines of this text)."""
    return load_schedule(textwrap.dedent(body).lstrip("\n"))


def _greedy_schedule(
    problem: Problem, busy: dict[str, list[tuple[datetime, datetime]]]
) -> list[Shift]:
    schedule = problem.schedule
    limit = schedule.participants.max_consecutive_weeks
    layers = [Layer.PRIMARY] + ([Layer.SECONDARY] if schedule.uses_secondary else [])
    run = {m.id: problem.history_run_before_start(m) for m in problem.members}
    count = {m.id: 0 for m in problem.members}
    shadow_left = {m.id: problem.needs_shadow(m) for m in problem.members}
    shifts: list[Shift] = []
    for week in problem.weeks:
        a, b = week.start.astimezone(UTC), week.end.astimezone(UTC)

        def free(person: str, a: datetime = a, b: datetime = b, idx: int = week.index) -> bool:
            if idx in problem.unavailable.get(person, frozenset()):
                return False
            return not any(x < b and a < y for x, y in busy.get(person, []))

        taken: set[str] = set()
        for layer in layers:
            candidates = [
                m.id
                for m in problem.members
                if shadow_left[m.id] == 0 and m.id not in taken and run[m.id] < limit and free(m.id)
            ]
            if not candidates:
                continue
            person = min(candidates, key=lambda p: (count[p], p))
            taken.add(person)
            count[person] += 1
            shifts.append(Shift(week=week.index, layer=layer, person=person, start=a, end=b))
        for m in problem.members:
            if shadow_left[m.id] and m.id not in taken and free(m.id) and taken:
                shadow_left[m.id] -= 1
                taken.add(m.id)
                shifts.append(
                    Shift(week=week.index, layer=Layer.SHADOW, person=m.id, start=a, end=b)
                )
        for s in shifts:
            if s.week == week.index:
                busy.setdefault(s.person, []).append((a, b))
        for p in run:
            on = any(s.week == week.index and s.person == p for s in shifts if s.layer in layers)
            run[p] = run[p] + 1 if on else 0
    return shifts


def greedy_plan(schedules: Sequence[Schedule], start: date = START, weeks: int = 13) -> Plan:
    """A valid plan for one or more schedules (an org), built greedily."""
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    parts = []
    for schedule in sorted(schedules, key=lambda s: s.name):
        problem = expand(schedule, start, weeks)
        parts.append(
            SchedulePlan(
                name=schedule.name,
                timezone=schedule.timezone,
                start=start,
                weeks=weeks,
                shifts=tuple(_greedy_schedule(problem, busy)),
            )
        )
    return Plan(schedules=tuple(parts))


def replace_shifts(plan: Plan, name: str, shifts: Sequence[Shift]) -> Plan:
    """A copy of ``plan`` with the shifts of schedule ``name`` replaced."""
    return plan.model_copy(
        update={
            "schedules": tuple(
                sp.model_copy(update={"shifts": tuple(shifts)}) if sp.name == name else sp
                for sp in plan.schedules
            )
        }
    )


def shifts_of(plan: Plan, name: str) -> list[Shift]:
    """The shifts of one schedule of ``plan``."""
    return list(plan.schedule(name).shifts)


def test_natural_key_orders_numbers_of_any_length() -> None:
    from oncall_planner.report import natural_key

    huge = "9" * 5000
    texts = [f"week {huge}", "week 10", "week 2", "week 007", "week", f"week 1{huge}"]
    ordered = sorted(texts, key=natural_key)
    assert ordered == ["week", "week 2", "week 007", "week 10", f"week {huge}", f"week 1{huge}"]
