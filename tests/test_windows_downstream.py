"""Everything downstream of a plan with coverage windows (issue 12): the effective roster and
``who``, the real-time rules, iCal feeds and reviews.

Plans are built by hand from ``expand(schedule, start, weeks, window=...)`` occurrences with a
small round robin, independently of the solver. Zones: Berlin, New York and Sydney members;
windows defined in UTC (they tile) and in Berlin (a business-hours layer across the March DST
change).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from oncall_planner.expand import expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.report import Finding
from oncall_planner.roster import effective_shifts, holding, horizon, partly_overridden, weekly_view
from oncall_planner.spec import Schedule
from oncall_planner.validate._common import stamp
from oncall_planner.validate.intervals import check_intervals

if TYPE_CHECKING:
    from oncall_planner.health import QuarterlyReview

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")

#: Three sites, three 8-hour windows in UTC: they tile every week exactly.
SUN = """
schedule:
  name: support
  timezone: Europe/Berlin
  handoff_day: monday
  handoff_time: "09:00"
  windows:
    - {name: apac, days: daily, start: "00:00", end: "08:00", timezone: UTC,
       members: {site: apac}}
    - {name: emea, days: daily, start: "08:00", end: "16:00", timezone: UTC,
       members: {site: emea}}
    - {name: amer, days: daily, start: "16:00", end: "24:00", timezone: UTC,
       members: {site: amer}}
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    members:
      - {id: sid, name: "Sid Sydney", timezone: Australia/Sydney, site: apac}
      - {id: sue, name: "Sue Sydney", timezone: Australia/Sydney, site: apac}
      - {id: bea, name: "Bea Berlin", timezone: Europe/Berlin, site: emea}
      - {id: ben, name: "Ben Berlin", timezone: Europe/Berlin, site: emea,
         time_off: [{start: 2027-03-10, end: 2027-03-10}]}
      - {id: nia, name: "Nia NewYork", timezone: America/New_York, site: amer}
      - {id: ned, name: "Ned NewYork", timezone: America/New_York, site: amer}
"""

#: A business-hours layer in Berlin: nobody is on call outside it, on purpose.
OFFICE = """
schedule:
  name: office
  timezone: Europe/Berlin
  handoff_day: monday
  handoff_time: "09:00"
  coverage: partial
  windows:
    - {name: office, days: mon-fri, start: "09:00", end: "17:00"}
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    members:
      - {id: bea, name: "Bea Berlin", timezone: Europe/Berlin}
      - {id: ben, name: "Ben Berlin", timezone: Europe/Berlin}
      - {id: nia, name: "Nia NewYork", timezone: America/New_York}
