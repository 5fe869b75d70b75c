"""The CLI surface of the foundation: check on examples, formats, exit codes, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oncall_planner.cli import main
from tests.conftest import DATA, ROOT, SCHEDULES


def test_examples_check_clean_of_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SCHEDULES)]) == 0
    out = capsys.readouterr().out
    assert " error" not in out.replace("0 errors", "")


def test_json_format_is_a_list_of_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(DATA / "bad" / "25-many-errors.yaml"), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert [f["line"] for f in findings] == [3, 4, 7, 9]
    assert set(findings[0]) >= {"code", "severity", "message", "file", "line", "path", "hint"}


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(DATA / "bad" / "06-bad-zone.yaml"), "--format", "github"])
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert line.startswith("::error file=")
    assert ",line=3,col=13,title=L004::schedule.timezone: unknown time zone" in line


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(
        "schedule:\n  name: t\n  timezone: UTC\n  handoff_time: '20:00'\n  handoff_day: monday\n"
        "  participants:\n    min_rotation_size: 1\n    members: [{id: a, name: A}]\n",
        encoding="utf-8",
    )
    # Only the schedule rules: the 20:00 handoff is a warning (S102) and nothing else.
    assert main(["check", str(path), "--select", "S,H"]) == 0
    assert main(["check", str(path), "--select", "S,H", "--strict"]) == 1
    assert main(["check", str(path), "--select", "S,H", "--strict", "--ignore", "S102"]) == 0


def test_output_file_is_written(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.json"
    assert main(["check", str(SCHEDULES), "--format", "json", "-o", str(out)]) == 0
    assert isinstance(json.loads(out.read_text(encoding="utf-8")), list)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check"],
        ["check", "/no/such/path"],
        ["check", "schedules", "--format", "xml"],
        ["bogus-command"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "oncall_planner", *argv], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_schema_command_matches_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    committed = json.loads((ROOT / "docs" / "schedule.schema.json").read_text(encoding="utf-8"))
    assert printed == committed
    props = printed["$defs"]["Schedule"]["properties"]
    assert {"handoff_time", "participants", "escalation_policy"} <= set(props)
    # Every field carries its description, for editors' hover help.
    for name, definition in printed["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"


def test_severity_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--kind", "severity"]) == 0
    assert "SeverityFramework" in json.loads(capsys.readouterr().out)["$defs"]


def test_unwritable_output_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    # A path below a regular file cannot be created.
    assert main(["check", str(SCHEDULES), "-o", str(blocker / "report.txt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("oncall-planner: ")
    assert "Traceback" not in err


def test_plan_history_feed_errors_name_the_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "served.ics"
    feed.write_bytes(b"\xff\xfe not a calendar")
    code = main(
        [
            "plan",
            str(SCHEDULES / "backend-primary.yaml"),
            "--start",
            "2027-01-04",
            "--weeks",
            "2",
            "--history",
            str(feed),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{feed}:1: L008 error:")


def test_check_of_a_folder_without_schedules_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a schedule", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert f"{tmp_path}: L007 error: no schedule files" in capsys.readouterr().out


def test_output_onto_a_folder_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(SCHEDULES), "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"oncall-planner: is a folder, not a file: {tmp_path}"
    )


def test_horizon_is_bounded() -> None:
    from datetime import date

    from oncall_planner import load_schedule, plan

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oncall_planner",
            "plan",
            "schedules/backend-primary.yaml",
            "--start",
            "2027-01-04",
            "--weeks",
            "521",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "--weeks must be between 1 and 520, got 521" in result.stderr
    with pytest.raises(ValueError, match="between 1 and 520"):
        plan(load_schedule(SCHEDULES / "backend-primary.yaml"), date(2027, 1, 4), 521)
