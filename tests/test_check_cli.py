"""``oncall-planner check`` with plans and severity files: formats, selection, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_validate_helpers import greedy_plan

from oncall_planner.cli import main
from oncall_planner.loader import load_org, load_schedule
from oncall_planner.plans import Layer, Plan

ROOT = Path(__file__).resolve().parent.parent
SCHEDULES = ROOT / "schedules"
SEED = SCHEDULES / "backend-primary.yaml"
SEVERITY = SCHEDULES / "severity.yaml"


def _write_plan(tmp_path: Path, plan: Plan, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(plan.to_json() if name.endswith(".json") else plan.to_yaml(), "utf-8")
    return path


@pytest.fixture
def seed_plan(tmp_path: Path) -> Path:
    return _write_plan(tmp_path, greedy_plan([load_schedule(SEED)], weeks=13))


def test_text_output_groups_by_file_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--severity", str(SEVERITY)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(SEED)
    # Errors first, then warnings, then info; by line within each severity.
    rank = {"error": 0, "warning": 1, "info": 2}
    keys = [
        (rank[x.split(": ")[1].split()[1]], int(x.split(":")[1]))
        for x in out[1:]
        if x.startswith("  ")
    ]
    assert keys == sorted(keys)
    assert [k[0] for k in keys] == [1, 1, 1, 2, 2, 2]
    assert out[-1] == "1 path(s) checked: 0 errors, 3 warnings, 6 info"
    sev1 = next(x for x in out if "SEV1" in x)
    assert (
        f"{SEED}:45:3: E206 warning: schedule.escalation_policy: SEV1 (Critical) asks for " in sev1
    )
    assert "reaches vp-engineering only at 30 minutes (level 4), and never reaches a cto" in sev1


def test_json_with_a_plan(seed_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--plan", str(seed_plan), "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert {"P103", "E204"} <= {f["code"] for f in findings}
    for f in findings:
        assert set(f) >= {"code", "severity", "message", "file", "line", "path", "hint"}


def test_yaml_plan_is_read_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_plan(tmp_path, greedy_plan([load_schedule(SEED)], weeks=13), "plan.yaml")
    assert main(["check", str(SEED), "--plan", str(path), "--select", "P103"]) == 0
    assert "P103 warning" in capsys.readouterr().out


def test_broken_plan_exits_one_with_located_findings(
    seed_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = Plan.read(seed_plan)
    sp = plan.schedules[0]
    # A hand edit: the week-3 secondary becomes the week-3 primary (one person, two roles).
    primary = next(s.person for s in sp.shifts if s.week == 3 and s.layer is Layer.PRIMARY)
    edited = [
        s.model_copy(update={"person": primary}) if (s.week, s.layer) == (3, Layer.SECONDARY) else s
        for s in sp.shifts
    ]
    bad = plan.model_copy(update={"schedules": (sp.model_copy(update={"shifts": tuple(edited)}),)})
    path = _write_plan(seed_plan.parent, bad, "edited.json")
    assert main(["check", str(SEED), "--plan", str(path), "--select", "H002,E210"]) == 1
    out = capsys.readouterr().out
    assert "H002 error" in out
    assert f"E210 error: schedule.escalation_policy[1].target: {primary} holds both level 1" in out
    assert out.strip().endswith("2 errors, 0 warnings, 0 info")


def test_plan_schedule_unknown_to_the_checked_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = load_org(SCHEDULES / "org")
    plan = greedy_plan([load_schedule(SEED), *org.schedules], weeks=4)
    path = _write_plan(tmp_path, plan)
    # Checking only the seed: the plan's api and platform entries match no checked file.
    assert main(["check", str(SEED), "--plan", str(path), "--select", "P102"]) == 1
    out = capsys.readouterr().out
    # Two P102 findings of one template: one line listing both schedules.
    assert (
        f"{path}: P102 error (2×): the plan has schedule ['api'; 'platform'], which no checked "
        "schedule file defines" in out
    )
    # Checking the seed and the org: every plan entry is someone's.
    assert (
        main(["check", str(SEED), str(SCHEDULES / "org"), "--plan", str(path), "--select", "P102"])
        == 0
    )


def test_select_ignore_prefixes_and_strict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--select", "E2", "--format", "json"]) == 0
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)}
    assert codes == {"E204", "E208"}
    assert main(["check", str(SEED), "--ignore", "e2,s", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # S106 is a warning: --strict fails on it.
    assert main(["check", str(SEED), "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", str(SEED), "--strict", "--ignore", "S106"]) == 0


def test_github_annotations_for_plan_findings(
    seed_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(
        [
            "check",
            str(SEED),
            "--plan",
            str(seed_plan),
            "--select",
            "P103,E204",
            "--format",
            "github",
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(x.startswith(f"::warning file={SEED},line=13,col=9,title=P103::") for x in lines)
    assert any(x.startswith(f"::notice file={SEED},line=46,col=7,title=E204::") for x in lines)


def test_missing_severity_or_plan_file_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(SEED), "--plan", str(tmp_path / "nope.json")]) == 1
    assert "L007" in capsys.readouterr().out
    assert main(["check", str(SEED), "--severity", str(tmp_path / "nope.yaml")]) == 1
    assert "L007" in capsys.readouterr().out


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    # main() returns 2 for argparse's errors too (it used to raise SystemExit(2)).
    assert main(["check", str(SEED), "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
    assert main(["check", "/no/such/file.yaml"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_unreadable_file_is_a_located_error_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text(SEED.read_text("utf-8"), "utf-8")
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    assert main(["check", str(locked), str(SEED)]) == 1
    out = capsys.readouterr().out
    assert f"{locked}: L007 error: cannot read file: Permission denied" in out
    assert f"{SEED}:46:7: E204 info (4×)" in out  # the readable file's findings, grouped
