"""The command line as users meet it (issue 10): Ctrl-C, misspellings, severities, order, pages.

Each test is named after the defect it pins down.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_validate_helpers import greedy_plan

from oncall_planner.cli import main
from oncall_planner.health import load_pages, synthetic_pages
from oncall_planner.health.period import Period
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Plan
from oncall_planner.report import Finding, Report, Severity, group_findings
from oncall_planner.rules import rule
from tests.conftest import ROOT, SCHEDULES

SEED = SCHEDULES / "backend-primary.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    schedule = load_schedule(SEED)
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(greedy_plan([schedule], weeks=13).annotate([schedule]).to_json(), "utf-8")
    return path


# -- Ctrl-C: "interrupted", exit 130, nothing written ------------------------------------------

# Replaces one function a command calls with one that says "ready" and waits, so that the
# test can send a real SIGINT while the command is busy.
SLOW = """
import importlib, sys, time
from oncall_planner.cli import main
module, name = sys.argv[1], sys.argv[2]
def slow(*args, **kwargs):
    print("ready", flush=True)
    time.sleep(120)
setattr(importlib.import_module(module), name, slow)
raise SystemExit(main(sys.argv[3:]))
"""


def _interrupt(args: list[str], cwd: Path, *, ready: str = "ready") -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW, *args] if args[0] != "-m" else [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=ENV,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if ready in line:
                break
        else:
            raise AssertionError(f"never ready: {proc.communicate(timeout=30)}")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


@pytest.mark.parametrize(
    ("module", "name", "command"),
    [
        ("oncall_planner.cli.check", "collect", ["check", str(SEED), "-o", "out.txt"]),
        ("oncall_planner.cli.schema", "json_schema", ["schema", "-o", "out.txt"]),
        ("oncall_planner.ical", "to_ical", ["ical", "{plan}", "-o", "out.txt"]),
        (
            "oncall_planner.health",
            "review",
            ["review", str(SEED), "--pages", "{pages}", "--plan", "{plan}", "-o", "out.txt"],
        ),
        (
            "oncall_planner.health",
            "synthetic_pages",
            ["pages", "synth", "{plan}", "-o", "out.txt"],
        ),
        (
            # The generic path of `plan` (the solve itself is the solver's to stop).
            "oncall_planner.solver",
            "plan_org",
            ["plan", str(SEED), "--start", "2027-01-04", "--weeks", "2", "-o", "out.txt"],
        ),
        ("oncall_planner.cli", "build_parser", ["check", str(SEED)]),
    ],
    ids=["check", "schema", "ical", "review", "pages-synth", "plan", "parsing"],
)
def test_ctrl_c_aborts_every_command_with_130_and_writes_nothing(
    tmp_path: Path, plan_file: Path, module: str, name: str, command: list[str]
) -> None:
    pages = tmp_path / "pages.csv"
    pages.write_text("page_id,paged_at,recipient\n", "utf-8")
    args = [a.format(plan=plan_file, pages=pages) for a in command]
    code, err = _interrupt([module, name, *args], tmp_path)
    assert code == 130
    assert "interrupted" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages.csv"]  # no temporary files


def test_ctrl_c_stops_serve_with_130(tmp_path: Path) -> None:
    # Was: serve swallowed KeyboardInterrupt and exited 0.
    (tmp_path / "team.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    code, err = _interrupt(
        ["-m", "oncall_planner", "serve", str(tmp_path), "--port", "0"], tmp_path, ready="Serving"
    )
    assert code == 130
    assert "interrupted" in err


# -- misspellings: "did you mean", the subcommand's usage, exit 2 ------------------------------


def test_misspelt_option_suggests_the_flag_and_shows_the_subcommand_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Was: the top-level usage, no suggestion (and "--weeks is required" hid the typo).
    assert main(["plan", str(SEED), "--start", "2027-01-04", "--wekks", "13"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: oncall-planner plan ")
    assert "unrecognized option: --wekks (did you mean --weeks?)" in err


def test_misspelt_option_after_complete_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--strcit"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: oncall-planner check ")
    assert "--strcit (did you mean --strict?)" in err


def test_misspelt_command_suggests_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chekc", "schedules/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: oncall-planner [-h]")
    assert "invalid choice: 'chekc'" in err and "(did you mean check?)" in err


def test_misspelt_choice_suggests_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--format", "jsn"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: oncall-planner check ")
    assert "(did you mean json?)" in err


def test_misspelt_nested_action_shows_its_parent_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pages", "synt", "plan.json", "-o", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: oncall-planner pages ")
    assert "(did you mean synth?)" in err


def test_abbreviated_options_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--sel", "S105", "--format", "json"]) == 0
    assert {f["code"] for f in json.loads(capsys.readouterr().out)} == {"S105"}


# -- --min-severity, natural order, grouping ---------------------------------------------------


def test_check_min_severity_drops_the_info_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # Was: `check schedules/` printed 33 info lines with no way to hide them.
    assert main(["check", "schedules/", "--format", "json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert main(["check", "schedules/", "--format", "json", "--min-severity", "warning"]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert {f["severity"] for f in every} == {"warning", "info"}
    assert kept == [f for f in every if f["severity"] != "info"]
    assert main(["check", "schedules/", "--min-severity", "error"]) == 0
    assert capsys.readouterr().out.strip() == "1 path(s) checked: no findings"


def test_review_min_severity(plan_file: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages.csv"
    assert main(["pages", "synth", str(plan_file), "--seed", "3", "-o", str(pages)]) == 0
    base = ["review", str(SEED), "--pages", str(pages), "--plan", str(plan_file)]
    out_all, out_err = tmp_path / "all.json", tmp_path / "err.json"
    assert main([*base, "--format", "json", "-o", str(out_all)]) == 0
    assert main([*base, "--format", "json", "--min-severity", "error", "-o", str(out_err)]) == 0
    every = json.loads(out_all.read_text("utf-8"))["findings"]
    assert every and {f["severity"] for f in every} <= {"warning", "info"}
    assert json.loads(out_err.read_text("utf-8"))["findings"] == []


def _finding(code: str, message: str, severity: str, line: int, file: str = "a.yaml") -> Finding:
    return Finding(code, Severity(severity), message, file=file, line=line)


def test_findings_sort_errors_first_and_week_numbers_numerically() -> None:
    # Was: "week 0, 1, 10, 11, 12, 2" (text order) and an error after three infos.
    weeks = [_finding("R301", f"week {w} primary: 9 pages", "warning", 3) for w in (10, 2, 0, 1)]
    report = Report(
        (
            _finding("S105", "small rotation", "info", 1),
            *weeks,
            _finding("H001", "nobody is primary", "error", 40, file="z.yaml"),
        )
    )
    assert report.findings[0].code == "H001"
    assert [f.message.split()[1] for f in report if f.code == "R301"] == ["0", "1", "2", "10"]
    assert [f.severity.value for f in report] == ["error", *["warning"] * 4, "info"]


def test_repeated_findings_of_one_rule_are_one_text_line_json_keeps_each() -> None:
    served = {"alice": (38, 5), "bob": (31, 4), "carol": (31, 4)}
    findings = [
        rule("P103").finding(
            f"{p} is on call {pct} % of the time ({weeks} of 13 weeks); the SRE guidance is "
            "at most 25 %",
            file="team.yaml",
            line=12,
            hint="grow the rotation",
        )
        for p, (pct, weeks) in served.items()
    ]
    groups = group_findings(findings)
    assert len(groups) == 1 and groups[0].findings == tuple(findings)
    # Brackets are never split: each item keeps its "(5 of 13 weeks)".
    assert groups[0].items == [
        f"{p} is on call {pct} % of the time ({weeks} of 13 weeks)"
        for p, (pct, weeks) in served.items()
    ]
    line = groups[0].format()
    assert line.startswith("team.yaml:12: P103 warning (3×): [alice is on call 38 % ")
    assert line.endswith("]; the SRE guidance is at most 25 % (hint: grow the rotation)")
    assert len(json.loads(Report(tuple(findings)).to_json())) == 3
    # Messages that differ only in the name list only the names.
    same = [rule("P103").finding(f"{p} is on call too much", file="t.yaml") for p in served]
    assert group_findings(same)[0].message() == "[alice; bob; carol] is on call too much"
    # Another hint or severity is another group; a lone finding is printed as it is.
    other = rule("P103").finding("dan is on call too much", file="t.yaml", hint="other")
    groups = group_findings([*same, other])
    assert [len(g.findings) for g in groups] == [3, 1]
    assert groups[1].format() == other.format()


def test_check_text_output_groups_and_json_does_not(
    plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(SEED), "--plan", str(plan_file), "--select", "P103"]) == 0
    text = capsys.readouterr().out
    assert main(["check", str(SEED), "--plan", str(plan_file), "--select", "P103", "-o", "-",
                 "--format", "json"]) == 0  # fmt: skip
    found = json.loads(capsys.readouterr().out)
    assert len(found) > 1
    lines = [x for x in text.splitlines() if "P103" in x]
    assert len(lines) == 1 and f"P103 warning ({len(found)}×)" in lines[0]
    for f in found:
        assert f["message"].split(" ")[0] in lines[0]


# -- pages synth -------------------------------------------------------------------------------


def test_pages_synth_writes_what_review_reads(plan_file: Path, tmp_path: Path) -> None:
    # Was: the README's review needed a pages.csv that nothing in the CLI could make.
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    args = ["pages", "synth", str(plan_file), "--seed", "7", "--quarter", "2027Q1"]
    assert main([*args, "-o", str(a)]) == 0
    assert main([*args, "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()  # deterministic
    log = load_pages(a)
    schedule = load_schedule(SEED)
    start, end = Period.quarter("2027Q1").bounds(schedule.zone)
    expected = synthetic_pages(Plan.read(plan_file), schedule, seed=7, start=start, end=end)
    assert len(log) == len(expected) > 0
    for column in ("incident_id", "paged_at", "recipient", "acknowledged_at", "severity"):
        assert log.frame[column].tolist() == expected.frame[column].tolist(), column
    # The plan file alone stands in for the schedule: same pages as with --schedule.
    c = tmp_path / "c.csv"
    assert main([*args, "--schedule", str(SEED), "-o", str(c)]) == 0
    assert c.read_bytes() == a.read_bytes()


def test_pages_synth_usage_errors(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pages", "synth", "no.json", "-o", "x.csv"]) == 2
    assert "no such plan file: no.json" in capsys.readouterr().err
    assert main(["pages", "synth", str(plan_file), "--quarter", "2027Q5", "-o", "x.csv"]) == 2
    assert "--quarter: expected a quarter such as 2027Q1, got '2027Q5'" in capsys.readouterr().err
    assert main(["pages", "synth", str(plan_file)]) == 2
    assert "-o/--output" in capsys.readouterr().err
