"""Plan-free schedule findings of the foundation: H005 and S101–S104, each at its edge."""

from __future__ import annotations

import pytest

from oncall_planner import check, load_schedule

TEMPLATE = """\
schedule:
  name: t
  timezone: {zone}
  handoff_time: "{time}"
  handoff_day: {day}
  participants:
    min_rotation_size: {min_size}
    shadow_period: 2_weeks
    members:
{members}
"""


def schedule_text(
    *,
    zone: str = "UTC",
    time: str = "10:00",
    day: str = "monday",
    min_size: int = 2,
    members: int = 2,
    trainees: int = 0,
) -> str:
    rows = [f"      - {{id: m{i}, name: M{i}}}" for i in range(members)]
    rows += [f"      - {{id: t{i}, name: T{i}, new_engineer: true}}" for i in range(trainees)]
    return TEMPLATE.format(
        zone=zone, time=time, day=day, min_size=min_size, members="\n".join(rows)
    )


def codes(text: str) -> list[str]:
    # The foundation's rules only: the validator adds escalation (E*) and S105–S107 findings.
    return sorted(
        f.code for f in check(load_schedule(text), select=["H", "S101", "S102", "S103", "S104"])
    )


def test_rotation_size_at_the_limit_is_clean() -> None:
    assert "H005" not in codes(schedule_text(min_size=3, members=3))


def test_rotation_size_one_short_is_an_error_naming_the_members() -> None:
    text = schedule_text(min_size=4, members=3, trainees=1)
    (finding,) = [f for f in check(load_schedule(text)) if f.code == "H005"]
    assert finding.severity.value == "error"
    assert "3 trained member(s) (m0, m1, m2) but min_rotation_size is 4" in finding.message
    assert "still shadowing: t0" in finding.hint
    assert finding.path == "schedule.participants.members"
    assert finding.line == 10  # the first entry of the members list


def test_seed_without_members_has_a_rotation_size_error() -> None:
    from tests.conftest import DATA

    (finding,) = [f for f in check(load_schedule(DATA / "seed.yaml")) if f.code == "H005"]
    assert "0 trained member(s) (none)" in finding.message
    assert finding.path == "schedule.participants.min_rotation_size"


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("00:00", ["S101"]),
        ("07:59", ["S102"]),
        ("08:00", []),
        ("18:00", []),
        ("18:01", ["S102"]),
        ("10:00", []),
    ],
)
def test_handoff_time_rules(time: str, expected: list[str]) -> None:
    assert codes(schedule_text(time=time)) == expected


@pytest.mark.parametrize(
    ("day", "expected"), [("saturday", ["S103"]), ("Sunday", ["S103"]), ("friday", [])]
)
def test_weekend_handoff(day: str, expected: list[str]) -> None:
    assert codes(schedule_text(day=day)) == expected


@pytest.mark.parametrize(
    ("zone", "day", "time", "expected"),
    [
        # Europe and the US change on Sundays at 02:00/03:00 local; Sydney too, in April/October.
        ("Europe/Berlin", "sunday", "02:30", ["S102", "S103", "S104"]),
        ("America/New_York", "sunday", "01:00", ["S102", "S103", "S104"]),
        ("Australia/Sydney", "sunday", "03:59", ["S102", "S103", "S104"]),
        ("Europe/Berlin", "sunday", "04:00", ["S102", "S103"]),  # just past the window
        ("Europe/Berlin", "monday", "02:30", ["S102"]),  # never a changeover day
        ("UTC", "sunday", "02:30", ["S102", "S103"]),  # no DST at all
    ],
)
def test_dst_changeover_window(zone: str, day: str, time: str, expected: list[str]) -> None:
    assert codes(schedule_text(zone=zone, day=day, time=time)) == expected


def test_s104_names_the_changeover_dates() -> None:
    text = schedule_text(zone="Europe/Berlin", day="sunday", time="02:30")
    (finding,) = [f for f in check(load_schedule(text)) if f.code == "S104"]
    assert "-03-" in finding.message and "-10-" in finding.message
    assert finding.line == 4


def test_ignore_list_in_the_file() -> None:
    text = schedule_text(time="07:00").replace("  participants:", "  ignore: [S1]\n  participants:")
    assert codes(text) == []


def test_select_and_ignore_prefixes() -> None:
    schedule = load_schedule(schedule_text(time="00:00", day="saturday"))
    assert sorted(f.code for f in check(schedule, select=["S103"])) == ["S103"]
    assert sorted(f.code for f in check(schedule, ignore=["S10", "E2"])) == []
