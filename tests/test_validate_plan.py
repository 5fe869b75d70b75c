"""Plan-quality rules: P101 (boundaries, gaps, overlaps; DST), P102 (unknown entries), P103
(on-call share), P104 (a quarter without on-call), P105 (balance), P106 (outliers), P107
(holiday spread)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from test_validate_helpers import greedy_plan, replace_shifts, schedule_text, shifts_of

from oncall_planner.expand import expand
from oncall_planner.fairness import balance_score
from oncall_planner.loader import load_org, load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate import check

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "schedules" / "backend-primary.yaml"


def _solo(zone: str = "Europe/Berlin", people: int = 4, extra: str = "") -> Schedule:
    """A primary-only rotation (no secondary layer) of ``people`` members."""
    names = ["ann", "ben", "cat", "dov", "eve", "fay", "gus", "hal", "ivy", "jon"][:people]
    members = "\n".join(f"      - {{id: {n}, name: {n.title()}}}" for n in names)
    return schedule_text(
        f"""
schedule:
  name: solo
  timezone: {zone}
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    max_consecutive_weeks: 3
    members:
{members}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5m}}
    - {{level: 2, target: boss, timeout: 0}}
  contacts:
    boss: {{name: Boss}}
{extra}"""
    )


def _explicit(schedule: Schedule, primaries: Sequence[str], start: date = date(2027, 1, 4)) -> Plan:
    """A plan with the given primary for each week, at the correct local handoffs."""
    problem = expand(schedule, start, len(primaries))
    shifts = tuple(
        Shift(week=w.index, layer=Layer.PRIMARY, person=p, start=w.start, end=w.end)
        for w, p in zip(problem.weeks, primaries, strict=True)
    )
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=len(primaries),
        shifts=shifts,
    )
    return Plan(schedules=(sp,))


def _found(schedule: Schedule | object, plan: Plan, code: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check(schedule, plan, select=[code])]  # type: ignore[arg-type]


# -- P101 ------------------------------------------------------------------------------------

DST_CASES = [
    # zone, a start date whose 8 weeks cross a DST change
    ("Europe/Berlin", date(2027, 3, 1)),  # CET → CEST on 2027-03-28
    ("America/New_York", date(2027, 3, 1)),  # EST → EDT on 2027-03-14
    ("Australia/Sydney", date(2027, 3, 15)),  # AEDT → AEST on 2027-04-04
]


@pytest.mark.parametrize(("zone", "start"), DST_CASES)
def test_p101_correct_local_handoffs_across_dst(zone: str, start: date) -> None:
    team = _solo(zone)
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 2, start)
    lengths = {
        (s.end.astimezone(UTC) - s.start.astimezone(UTC)) / timedelta(hours=1)
        for s in plan.schedules[0].shifts
    }
    assert lengths in ({168.0, 167.0}, {168.0, 169.0})  # one DST week
    assert _found(team, plan, "P101") == []


@pytest.mark.parametrize(("zone", "start"), DST_CASES)
def test_p101_plus_168_hours_in_utc_drifts_off_the_handoff(zone: str, start: date) -> None:
    team = _solo(zone)
    good = _explicit(team, ["ann", "ben", "cat", "dov"] * 2, start)
    first = good.schedules[0].shifts[0].start.astimezone(UTC)
    week = timedelta(hours=168)
    drifted = [
        s.model_copy(update={"start": first + s.week * week, "end": first + (s.week + 1) * week})
        for s in good.schedules[0].shifts
    ]
    found = _found(team, replace_shifts(good, "solo", drifted), "P101")
    assert len(found) == 1
    line, message = found[0]
    assert line == 4  # handoff_time
    assert "primary shifts off the local handoff time (10:00 " + zone + ")" in message
    # The contiguous +168 h shifts leave no gap: only the boundary is wrong.
    assert "gap" not in message


def test_p101_gap_and_overlap_between_adjacent_weeks() -> None:
    team = _solo()
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 2)
    shifts = shifts_of(plan, "solo")
    short = [
        s.model_copy(update={"end": s.end - timedelta(hours=1)}) if s.week == 2 else s
        for s in shifts
    ]
    messages = [m for _, m in _found(team, replace_shifts(plan, "solo", short), "P101")]
    assert (
        "1 primary gap between consecutive shifts: nobody is paged from 2027-01-25 09:00 CET "
        "to 2027-01-25 10:00 CET (1 h, between weeks 2 and 3)"
    ) in messages
    long = [
        s.model_copy(update={"end": s.end + timedelta(hours=2)}) if s.week == 5 else s
        for s in shifts
    ]
    messages = [m for _, m in _found(team, replace_shifts(plan, "solo", long), "P101")]
    assert (
        "1 primary overlap between consecutive shifts: ben and cat are both primary from "
        "2027-02-15 10:00 CET to 2027-02-15 12:00 CET (2 h, between weeks 5 and 6)"
    ) in messages


def test_p101_missing_week_is_left_to_h001() -> None:
    team = _solo()
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 2)
    kept = [s for s in shifts_of(plan, "solo") if s.week != 4]
    bad = replace_shifts(plan, "solo", kept)
    assert _found(team, bad, "P101") == []
    assert "H001" in check(team, bad).codes()


def test_p101_shift_outside_the_horizon() -> None:
    team = _solo()
    plan = _explicit(team, ["ann", "ben", "cat", "dov"])
    extra = plan.schedules[0].shifts[0].model_copy(update={"week": 9})
    found = _found(team, replace_shifts(plan, "solo", [*shifts_of(plan, "solo"), extra]), "P101")
    assert found == [(4, "1 shift outside the plan's 4 weeks (e.g. week 9, primary, ann)")]


# -- P102 ------------------------------------------------------------------------------------


def test_p102_unknown_person() -> None:
    team = _solo()
    plan = _explicit(team, ["ann", "ben", "zoe", "dov", "ann", "ben", "zoe", "dov"])
    (finding,) = check(team, plan, select=["P102"])
    assert finding.line == 8  # the members: key
    assert finding.message == (
        "the plan puts 'zoe' on call in weeks 2 and 6, but 'zoe' is not a member of 'solo'"
    )
    assert _found(team, _explicit(team, ["ann", "ben"]), "P102") == []


def test_p102_unknown_schedule_in_the_plan() -> None:
    team = _solo()
    plan = _explicit(team, ["ann", "ben"])
    ghost = plan.schedules[0].model_copy(update={"name": "sollo"})
    (finding,) = check(team, Plan(schedules=(plan.schedules[0], ghost)), select=["P102"])
    assert finding.path == "schedules[1].name"
    assert finding.message == (
        "the plan has schedule 'sollo', which no checked schedule file defines"
    )
    assert finding.hint.startswith("did you mean 'solo'?")


# -- P103 ------------------------------------------------------------------------------------


def test_p103_primary_and_secondary_in_a_small_rotation() -> None:
    seed = load_schedule(SEED)
    plan = greedy_plan([seed], weeks=13)
    found = _found(seed, plan, "P103")
    assert len(found) >= 4
    assert found[0][0] == 13  # alice's entry
    assert found[0][1].startswith("alice is on call ")
    assert "the SRE guidance is at most 25 %" in found[0][1]


def test_p103_not_reported_at_25_percent_or_less() -> None:
    team = _solo(people=4)
    assert _found(team, _explicit(team, ["ann", "ben", "cat", "dov"] * 2), "P103") == []
    five = _solo(people=5)
    found = _found(five, _explicit(five, ["ann", "ben", "cat", "dov", "ann"]), "P103")
    assert [m.split(" (")[0] for _, m in found] == ["ann is on call 40 % of the time"]


def test_p103_counts_every_schedule_a_person_is_in() -> None:
    org = load_org(ROOT / "schedules" / "org")
    plan = greedy_plan(org.schedules, weeks=6)
    messages = [m for _, m in _found(org, plan, "P103")]
    assert any(m.startswith("olivia is on call") and "in api, platform" in m for m in messages)


# -- P104 ------------------------------------------------------------------------------------


def test_p104_member_never_on_call_in_a_quarter() -> None:
    team = _solo(people=5)
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 3 + ["ann"])
    assert _found(team, plan, "P104") == [
        (13, "eve is never on call in weeks 0–12 (2027-01-04 – 2027-04-05)")
    ]
    # Less than a quarter planned: nothing to say yet.
    assert _found(team, _explicit(team, ["ann", "ben", "cat", "dov"] * 3), "P104") == []
    # Everyone on call at least once: nothing to say.
    fair = _explicit(team, ["ann", "ben", "cat", "dov", "eve"] * 2 + ["ann", "ben", "cat"])
    assert _found(team, fair, "P104") == []


def test_p104_member_away_all_quarter_is_not_reported() -> None:
    team = schedule_text(
        """
