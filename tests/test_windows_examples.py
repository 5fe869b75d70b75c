"""Issue 12's "what must show", on the two window examples in schedules/.

The planned properties are checked independently of the library's validators: coverage minute by
minute in UTC, night hours with zoneinfo, rest between stretches and the order of weekend weeks
are computed here from the plan's shifts. The public ``check`` is asked only whether the
examples and their plans have errors.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall_planner import Layer, Plan, PlanOptions, Schedule, check, load_schedule, plan
from oncall_planner.expand import expand
from oncall_planner.windows import night_hours
from tests.conftest import SCHEDULES

FOLLOW_THE_SUN = SCHEDULES / "follow-the-sun.yaml"
WEEKDAY_WEEKEND = SCHEDULES / "weekday-weekend.yaml"
#: A quarter across both March DST changes (US 2027-03-14, EU 2027-03-28) and Easter.
START = date(2027, 3, 1)
WEEKS = 13
OPTIONS = PlanOptions(time_limit_s=30, workers=1, seed=0)
MINUTE = timedelta(minutes=1)
PAGED = (Layer.PRIMARY, Layer.SECONDARY)


def first_handoff(schedule: Schedule, start: date) -> datetime:
    """Week 0's handoff, computed here rather than by ``expand``."""
    day = start + timedelta(days=(schedule.handoff_day.number - start.weekday()) % 7)
    return datetime.combine(day, schedule.handoff_time, tzinfo=schedule.zone)


def minutes(a: datetime, b: datetime) -> int:
    return int((b.astimezone(UTC) - a.astimezone(UTC)) / MINUTE)


@pytest.fixture(scope="module")
def sun() -> Schedule:
    return load_schedule(FOLLOW_THE_SUN)


@pytest.fixture(scope="module")
def split() -> Schedule:
    return load_schedule(WEEKDAY_WEEKEND)


# -- the examples themselves (no solver) -------------------------------------------------------


@pytest.mark.parametrize("path", [FOLLOW_THE_SUN, WEEKDAY_WEEKEND], ids=lambda p: p.name)
def test_window_examples_check_without_errors(path: Path) -> None:
    report = check(load_schedule(path))
    assert report.errors == (), [f.format() for f in report.errors]


def test_follow_the_sun_has_three_sites_of_four_each_in_its_own_window(sun: Schedule) -> None:
    members = sun.participants.members
    assert len(members) == 12
    by_site = Counter(m.site for m in members)
    assert by_site == {"apac": 4, "emea": 4, "amer": 4}
    zones: dict[str | None, set[str | None]] = defaultdict(set)
    for m in members:
        zones[m.site].add(m.timezone)
    assert zones == {
        "apac": {"Asia/Singapore"},
        "emea": {"Europe/Berlin"},
        "amer": {"America/Los_Angeles"},
    }
    assert all(m.max_night_hours == 0 for m in members)
    for m in members:
        (held,) = [w.name for w in sun.windows if w.selects(m)]
        assert held == m.site


def test_follow_the_sun_windows_tile_every_week_of_a_year_in_utc(sun: Schedule) -> None:
    assert sun.timezone == "UTC" and sun.coverage == "full"
    problems = [expand(sun, date(2027, 1, 4), 52, window=w) for w in sun.windows]
    handoff = first_handoff(sun, date(2027, 1, 4))
    for k in range(52):
        start, end = handoff + timedelta(weeks=k), handoff + timedelta(weeks=k + 1)
        pieces = sorted(
            (a.astimezone(UTC), b.astimezone(UTC), p.window.name)  # type: ignore[union-attr]
            for p in problems
            for a, b in p.weeks[k].intervals
        )
        assert pieces[0][0] == start and pieces[-1][1] == end, k
        assert all(x[1] == y[0] for x, y in itertools.pairwise(pieces)), k  # no gap, no overlap
        assert {b - a for a, b, _ in pieces} == {timedelta(hours=8)}
        assert Counter(name for *_, name in pieces) == {"apac": 7, "emea": 7, "amer": 7}


def test_follow_the_sun_windows_stay_in_their_sites_daytime_all_year(sun: Schedule) -> None:
    # 2027 holds all four DST changes of Berlin and Los Angeles (Singapore has none).
    for window in sun.windows:
        problem = expand(sun, date(2027, 1, 4), 52, window=window)
        zones = {m.timezone for m in problem.members}
        assert len(zones) == 1
        zone = ZoneInfo(zones.pop() or sun.timezone)
        for week in problem.weeks:
            assert night_hours(week.intervals, zone) == 0, (window.name, week.index)
            for a, b in week.intervals:
                local_a, local_b = a.astimezone(zone), b.astimezone(zone)
                assert local_a.date() == local_b.date()
                assert time(8, 0) <= local_a.time() and local_b.time() <= time(22, 0)


def test_weekday_weekend_windows_tile_each_berlin_week_across_dst(split: Schedule) -> None:
    weekday = expand(split, date(2027, 1, 4), 52, window="weekday")
    weekend = expand(split, date(2027, 1, 4), 52, window="weekend")
    lengths: Counter[float] = Counter()
    for wd, we in zip(weekday.weeks, weekend.weeks, strict=True):
        ((a, b),) = wd.intervals
        ((c, d),) = we.intervals
        assert (a, b, c, d) == (wd.start, c, b, wd.end)
        assert (a.weekday(), a.time(), b.weekday(), b.time()) == (0, time(9), 4, time(18))
        lengths[minutes(c, d) / 60] += 1
    # 63 h, but 62 h on the weekend clocks go forward (March 28) and 64 h when they go back.
    assert lengths == {63.0: 50, 62.0: 1, 64.0: 1}


# -- planned: follow the sun for a quarter -----------------------------------------------------


