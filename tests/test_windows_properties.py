"""Properties of plans with coverage windows, on the public strategies of ``testing``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from oncall_planner.expand import expand
from oncall_planner.plans import Plan
from oncall_planner.report import Severity
from oncall_planner.roster import handoffs
from oncall_planner.spec import Schedule
from oncall_planner.testing import schedules_with_plans
from oncall_planner.validate import check
from oncall_planner.validate.hard import check_hard

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(schedules_with_plans(windows=True, max_weeks=6))
def test_round_robin_window_plans_keep_every_hard_rule(pair: tuple[Schedule, Plan]) -> None:
    schedule, plan = pair
    assert check_hard([schedule], plan) == []
    errors = [
        f.format() for f in check(schedule, plan=plan).findings if f.severity is Severity.ERROR
    ]
    assert errors == []


@_SETTINGS
@given(schedules_with_plans(windows=True, max_weeks=6))
def test_window_plans_round_trip_and_keep_their_handoffs(pair: tuple[Schedule, Plan]) -> None:
    schedule, plan = pair
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again == plan and again.to_json() == text
    (sp,) = again.schedules
    weeks = expand(schedule, sp.start, sp.weeks).weeks
    assert handoffs(sp) == [w.start for w in weeks] + [weeks[-1].end]
    # Every shift is one occurrence of its window inside its week.
    for s in sp.shifts:
        week = weeks[s.week]
        assert s.window is not None and week.start <= s.start < s.end <= week.end