schedule:
  name: solo
  timezone: UTC
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    max_consecutive_weeks: 3
    members:
      - {id: ann, name: Ann}
      - {id: ben, name: Ben}
      - {id: eve, name: Eve, time_off: [{start: 2027-01-01, end: 2027-04-30}]}
"""
    )
    plan = _explicit(team, ["ann", "ben"] * 6 + ["ann"])
    assert _found(team, plan, "P104") == []


# -- P105, P106 --------------------------------------------------------------------------------


def test_p105_and_p106_on_an_uneven_plan() -> None:
    team = _solo(people=4)
    uneven = ["ann", "ben", "ann", "cat", "ann", "dov", "ann", "ben"]
    plan = _explicit(team, uneven)
    score = balance_score([4, 2, 1, 1])
    assert _found(team, plan, "P105") == [
        (
            8,
            f"balance score {score * 100:.1f} % is below 95 % (on-call weeks over capacity, "
            "across the org: ann 4, ben 2, cat 1, dov 1)",
        )
    ]
    assert _found(team, plan, "P106") == [
        (9, "ann carries 4 on-call weeks (over capacity), 2.0× the team mean of 2")
    ]


def test_p105_p106_quiet_on_an_even_plan_and_count_capacity() -> None:
    team = _solo(people=4)
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 2)
    assert _found(team, plan, "P105") == []
    assert _found(team, plan, "P106") == []
    # A half-time member with half the weeks is balanced.
    half = schedule_text(
        """
