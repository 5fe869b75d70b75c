"""The H009 explanation names the stint carried into the plan: the person, the weeks before
week 0 and in which schedule, and the limit (it used to show only the rule code's fallback
"could take it only by breaking another rule")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from oncall_planner import InfeasibleError, PlanOptions, plan_org
from oncall_planner.solver.explain import _carried_into
from oncall_planner.solver.instance import build_instance
from oncall_planner.spec import Schedule

JAN4 = date(2027, 1, 4)  # a Monday
FAST = PlanOptions(time_limit_s=10, workers=1, seed=0)
AWAY = {"time_off": [{"start": "2027-01-05", "end": "2027-01-11"}]}


def team(name: str, ids: list[str], *, day: str, limit: int, extra: dict[str, Any]) -> Schedule:
    return Schedule.model_validate(
        {
            "name": name,
            "timezone": "UTC",
            "handoff_time": "10:00",
            "handoff_day": day,
            "participants": {
                "min_rotation_size": 1,
                "max_consecutive_weeks": limit,
                "members": [{"id": p, "name": p.title(), **extra.get(p, {})} for p in ids],
            },
            "escalation_policy": [{"level": 1, "target": "on-call-primary", "timeout": "5m"}],
        }
    )


def org(carried: int, limit_a: int, limit_b: int) -> list[Schedule]:
    """pat was on call ``carried`` weeks in alpha right before the plan; beta's week 0 starts
    a day after that and bo, the only other member of beta, is away."""
    last = {"last_on_call": "2026-12-28", "last_stint_weeks": carried}
    return [
        team("alpha", ["pat", "al"], day="monday", limit=limit_a, extra={"pat": {"history": last}}),
        team("beta", ["pat", "bo"], day="tuesday", limit=limit_b, extra={"bo": AWAY}),
    ]


@pytest.mark.parametrize(
    ("carried", "limit_a", "limit_b", "said"),
    [
        (
            1,
            1,
            1,
            "after 1 week in alpha right before the plan, week -1; the smallest "
            "max_consecutive_weeks is 1",
        ),
        (
            2,
            2,
            3,
            "after 2 weeks in alpha right before the plan, weeks -2 to -1; the smallest "
            "max_consecutive_weeks is 2",
        ),
    ],
)
def test_the_carried_stint_is_named_with_its_weeks_and_limit(
    carried: int, limit_a: int, limit_b: int, said: str
) -> None:
    with pytest.raises(InfeasibleError) as caught:
        plan_org(org(carried, limit_a, limit_b), JAN4, 1, options=FAST)
    text = str(caught.value)
    assert "H009" in caught.value.codes
    assert f"pat would be on call {carried + 1} weeks in one stint across alpha and beta" in text
    assert said in text
    assert "could take it only by breaking another rule" not in text


def test_the_core_only_explanation_names_who_carries_a_stint() -> None:
    instance = build_instance(org(2, 2, 3), JAN4, 1)
    beta = instance.rotations[1]
    assert beta.name == "beta"
    assert _carried_into(instance, beta) == (
        "; carried into the plan: pat 2 weeks in alpha right before the plan, weeks -2 to -1 "
        "(smallest max_consecutive_weeks 2)"
    )
