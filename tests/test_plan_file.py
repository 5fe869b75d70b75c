"""Plan files read through the same safe, capped, located reader as schedules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oncall_planner import Plan, PlanFileError, SchedulePlan, Shift, load_schedule
from oncall_planner.expand import week_starts
from oncall_planner.plans import merge_plans
from tests.conftest import DATA, SCHEDULES


def small_plan(name: str = "backend-primary") -> Plan:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    bounds = week_starts(schedule, date(2027, 1, 4), 2)
    shifts = tuple(
        Shift(week=w, layer="primary", person="alice", start=bounds[w], end=bounds[w + 1])  # type: ignore[arg-type]
        for w in range(2)
    )
    sp = SchedulePlan(name=name, timezone="UTC", start=date(2027, 1, 4), weeks=2, shifts=shifts)
    people = Plan(schedules=(sp,)).annotate([schedule.model_copy(update={"name": name})]).people
    return Plan(schedules=(sp,), people=people).annotate([schedule])


def test_yaml_plan_round_trips(tmp_path: Path) -> None:
    plan = small_plan()
    path = tmp_path / "plan.yaml"
    path.write_text(plan.to_yaml(), encoding="utf-8")
    assert Plan.read(path) == plan


def test_yaml_plan_alias_bomb_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text((DATA / "bad" / "12-alias-bomb.yaml").read_text(encoding="utf-8"), "utf-8")
    with pytest.raises(PlanFileError) as info:
        Plan.read(path)
    assert [f.code for f in info.value.findings] == ["L006"]


def test_yaml_plan_duplicate_key_is_located(tmp_path: Path) -> None:
    text = (
        small_plan()
        .to_yaml()
        .replace("format: oncall-planner/plan@1\n", "format: oncall-planner/plan@1\nformat: x\n", 1)
    )
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        Plan.read(path)
    (finding,) = info.value.findings
    assert (finding.code, finding.line, finding.file) == ("L002", 2, str(path))


def test_merge_plans_keeps_people() -> None:
    a, b = small_plan("a"), small_plan("b")
    merged = merge_plans([a, b])
    assert [sp.name for sp in merged.schedules] == ["a", "b"]
    assert merged.people == a.people
    assert merged.display_name("alice") == "Alice Martin"