@pytest.fixture(scope="module")
def sun_plan(sun: Schedule) -> Plan:
    return plan(sun, START, WEEKS, options=OPTIONS)


def test_follow_the_sun_every_utc_minute_has_exactly_one_primary(
    sun: Schedule, sun_plan: Plan
) -> None:
    horizon = first_handoff(sun, START)
    total = WEEKS * 7 * 24 * 60  # UTC has no DST: every week is 10,080 minutes
    held = bytearray(total)
    outside = 0
    names = {w.name for w in sun.windows}
    for shift in sun_plan.schedule(sun.name).shifts:
        if shift.layer is not Layer.PRIMARY:
            continue
        assert shift.window in names  # one entry per occurrence of a window
        assert shift.start.second == shift.end.second == 0
        for m in range(minutes(horizon, shift.start), minutes(horizon, shift.end)):
            if 0 <= m < total:
                held[m] += 1
            else:
                outside += 1
    assert outside == 0
    counts = Counter(held)
    assert counts == {1: total}, {n: c for n, c in counts.items() if n != 1}


def test_follow_the_sun_nobody_is_on_call_at_night_in_their_own_zone(
    sun: Schedule, sun_plan: Plan
) -> None:
    checked = 0
    for shift in sun_plan.schedule(sun.name).shifts:
        if shift.layer not in PAGED:
            continue
        member = sun.member(shift.person)
        assert member.timezone is not None
        zone = ZoneInfo(member.timezone)
        t = shift.start.astimezone(UTC)
        while t < shift.end:
            assert 8 <= t.astimezone(zone).hour < 22, (shift.person, t.astimezone(zone))
            t += MINUTE
            checked += 1
    assert checked >= WEEKS * 7 * 24 * 60


def test_follow_the_sun_each_site_shares_its_window_within_one_week(
    sun: Schedule, sun_plan: Plan
) -> None:
    sp = sun_plan.schedule(sun.name)
    holders: dict[tuple[int, str | None], set[str]] = defaultdict(set)
    for shift in sp.shifts:
        if shift.layer is Layer.PRIMARY:
            holders[shift.week, shift.window].add(shift.person)
    weeks_held: dict[str, int] = Counter()
    for window in sun.windows:
        for week in range(WEEKS):
            (person,) = holders[week, window.name]  # one person holds all the week's occurrences
            assert sun.member(person).site == window.name  # eligibility
            weeks_held[person] += 1
    for site in ("apac", "emea", "amer"):
        held = [weeks_held[m.id] for m in sun.participants.members if m.site == site]
        assert sum(held) == WEEKS
        assert max(held) - min(held) <= 1, (site, held)


# -- planned: weekday and weekend ---------------------------------------------------------------


@pytest.fixture(scope="module")
def split_plan(split: Schedule) -> Plan:
    return plan(split, START, WEEKS, options=OPTIONS)


def holders(p: Plan, schedule: Schedule, window: str) -> list[str]:
    """The primary of ``window`` in each week (one person holds all its occurrences)."""
    sp = p.schedule(schedule.name)
    found = []
    for week in range(WEEKS):
        people = {s.person for s in sp.on(week, Layer.PRIMARY, window)}
        assert len(people) == 1, (week, window, people)
        found.append(people.pop())
    return found


def test_weekend_holder_is_never_the_weekday_holder_and_rests_11_hours(
    split: Schedule, split_plan: Plan
) -> None:
    weekdays, weekends = (
        holders(split_plan, split, "weekday"),
        holders(split_plan, split, "weekend"),
    )
    assert all(a != b for a, b in zip(weekdays, weekends, strict=True))
    assert split.participants.min_rest == timedelta(hours=11)
    # Each person's paged time as stretches: touching pieces of one window are one stretch,
    # pieces of two windows never merge (weekday then weekend is two stretches, no rest).
    pieces: dict[str, list[tuple[datetime, datetime, str | None]]] = defaultdict(list)
    for shift in split_plan.schedule(split.name).shifts:
        if shift.layer in PAGED:
            pieces[shift.person].append(
                (shift.start.astimezone(UTC), shift.end.astimezone(UTC), shift.window)
            )
    rests = []
    for person, items in sorted(pieces.items()):
        stretches: list[tuple[datetime, datetime, str | None]] = []
        for a, b, window in sorted(items, key=lambda it: (it[0], it[1])):
            if stretches and stretches[-1][2] == window and a <= stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], max(stretches[-1][1], b), window)
            else:
                stretches.append((a, b, window))
        for x, y in itertools.pairwise(stretches):
            rest = y[0] - x[1]
            assert rest >= timedelta(hours=11), (person, x, y)
            rests.append(rest)
    assert rests  # people were on call more than once


def test_weekend_weeks_are_spread_before_anyone_gets_a_second(
    split: Schedule, split_plan: Plan
) -> None:
    weekends = holders(split_plan, split, "weekend")
    problem = expand(split, START, WEEKS, window="weekend")
    pool = [m.id for m in problem.members]
    assert len(pool) == 7
    had: set[str] = set()
    for week, person in enumerate(weekends):
        if person in had:
            # A second weekend: everyone else has had one, or is away that weekend.
            waiting = [
                q for q in pool if q not in had and week not in problem.unavailable.get(q, ())
            ]
            assert not waiting, (week, person, waiting, weekends)
        had.add(person)
    assert had == set(pool)


# -- both plans pass the validator ---------------------------------------------------------------


def test_window_example_plans_check_with_no_errors(
    sun: Schedule, sun_plan: Plan, split: Schedule, split_plan: Plan
) -> None:
    for schedule, p in ((sun, sun_plan), (split, split_plan)):
        report = check(schedule, p)
        assert report.errors == (), [f.format() for f in report.errors]
        assert Plan.from_json(p.to_json()) == p
