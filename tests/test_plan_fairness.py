"""The plan carries a per-person fairness summary that agrees with its shifts."""

from __future__ import annotations

from datetime import date

import pytest

from oncall_planner import Layer, Plan, PlanOptions, load_schedule, plan
from tests.conftest import SCHEDULES


@pytest.fixture(scope="module")
def quarter() -> Plan:
    return plan(load_schedule(SCHEDULES / "backend-primary.yaml"), date(2027, 1, 4), 13)


def test_summary_counts_match_the_shifts(quarter: Plan) -> None:
    sp = quarter.schedule("backend-primary")
    assert [f.person for f in sp.fairness] == ["alice", "bob", "carol", "dan", "erin", "frank"]
    for row in sp.fairness:
        mine = sp.shifts_of(row.person)
        assert row.primary_weeks == sum(s.layer is Layer.PRIMARY for s in mine)
        assert row.secondary_weeks == sum(s.layer is Layer.SECONDARY for s in mine)
        assert row.shadow_weeks == sum(s.layer is Layer.SHADOW for s in mine)
        assert row.load == 2 * row.primary_weeks + row.secondary_weeks
    # The fair shares divide exactly the plan's load: 13 weeks × (2 + 1).
    assert sum(f.fair_share for f in sp.fairness) == pytest.approx(39, abs=0.01)
    assert sum(f.load for f in sp.fairness) == 39
    # dan works half time: his share is about half of a full-time member's.
    shares = {f.person: f.fair_share for f in sp.fairness}
    assert shares["dan"] < 0.6 * shares["carol"]


def test_summary_round_trips_through_the_plan_file(quarter: Plan) -> None:
    again = Plan.from_json(quarter.to_json())
    assert (
        again.schedule("backend-primary").fairness == quarter.schedule("backend-primary").fairness
    )
    assert '"fairness": [' in quarter.to_json()


def test_summary_uses_the_configured_weights() -> None:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    weighted = plan(schedule, date(2027, 1, 4), 4, options=PlanOptions(primary_weight=3))
    for row in weighted.schedule("backend-primary").fairness:
        assert row.load == 3 * row.primary_weeks + row.secondary_weeks


def test_cli_table_prints_the_plans_summary(capsys: pytest.CaptureFixture[str]) -> None:
    from oncall_planner.cli import main

    path = str(SCHEDULES / "backend-primary.yaml")
    assert main(["plan", path, "--start", "2027-01-04", "--weeks", "13"]) == 0
    out = capsys.readouterr().out
    quarter = plan(load_schedule(path), date(2027, 1, 4), 13)
    for row in quarter.schedule("backend-primary").fairness:
        name = quarter.display_name(row.person)
        line = next(ln for ln in out.splitlines() if ln.startswith(name))
        assert line.split()[-1] == f"{row.fair_share:.1f}"
