"""``oncall-planner who`` and ``oncall-planner override`` on plan files built without a solver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncall_planner.cli import main
from oncall_planner.plans import Plan
from tests.test_overrides import load, make_plan


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    schedule = load(tmp_path)
    plan = tmp_path / "plan.json"
    plan.write_text(make_plan(schedule).to_json(), encoding="utf-8")
    return plan, tmp_path / "team.yaml"


def test_who_at_a_local_time_and_as_json(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan, _ = files
    assert main(["who", str(plan), "--at", "2027-03-10T12:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "team at 2027-03-10 12:00 CET"
    assert (
        out[1] == "  primary    ben until 2027-03-15 10:00 CET, then cat until 2027-03-22 10:00 CET"
    )
    assert main(["who", str(plan), "--at", "2027-03-10T11:00+00:00", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["schedules"][0]
    assert data["at"] == "2027-03-10T12:00:00+01:00"
    assert data["layers"][1] == {
        "schedule": "team",
        "layer": "secondary",
        "person": "dan",
        "since": "2027-03-08T10:00:00+01:00",
        "until": "2027-03-15T10:00:00+01:00",
        "next": {"person": "ann", "until": "2027-03-22T10:00:00+01:00"},
    }


def test_who_usage_errors(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    plan, _ = files
    assert main(["who", str(plan), "--at", "noon"]) == 2
    assert "--at: 'noon' is not a time" in capsys.readouterr().err
    assert main(["who", str(plan), "--schedule", "ops"]) == 2
    assert "no schedule 'ops'; it has: team" in capsys.readouterr().err


def test_override_writes_a_new_revision_that_who_shows(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan, schedules = files
    args = ["override", str(plan), "--schedule", "team", "--person", "cat"]
    args += ["--from", "2027-03-10T18:00", "--to", "2027-03-12T09:00", "--reason", "ben is ill"]
    assert main([*args, "--schedules", str(schedules)]) == 0
    written = Plan.read(plan)
    (o,) = written.schedules[0].overrides
    assert (o.person, o.replaces, o.reason, o.accepted) == ("cat", "ben", "ben is ill", ())
    assert main(["who", str(plan), "--at", "2027-03-11T12:00+01:00"]) == 0
    assert "cat until 2027-03-12 09:00 CET, then ben" in capsys.readouterr().out
    assert main(["check", str(schedules), "--plan", str(plan)]) == 0


def test_a_rule_it_breaks_is_exit_1_unless_forced(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan, schedules = files
    before = plan.read_bytes()
    args = ["override", str(plan), "--person", "ben", "--from", "2027-03-16T20:00"]
    args += ["--to", "2027-03-17T08:00", "--schedules", str(schedules)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "H106 error" in err and "ben holds primary" in err and "not written" in err
    assert plan.read_bytes() == before
    out = tmp_path / "forced.yaml"
    assert main([*args, "--force", "-o", str(out)]) == 0
    assert plan.read_bytes() == before
    (o,) = Plan.read(out).schedules[0].overrides
    assert o.accepted == ("H106",)
    assert main(["check", str(schedules), "--plan", str(out)]) == 0


def test_without_schedule_files_the_plan_alone_is_checked(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan, _ = files
    args = ["override", str(plan), "--person", "dan", "--from", "2027-03-10T18:00+01:00"]
    assert main([*args, "--to", "2027-03-11T08:00+01:00"]) == 1  # dan is secondary that week
    assert "H102 error" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "soon", "--to", "2027-03-11T08:00"], "--from: 'soon' is not a time"),
        (["--from", "2027-03-11T08:00", "--to", "2027-03-10T08:00"], "end: 2027-03-10T08:00"),
        (
            ["--from", "2027-03-10T08:00", "--to", "2027-03-11T08:00", "--schedule", "x"],
            "no schedule 'x'",
        ),
    ],
)
def test_override_usage_errors(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    plan, _ = files
    assert main(["override", str(plan), "--person", "cat", *extra]) == 2
    assert message in capsys.readouterr().err
