"""The whole pipeline through the CLI: plan → check → ical → review → next quarter's plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncall_planner import Plan, load_schedule, synthetic_pages
from oncall_planner.cli import main
from tests.conftest import SCHEDULES

SCHEDULE = str(SCHEDULES / "backend-primary.yaml")


def test_a_quarter_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = tmp_path / "q1.json"
    assert (
        main(["plan", SCHEDULE, "--start", "2027-01-04", "--weeks", "13", "-o", str(plan_file)])
        == 0
    )
    q1 = Plan.read(plan_file)
    shifts = q1.schedule("backend-primary").shifts
    assert len(shifts) == 13 * 2 + 2  # primary and secondary every week, frank shadows twice

    capsys.readouterr()
    assert (
        main(
            [
                "check",
                SCHEDULE,
                "--plan",
                str(plan_file),
                "--severity",
                str(SCHEDULES / "severity.yaml"),
                "--format",
                "json",
            ]
        )
        == 0
    )
    findings = json.loads(capsys.readouterr().out)
    assert not [f for f in findings if f["severity"] == "error"]
    assert any(f["code"] == "E206" and "never reaches a cto" in f["message"] for f in findings)

    feeds = tmp_path / "feeds"
    assert main(["ical", str(plan_file), "-o", str(feeds)]) == 0
    team_feed = (feeds / "backend-primary.ics").read_bytes()
    assert team_feed.count(b"BEGIN:VEVENT") == len(shifts)
    people = sorted(p.stem for p in (feeds / "people").glob("*.ics"))
    assert people == ["alice", "bob", "carol", "dan", "erin", "frank"]

    schedule = load_schedule(SCHEDULE)
    log = synthetic_pages(q1, schedule, seed=3)
    frame = log.frame.copy()
    for column in ("paged_at", "acknowledged_at", "resolved_at"):
        frame[column] = [t.isoformat() if t == t else "" for t in frame[column]]
    pages_csv = tmp_path / "pages.csv"
    frame.to_csv(pages_csv, index=False)
    review_file = tmp_path / "review.json"
    assert (
        main(
            [
                "review",
                SCHEDULE,
                "--pages",
                str(pages_csv),
                "--plan",
                str(plan_file),
                "--quarter",
                "2027Q1",
                "--format",
                "json",
                "-o",
                str(review_file),
            ]
        )
        == 0
    )
    review = json.loads(review_file.read_text(encoding="utf-8"))
    assert review["period"].startswith("2027Q1")
    in_quarter = sum(t[:10] < "2027-04-01" for t in frame["paged_at"])
    assert review["team"]["pages"] == in_quarter
    assert sum(p["pages"] for p in review["per_person"].values()) == in_quarter

    # Next quarter: the feed of what was served is the carry-over.
    capsys.readouterr()
    assert (
        main(
            [
                "plan",
                SCHEDULE,
                "--start",
                "2027-04-05",
                "--weeks",
                "13",
                "--history",
                str(feeds / "backend-primary.ics"),
                "--format",
                "json",
            ]
        )
        == 0
    )
    q2 = Plan.from_json(capsys.readouterr().out)
    assert q2.schedule("backend-primary").shifts[0].start.isoformat() == (
        "2027-04-05T10:00:00+00:00"
    )
