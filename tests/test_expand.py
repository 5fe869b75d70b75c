"""Weeks: handoffs at the local wall time across DST (167 h and 169 h weeks)."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall_planner.expand import expand, first_handoff_date, local_instant, week_starts
from oncall_planner.spec import Participants, Schedule, Weekday


def make(zone: str, day: str = "monday", at: time = time(10), **members: object) -> Schedule:
    return Schedule(
        name="t",
        timezone=zone,
        handoff_time=at,
        handoff_day=Weekday(day),
        participants=Participants.model_validate(
            {"members": [{"id": k, "name": k, **v} for k, v in members.items()]}  # type: ignore[dict-item]
        ),
    )


@pytest.mark.parametrize(
    ("zone", "start", "short", "long"),
    [
        # Spring forward gives a 167 h week, fall back a 169 h week.
        ("Europe/Berlin", date(2027, 3, 1), date(2027, 3, 22), date(2027, 10, 25)),
        ("America/New_York", date(2027, 3, 1), date(2027, 3, 8), date(2027, 11, 1)),
        ("Australia/Sydney", date(2027, 3, 1), date(2027, 9, 27), date(2027, 3, 29)),
    ],
)
def test_dst_weeks_keep_the_local_wall_time(
    zone: str, start: date, short: date, long: date
) -> None:
    problem = expand(make(zone), start, 40)
    hours = {w.start.date(): w.hours for w in problem.weeks}
    assert hours[short] == 167
    assert hours[long] == 169
    assert sorted(set(hours.values())) == [167, 168, 169]
    for week in problem.weeks:
        for boundary in (week.start, week.end):
            local = boundary.astimezone(ZoneInfo(zone))
            assert (local.weekday(), local.time()) == (0, time(10))
    for a, b in zip(problem.weeks, problem.weeks[1:], strict=False):
        assert a.end == b.start


def test_week_zero_is_the_first_handoff_day_on_or_after_start() -> None:
    s = make("UTC", day="wednesday")
    assert first_handoff_date(s, date(2027, 1, 4)) == date(2027, 1, 6)  # a Monday → Wednesday
    assert first_handoff_date(s, date(2027, 1, 6)) == date(2027, 1, 6)
    assert week_starts(s, date(2027, 1, 6), 1)[0].isoformat() == "2027-01-06T10:00:00+00:00"


def test_nonexistent_handoff_moves_past_the_gap() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 does not exist on 2027-03-28 in Berlin: RFC 5545 reads it as 03:30 CEST.
    instant = local_instant(date(2027, 3, 28), time(2, 30), berlin)
    assert instant.astimezone(UTC).isoformat() == "2027-03-28T01:30:00+00:00"
    assert instant.time() == time(3, 30)
    # 02:30 on 2027-10-31 happens twice: the first occurrence (CEST) is meant.
    ambiguous = local_instant(date(2027, 10, 31), time(2, 30), berlin)
    assert ambiguous.utcoffset() == timedelta(hours=2)


def test_time_off_marks_every_overlapping_week() -> None:
    s = make(
        "Europe/Berlin",
        a={"time_off": [{"start": "2027-01-11"}]},  # the Monday of a handoff
        b={"time_off": [{"start": "2027-01-13", "end": "2027-01-14"}]},
        c={},
    )
    problem = expand(s, date(2027, 1, 4), 3)
    # Monday 11 Jan 00:00–24:00 overlaps week 0 (until 10:00) and week 1 (from 10:00).
    assert problem.unavailable == {
        "a": frozenset({0, 1}),
        "b": frozenset({1}),
        "c": frozenset(),
    }


def test_time_off_is_in_the_members_zone() -> None:
    # Sydney is 10 h ahead of UTC in winter: the member's day off ends at 14:00 UTC on the
    # previous day, before a 10:00 UTC Monday handoff... of the day off itself.
    s = make("UTC", a={"timezone": "Australia/Sydney", "time_off": [{"start": "2027-07-12"}]})
    problem = expand(s, date(2027, 7, 5), 2)
    # 2027-07-12 in Sydney = 2027-07-11 14:00 UTC to 2027-07-12 14:00 UTC: weeks 0 and 1.
    assert problem.unavailable["a"] == frozenset({0, 1})
    s2 = make("UTC", a={"timezone": "Australia/Sydney", "time_off": [{"start": "2027-07-05"}]})
    # 2027-07-05 Sydney = 07-04 14:00 → 07-05 14:00 UTC, overlapping week 0 from 07-05 10:00.
    assert expand(s2, date(2027, 7, 5), 2).unavailable["a"] == frozenset({0})


def test_holiday_weeks_and_history() -> None:
    s = make(
        "America/New_York", a={"history": {"last_on_call": "2026-12-28", "last_stint_weeks": 2}}
    )
    s = Schedule.model_validate({**s.model_dump(), "holidays": [{"date": "2027-01-01"}]})
    problem = expand(s, date(2027, 1, 1), 4)
    # Week 0 starts Monday 2027-01-04, so New Year's Day lies before the plan.
    assert problem.holiday_weeks == {}
    problem = expand(s, date(2026, 12, 28), 2)
    assert list(problem.holiday_weeks) == [0]
    member = s.participants.members[0]
    assert expand(s, date(2027, 1, 4), 1).history_run_before_start(member) == 2
    assert expand(s, date(2027, 1, 11), 1).history_run_before_start(member) == 0


def test_weeks_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        expand(make("UTC"), date(2027, 1, 4), 0)
