"""Property: any small valid schedule gives a plan that passes every hard check, or a clear
InfeasibleError; never another error."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from oncall_planner import InfeasibleError, PlanOptions, plan, plan_org
from oncall_planner.rules import HARD_RULES
from oncall_planner.spec import Schedule
from oncall_planner.validate.hard import check_hard

START = date(2027, 3, 22)  # a Monday before the European DST change
OPTIONS = PlanOptions(time_limit_s=10, workers=1, seed=0)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]
DAYS = ["monday", "wednesday", "friday"]


@st.composite
def members(draw: st.DrawFn, ids: list[str], weeks: int) -> list[dict[str, Any]]:
    out = []
    for pid in ids:
        m: dict[str, Any] = {"id": pid, "name": pid.upper()}
        if draw(st.booleans()):
            first = START + timedelta(days=draw(st.integers(0, 7 * weeks)))
            m["time_off"] = [
                {"start": first, "end": first + timedelta(days=draw(st.integers(0, 9)))}
            ]
        if draw(st.integers(0, 4)) == 0:
            m["new_engineer"] = True
            m["shadow_weeks_done"] = draw(st.integers(0, 1))
        if draw(st.integers(0, 3)) == 0:
            m["capacity"] = 0.5
        if draw(st.booleans()):
            m["history"] = {
                "primary_weeks": draw(st.integers(0, 4)),
                "secondary_weeks": draw(st.integers(0, 4)),
                "last_on_call": START - timedelta(weeks=1),
                "last_stint_weeks": draw(st.integers(1, 2)),
            }
        if draw(st.integers(0, 3)) == 0:
            m["avoid_weeks"] = [START + timedelta(weeks=draw(st.integers(0, weeks - 1)))]
        out.append(m)
    return out


@st.composite
def schedules(
    draw: st.DrawFn, name: str = "team", pool: list[str] | None = None, smallest: int = 1
) -> Schedule:
    weeks = 6
    size = draw(st.integers(smallest, 6))
    ids = pool[:size] if pool else [f"m{i}" for i in range(size)]
    policy = [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}]
    if draw(st.booleans()):
        policy.append({"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"})
    return Schedule.model_validate(
        {
            "name": name,
            "timezone": draw(st.sampled_from(ZONES)),
            "handoff_time": draw(st.sampled_from(["09:00", "10:30", "17:00"])),
            "handoff_day": draw(st.sampled_from(DAYS)),
            "participants": {
                "min_rotation_size": draw(st.integers(1, min(3, size))),
                "max_consecutive_weeks": draw(st.integers(1, 3)),
                "shadow_period": draw(st.sampled_from(["0_weeks", "1_week", "2_weeks"])),
                "members": draw(members(ids, weeks)),
            },
            "escalation_policy": policy,
            "holidays": [START + timedelta(days=draw(st.integers(0, 41)))],
        }
    )


@settings(max_examples=30)
@given(schedules())
def test_plan_passes_every_check_or_explains(schedule: Schedule) -> None:
    try:
        result = plan(schedule, START, 6, options=OPTIONS)
    except InfeasibleError as e:
        event("infeasible")
        assert e.conflicts and all(c.strip() for c in e.conflicts)
        assert set(e.codes) & set(HARD_RULES)
        return
    event("planned")
    assert check_hard([schedule], result) == []
    assert result.solve is not None and result.solve.status in ("OPTIMAL", "FEASIBLE")


SHARED = ["xa", "xb", "m1", "m2", "m3", "m4"]


@settings(max_examples=20)
@given(
    schedules("alpha", SHARED, smallest=4),
    schedules("beta", ["xa", "xb", "n1", "n2", "n3", "n4"], smallest=4),
)
def test_org_plans_never_double_book_shared_people(a: Schedule, b: Schedule) -> None:
    try:
        result = plan_org([a, b], START, 6, options=OPTIONS)
    except InfeasibleError as e:
        event("infeasible")
        assert e.conflicts and set(e.codes) & set(HARD_RULES)
        return
    event("planned")
    assert check_hard([a, b], result) == []
