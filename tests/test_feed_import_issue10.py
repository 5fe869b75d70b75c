"""Issue 10, feed import: real export shapes that were misread, each a regression test.

GoAlert's escaped names, LinkedIn's manager role, GoAlert's personal feeds from the CLI, and
shadow shifts in the carry-over; then the whole path through ``plan --history`` and
``review --history``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oncall_planner import FeedError, from_ical
from oncall_planner.cli import main
from oncall_planner.ical import feed_history, history_plan
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan
from oncall_planner.spec import Schedule
from tests.conftest import DATA

FEEDS = DATA / "feeds"

STOREFRONT = """schedule:
  name: "storefront"
  timezone: "Europe/Berlin"
  handoff_time: "10:00"
  handoff_day: "monday"
  participants:
    min_rotation_size: 4
    max_consecutive_weeks: 2
    shadow_period: 2_weeks
    members:
      - {id: finn, name: "Finn O'Connor", email: finn@example.com}
      - {id: isla, name: "Isla Brennan", email: isla@example.com}
      - {id: carol, name: "Carol Nguyen", email: carol@example.com}
      - {id: omar, name: "Omar Said", email: omar@example.com}
      - {id: noor, name: "Noor Haddad", email: noor@example.com, new_engineer: true}
  escalation_policy:
    - {level: 1, target: on-call-primary, timeout: 5m}
    - {level: 2, target: on-call-secondary, timeout: 10m}
    - {level: 3, target: manager, timeout: 0}
  contacts:
    manager: {name: "Grace Hopper", email: grace@example.com, role: engineering-manager}