"""

START = date(2027, 3, 15)  # Monday; Europe's DST change is on 28 March, the US one on 14 March
WEEKS = 3


def schedule_of(text: str) -> Schedule:
    return load_schedule(text)


def round_robin(schedule: Schedule, start: date = START, weeks: int = WEEKS) -> Plan:
    """Week k's holder of each window is the window's eligible members in turn."""
    shifts = []
    for w in schedule.windows:
        problem = expand(schedule, start, weeks, window=w)
        pool = [m.id for m in problem.members]
        for week in problem.weeks:
            person = pool[week.index % len(pool)]
            for a, b in week.intervals:
                shifts.append(
                    Shift(
                        week=week.index,
                        layer=Layer.PRIMARY,
                        person=person,
                        window=w.name,
                        start=a,
                        end=b,
                    )
                )
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=weeks,
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,)).annotate([schedule])


# ---------------------------------------------------------------------------------------------
# Independent expectations (no roster code)


def utc_window(at: datetime) -> str:
    """The SUN window holding a UTC instant: its definition, in UTC."""
    hour = at.astimezone(UTC).hour
    return "apac" if hour < 8 else "emea" if hour < 16 else "amer"


def week_index(at: datetime, start: date = START, weeks: int = WEEKS) -> int | None:
    """The rotation week of an instant: Monday 09:00 Berlin wall time, each week."""
    for k in range(weeks):
        lo = datetime.combine(start + timedelta(weeks=k), datetime.min.time()).replace(
            hour=9, tzinfo=BERLIN
        )
        hi = datetime.combine(start + timedelta(weeks=k + 1), datetime.min.time()).replace(
            hour=9, tzinfo=BERLIN
        )
        if lo <= at < hi:
            return k
    return None


POOLS = {"apac": ["sid", "sue"], "emea": ["bea", "ben"], "amer": ["ned", "nia"]}


def expected_holder(at: datetime) -> tuple[str, str] | None:
    k = week_index(at)
    if k is None:
        return None
    window = utc_window(at)
    return POOLS[window][k % 2], window


# ---------------------------------------------------------------------------------------------
# The effective roster and who


def test_on_call_every_hour_matches_the_windows_across_dst() -> None:
    sun = schedule_of(SUN)
    plan = round_robin(sun)
    sp = plan.schedules[0]
    first, last = horizon(sp)
    assert first == datetime(2027, 3, 15, 9, tzinfo=BERLIN)
    assert last == datetime(2027, 4, 5, 9, tzinfo=BERLIN)  # CEST by then: 07:00 UTC
    at = first.astimezone(UTC)
    checked = 0
    while at < last:
        want = expected_holder(at)
        assert want is not None
        assert plan.on_call(at) == want[0], at
        h = holding(sp, Layer.PRIMARY, at)
        assert (h.person, h.window) == want, at
        at += timedelta(minutes=30)
        checked += 1
    assert checked == 2 * (21 * 24 - 1)  # three weeks, one hour lost to Berlin's spring forward


@pytest.mark.parametrize(
    ("local", "zone"),
    [
        (datetime(2027, 3, 17, 10, 30), BERLIN),  # 09:30 UTC: emea
        (datetime(2027, 3, 30, 10, 30), BERLIN),  # CEST: 08:30 UTC, still emea
        (datetime(2027, 3, 30, 9, 30), BERLIN),  # CEST: 07:30 UTC, apac
        (datetime(2027, 3, 22, 21, 30), NEW_YORK),  # EDT: 01:30 UTC Tuesday, apac
        (datetime(2027, 3, 22, 13, 0), NEW_YORK),  # 17:00 UTC, amer
        (datetime(2027, 4, 4, 2, 30), SYDNEY),  # AEDT, the hour repeated at 03:00: 15:30 UTC
        (datetime(2027, 4, 4, 2, 30, fold=1), SYDNEY),  # AEST, the second time round: 16:30 UTC
    ],
)
def test_who_names_the_window_at_instants_in_three_zones(local: datetime, zone: ZoneInfo) -> None:
    sun = schedule_of(SUN)
    plan = round_robin(sun)
    at = local.replace(tzinfo=zone)
    want = expected_holder(at)
    assert want is not None
    h = holding(plan.schedules[0], Layer.PRIMARY, at)
    assert (h.person, h.window) == want
    # Until the end of the window's occurrence (or the handoff that cuts it).
    assert h.until is not None and h.until > at
    assert expected_holder(h.until) != want or week_index(h.until) != week_index(at)
    assert expected_holder(h.until - timedelta(minutes=1)) == want


def _who(
    tmp_path: Path, plan: Plan, at: str, *extra: str, capsys: pytest.CaptureFixture[str]
) -> str:
    from oncall_planner.cli import main

    path = tmp_path / "plan.json"
    path.write_text(plan.to_json(), encoding="utf-8")
    assert main(["who", str(path), "--at", at, *extra]) == 0
    return capsys.readouterr().out


def test_who_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = round_robin(schedule_of(SUN))
    out = _who(tmp_path, plan, "2027-03-16T06:30:00+00:00", capsys=capsys)
    # Week 0, 06:30 UTC: Sid holds apac until 08:00 UTC (09:00 CET), then Bea holds emea.
    assert "primary    Sid Sydney (apac, until 2027-03-16 09:00 CET), then Bea Berlin (emea)" in out
    data = json.loads(
        _who(tmp_path, plan, "2027-03-16T06:30:00+00:00", "--format", "json", capsys=capsys)
    )
    layer = data["schedules"][0]["layers"][0]
    assert {"schedule", "layer", "person", "since", "until", "next"} <= set(layer)
    assert (layer["person"], layer["window"]) == ("sid", "apac")
    assert layer["next"] == {
        "person": "bea",
        "until": "2027-03-16T17:00:00+01:00",
        "window": "emea",
    }


def test_who_says_nobody_outside_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = schedule_of(OFFICE)
    plan = round_robin(office)
    assert plan.schedules[0].coverage == "partial"
    # Saturday: nobody until Monday 09:00, the next occurrence (and the next handoff).
    at = datetime(2027, 3, 20, 12, tzinfo=BERLIN)
    assert plan.on_call(at) is None
    out = _who(tmp_path, plan, "2027-03-20T12:00", capsys=capsys)
    assert (
        "primary    nobody (outside coverage, until 2027-03-22 09:00 CET), then Ben Berlin (office)"
        in out
    )
    data = json.loads(_who(tmp_path, plan, "2027-03-20T12:00", "--format", "json", capsys=capsys))
    layer = data["schedules"][0]["layers"][0]
    assert layer["person"] is None and layer["window"] is None
    # Friday afternoon: the last occurrence of Bea's week, then the weekend gap.
    out = _who(tmp_path, plan, "2027-03-19T16:30", capsys=capsys)
    assert (
        "primary    Bea Berlin (office, until 2027-03-19 17:00 CET), then nobody (outside "
        "coverage) until 2027-03-22 09:00 CET" in out
    )
    # Inside: Tuesday 10:00 Berlin in week 0 is Bea's (bea, ben, nia in turn).
    assert plan.on_call(datetime(2027, 3, 16, 10, tzinfo=BERLIN)) == "bea"
    assert plan.on_call(datetime(2027, 3, 16, 17, tzinfo=BERLIN)) is None  # the window's end


def test_windowless_who_json_has_no_window_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sun = schedule_of(SUN)
    whole = SchedulePlan(
        name="support",
        timezone="Europe/Berlin",
        start=START,
        weeks=1,
        shifts=(
            Shift(
                week=0,
                layer=Layer.PRIMARY,
                person="bea",
                start=datetime(2027, 3, 15, 9, tzinfo=BERLIN),
                end=datetime(2027, 3, 22, 9, tzinfo=BERLIN),
            ),
        ),
    )
    plan = Plan(schedules=(whole,)).annotate([sun.model_copy(update={"windows": ()})])
    layer = json.loads(_who(tmp_path, plan, "2027-03-16T06:30", "--format", "json", capsys=capsys))[
        "schedules"
    ][0]["layers"][0]
    assert "window" not in layer and layer["person"] == "bea"
    text = _who(tmp_path, plan, "2027-03-16T06:30", capsys=capsys)
    assert "primary    Bea Berlin until 2027-03-22 09:00 CET" in text


def test_override_over_a_window_boundary_replaces_both_holders_and_comes_off() -> None:
    sun = schedule_of(SUN)
    plan = round_robin(sun)
    # Tuesday of week 0: Sid holds apac until 08:00 UTC, Bea emea from then.
    a = datetime(2027, 3, 16, 6, tzinfo=UTC)
    b = datetime(2027, 3, 16, 10, tzinfo=UTC)
    covered = plan.with_override(None, "primary", "ben", a, b, reason="swap")
    o = covered.schedules[0].overrides[0]
    assert o.replaces == "sid, bea"
    for minute in range(0, 240, 15):
        assert covered.on_call(a + timedelta(minutes=minute)) == "ben"
    assert covered.on_call(a - timedelta(minutes=1)) == "sid"
    assert covered.on_call(b) == "bea"
    pieces = [p for p in effective_shifts(covered.schedules[0]) if p.override == o.id]
    assert [(p.window, p.start.astimezone(UTC), p.end.astimezone(UTC)) for p in pieces] == [
        ("apac", a, datetime(2027, 3, 16, 8, tzinfo=UTC)),
        ("emea", datetime(2027, 3, 16, 8, tzinfo=UTC), b),
    ]
    # The weekly view keeps occurrences, each still its holder's: the override is partial.
    weekly = weekly_view(covered.schedules[0])
    assert weekly.shifts == plan.schedules[0].shifts
    # Removing the override restores both holders.
    removed = covered.model_copy(
        update={"schedules": (covered.schedules[0].model_copy(update={"overrides": ()}),)}
    )
    for minute in range(0, 240, 15):
        at = a + timedelta(minutes=minute)
        assert removed.on_call(at) == plan.on_call(at) == expected_holder(at)[0]  # type: ignore[index]


def test_the_weekly_view_hands_over_a_window_cell_only_when_all_of_it_is_covered() -> None:
    plan = round_robin(schedule_of(SUN))
    sp = plan.schedules[0]
    cell = [s for s in sp.shifts if s.window == "amer" and s.week == 1]
    occ = cell[0]
    # One occurrence covered: the cell stays its planned holder's (as a one-day cover leaves
    # a whole week to its holder); the interval rules judge the covered day.
    covered = plan.with_override(None, "primary", "ned", occ.start, occ.end)
    assert covered.schedules[0].overrides[0].replaces == occ.person == "nia"
    assert weekly_view(covered.schedules[0]).shifts == sp.shifts
    assert (1, Layer.PRIMARY) in partly_overridden(covered.schedules[0])
    # Every occurrence of the cell covered by one person: the cell is theirs.
    whole = plan
    for s in cell:
        whole = whole.with_override(None, "primary", "ned", s.start, s.end)
    weekly = weekly_view(whole.schedules[0])
    changed = [s for s in weekly.shifts if s not in sp.shifts]
    assert [(s.window, s.start, s.person) for s in changed] == [
        ("amer", s.start, "ned") for s in cell
    ]
    assert (1, Layer.PRIMARY) not in partly_overridden(whole.schedules[0])


# ---------------------------------------------------------------------------------------------
# The real-time rules


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_complete_windowed_plans_have_no_interval_findings() -> None:
    for text in (SUN, OFFICE):
        schedule = schedule_of(text)
        assert check_intervals([schedule], round_robin(schedule)) == []


def test_h101_flags_a_missing_occurrence_under_full_coverage() -> None:
    sun = schedule_of(SUN)
    plan = round_robin(sun)
    sp = plan.schedules[0]
    gone = next(s for s in sp.shifts if s.window == "amer" and s.week == 2)
    holed = plan.model_copy(
        update={
            "schedules": (
                sp.model_copy(update={"shifts": tuple(s for s in sp.shifts if s != gone)}),
            )
        }
    )
    findings = check_intervals([sun], holed)
    assert _codes(findings) == ["H101"]
    zone = sun.zone
    span = f"{stamp(gone.start.astimezone(zone))} – {stamp(gone.end.astimezone(zone))}"
    assert f"nobody holds primary from {span}" in findings[0].message


def test_h101_partial_coverage_gaps_are_fine_but_a_missing_occurrence_is_not() -> None:
    office = schedule_of(OFFICE)
    plan = round_robin(office)
    sp = plan.schedules[0]
    assert _codes(check_intervals([office], plan)) == []
    # The same plan claiming full coverage: every evening, night and weekend is a gap.
    full = plan.model_copy(update={"schedules": (sp.model_copy(update={"coverage": "full"}),)})
    gaps = [f for f in check_intervals([office], full) if f.code == "H101"]
    assert len(gaps) == 3 * 5  # after each of the 15 occurrences (the last up to the horizon end)
    # Partial, with Wednesday of week 1 missing: one finding, naming the window.
    gone = next(s for s in sp.shifts if s.week == 1 and s.start.weekday() == 2)
    holed = plan.model_copy(
        update={
            "schedules": (
                sp.model_copy(update={"shifts": tuple(s for s in sp.shifts if s != gone)}),
            )
        }
    )
    findings = check_intervals([office], holed)
    assert _codes(findings) == ["H101"]
    assert "nobody holds primary in window office from 2027-03-24 09:00" in findings[0].message


def test_h106_judges_an_override_on_time_off_to_the_minute() -> None:
    sun = schedule_of(SUN.replace("2027-03-10", "2027-03-17"))
    plan = round_robin(sun)
    # Ben covers two hours of Bea's emea occurrence on his day off (Wednesday, week 0).
    a = datetime(2027, 3, 17, 12, tzinfo=UTC)
    covered = plan.with_override(None, "primary", "ben", a, a + timedelta(hours=2))
    findings = check_intervals([sun], covered)
    assert _codes(findings) == ["H106"]
    # Only the override's two hours, in the schedule's zone (CET): not Bea's whole occurrence.
    assert "ben holds primary" in findings[0].message
    assert "from 2027-03-17 13:00 CET – 2027-03-17 15:00 CET but is on time off" in (
        findings[0].message
    )


def test_h103_counts_weeks_holding_any_window() -> None:
    sun = schedule_of(SUN)  # max_consecutive_weeks: 2
    plan = round_robin(sun)
    sp = plan.schedules[0]
    # Bea holds emea in weeks 0 and 2; an hour of Ben's week 1 makes three weeks in a row.
    week1 = next(s for s in sp.shifts if s.window == "emea" and s.week == 1)
    covered = plan.with_override(
        None, "primary", "bea", week1.start, week1.start + timedelta(hours=1)
    )
    findings = check_intervals([sun], covered)
    assert _codes(findings) == ["H103"]
    assert "bea is on call in 3 weeks in a row" in findings[0].message
    # Without the override, the weeks-0-and-2 pattern is fine.
    assert check_intervals([sun], plan) == []


# ---------------------------------------------------------------------------------------------
# iCal feeds


def _events(feed: bytes, plan: Plan) -> list[tuple[str, datetime, datetime, str]]:
    """(UID, start, end, SUMMARY) of every event a calendar shows over the plan's horizon."""
    import recurring_ical_events
    from icalendar import Calendar

    first, last = horizon(plan.schedules[0])
    shown = recurring_ical_events.of(Calendar.from_ical(feed)).between(first, last)
    return sorted(
        (
            str(e["UID"]),
            e.decoded("DTSTART").astimezone(UTC),
            e.decoded("DTEND").astimezone(UTC),
            str(e["SUMMARY"]),
        )
        for e in shown
    )


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_feed_events_are_the_occurrences_with_stable_uids(mode: str) -> None:
    from oncall_planner.ical import to_ical

    sun = schedule_of(SUN)
    plan = round_robin(sun)
    sp = plan.schedules[0]
    feed = to_ical(plan, tz_mode=mode)  # type: ignore[arg-type]
    assert to_ical(plan, tz_mode=mode) == feed  # type: ignore[arg-type]
    events = _events(feed, plan)
    # A calendar shows the real blocks: one event per occurrence, at its instants.
    assert sorted((a, b) for _, a, b, _ in events) == sorted(
        (s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in sp.shifts
    )
    assert len({uid for uid, *_ in events}) == len(sp.shifts)
    by_start = {a: (uid, summary) for uid, a, _, summary in events}
    for s in sp.shifts:
        uid, summary = by_start[s.start.astimezone(UTC)]
        assert f"-primary-{s.window}-{s.start.astimezone(UTC):%Y%m%dT%H%MZ}@" in uid
        assert summary == f"On-call primary ({s.window}): {plan.display_name(s.person)} (support)"
    # Personal feeds likewise: Sid's events are his apac occurrences.
    mine = _events(to_ical(plan, person="sid", tz_mode=mode), plan)  # type: ignore[arg-type]
    assert [(a, b) for _, a, b, _ in mine] == sorted(
        (s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in sp.shifts if s.person == "sid"
    )
    assert all(summary.startswith("[support/primary (apac)]") for *_, summary in mine)
    assert all(uid.endswith(".sid.personal@oncall-planner.invalid") for uid, *_ in mine)


def test_a_replan_that_keeps_an_occurrence_keeps_its_uid() -> None:
    from oncall_planner.ical import to_ical

    sun = schedule_of(SUN)
    plan = round_robin(sun)
    # Re-planned from a week later: weeks renumber and holders change, occurrences stay.
    later = round_robin(sun, start=START + timedelta(weeks=1), weeks=2)
    before = {(a, s.split(":")[0]): uid for uid, a, _, s in _events(to_ical(plan), plan)}
    after = {(a, s.split(":")[0]): uid for uid, a, _, s in _events(to_ical(later), later)}
    common = set(before) & set(after)
    # Weeks 1 and 2 of the first plan: 21 and 22 occurrences (Berlin's DST change moves the
    # handoff to 07:00 UTC, cutting an apac occurrence in two).
    kept = [s for s in plan.schedules[0].shifts if s.week >= 1]
    assert len(common) == len(kept) == 43
    assert all(before[k] == after[k] for k in common)
    # Every kept occurrence changed holder (the round robin restarts): same UID, SEQUENCE 1,
    # so subscribed calendars update the blocks instead of duplicating them.
    from icalendar import Calendar

    revised = Calendar.from_ical(to_ical(later, previous=plan)).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in revised) == sorted(before[k] for k in common)
    assert {(str(e["STATUS"]), str(e["SEQUENCE"])) for e in revised} == {("CONFIRMED", "1")}


def test_overridden_window_feed_and_import_of_a_windowed_feed() -> None:
    from oncall_planner.errors import FeedError
    from oncall_planner.ical import from_ical, to_ical

    sun = schedule_of(SUN)
    plan = round_robin(sun)
    a = datetime(2027, 3, 16, 6, tzinfo=UTC)
    covered = plan.with_override(None, "primary", "ben", a, a + timedelta(hours=4))
    events = _events(to_ical(covered), covered)
    # The calendar still tiles the horizon, with Ben's two override pieces in it.
    spans = sorted((x, y) for _, x, y, _ in events)
    first, last = (t.astimezone(UTC) for t in horizon(covered.schedules[0]))
    assert spans[0][0] == first and spans[-1][1] == last
    assert all(y == x2 for (_, y), (x2, _) in itertools.pairwise(spans))
    bens = [(x, y, s) for _, x, y, s in events if x >= a and y <= a + timedelta(hours=4)]
    assert [s for *_, s in bens] == [
        "On-call primary (apac): Ben Berlin (support)",
        "On-call primary (emea): Ben Berlin (support)",
    ]
    # Import refuses windowed feeds with a located L008 naming the window.
    with pytest.raises(FeedError) as caught:
        from_ical(to_ical(plan), sun)
    first_finding = caught.value.findings[0]
    assert first_finding.code == "L008" and "coverage window" in first_finding.message
    assert first_finding.line is not None


# ---------------------------------------------------------------------------------------------
# Reviews

#: Pages to the office layer (Berlin wall times) and who received them.
OFFICE_PAGES = [
    (datetime(2027, 3, 16, 10, 0), "bea"),  # Tuesday, inside: Bea's week
    (datetime(2027, 3, 16, 20, 0), "bea"),  # Tuesday evening: outside coverage
    (datetime(2027, 3, 20, 3, 0), "ben"),  # Saturday night: outside
    (datetime(2027, 3, 28, 12, 0), "nia"),  # Sunday of the DST change: outside
    (datetime(2027, 3, 29, 10, 0), "nia"),  # Monday, CEST, inside: Nia's week
    (datetime(2027, 3, 31, 16, 59), "nia"),  # inside, a minute before the window ends
]


def _office_review() -> tuple[Schedule, Plan, QuarterlyReview]:
    import pandas as pd

    from oncall_planner.health import review

    office = schedule_of(OFFICE)
    plan = round_robin(office)
    frame = pd.DataFrame(
        {
            "page_id": [f"p{i}" for i in range(len(OFFICE_PAGES))],
            "paged_at": [t.replace(tzinfo=BERLIN).astimezone(UTC) for t, _ in OFFICE_PAGES],
            "recipient": [who for _, who in OFFICE_PAGES],
            "channel": ["push"] * len(OFFICE_PAGES),
            "severity": ["SEV2"] * len(OFFICE_PAGES),
        }
    )
    return office, plan, review(frame, plan, office, ("2027-03-15", "2027-04-04"))


def _inside_office(t: datetime) -> bool:
    return t.weekday() < 5 and 9 <= t.hour < 17


def test_review_attributes_pages_to_windows_and_warns_about_pages_outside_coverage() -> None:
    _, _, got = _office_review()
    outside = [t for t, _ in OFFICE_PAGES if not _inside_office(t)]
    r306 = [f for f in got.findings if f.code == "R306"]
    assert len(r306) == 1 and r306[0].severity.value == "warning"
    assert f"office: {len(outside)} page(s) arrived while none of its windows" in r306[0].message
    assert "2027-03-16 20:00 CET, 2027-03-20 03:00 CET, 2027-03-28 12:00 CEST" in r306[0].message
    inside = sum(1 for t, _ in OFFICE_PAGES if _inside_office(t))
    zones = {"bea": BERLIN, "ben": BERLIN, "nia": NEW_YORK}
    # Nia's Monday 10:00 CEST page is 04:00 in New York: a sleep-hour page inside the window.
    asleep = sum(
        1
        for t, who in OFFICE_PAGES
        if _inside_office(t) and not 8 <= t.replace(tzinfo=BERLIN).astimezone(zones[who]).hour < 22
    )
    assert asleep == 1
    assert got.per_window.to_dict(orient="records") == [
        {"window": "office", "pages": inside, "interruptions": inside, "sleep_pages": asleep}
    ]
    assert list(got.pages["window"]) == [
        "office" if _inside_office(t) else None for t, _ in OFFICE_PAGES
    ]
    data = got.to_dict()
    assert data["windows"][0]["pages"] == inside
    assert all(s["window"] == "office" for s in data["shifts"])
    assert "## Windows" in got.to_markdown() and "<h2>Windows</h2>" in got.to_html(charts=False)


def test_review_night_hours_from_the_plan_alone() -> None:
    office, plan, got = _office_review()
    lo = datetime(2027, 3, 15, tzinfo=BERLIN)
    hi = datetime(2027, 4, 5, tzinfo=BERLIN)
    zones = {m.id: ZoneInfo(m.timezone or office.timezone) for m in office.participants.members}
    expected: dict[str, float] = {}
    for s in plan.schedules[0].shifts:
        # Quarter hours of the shift inside the period, local 22:00–08:00 in the person's zone.
        t = max(s.start, lo).astimezone(UTC)
        while t < min(s.end, hi):
            local = t.astimezone(zones[s.person])
            if local.hour >= 22 or local.hour < 8:
                expected[s.person] = expected.get(s.person, 0.0) + 0.25
            t += timedelta(minutes=15)
    # Nia in New York holds week 2, both zones on summer time: 09:00 CEST is 03:00 EDT, so five
    # hours of each of five days are her night.
    assert expected == {"nia": 5 * 5.0}
    for person in ("bea", "ben", "nia"):
        assert got.per_person.at[person, "night_hours"] == pytest.approx(expected.get(person, 0.0))
    assert got.to_dict()["per_person"]["nia"]["night_hours"] == 25.0
    assert "night h" in got.to_markdown()


def test_review_cli_on_a_windowed_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oncall_planner.cli import main

    office = schedule_of(OFFICE)
    plan = round_robin(office)
    (tmp_path / "office.yaml").write_text(OFFICE, encoding="utf-8")
    (tmp_path / "plan.json").write_text(plan.to_json(), encoding="utf-8")
    rows = ["page_id,paged_at,recipient,channel,severity"] + [
        f"p{i},{t.replace(tzinfo=BERLIN).astimezone(UTC).isoformat()},{who},push,SEV2"
        for i, (t, who) in enumerate(OFFICE_PAGES)
    ]
    (tmp_path / "pages.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = [
        "review",
        str(tmp_path / "office.yaml"),
        "--pages",
        str(tmp_path / "pages.csv"),
        "--plan",
        str(tmp_path / "plan.json"),
        "--from",
        "2027-03-15",
        "--to",
        "2027-04-04",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "`R306` warning: office: 3 page(s)" in text
    assert "| window | pages | interruptions | sleep |" in text
    assert "| office | 3 | 3 | 1 |" in text
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["per_person"]["nia"]["night_hours"] == 25.0
    assert {s["window"] for s in data["shifts"]} == {"office"}


@pytest.mark.parametrize("count", [5, 6])
def test_noisy_shift_is_a_holders_week_of_a_window(count: int) -> None:
    import pandas as pd

    from oncall_planner.health import review

    office = schedule_of(OFFICE)  # alert_if_pages_exceed: 5 (the default) per shift
    plan = round_robin(office)
    # Bea's week 0: pages on Tuesday only, then some on Thursday: judged as one shift.
    times = [datetime(2027, 3, 16, 10, 0) + timedelta(minutes=10 * i) for i in range(3)] + [
        datetime(2027, 3, 18, 11, 0) + timedelta(minutes=10 * i) for i in range(count - 3)
    ]
    frame = pd.DataFrame(
        {
            "page_id": [f"p{i}" for i in range(count)],
            "paged_at": [t.replace(tzinfo=BERLIN).astimezone(UTC) for t in times],
            "recipient": ["bea"] * count,
            "channel": ["push"] * count,
        }
    )
    got = review(frame, plan, office, ("2027-03-15", "2027-04-04"))
    noisy = [f for f in got.findings if f.code == "R301"]
    assert got.team["shifts"] == 3  # three holders' weeks, fifteen occurrences
    if count <= office.health_metrics.alert_if_pages_exceed:
        assert noisy == [] and got.team["noisy_shifts"] == 0
    else:
        assert len(noisy) == 1 and got.team["noisy_shifts"] == 1
        week = "(bea, 2027-03-15 09:00–2027-03-19 17:00)"
        assert f"office week 0 primary (office) {week}: {count} pages" in noisy[0].message


@pytest.mark.parametrize(("day", "found"), [("2027-03-24", True), ("2027-03-17", False)])
def test_h106_judges_every_occurrence_against_time_off(day: str, found: bool) -> None:
    # Ben holds emea in week 1 (22–29 March): his Wednesday off there clashes with that
    # day's occurrence only; a day off in Bea's week 0 clashes with nothing.
    sun = schedule_of(SUN.replace("2027-03-10", day))
    findings = check_intervals([sun], round_robin(sun))
    if not found:
        assert findings == []
        return
    assert _codes(findings) == ["H106"]
    assert "ben holds primary (week 1) from 2027-03-24 09:00 CET – 2027-03-24 17:00 CET" in (
        findings[0].message
    )


def test_h102_is_about_instants_not_weeks() -> None:
    from oncall_planner.validate.intervals import check_plan_alone

    sun = schedule_of(SUN)
    plan = round_robin(sun)
    sp = plan.schedules[0]
    # Secondary: the other member of each site, so each person holds one window, primary one
    # week and secondary the next: never two layers at one instant, though every week has both.
    second = [
        s.model_copy(
            update={
                "layer": Layer.SECONDARY,
                "person": POOLS[s.window or ""][(s.week + 1) % 2],
            }
        )
        for s in sp.shifts
    ]
    both = plan.model_copy(
        update={"schedules": (sp.model_copy(update={"shifts": (*sp.shifts, *second)}),)}
    )
    assert check_intervals([sun], both) == [] and check_plan_alone(both) == []
    # Two hours of apac secondary for Bea on a day she holds emea primary: one hour overlaps.
    clash = Shift(
        week=0,
        layer=Layer.SECONDARY,
        person="bea",
        window="apac",
        start=datetime(2027, 3, 17, 7, tzinfo=UTC),
        end=datetime(2027, 3, 17, 9, tzinfo=UTC),
    )
    # Built anew (not model_copy), so the times move into the schedule's zone as a file's do.
    worse = Plan(schedules=(SchedulePlan(**{**dict(sp), "shifts": (*sp.shifts, *second, clash)}),))
    findings = check_plan_alone(worse)
    assert _codes(findings) == ["H102"]
    assert "at once from 2027-03-17 09:00 CET – 2027-03-17 10:00 CET" in findings[0].message


def test_the_review_shift_table_shows_a_window_week_as_one_row() -> None:
    from oncall_planner import load_schedule, plan, review, synthetic_pages
    from oncall_planner.solver import PlanOptions

    sun = load_schedule("schedules/follow-the-sun.yaml")
    quarter = plan(sun, date(2027, 1, 4), 2, options=PlanOptions(workers=1, seed=0))
    rv = review(
        synthetic_pages(quarter, sun, seed=3), quarter, sun, (date(2027, 1, 4), date(2027, 1, 17))
    )
    table = rv.to_markdown().split("## Shifts", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| follow-the-sun |")]
    # Two weeks × three windows: six rows, each holding the week's occurrences inside the period.
    assert len(rows) == 6
    cells = {(r.week, r.window, r.person) for r in rv.per_shift.itertuples(index=False)}
    assert len(cells) == 6 and len(rv.per_shift) > 6
    for line in rows:
        _, _, week, _, window, person, _, blocks, pages, *_ = (c.strip() for c in line.split("|"))
        mine = rv.per_shift[
            (rv.per_shift["week"] == int(week)) & (rv.per_shift["window"] == window)
        ]
        assert set(mine["person"]) == {person}
        assert int(blocks) == len(mine) and int(pages) == int(mine["pages"].sum())
