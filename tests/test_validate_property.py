"""Property test: every random break of a valid plan is caught by the rule that should catch it.

Valid plans come from ``greedy_plan`` over the example schedules, from a random start date and
horizon; each example applies one mutation a hand edit could make:

- one person in two roles in a week (the secondary handed to the primary) → H002 (and E210);
- a shift dropped → H001 (and E209);
- a stint stretched one week past ``max_consecutive_weeks`` → H003;
- a shift moved into a member's time off → H006.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_validate_helpers import greedy_plan, replace_shifts

from oncall_planner.expand import expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate import check

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
EXAMPLES = ("backend-primary.yaml", "us-storefront.yaml", "sydney-data.yaml")


@cache
def _schedule(name: str) -> Schedule:
    return load_schedule(SCHEDULES / name)


@cache
def _valid(name: str, start: date, weeks: int) -> Plan:
    plan = greedy_plan([_schedule(name)], start, weeks)
    assert not check(_schedule(name), plan).errors, "the greedy plan must be valid"
    return plan


def _shifts(plan: Plan) -> list[Shift]:
    return list(plan.schedules[0].shifts)


def _on(shifts: list[Shift], week: int, layer: Layer) -> Shift:
    return next(s for s in shifts if s.week == week and s.layer is layer)


def _double_role(plan: Plan, week: int) -> Plan:
    shifts = _shifts(plan)
    primary = _on(shifts, week, Layer.PRIMARY)
    out = [
        s.model_copy(update={"person": primary.person})
        if (s.week, s.layer) == (week, Layer.SECONDARY)
        else s
        for s in shifts
    ]
    return replace_shifts(plan, plan.schedules[0].name, out)


def _drop(plan: Plan, index: int) -> Plan:
    shifts = [s for s in _shifts(plan) if s.layer is not Layer.SHADOW]
    gone = shifts[index % len(shifts)]
    return replace_shifts(plan, plan.schedules[0].name, [s for s in _shifts(plan) if s != gone])


def _assign(shifts: list[Shift], week: int, person: str) -> list[Shift]:
    """Make ``person`` primary in ``week``; whoever held that primary takes their other role."""
    old = _on(shifts, week, Layer.PRIMARY).person
    out = []
    for s in shifts:
        if s.week != week:
            out.append(s)
        elif s.layer is Layer.PRIMARY:
            out.append(s.model_copy(update={"person": person}))
        elif s.person == person:
            out.append(s.model_copy(update={"person": old}))
        else:
            out.append(s)
    return out


def _stretch(plan: Plan, schedule: Schedule, first: int, pick: int) -> Plan | None:
    """``limit + 1`` primary weeks in a row for someone available in all of them."""
    limit = schedule.participants.max_consecutive_weeks
    problem = expand(schedule, plan.schedules[0].start, plan.schedules[0].weeks)
    if first + limit >= len(problem.weeks):
        return None
    span = set(range(first, first + limit + 1))
    trained = [
        m.id
        for m in problem.members
        if problem.needs_shadow(m) == 0 and not (problem.unavailable[m.id] & span)
    ]
    if not trained:
        return None
    person = trained[pick % len(trained)]
    shifts = _shifts(plan)
    for week in sorted(span):
        shifts = _assign(shifts, week, person)
    return replace_shifts(plan, schedule.name, shifts)


def _into_time_off(plan: Plan, schedule: Schedule, pick: int) -> Plan | None:
    problem = expand(schedule, plan.schedules[0].start, plan.schedules[0].weeks)
    away = sorted((w, m) for m, weeks in problem.unavailable.items() for w in weeks)
    if not away:
        return None
    week, person = away[pick % len(away)]
    return replace_shifts(plan, schedule.name, _assign(_shifts(plan), week, person))


@pytest.mark.parametrize("mutation", ["double-role", "drop", "stretch", "time-off"])
@settings(max_examples=25)
@given(
    name=st.sampled_from(EXAMPLES),
    offset=st.integers(min_value=0, max_value=12),
    weeks=st.integers(min_value=6, max_value=16),
    a=st.integers(min_value=0, max_value=1000),
    b=st.integers(min_value=0, max_value=1000),
)
def test_each_mutation_is_caught_by_its_rule(
    mutation: str, name: str, offset: int, weeks: int, a: int, b: int
) -> None:
    schedule = _schedule(name)
    start = date(2027, 1, 4) + timedelta(weeks=offset)
    plan = _valid(name, start, weeks)
    expected: set[str]
    mutated: Plan | None
    if mutation == "double-role":
        mutated, expected = _double_role(plan, a % weeks), {"H002", "E210"}
    elif mutation == "drop":
        mutated, expected = _drop(plan, a), {"H001"}
    elif mutation == "stretch":
        mutated, expected = _stretch(plan, schedule, a % weeks, b), {"H003"}
    else:
        mutated, expected = _into_time_off(plan, schedule, a), {"H006"}
    event(f"{mutation}: {'applied' if mutated is not None else 'nothing to break'}")
    if mutated is None:
        # Nothing to break this way in this horizon (no time off in it, or too short).
        return
    report = check(schedule, mutated)
    assert expected <= {f.code for f in report.errors}, [f.format() for f in report.errors]


@settings(max_examples=10)
@given(name=st.sampled_from(EXAMPLES), offset=st.integers(0, 40), weeks=st.integers(4, 26))
def test_valid_plans_have_no_errors(name: str, offset: int, weeks: int) -> None:
    plan = _valid(name, date(2027, 1, 4) + timedelta(weeks=offset), weeks)
    assert check(_schedule(name), plan).errors == ()
