"""The ``check`` front door: rule selection, per-schedule ``ignore:``, examples, import weight."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from test_validate_helpers import greedy_plan, schedule_text

from oncall_planner.loader import load_org, load_schedule
from oncall_planner.report import Severity
from oncall_planner.rules import RULES
from oncall_planner.validate import check

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "schedules" / "backend-primary.yaml"
SCHEDULES = ROOT / "schedules"


def test_every_finding_is_located_with_a_catalogue_code_and_hint() -> None:
    seed = load_schedule(SEED)
    report = check(seed, greedy_plan([seed], weeks=13), None)
    assert len(report) > 10
    for f in report:
        assert f.code in RULES
        assert f.severity is RULES[f.code].severity
        assert f.file == str(SEED)
        assert f.line is not None and f.column is not None
        assert f.path.startswith("schedule")
        assert f.hint


def test_select_and_ignore_take_prefixes() -> None:
    seed = load_schedule(SEED)
    assert check(seed, select=["E2"]).codes() == {"E204", "E208"}
    assert check(seed, select=["E", "S"], ignore=["E204"]).codes() == {"E208", "S105", "S106"}
    assert check(seed, select=["ALL"]).codes() == check(seed).codes()


def test_schedule_ignore_list_applies_to_plan_and_hard_findings() -> None:
    text = SEED.read_text(encoding="utf-8")
    seed = load_schedule(text)
    plan = greedy_plan([seed], weeks=13)
    # Drop frank's shadow weeks: H004 is reported on the plan.
    plan = plan.model_copy(
        update={
            "schedules": tuple(
                sp.model_copy(
                    update={"shifts": tuple(s for s in sp.shifts if s.layer.value != "shadow")}
                )
                for sp in plan.schedules
            )
        }
    )
    before = check(seed, plan).codes()
    assert {"P103", "E204"} <= before
    quiet = load_schedule(text.replace("schedule:\n", "schedule:\n  ignore: [P1, H, E204]\n", 1))
    after = check(quiet, plan).codes()
    assert not any(c.startswith(("P1", "H")) or c == "E204" for c in after)
    assert "E208" in after


def test_h005_is_reported_once_with_a_plan() -> None:
    small = schedule_text(
        """
schedule:
  name: s
  timezone: UTC
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    min_rotation_size: 4
    members:
      - {id: a, name: A}
      - {id: b, name: B}
"""
    )
    plan = greedy_plan([small], weeks=2)
    assert [f.code for f in check(small, plan, select=["H005"])] == ["H005"]


def test_report_json_keeps_the_finding_keys() -> None:
    data = json.loads(check(load_schedule(SEED), select=["S105"]).to_json())
    assert data == [
        {
            "code": "S105",
            "severity": "info",
            "message": "6 members; the SRE guidance for a single-site weekly primary + "
            "secondary rotation is at least 8",
            "file": str(SEED),
            "line": 12,
            "column": 5,
            "path": "schedule.participants.members",
            "hint": "smaller rotations put each person on call more than 25 % of the time; "
            "grow the rotation, or page only a primary",
        }
    ]


def test_report_is_deterministic_and_sorted_by_severity_file_and_line() -> None:
    org = load_org(SCHEDULES)
    first = check(org).to_json()
    assert first == check(load_org(SCHEDULES)).to_json()
    keys = [(f.severity.rank, f.file or "", f.line or 0) for f in check(org)]
    assert keys == sorted(keys)


def test_example_schedules_have_no_errors_without_a_plan() -> None:
    for folder in (SCHEDULES, SCHEDULES / "org"):
        report = check(load_org(folder))
        assert report.errors == (), [f.format() for f in report.errors]


@pytest.mark.parametrize("name", ["backend-primary.yaml", "sydney-data.yaml", "us-storefront.yaml"])
def test_example_schedule_with_a_valid_plan_has_no_errors(name: str) -> None:
    schedule = load_schedule(SCHEDULES / name)
    plan = greedy_plan([schedule], weeks=26)
    report = check(schedule, plan)
    assert report.errors == (), [f.format() for f in report.errors]
    assert {f.severity for f in report} <= {Severity.WARNING, Severity.INFO}


def test_check_path_never_imports_ortools() -> None:
    code = """
import sys
from datetime import date
from oncall_planner.cli import check as cli_check
from oncall_planner.validate import check
from oncall_planner.loader import load_schedule
from oncall_planner.expand import expand
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift

s = load_schedule("schedules/backend-primary.yaml")
p = expand(s, date(2027, 1, 4), 4)
names = ["alice", "bob", "carol", "dan"]
shifts = tuple(
    Shift(week=w.index, layer=Layer.PRIMARY, person=names[w.index], start=w.start, end=w.end)
    for w in p.weeks
)
plan = Plan(schedules=(SchedulePlan(name=s.name, timezone=s.timezone, start=p.start,
                                    weeks=4, shifts=shifts),))
report = check(s, plan)
assert report.codes() & {"H001", "P103"}, report.codes()
assert cli_check.format_report(report, "json", checked=1)
print("ortools" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "name",
    ["backend-primary.yaml", "payments-minimal.yaml", "sydney-data.yaml", "us-storefront.yaml"],
)
def test_example_schedule_with_its_solver_plan_has_no_errors(name: str) -> None:
    from oncall_planner.solver import PlanOptions, plan

    schedule = load_schedule(SCHEDULES / name)
    options = PlanOptions(workers=1, seed=0, time_limit_s=10)
    report = check(schedule, plan(schedule, date(2027, 1, 4), 13, options=options))
    assert report.errors == (), [f.format() for f in report.errors]


def test_example_org_with_its_solver_plan_has_no_errors() -> None:
    from oncall_planner.solver import PlanOptions, plan_org

    org = load_org(SCHEDULES / "org")
    options = PlanOptions(workers=1, seed=0, time_limit_s=10)
    report = check(org, plan_org(org, date(2027, 1, 4), 13, options=options))
    assert report.errors == (), [f.format() for f in report.errors]
    # The org's plans are checked across schedules: olivia and priya are in both.
    assert "H007" not in report.codes()
