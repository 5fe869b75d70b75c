"""Reading feeds back: our own (round trip), the four products' shapes, carry-over, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ical_helpers import MEMBERS, TRICKY, make_schedule, round_robin

from oncall_planner import FeedError, from_ical, to_ical
from oncall_planner.ical import FeedShift, feed_history, history_plan
from oncall_planner.plans import Layer, Plan, merge_plans
from oncall_planner.spec import Schedule
from tests.conftest import DATA

FEEDS = DATA / "feeds"


def roster_schedule() -> Schedule:
    # "Dan Kowalski" is matched by name in the Grafana sample.
    return make_schedule(members=(*MEMBERS, ("dank", "Dan Kowalski", "dank@example.com")))


def utc(y: int, m: int, d: int, h: int) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def spans(shifts: list[FeedShift]) -> list[tuple[str, Layer | None, datetime, datetime, bool]]:
    return [
        (s.person, s.layer, s.start.astimezone(UTC), s.end.astimezone(UTC), s.matched)
        for s in shifts
    ]


# -- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_export_then_import_gives_the_same_shifts(mode: str) -> None:
    schedule = make_schedule()
    berlin = round_robin(schedule, date(2026, 10, 5), 30)
    nyc = round_robin(make_schedule("nyc", "America/New_York"), date(2026, 10, 5), 30, offset=2)
    plan = merge_plans([berlin, nyc]).model_copy(update={"people": berlin.people})
    shifts = from_ical(to_ical(plan, tz_mode=mode), schedule.participants.members)  # type: ignore[arg-type]
    got = sorted((s.schedule, s.layer, s.person, s.start, s.end) for s in shifts)
    want = sorted((name, s.layer, s.person, s.start, s.end) for name, s in plan.all_shifts())
    assert got == want
    assert all(s.matched for s in shifts)
    # Personal feeds too, and without a roster people stay recognisable by id.
    dan = from_ical(to_ical(plan, person="dan", tz_mode=mode))  # type: ignore[arg-type]
    assert {s.person for s in dan} == {"dan"} and len(dan) == 30
    assert all(TRICKY in s.summary for s in dan)


# -- product shapes ----------------------------------------------------------------------------


def test_pagerduty_shape_matches_attendee_emails_case_insensitively() -> None:
    shifts = from_ical(
        (FEEDS / "pagerduty.ics").read_bytes(), roster_schedule().participants.members
    )
    assert spans(shifts) == [
        ("alice", Layer.PRIMARY, utc(2027, 3, 1, 9), utc(2027, 3, 8, 9), True),
        ("bob", Layer.PRIMARY, utc(2027, 3, 8, 9), utc(2027, 3, 22, 9), True),
        ("Zoë Contractor", Layer.PRIMARY, utc(2027, 3, 22, 9), utc(2027, 3, 29, 8), False),
    ]
    assert shifts[0].schedule == "Berlin SRE Primary"


def test_grafana_shape_skips_cancelled_and_reads_the_bad_refresh_interval() -> None:
    # Grafana writes REFRESH-INTERVAL;VALUE=DURATION:P1H (invalid: no T), which makes
    # icalendar reject a whole calendar; the importer does not need that property.
    shifts = from_ical((FEEDS / "grafana.ics").read_bytes(), roster_schedule().participants.members)
    assert spans(shifts) == [
        ("carol", None, utc(2027, 3, 1, 9), utc(2027, 3, 8, 9), True),
        ("dank", None, utc(2027, 3, 8, 9), utc(2027, 3, 15, 9), True),
    ]


def test_goalert_full_schedule_and_personal_feeds() -> None:
    members = roster_schedule().participants.members
    full = from_ical((FEEDS / "goalert.ics").read_bytes(), members)
    assert [(s.person, s.layer, s.schedule) for s in full] == [
        ("alice", Layer.SECONDARY, "Berlin SRE Secondary"),
        ("carol", Layer.SECONDARY, "Berlin SRE Secondary"),
    ]
    personal = (FEEDS / "goalert-personal.ics").read_bytes()
    with pytest.raises(FeedError, match="names no person"):
        from_ical(personal, members)
    (mine,) = from_ical(personal, members, person="carol@example.com")
    assert (mine.person, mine.matched, mine.start) == ("carol", True, utc(2027, 3, 15, 9))


def test_linkedin_shape_uses_tzid_attendee_and_skips_vacations() -> None:
    shifts = from_ical(
        (FEEDS / "linkedin.ics").read_bytes(), roster_schedule().participants.members
    )
    assert spans(shifts) == [
        ("carol", Layer.PRIMARY, utc(2027, 3, 22, 9), utc(2027, 3, 29, 8), True),
        ("bob", Layer.SECONDARY, utc(2027, 3, 22, 9), utc(2027, 3, 29, 8), True),
    ]
    assert {s.schedule for s in shifts} == {"berlin-sre"}


def test_matching_by_display_name_ignores_case_accents_spacing() -> None:
    feed = (FEEDS / "pagerduty.ics").read_bytes().replace(b"ATTENDEE:alice@example.com\r\n", b"")
    feed = feed.replace(b"Alice Martin", b"alice   MARTIN")
    assert from_ical(feed, roster_schedule().participants.members)[0].person == "alice"


# -- malformed feeds -----------------------------------------------------------------------------


def test_line_without_colon_is_located() -> None:
    path = FEEDS / "bad" / "no-colon.ics"
    with pytest.raises(FeedError) as err:
        from_ical(path.read_bytes(), source=str(path))
    (f,) = err.value.findings
    assert (f.code, f.line, f.file) == ("L008", 7, str(path))


def test_unclosed_component_is_located_at_its_begin() -> None:
    with pytest.raises(FeedError) as err:
        from_ical((FEEDS / "bad" / "unclosed.ics").read_bytes())
    (f,) = err.value.findings
    assert f.line == 4 and "VEVENT" in f.message


def test_every_bad_event_is_reported_with_its_line() -> None:
    with pytest.raises(FeedError) as err:
        from_ical((FEEDS / "bad" / "bad-events.ics").read_bytes())
    found = [(f.line, f.path) for f in err.value.findings]
    assert found == [(14, "VEVENT[1].DTEND"), (19, "VEVENT[2].DTSTART"), (25, "VEVENT[3].DTSTART")]
    messages = " ".join(f.message for f in err.value.findings)
    assert "before it starts" in messages and "floating" in messages and "2027-03-22" in messages


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"hello world\r\n", 1),
        (b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 2),
        (b"BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\nEND:VCALENDAR\r\n", 2),
    ],
)
def test_not_a_feed(data: bytes, line: int) -> None:
    with pytest.raises(FeedError) as err:
        from_ical(data)
    assert err.value.findings[0].line == line


def test_floating_times_use_x_wr_timezone_and_rrule_is_refused() -> None:
    base = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        "BEGIN:VEVENT\r\nUID:u\r\nSUMMARY:On Call - Alice Martin - X\r\n"
        "DTSTART:20270301T100000\r\nDTEND:20270308T100000\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (s,) = from_ical(base.format(extra="").encode())
    assert s.start.astimezone(UTC) == utc(2027, 3, 1, 9)
    with pytest.raises(FeedError) as err:
        from_ical(base.format(extra="RRULE:FREQ=WEEKLY\r\n").encode())
    assert err.value.findings[0].line == 10 and "RRULE" in err.value.findings[0].message


# -- carry-over and history plans -----------------------------------------------------------------


def test_feed_history_counts_weeks_last_week_and_stint() -> None:
    schedule = make_schedule()
    plan = round_robin(schedule, date(2027, 1, 4), 8, order=["alice", "alice", "bob", "carol"])
    feed = to_ical(plan)
    hist = feed_history(feed, schedule, date(2027, 2, 1))  # weeks 0–3 only
    # primary: alice, alice, bob, carol; secondary: alice, bob, carol, alice
    assert hist["alice"].primary_weeks == 2 and hist["alice"].secondary_weeks == 2
    assert hist["alice"].last_on_call == date(2027, 1, 25)
    assert hist["alice"].last_stint_weeks == 1
    assert hist["carol"].last_on_call == date(2027, 1, 25)
    assert hist["carol"].last_stint_weeks == 2  # secondary week 2, primary week 3
    assert set(hist) == {"alice", "bob", "carol"}  # dan has no shift before February


def test_feed_history_merges_a_two_week_pagerduty_shift() -> None:
    hist = feed_history((FEEDS / "pagerduty.ics").read_bytes(), roster_schedule(), date(2027, 4, 1))
    assert hist["bob"].primary_weeks == 2
    assert hist["bob"].last_on_call == date(2027, 3, 15)
    assert hist["bob"].last_stint_weeks == 2
    assert "Zoë Contractor" not in hist


def test_history_plan_reproduces_the_exported_plan() -> None:
    schedule = make_schedule()
    plan = round_robin(schedule, date(2026, 10, 5), 12)
    got = history_plan(to_ical(plan, tz_mode="tzid"), schedule)
    assert got.solve is not None and got.solve.status == "IMPORTED"
    (sp,) = got.schedules
    assert sp.name == "berlin-sre" and sp.start == date(2026, 10, 5) and sp.weeks == 12
    assert sp.shifts == plan.schedules[0].shifts
    assert got.people["dan"].name == TRICKY  # annotated from the schedule
    assert Plan.from_json(got.to_json()) == got


def test_history_plan_splits_aligned_stints_and_keeps_odd_shifts() -> None:
    got = history_plan((FEEDS / "pagerduty.ics").read_bytes(), roster_schedule())
    (sp,) = got.schedules
    assert sp.start == date(2027, 3, 1)
    assert [(s.week, s.person, s.layer) for s in sp.shifts] == [
        (0, "alice", Layer.PRIMARY),
        (1, "bob", Layer.PRIMARY),
        (2, "bob", Layer.PRIMARY),
    ]  # Zoë is not on the roster
    assert sp.shifts[2].end - sp.shifts[2].start == timedelta(days=7)


def test_history_plan_unaligned_shift_keeps_the_week_it_starts_in() -> None:
    feed = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:On Call - Alice Martin - X\r\n"
        b"DTSTART:20270301T090000Z\r\nDTEND:20270308T090000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:On Call - Bob Okafor - X\r\n"
        b"DTSTART:20270310T120000Z\r\nDTEND:20270311T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (sp,) = history_plan(feed, make_schedule()).schedules
    odd = sp.shifts[-1]
    assert (odd.week, odd.person) == (1, "bob")
    assert odd.start.astimezone(UTC) == utc(2027, 3, 10, 12)


def test_history_plan_without_members_is_an_error() -> None:
    other = make_schedule(members=(("zed", "Zed", "zed@example.com"),))
    with pytest.raises(FeedError, match="no shift"):
        history_plan((FEEDS / "grafana.ics").read_bytes(), other)


def test_sample_feeds_exist_for_every_shape() -> None:
    names = {p.name for p in Path(FEEDS).glob("*.ics")}
    assert {"pagerduty.ics", "grafana.ics", "goalert.ics", "linkedin.ics"} <= names


@settings(max_examples=60)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=120,
    ).filter(lambda s: s.strip() == s and s.strip())
)
def test_any_display_name_round_trips(name: str) -> None:
    from icalendar import Calendar

    schedule = make_schedule()
    plan = round_robin(schedule, date(2027, 1, 4), 4)  # alice: primary week 0, secondary week 3
    people = {**plan.people, "alice": plan.people["alice"].model_copy(update={"name": name})}
    feed = to_ical(plan.model_copy(update={"people": people}), person="alice", tz_mode="tzid")
    if "\\N" not in name:
        # icalendar 7.3 unescapes a literal backslash followed by "N" as a line break (it
        # replaces "\\N" before "\\\\"); our reader does not, which the asserts below check.
        assert Calendar.from_ical(feed).to_ical() == feed
    assert max(len(line) for line in feed.split(b"\r\n")) <= 75
    shifts = from_ical(feed)
    assert [s.summary for s in shifts] == [
        f"[berlin-sre/primary] On-call primary: {name}",
        f"[berlin-sre/secondary] On-call secondary: {name}",
    ]
    assert {s.person for s in shifts} == {"alice"}


def test_backslash_n_in_a_name_is_not_a_line_break() -> None:
    schedule = make_schedule()
    plan = round_robin(schedule, date(2027, 1, 4), 1)
    people = {**plan.people, "alice": plan.people["alice"].model_copy(update={"name": "a\\Nb"})}
    (shift,) = from_ical(to_ical(plan.model_copy(update={"people": people}), person="alice"))
    assert shift.summary.endswith(": a\\Nb")


def test_org_feed_is_split_by_schedule_name() -> None:
    berlin_schedule = make_schedule()
    nyc_schedule = make_schedule("nyc", "America/New_York")
    berlin = round_robin(berlin_schedule, date(2027, 1, 4), 4)
    nyc = round_robin(nyc_schedule, date(2027, 1, 4), 4, offset=2)
    feed = to_ical(merge_plans([berlin, nyc]).model_copy(update={"people": berlin.people}))
    got = history_plan(feed, nyc_schedule)
    assert got.schedules[0].shifts == nyc.schedules[0].shifts
    hist = feed_history(feed, berlin_schedule, date(2027, 2, 1))
    assert sum(h.primary_weeks for h in hist.values()) == 4  # Berlin's 4 weeks, not 8
