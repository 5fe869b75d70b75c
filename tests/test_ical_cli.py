"""``oncall-planner ical`` and ``serve`` from the command line."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from test_ical_helpers import make_schedule, replace_person, round_robin

from oncall_planner.cli import main
from oncall_planner.plans import Layer
from tests.conftest import ROOT


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(round_robin(make_schedule(), date(2026, 10, 5), 8).to_json(), encoding="utf-8")
    return path


def test_ical_writes_schedule_and_people_feeds(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(out), "--tz-mode", "tzid"]) == 0
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ics"))
    assert files == ["berlin-sre.ics", "people/alice.ics", "people/bob.ics", "people/carol.ics",
                     "people/dan.ics"]  # fmt: skip
    assert capsys.readouterr().out.count(".ics") == 5
    cal = Calendar.from_ical((out / "berlin-sre.ics").read_bytes())
    assert len(cal.walk("VEVENT")) == 16 and len(cal.walk("VTIMEZONE")) == 1
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporary files


def test_re_export_continues_the_sequence_from_the_files_in_dir(
    plan_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(out)]) == 0
    first = (out / "berlin-sre.ics").read_bytes()
    assert main(["ical", str(plan_file), "-o", str(out)]) == 0
    assert (out / "berlin-sre.ics").read_bytes() == first  # same plan, same bytes
    from oncall_planner.plans import Plan

    changed = replace_person(Plan.read(plan_file), 2, Layer.PRIMARY, "dan")
    new_plan = tmp_path / "plan2.json"
    new_plan.write_text(changed.to_json(), encoding="utf-8")
    # Twice: the changed shift gets SEQUENCE 1 once, and stays at 1 when nothing changes again.
    for _ in range(2):
        assert main(["ical", str(new_plan), "-o", str(out)]) == 0
    text = (out / "berlin-sre.ics").read_text().replace("\r\n ", "")
    assert re.findall(r"SEQUENCE:(\d+)", text).count("1") == 1
    assert "SEQUENCE:2" not in text


def test_previous_plan_flag_for_a_fresh_folder(plan_file: Path, tmp_path: Path) -> None:
    from oncall_planner.plans import Plan

    changed = replace_person(Plan.read(plan_file), 1, Layer.SECONDARY, "alice")
    new_plan = tmp_path / "plan2.json"
    new_plan.write_text(changed.to_json(), encoding="utf-8")
    out = tmp_path / "fresh"
    assert main(["ical", str(new_plan), "-o", str(out), "--previous", str(plan_file)]) == 0
    text = (out / "berlin-sre.ics").read_text()
    assert text.count("SEQUENCE:1") == 1
    alice = (out / "people" / "alice.ics").read_text()
    assert "SEQUENCE:0" in alice  # new to Alice's calendar: a new event there


def test_bad_plan_file_is_exit_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["ical", str(bad), "-o", str(tmp_path / "o")]) == 1
    assert "L004" in capsys.readouterr().err


def test_unreadable_previous_feed_is_exit_1_with_its_file_and_line(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(out)]) == 0
    feed = out / "people" / "bob.ics"
    lines = feed.read_bytes().split(b"\r\n")
    at = lines.index(b"SEQUENCE:0")
    lines[at] = b"SEQUENCE:x"
    feed.write_bytes(b"\r\n".join(lines))
    capsys.readouterr()
    assert main(["ical", str(plan_file), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{feed}:{at + 1}: L008 error: VEVENT[0].SEQUENCE: ")
    assert "Traceback" not in err


def test_serve_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "missing")]) == 2
    assert main(["serve", str(tmp_path), "--port", "70000"]) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command_serves_the_folder(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(out)]) == 0
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncall_planner", "serve", str(out), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/berlin-sre.ics") as r:
                    body = r.read()
                    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
                break
            except OSError:
                time.sleep(0.05)
        assert body == (out / "berlin-sre.ics").read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_override_command_then_ical_publishes_the_cover_and_cancels_the_week_once(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11: `override` writes a new revision; `ical` over the same folder publishes the
    # cover, splits the week, cancels the whole week once, and bob's feed loses the hours.
    out = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(out)]) == 0
    ill = tmp_path / "ill.json"
    args = ["override", str(plan_file), "--schedule", "berlin-sre", "--layer", "primary",
            "--person", "dan", "--from", "2026-10-14T18:00", "--to", "2026-10-16T09:00",
            "--reason", "bob is ill", "-o", str(ill)]  # fmt: skip
    assert main(args) == 0, capsys.readouterr()
    for _ in range(2):
        assert main(["ical", str(ill), "-o", str(out)]) == 0
        text = (out / "berlin-sre.ics").read_bytes().decode().replace("\r\n ", "")
        if _ == 0:
            assert text.count("STATUS:CANCELLED") == 1
            assert "UID:berlin-sre-primary-20261012@" in text
    assert "STATUS:CANCELLED" not in text  # published once
    assert "UID:berlin-sre-primary-20261012@" not in text
    assert text.count("X-ONCALL-OVERRIDE:") == 1
    assert "UID:berlin-sre-primary-20261012-from20261016T0700Z@" in text
    dan = (out / "people" / "dan.ics").read_bytes().decode().replace("\r\n ", "")
    assert "-override-" in dan and "bob is ill" in dan
