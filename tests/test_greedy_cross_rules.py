"""The greedy plan (the fallback when time runs out, and the plan of a component with too
little time for a model) keeps the rules across schedules: stints (H009) and
``max_on_call_share`` (H010), as the solver-free checker counts them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from oncall_planner import PlanOptions, plan_org
from oncall_planner.errors import SolverTimeoutError
from oncall_planner.expand import stints
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan
from oncall_planner.solver.api import _to_plan
from oncall_planner.solver.greedy import greedy_assignment
from oncall_planner.solver.instance import build_instance
from oncall_planner.solver.objective import fair_targets
from oncall_planner.spec import Schedule
from oncall_planner.validate.hard import check_hard

JAN4 = date(2027, 1, 4)  # a Monday
OPTIONS = PlanOptions(workers=1, seed=0)


def team(
    name: str,
    ids: list[str],
    *,
    day: str = "monday",
    limit: int = 1,
    secondary: bool = True,
    extra: dict[str, dict[str, Any]] | None = None,
) -> Schedule:
    policy = [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}]
    if secondary:
        policy.append({"level": 2, "target": "on-call-secondary", "timeout": "10_minutes"})
    members = [{"id": p, "name": p.title(), **(extra or {}).get(p, {})} for p in ids]
    return Schedule.model_validate(
        {
            "name": name,
            "timezone": "UTC",
            "handoff_time": "10:00",
            "handoff_day": day,
            "participants": {
                "min_rotation_size": 1,
                "max_consecutive_weeks": limit,
                "members": members,
            },
            "escalation_policy": policy,
        }
    )


def greedy_plan(schedules: Sequence[Schedule], weeks: int) -> tuple[Plan, bool]:
    """The greedy plan of an org, as the planner makes it, and whether every slot is filled."""
    instance = build_instance(schedules, JAN4, weeks)
    targets = {rot.index: fair_targets(instance, rot, OPTIONS) for rot in instance.rotations}
    weights = {Layer.PRIMARY: OPTIONS.primary_weight, Layer.SECONDARY: OPTIONS.secondary_weight}
    cells, complete = greedy_assignment(instance, targets, weights, OPTIONS.spacing_weeks)
    return _to_plan(instance, cells, JAN4).annotate(schedules), complete


def paged(result: Plan, person: str) -> list[tuple[Any, Any, str, int]]:
    return [
        (s.start, s.end, sp.name, s.week)
        for sp in result.schedules
        for s in sp.shifts
        if s.person == person and s.layer in PAGED_LAYERS
    ]


def sam_in_three() -> list[Schedule]:
    """Three 5-person schedules sharing sam, handoffs two days apart, each allowing 1 week."""
    return [
        team(name, ["sam", *(f"{name[0]}{i}" for i in range(4))], day=day)
        for name, day in (("apps", "monday"), ("data", "wednesday"), ("edge", "friday"))
    ]


def test_greedy_keeps_stints_across_schedules() -> None:
    schedules = sam_in_three()
    result, complete = greedy_plan(schedules, 13)
    assert complete
    assert check_hard(schedules, result) == []
    held = paged(result, "sam")
    assert len(held) >= 3  # sam does take part, in several schedules
    assert len({name for _, _, name, _ in held}) >= 2
    assert max(len(stint) for stint in stints(held)) == 1


def test_greedy_counts_the_stint_carried_into_week_0() -> None:
    """pat ended a week in alpha right before the plan; beta's week 0 starts a day after it."""
    last = {"last_on_call": "2026-12-28", "last_stint_weeks": 1}
    alpha = team("alpha", ["pat", "al", "am"], secondary=False, extra={"pat": {"history": last}})
    beta = team("beta", ["pat", "bo", "bu"], day="tuesday", secondary=False)
    result, complete = greedy_plan([alpha, beta], 4)
    assert complete
    assert check_hard([alpha, beta], result) == []
    beta_week0 = [s.person for s in result.schedule("beta").shifts if s.week == 0]
    assert beta_week0 != ["pat"]


def test_greedy_keeps_the_on_call_share_across_schedules() -> None:
    extra = {"sam": {"max_on_call_share": "25%"}}
    schedules = [
        team(name, ["sam", f"{name}1", f"{name}2"], day=day, extra=extra, secondary=False, limit=2)
        for name, day in (("apps", "monday"), ("data", "thursday"))
    ]
    result, complete = greedy_plan(schedules, 12)
    assert complete
    assert check_hard(schedules, result) == []
    # 24 weekly shifts among five people: sam's fair share (4.8) is above the cap of 25 % of
    # 12 weeks, both schedules together, so the cap binds exactly.
    assert len(paged(result, "sam")) == 3


def test_a_component_without_time_for_a_model_gets_a_valid_greedy_plan() -> None:
    """With far less time than building the model takes, the planner returns the greedy plan,
    checked without a solver; it used to break H009 here and then no plan came back."""
    schedules = sam_in_three()
    hurried = OPTIONS.model_copy(update={"time_limit_s": 0.01})
    result = plan_org(schedules, JAN4, 13, options=hurried)
    assert result.solve is not None and result.solve.status == "FEASIBLE"
    assert check_hard(schedules, result) == []


def test_an_unchecked_greedy_plan_that_breaks_a_rule_is_no_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Solving by stages, the greedy plan is checked by the first stage; when no stage starts,
    a greedy plan that breaks a rule means no plan in time, not a broken plan returned."""
    import oncall_planner.solver.api as api

    schedules = sam_in_three()

    def sam_everywhere(instance: Any, *args: Any, **kwargs: Any) -> tuple[set[Any], bool]:
        return {
            (rot.index, "sam" if layer is Layer.PRIMARY else p, w, layer)
            for rot in instance.rotations
            for w in range(rot.n_weeks)
            for layer, p in zip(rot.layers, sorted(rot.members)[1:], strict=False)
        }, True

    monkeypatch.setattr(api, "greedy_assignment", sam_everywhere)
    monkeypatch.setattr(api, "MIN_STAGE_S", 1e9)  # no stage ever starts
    with pytest.raises(SolverTimeoutError, match="time limit"):
        plan_org(schedules, JAN4, 4, options=OPTIONS.model_copy(update={"time_limit_s": 5}))