schedule:
  name: solo
  timezone: UTC
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    max_consecutive_weeks: 3
    members:
      - {id: ann, name: Ann}
      - {id: ben, name: Ben}
      - {id: pat, name: Pat, capacity: 0.5}
"""
    )
    plan = _explicit(half, ["ann", "ben", "pat", "ann", "ben"])
    assert _found(half, plan, "P105") == []


def test_p105_counts_members_never_on_call() -> None:
    team = _solo(people=5)
    plan = _explicit(team, ["ann", "ben", "cat", "dov"] * 2)
    (found,) = _found(team, plan, "P105")
    assert "eve 0" in found[1]


# -- P107 ------------------------------------------------------------------------------------

HOLIDAYS = """  holidays:
    - {date: 2027-01-06, name: Epiphany}
    - {date: 2027-02-03, name: Founders Day}
    - {date: 2027-03-03, name: Spring Day}
"""


def test_p107_holiday_weeks_concentrated() -> None:
    team = _solo(people=4, extra=HOLIDAYS)
    # Holidays fall in weeks 0, 4 and 8; ann takes two of them while others have none.
    plan = _explicit(team, ["ann", "ben", "cat", "dov", "ann", "ben", "cat", "dov", "ben"])
    assert _found(team, plan, "P107") == [
        (
            18,
            "holiday weeks are uneven: ann has 2 (week 0: Epiphany, week 4: Founders Day), "
            "while cat, dov have none",
        )
    ]


def test_p107_quiet_when_spread() -> None:
    team = _solo(people=4, extra=HOLIDAYS)
    plan = _explicit(team, ["ann", "ben", "cat", "dov", "ben", "cat", "dov", "ann", "cat"])
    assert _found(team, plan, "P107") == []