"""


@pytest.fixture
def storefront(tmp_path: Path) -> tuple[Schedule, Path]:
    path = tmp_path / "storefront.yaml"
    path.write_text(STOREFRONT, encoding="utf-8")
    return load_schedule(path), path


def utc(y: int, m: int, d: int, h: int) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


# -- GoAlert escapes names with html/template -------------------------------------------------


def test_goalert_html_escaped_names_are_decoded(storefront: tuple[Schedule, Path]) -> None:
    schedule, _ = storefront
    data = (FEEDS / "goalert-escaped.ics").read_bytes()
    assert b"O&#39;Connor" in data and b"&amp; Checkout" in data  # as GoAlert writes them
    shifts = from_ical(data, schedule.participants.members)
    assert [(s.person, s.matched, s.schedule) for s in shifts] == [
        ("finn", True, "Storefront & Checkout"),
        ("omar", True, "Storefront & Checkout"),
        ("finn", True, "Storefront & Checkout"),
    ]
    # Unmatched, the name reads as a person would write it.
    assert from_ical(data)[0].person == "Finn O'Connor"
    history = feed_history(data, schedule, date(2027, 4, 1))
    assert history["finn"].primary_weeks == 2
    assert history["finn"].last_on_call == date(2027, 3, 15)
    actual = history_plan(data, schedule)
    assert [s.person for s in actual.schedules[0].shifts] == ["finn", "omar", "finn"]


# -- LinkedIn oncall roles ----------------------------------------------------------------------


def test_linkedin_manager_shift_is_not_primary(storefront: tuple[Schedule, Path]) -> None:
    schedule, _ = storefront
    data = (FEEDS / "linkedin-manager.ics").read_bytes()
    shifts = from_ical(data, schedule.participants.members)
    isla = [s for s in shifts if s.person == "isla"]
    assert [(s.layer, s.start) for s in isla] == [(Layer.PRIMARY, utc(2027, 3, 1, 9))]
    history = feed_history(data, schedule, date(2027, 4, 1))
    assert history["isla"].primary_weeks == 1  # not 2: the manager week is no on-call week
    actual = history_plan(data, schedule)
    hours = sum(
        (s.end - s.start).total_seconds() / 3600
        for s in actual.schedules[0].shifts
        if s.person == "isla" and s.layer is not Layer.SHADOW
    )
    assert hours == 168


@pytest.mark.parametrize("role", ["night", "escalation", "on-call"])
def test_unknown_linkedin_role_is_refused_not_made_primary(role: str) -> None:
    data = (
        (FEEDS / "linkedin-manager.ics")
        .read_bytes()
        .replace(b"storefront manager shift", f"storefront {role} shift".encode())
    )
    with pytest.raises(FeedError) as caught:
        from_ical(data, source="linkedin.ics")
    (finding,) = caught.value.findings
    assert (finding.code, finding.file, finding.line) == ("L008", "linkedin.ics", 16)
    assert f"unknown role {role!r}" in finding.message
    assert "primary, secondary, shadow" in finding.message and "manager" in finding.message


# -- shadow shifts --------------------------------------------------------------------------------


def test_shadow_shifts_carry_over_as_shadow_weeks_done(storefront: tuple[Schedule, Path]) -> None:
    schedule, _ = storefront
    data = (FEEDS / "linkedin-manager.ics").read_bytes()
    history = feed_history(data, schedule, date(2027, 4, 1))
    assert history["noor"].shadow_weeks_done == 2
    assert (history["noor"].primary_weeks, history["noor"].last_on_call) == (0, None)
    assert history["isla"].shadow_weeks_done == 0
    # Only shifts before the cut-off count.
    assert feed_history(data, schedule, date(2027, 3, 8))["noor"].shadow_weeks_done == 1


def test_shadowed_new_engineer_does_not_shadow_again(storefront: tuple[Schedule, Path]) -> None:
    from oncall_planner import plan
    from oncall_planner.solver import PlanOptions

    schedule, _ = storefront
    history = feed_history(
        (FEEDS / "linkedin-manager.ics").read_bytes(), schedule, date(2027, 4, 1)
    )
    options = PlanOptions(time_limit_s=10, workers=1, seed=0)
    without = plan(schedule, date(2027, 4, 5), 6, options=options)
    assert any(s.layer is Layer.SHADOW for s in without.schedules[0].shifts_of("noor"))
    with_feed = plan(schedule, date(2027, 4, 5), 6, options=options, history=history)
    assert not any(s.layer is Layer.SHADOW for _, s in with_feed.all_shifts())
    assert any(s.layer is Layer.PRIMARY for s in with_feed.schedules[0].shifts_of("noor"))


# -- GoAlert personal feeds ----------------------------------------------------------------------


def test_goalert_personal_feed_history_takes_the_person(storefront: tuple[Schedule, Path]) -> None:
    schedule, _ = storefront
    data = (FEEDS / "goalert-personal.ics").read_bytes()
    with pytest.raises(FeedError, match="names no person"):
        feed_history(data, schedule, date(2027, 4, 1))
    history = feed_history(data, schedule, date(2027, 4, 1), person="carol@example.com")
    assert history["carol"].primary_weeks == 1
    actual = history_plan(data, schedule, person="Carol Nguyen")
    assert [s.person for s in actual.schedules[0].shifts] == ["carol"]


# -- end to end, from the command line ------------------------------------------------------------


def test_cli_history_reads_escaped_names_manager_shifts_and_personal_feeds(
    storefront: tuple[Schedule, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, schedule_path = storefront
    goalert = str(FEEDS / "goalert-escaped.ics")
    linkedin = str(FEEDS / "linkedin-manager.ics")
    personal = str(FEEDS / "goalert-personal.ics")
    history = ["--history", goalert, "--history", linkedin, "--history", f"carol={personal}"]
    out = tmp_path / "plan.json"
    code = main(
        ["plan", str(schedule_path), "--start", "2027-04-05", "--weeks", "4", "-o", str(out),
         "--time-limit", "10", *history]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    written = Plan.read(out)
    # Noor shadowed two weeks in the LinkedIn feed: no more shadowing.
    assert not any(s.layer is Layer.SHADOW for _, s in written.all_shifts())
    # Carry-over: Finn served two (escaped-name) weeks, Isla, Carol (personal feed) and Omar
    # one each; Isla's manager week counts for nothing. Fair shares follow exactly that.
    share = {f.person: f.fair_share for f in written.schedules[0].fairness}
    assert share["isla"] == share["carol"] == share["omar"]
    assert share["finn"] < share["isla"] < share["noor"]

    # Without PERSON=, the personal feed is refused with the file named.
    capsys.readouterr()
    code = main(
        ["plan", str(schedule_path), "--start", "2027-04-05", "--weeks", "4",
         "--history", personal]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "goalert-personal.ics" in err and "names no person" in err
    # A missing file after PERSON= is a usage error.
    code = main(["plan", str(schedule_path), "--start", "2027-04-05", "--weeks", "4",
                 "--history", "carol=nope.ics"])  # fmt: skip
    assert code == 2
    assert "no such feed file: nope.ics" in capsys.readouterr().err

    # The review reads the same feeds: Isla's 168 h, Finn's two weeks, Carol's personal week.
    pages = tmp_path / "pages.csv"
    pages.write_text(
        "page_id,incident_id,paged_at,recipient,acknowledged_at,resolved_at,severity,service,"
        "channel\n"
        "p1,i1,2027-03-02T03:00:00+01:00,finn@example.com,2027-03-02T03:05:00+01:00,"
        "2027-03-02T04:00:00+01:00,SEV2,shop,push\n",
        encoding="utf-8",
    )
    code = main(
        ["review", str(schedule_path), "--pages", str(pages), "--from", "2027-03-01",
         "--to", "2027-03-28", "--format", "json", *history]
    )  # fmt: skip
    out_text, err = capsys.readouterr()
    assert code == 0, err
    people = json.loads(out_text)["per_person"]
    got = {p: (v["on_call_hours"], v["shifts"], v["shadow_shifts"]) for p, v in people.items()}
    assert got == {
        "finn": (336.0, 2, 0),  # both escaped GoAlert weeks
        "isla": (168.0, 1, 0),  # the manager week is not on call
        "carol": (168.0, 1, 0),  # her personal feed
        "omar": (168.0, 1, 0),
        "noor": (0.0, 0, 2),  # shadowing
    }
    assert people["finn"]["name"] == "Finn O'Connor"
