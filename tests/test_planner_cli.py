"""``oncall-planner plan``: table, JSON, -o, re-planning and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncall_planner.cli import main
from oncall_planner.loader import load_org, load_schedule
from oncall_planner.plans import Plan
from oncall_planner.validate.hard import check_hard
from tests.conftest import SCHEDULES

SEED = str(SCHEDULES / "backend-primary.yaml")
DEMO = [SEED, "--start", "2027-01-04", "--weeks", "13"]


def test_demo_prints_table_and_fairness_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", *DEMO]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("week"))
    assert header.split() == ["week", "starts", "primary", "secondary", "shadow"]
    assert "Mon 2027-01-04 10:00 UTC" in out
    assert "Frank Li" in out  # shadow in week 0
    assert "fair share" in out and "balance score" in out
    assert "solver: OPTIMAL" in out
    # 13 week rows, 6 people in the summary.
    assert sum(1 for line in out.splitlines() if line[:3].strip().isdigit()) == 13
    assert sum(1 for n in ("Alice", "Bob", "Carol", "Dan", "Erin", "Frank") if f"{n} " in out) == 6


def test_json_output_is_a_valid_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", *DEMO, "--format", "json"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text)
    assert data["format"] == "oncall-planner/plan@1"
    p = Plan.from_json(text)
    assert check_hard([load_schedule(SEED)], p) == []


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_output_file_is_written(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / f"plan{suffix}"
    assert main(["plan", *DEMO, "-o", str(target)]) == 0
    assert f"plan written to {target}" in capsys.readouterr().out
    p = Plan.read(target)
    assert p.schedule("backend-primary").weeks == 13
    if suffix == ".yaml":
        assert target.read_text(encoding="utf-8").startswith("format: oncall-planner/plan@1")
    assert not [f for f in target.parent.iterdir() if f.name.endswith(".tmp")]


def test_replan_with_previous_and_freeze(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "q1.json"
    assert main(["plan", *DEMO, "-o", str(first)]) == 0
    second = tmp_path / "q1b.json"
    args = ["--previous", str(first), "--freeze-until", "2027-02-01", "-o", str(second)]
    assert main(["plan", *DEMO, *args]) == 0
    old, new = Plan.read(first), Plan.read(second)
    frozen = [s for s in old.schedule("backend-primary").shifts if s.week < 4]
    assert [s for s in new.schedule("backend-primary").shifts if s.week < 4] == frozen


def test_org_folder_is_planned_together(capsys: pytest.CaptureFixture[str]) -> None:
    folder = SCHEDULES / "org"
    assert (
        main(["plan", str(folder), "--start", "2027-01-04", "--weeks", "6", "--format", "json"])
        == 0
    )
    p = Plan.from_json(capsys.readouterr().out)
    org = load_org(folder)
    assert {sp.name for sp in p.schedules} == {s.name for s in org.schedules}
    assert check_hard(org.schedules, p) == []


def test_infeasible_exits_1_with_the_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        Path(SEED)
        .read_text(encoding="utf-8")
        .replace("min_rotation_size: 4", "min_rotation_size: 6")
    )
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["plan", str(path), "--start", "2027-01-04", "--weeks", "4"]) == 1
    err = capsys.readouterr().err
    assert "min_rotation_size is 6" in err and "frank" in err and "H005" in err


@pytest.mark.parametrize(
    "args",
    [
        [SEED, "--start", "2027-13-01", "--weeks", "4"],
        [SEED, "--start", "2027-01-04", "--weeks", "0"],
        [SEED, "--start", "2027-01-04", "--weeks", "4", "--freeze-until", "2027-01-10"],
        ["schedules/missing.yaml", "--start", "2027-01-04", "--weeks", "4"],
        [SEED, "--weeks", "4"],
    ],
    ids=["bad-date", "zero-weeks", "freeze-without-previous", "missing-file", "no-start"],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["plan", *args])
    except SystemExit as e:  # argparse rejects unparsable values itself
        code = int(e.code or 0)
    assert code == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--time-limit", "0", "--time-limit should be greater than 0, got 0.0"),
        ("--time-limit", "nan", "--time-limit should be greater than 0, got nan"),
        ("--workers", "0", "--workers should be greater than or equal to 1, got 0"),
        ("--workers", "100", "--workers should be less than or equal to 64, got 100"),
        ("--seed", "-1", "--seed should be greater than or equal to 0, got -1"),
    ],
)
def test_solver_flags_out_of_range_are_usage_errors(
    flag: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", *DEMO, flag, value]) == 2
    assert f"error: {message}" in capsys.readouterr().err


def test_history_feed_carries_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oncall_planner.ical import to_ical

    # Last quarter's plan as a feed: its shifts become this quarter's history.
    last = tmp_path / "last.json"
    assert main(["plan", SEED, "--start", "2026-10-05", "--weeks", "13", "-o", str(last)]) == 0
    feed = tmp_path / "last.ics"
    feed.write_bytes(to_ical(Plan.read(last)))
    capsys.readouterr()
    assert main(["plan", *DEMO, "--history", str(feed), "--format", "json"]) == 0
    via_cli = Plan.from_json(capsys.readouterr().out)
    # The same as the library call with the feed's carry-over.
    from datetime import date

    from oncall_planner.ical import feed_history
    from oncall_planner.solver import plan

    schedule = load_schedule(SEED)
    history = feed_history(feed.read_bytes(), schedule, date(2027, 1, 4))
    assert history and history != {m.id: m.history for m in schedule.participants.members}
    direct = plan(schedule, date(2027, 1, 4), 13, history=history)
    assert via_cli.schedule("backend-primary").shifts == direct.schedule("backend-primary").shifts
