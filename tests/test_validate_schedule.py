"""Schedule rules that need no plan: S105 (SRE rotation size), S106 (member zones), S107
(handoff outside working hours), and the schedule file's own ``ignore:`` list."""

from __future__ import annotations

from pathlib import Path

from test_validate_helpers import schedule_text

from oncall_planner.loader import load_schedule
from oncall_planner.spec import Schedule
from oncall_planner.validate import check
from oncall_planner.validate.schedule import sites

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "schedules" / "backend-primary.yaml"


def _team(
    members: list[str],
    *,
    zone: str = "Europe/Berlin",
    handoff: str = "10:00",
    secondary: bool = True,
    extra: str = "",
) -> Schedule:
    lines = "\n".join(f"      - {m}" for m in members)
    policy = "    - {level: 1, target: on-call-primary, timeout: 5m}\n"
    if secondary:
        policy += "    - {level: 2, target: on-call-secondary, timeout: 10m}\n"
    policy += "    - {level: 9, target: boss, timeout: 0}\n".replace("9", "3" if secondary else "2")
    return schedule_text(
        f"""
schedule:
  name: team
  timezone: "{zone}"
  handoff_time: "{handoff}"
  handoff_day: tuesday
  participants:
    min_rotation_size: 2
    members:
{lines}
  escalation_policy:
{policy}  contacts:
    boss: {{name: Boss}}
{extra}"""
    )


def _people(n: int, zone: str | None = None) -> list[str]:
    tz = f', timezone: "{zone}"' if zone else ""
    tag = (zone or "home").split("/")[-1].lower().replace("_", "")
    return [f"{{id: {tag}{i}, name: P{i}{tz}}}" for i in range(n)]


def _codes(schedule: Schedule, code: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check(schedule, select=[code])]


# -- S105: rotation size vs the SRE guidance ------------------------------------------------


def test_s105_seed_has_six_members_single_site() -> None:
    found = _codes(load_schedule(SEED), "S105")
    assert found == [
        (
            12,
            "6 members; the SRE guidance for a single-site weekly primary + secondary "
            "rotation is at least 8",
        )
    ]


def test_s105_eight_members_single_site_is_enough() -> None:
    assert _codes(_team(_people(8)), "S105") == []
    assert _codes(_team(_people(7)), "S105")[0][0] == 8  # the members: key


def test_s105_primary_only_rotation_is_not_judged() -> None:
    assert _codes(_team(_people(3), secondary=False), "S105") == []


def test_s105_dual_site_needs_six_per_site() -> None:
    both = _people(6, "Europe/Berlin") + _people(6, "America/New_York")
    assert _codes(_team(both), "S105") == []
    short = _people(6, "Europe/Berlin") + _people(3, "America/New_York")
    (found,) = _codes(_team(short), "S105")
    assert "2 sites" in found[1]
    assert "at least 6 per site" in found[1]


def test_sites_group_nearby_zones_and_split_distant_ones() -> None:
    team = _team(
        _people(2, "Europe/London") + _people(2, "Europe/Berlin") + _people(1, "Asia/Tokyo")
    )
    assert sites(team) == [["berlin0", "berlin1", "london0", "london1"], ["tokyo0"]]


# -- S106: several zones, some members without one ------------------------------------------


def test_s106_seed_names_the_members_without_timezone() -> None:
    (found,) = _codes(load_schedule(SEED), "S106")
    assert found[0] == 18  # bob, the first member without a timezone
    assert "Europe/London besides UTC" in found[1]
    assert "bob, carol, dan, erin, frank have no timezone: assumed UTC" in found[1]


def test_s106_not_reported_when_every_zone_is_set_or_all_are_home() -> None:
    assert _codes(_team(_people(3)), "S106") == []
    assert _codes(_team(_people(2, "Asia/Tokyo") + _people(2, "Europe/Berlin")), "S106") == []


def test_s106_zones_with_identical_offsets_count_as_one() -> None:
    # Paris and Berlin change clocks together: no ambiguity about a Berlin default.
    assert _codes(_team(_people(2) + _people(1, "Europe/Paris")), "S106") == []
    assert _codes(_team(_people(2) + _people(1, "Europe/Lisbon")), "S106") != []


# -- S107: handoff outside a member's working hours ------------------------------------------


def test_s107_new_york_member_of_a_berlin_handoff_at_ten() -> None:
    team = _team(_people(2) + _people(1, "America/New_York"))
    (found,) = _codes(team, "S107")
    assert found[0] == 11  # the New York member's entry
    # 10:00 Berlin is 04:00 in New York, 05:00 in the weeks the US and EU DST dates differ.
    assert "is Tue 04:00 / Tue 05:00 for newyork0 (America/New_York)" in found[1]
    assert "outside their working hours 08:00–18:00 Mon–Fri" in found[1]
    (hint,) = [f.hint for f in check(team, select=["S107"])]
    assert "follow-the-sun" in hint


def test_s107_not_reported_inside_working_hours() -> None:
    # 15:00 Berlin is 09:00 (or 10:00) in New York.
    assert _codes(_team(_people(2) + _people(1, "America/New_York"), handoff="15:00"), "S107") == []
    assert _codes(_team(_people(2, "Europe/London")), "S107") == []


def test_s107_uses_the_members_working_hours() -> None:
    early = (
        '{id: owl, name: Owl, timezone: "America/New_York", '
        'working_hours: {start: "03:00", end: "12:00"}}'
    )
    assert _codes(_team([*_people(2), early]), "S107") == []
    late = '{id: lark, name: Lark, working_hours: {start: "12:00", end: "20:00"}}'
    (found,) = _codes(_team([*_people(2), late]), "S107")
    assert (
        "is Tue 10:00 for lark (Europe/Berlin), outside their working hours 12:00–20:00" in found[1]
    )


def test_s107_weekend_for_the_member_is_outside_working_hours() -> None:
    # Monday 07:00 in Sydney is still Sunday in Los Angeles.
    team = schedule_text(
        """
schedule:
  name: t
  timezone: Australia/Sydney
  handoff_time: "09:00"
  handoff_day: monday
  participants:
    members:
      - {id: a, name: A}
      - {id: b, name: B, timezone: America/Los_Angeles}
"""
    )
    (found,) = _codes(team, "S107")
    assert "Sun" in found[1]


# -- ignore: in the schedule file ------------------------------------------------------------


def test_schedule_ignore_list_drops_its_codes_and_prefixes() -> None:
    plain = _team(_people(2) + _people(1, "America/New_York"))
    assert {"S105", "S107", "E204"} <= check(plain).codes()
    quiet = _team(_people(2) + _people(1, "America/New_York"), extra="  ignore: [S105, E2]\n")
    codes = check(quiet).codes()
    assert "S105" not in codes
    assert not any(c.startswith("E2") for c in codes)
    assert "S107" in codes
