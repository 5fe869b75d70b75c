"""Issue 11: feeds of the effective roster (override events, split weeks, SEQUENCE, CANCELLED)
and overrides read back from PagerDuty, Grafana OnCall, GoAlert, LinkedIn and our own feeds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from test_ical_helpers import make_schedule, round_robin

from oncall_planner.ical import feed_history, from_ical, history_plan, to_ical
from oncall_planner.plans import Layer, Plan
from oncall_planner.roster import effective_shifts, handoffs, on_call
from tests.conftest import DATA

FEEDS = DATA / "feeds"
BERLIN = ZoneInfo("Europe/Berlin")
DOMAIN = "oncall-planner.invalid"


def _events(feed: bytes) -> dict[str, dict[str, str]]:
    """UID → the event's properties as text (unfolded)."""
    out: dict[str, dict[str, str]] = {}
    for block in feed.replace(b"\r\n ", b"").split(b"BEGIN:VEVENT\r\n")[1:]:
        props: dict[str, str] = {}
        for line in block.split(b"END:VEVENT\r\n")[0].decode().split("\r\n"):
            if line:
                name, _, value = line.partition(":")
                props.setdefault(name, value)
        out[props["UID"]] = props
    return out


def _blocks(feed: bytes) -> dict[str, bytes]:
    out = {}
    for block in feed.split(b"BEGIN:VEVENT\r\n")[1:]:
        text = block.split(b"END:VEVENT\r\n")[0]
        uid = re.search(rb"\r\nUID:(.*?)\r\n", text.replace(b"\r\n ", b""))
        assert uid
        out[uid[1].decode()] = text
    return out


def _plan() -> Plan:
    """Four weeks from Monday 2027-01-04; primary = alice, bob, carol, dan."""
    return round_robin(make_schedule(), date(2027, 1, 4), 4)


def _ill(plan: Plan) -> Plan:
    """Carol covers bob's primary week (week 1) from Wednesday 18:00 to Friday 09:00."""
    return plan.with_override(
        None,
        "primary",
        "carol",
        datetime(2027, 1, 13, 18, 0, tzinfo=BERLIN),
        datetime(2027, 1, 15, 9, 0, tzinfo=BERLIN),
        reason="bob is ill",
    )


# -- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_an_override_is_its_own_event_and_splits_the_week_it_interrupts(mode: str) -> None:
    plan = _plan()
    ill = _ill(plan)
    (o,) = ill.schedules[0].overrides
    before = _blocks(to_ical(plan, tz_mode=mode))  # type: ignore[arg-type]
    after = _events(to_ical(ill, tz_mode=mode))  # type: ignore[arg-type]
    whole = f"berlin-sre-primary-20270111@{DOMAIN}"
    assert whole not in after
    override_uid = f"berlin-sre-primary-override-{o.id}@{DOMAIN}"
    pieces = {
        f"berlin-sre-primary-20270111@{DOMAIN}".replace("@", "-from20270111T0900Z@"),
        f"berlin-sre-primary-20270111@{DOMAIN}".replace("@", "-from20270115T0800Z@"),
    }
    assert pieces | {override_uid} <= set(after)
    ev = after[override_uid]
    assert ev["X-ONCALL-PERSON"] == "carol" and ev["X-ONCALL-OVERRIDE"] == o.id
    assert "Override " + o.id in ev["DESCRIPTION"] and "bob is ill" in ev["DESCRIPTION"]
    assert all(after[u]["X-ONCALL-PERSON"] == "bob" for u in pieces)
    # Every other event is the one the plan without the override writes, byte for byte.
    after_blocks = _blocks(to_ical(ill, tz_mode=mode))  # type: ignore[arg-type]
    for uid, block in before.items():
        if uid != whole:
            assert after_blocks[uid] == block
    # The feed's intervals are the effective roster.
    cal = Calendar.from_ical(to_ical(ill, tz_mode=mode))  # type: ignore[arg-type]
    got = sorted(
        (
            str(e["X-ONCALL-LAYER"]),
            str(e["X-ONCALL-PERSON"]),
            e["DTSTART"].dt.astimezone(UTC),
            e["DTEND"].dt.astimezone(UTC),
        )
        for e in cal.walk("VEVENT")
    )
    want = sorted(
        (p.layer.value, p.person, p.start.astimezone(UTC), p.end.astimezone(UTC))
        for p in effective_shifts(ill.schedules[0])
    )
    assert got == want


def test_personal_feeds_show_the_cover_and_the_pieces() -> None:
    ill = _ill(_plan())
    (o,) = ill.schedules[0].overrides
    carol = _events(to_ical(ill, person="carol"))
    assert f"berlin-sre-primary-override-{o.id}.carol.personal@{DOMAIN}" in carol
    bob = _events(to_ical(ill, person="bob"))
    mine = sorted(u for u in bob if u.startswith("berlin-sre-primary-20270111"))
    assert mine == [
        f"berlin-sre-primary-20270111-from20270111T0900Z.bob.personal@{DOMAIN}",
        f"berlin-sre-primary-20270111-from20270115T0800Z.bob.personal@{DOMAIN}",
    ]
    cal = Calendar.from_ical(to_ical(ill, person="bob"))
    hours = sum(
        (e["DTEND"].dt - e["DTSTART"].dt).total_seconds() / 3600
        for e in cal.walk("VEVENT")
        if str(e["UID"]) in mine
    )
    assert hours == 168 - 39  # Wed 18:00 to Fri 09:00 is 39 h


def test_reexport_bumps_only_what_changed_and_cancels_the_replaced_week_once() -> None:
    plan = _plan()
    first = to_ical(plan)
    ill = _ill(plan)
    second = to_ical(ill, previous_feed=first)
    old, new = _blocks(first), _blocks(second)
    whole = f"berlin-sre-primary-20270111@{DOMAIN}"
    for uid, block in old.items():
        if uid != whole:
            assert new[uid] == block  # unchanged: copied byte for byte, SEQUENCE 0
    gone = _events(second)[whole]
    assert gone["STATUS"] == "CANCELLED" and gone["SEQUENCE"] == "1"
    assert gone["DTSTART"] == _events(first)[whole]["DTSTART"]
    added = set(new) - set(old)
    assert len(added) == 3
    assert all(_events(second)[u]["SEQUENCE"] == "0" for u in added)
    # The next export does not publish the cancellation again, and changes nothing else.
    third = to_ical(ill, previous_feed=second)
    assert whole not in _blocks(third)
    assert {u: b for u, b in _blocks(second).items() if u != whole} == _blocks(third)
    assert to_ical(ill, previous_feed=third) == third
    # Moving the override's end: its event gets SEQUENCE 1, the second piece is replaced.
    sp = ill.schedules[0]
    (o,) = sp.overrides
    moved_o = o.model_copy(update={"end": datetime(2027, 1, 15, 12, 0, tzinfo=BERLIN)})
    moved = ill.model_copy(update={"schedules": (sp.model_copy(update={"overrides": (moved_o,)}),)})
    fourth = _events(to_ical(moved, previous_feed=third))
    assert fourth[f"berlin-sre-primary-override-{o.id}@{DOMAIN}"]["SEQUENCE"] == "1"
    old_piece = f"berlin-sre-primary-20270111-from20270115T0800Z@{DOMAIN}"
    assert fourth[old_piece]["STATUS"] == "CANCELLED"
    assert fourth[f"berlin-sre-primary-20270111-from20270115T1100Z@{DOMAIN}"]["SEQUENCE"] == "0"
    first_piece = f"berlin-sre-primary-20270111-from20270111T0900Z@{DOMAIN}"
    assert _blocks(to_ical(moved, previous_feed=third))[first_piece] == _blocks(third)[first_piece]


def test_removing_the_override_restores_the_week_and_cancels_the_pieces() -> None:
    plan = _plan()
    ill = _ill(plan)
    with_cover = to_ical(ill, previous_feed=to_ical(plan))
    back = _events(to_ical(plan, previous_feed=with_cover))
    whole = f"berlin-sre-primary-20270111@{DOMAIN}"
    # The week was CANCELLED with SEQUENCE 1: it comes back with SEQUENCE 2.
    assert back[whole]["STATUS"] == "CONFIRMED" and back[whole]["SEQUENCE"] == "2"
    cancelled = sorted(u for u, e in back.items() if e["STATUS"] == "CANCELLED")
    assert len(cancelled) == 3 and all("20270111-from" in u or "override" in u for u in cancelled)


def test_an_override_of_an_override_cuts_the_first_one_into_pieces() -> None:
    ill = _ill(_plan())
    (o,) = ill.schedules[0].overrides
    again = ill.with_override(
        None,
        "primary",
        "dan",
        datetime(2027, 1, 14, 8, 0, tzinfo=BERLIN),
        datetime(2027, 1, 14, 20, 0, tzinfo=BERLIN),
    )
    o2 = again.schedules[0].overrides[1]
    evs = _events(to_ical(again))
    base = f"berlin-sre-primary-override-{o.id}"
    assert f"{base}@{DOMAIN}" not in evs
    assert {f"{base}-from20270113T1700Z@{DOMAIN}", f"{base}-from20270114T1900Z@{DOMAIN}"} <= set(
        evs
    )
    assert evs[f"berlin-sre-primary-override-{o2.id}@{DOMAIN}"]["X-ONCALL-PERSON"] == "dan"


def test_a_plan_without_overrides_exports_as_before() -> None:
    plan = _plan()
    sp = plan.schedules[0]
    empty = plan.model_copy(update={"schedules": (sp.model_copy(update={"overrides": ()}),)})
    for mode in ("utc", "tzid"):
        assert to_ical(empty, tz_mode=mode) == to_ical(plan, tz_mode=mode)  # type: ignore[arg-type]


# -- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["utc", "tzid"])
@pytest.mark.parametrize(
    ("zone", "start", "weeks", "cover"),
    [
        # Berlin springs forward on Sunday 2027-03-28 02:00; the cover runs across it.
        ("Europe/Berlin", date(2027, 3, 22), 2, ((2027, 3, 27, 20), (2027, 3, 28, 12))),
        # Berlin falls back on Sunday 2027-10-31 03:00.
        ("Europe/Berlin", date(2027, 10, 25), 2, ((2027, 10, 30, 22), (2027, 10, 31, 9))),
        # New York springs forward on Sunday 2027-03-14 02:00.
        ("America/New_York", date(2027, 3, 8), 2, ((2027, 3, 13, 18), (2027, 3, 14, 10))),
        # New York falls back on Sunday 2027-11-07 02:00.
        ("America/New_York", date(2027, 11, 1), 2, ((2027, 11, 6, 23), (2027, 11, 7, 8))),
    ],
)
def test_an_override_round_trips_through_the_feed(
    mode: str,
    zone: str,
    start: date,
    weeks: int,
    cover: tuple[tuple[int, int, int, int], tuple[int, int, int, int]],
) -> None:
    schedule = make_schedule("nyc" if "York" in zone else "berlin-sre", zone)
    tz = ZoneInfo(zone)
    plan = round_robin(schedule, start, weeks)
    a, b = (datetime(*t, 0, tzinfo=tz) for t in cover)
    holder = on_call(plan, a)
    other = next(m for m in ("alice", "bob", "carol", "dan") if m != holder)
    ill = plan.with_override(None, "primary", other, a, b)
    (o,) = ill.schedules[0].overrides
    back = history_plan(to_ical(ill, tz_mode=mode), schedule)  # type: ignore[arg-type]
    (sp,) = back.schedules
    (got,) = sp.overrides
    assert (got.person, got.layer, got.start, got.end) == (o.person, o.layer, o.start, o.end)
    assert got.id == o.id and got.replaces == holder
    assert sp.shifts == plan.schedules[0].shifts
    # Who held the layer is the same at every hour of the two weeks.
    t = plan.schedules[0].shifts[0].start.astimezone(UTC)
    while t < plan.schedules[0].shifts[-1].end:
        for layer in (Layer.PRIMARY, Layer.SECONDARY):
            assert on_call(back, t, layer=layer) == on_call(ill, t, layer=layer), t
        t += timedelta(minutes=30)


def test_personal_feeds_read_together_give_the_override() -> None:
    schedule = make_schedule()
    ill = _ill(_plan())
    feeds = [(to_ical(ill, person=m), f"{m}.ics", m) for m in ("alice", "bob", "carol", "dan")]
    (sp,) = history_plan(feeds, schedule).schedules
    ((got),) = sp.overrides
    (o,) = ill.schedules[0].overrides
    assert (got.person, got.start, got.end) == ("carol", o.start, o.end)


# -- the four products' override shapes --------------------------------------------------------


def _utc(*t: int) -> datetime:
    return datetime(*t, tzinfo=UTC)


def _overrides(plan: Plan) -> list[tuple[str, Layer, datetime, datetime, str | None]]:
    return [
        (o.person, o.layer, o.start.astimezone(UTC), o.end.astimezone(UTC), o.replaces)
        for o in plan.schedules[0].overrides
    ]


def _weekly(plan: Plan) -> list[tuple[int, Layer, str, bool]]:
    """(week, layer, person, whole week) of the weekly shifts."""
    sp = plan.schedules[0]
    bounds = handoffs(sp)
    return [
        (s.week, s.layer, s.person, (s.start, s.end) == (bounds[s.week], bounds[s.week + 1]))
        for s in sp.shifts
    ]


def test_pagerduty_partial_shifts_become_an_override_of_the_week() -> None:
    got = history_plan((FEEDS / "pagerduty-override.ics").read_bytes(), make_schedule())
    assert _weekly(got) == [(0, Layer.PRIMARY, "alice", True), (1, Layer.PRIMARY, "bob", True)]
    assert _overrides(got) == [
        ("carol", Layer.PRIMARY, _utc(2027, 3, 3, 17), _utc(2027, 3, 5, 8), "alice")
    ]
    assert on_call(got, _utc(2027, 3, 4, 12)) == "carol"
    assert on_call(got, _utc(2027, 3, 5, 8)) == "alice"


def test_grafana_final_schedule_with_priority_override() -> None:
    got = history_plan((FEEDS / "grafana-override.ics").read_bytes(), make_schedule())
    assert _weekly(got) == [(0, Layer.PRIMARY, "bob", True), (1, Layer.PRIMARY, "carol", True)]
    # The CANCELLED override of alice is not read.
    assert _overrides(got) == [
        ("dan", Layer.PRIMARY, _utc(2027, 3, 2, 19), _utc(2027, 3, 3, 7), "bob")
    ]


def test_grafana_override_over_a_whole_rotation_event_wins_by_priority() -> None:
    # A feed whose rotation event is not cut around the override (PRIORITY decides).
    feed = (FEEDS / "grafana-override.ics").read_bytes()
    feed = feed.replace(b"DTEND:20270302T190000Z", b"DTEND:20270308T090000Z")
    feed = re.sub(rb"BEGIN:VEVENT\r\nSUMMARY:bob\r\nDTSTART:20270303T070000Z.*?END:VEVENT\r\n",
                  b"", feed, flags=re.S)  # fmt: skip
    assert feed.count(b"SUMMARY:bob") == 1
    got = history_plan(feed, make_schedule())
    assert _overrides(got) == [
        ("dan", Layer.PRIMARY, _utc(2027, 3, 2, 19), _utc(2027, 3, 3, 7), "bob")
    ]
    assert on_call(got, _utc(2027, 3, 2, 20)) == "dan"
    # Carry-over counts the cover as dan's and takes it off bob's week: 12 of its 168 hours.
    hist = feed_history(feed, make_schedule(), date(2027, 4, 1))
    shifts = from_ical(feed, make_schedule().participants.members)
    assert sum(s.hours for s in shifts if s.person == "bob") == 168  # as written
    assert set(hist) == {"bob", "carol", "dan"}
    assert hist["dan"].primary_weeks == round(12 / 168, 3)
    assert hist["bob"].primary_weeks == round((168 - 12) / 168, 3)
    # last_on_call is the start of the handoff week that holds the cover (Monday 1 March).
    assert hist["dan"].last_on_call == date(2027, 3, 1)


def test_feed_history_repays_a_cover_and_reduces_the_covered() -> None:
    # Bob's rotation event holds two weeks; carol covers four days of it (PRIORITY 1).
    feed = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID://Grafana Labs//Grafana On-Call//\r\n"
        b"BEGIN:VEVENT\r\nSUMMARY:bob\r\nDTSTART:20270301T090000Z\r\nDTEND:20270315T090000Z\r\n"
        b"UID:r1\r\nPRIORITY:0\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nSUMMARY:carol\r\nDTSTART:20270308T090000Z\r\n"
        b"DTEND:20270312T090000Z\r\nUID:o1\r\nPRIORITY:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    schedule = make_schedule()
    hist = feed_history(feed, schedule, date(2027, 4, 1))
    # Without overrides resolved: bob 336 h = 2 weeks, carol 96 h (counted twice). Resolved,
    # and kept to the hour (a cover is repaid however short): bob 240 h, carol 96 h.
    assert hist["bob"].primary_weeks == round((336 - 96) / 168, 3)
    assert hist["carol"].primary_weeks == round(96 / 168, 3)
    assert hist["carol"].last_on_call == date(2027, 3, 8)
    # Bob's last stretch is the Friday-to-Monday piece after the cover, in the week of Mar 8.
    assert hist["bob"].last_on_call == date(2027, 3, 8)
    got = history_plan(feed, schedule)
    assert _overrides(got) == [
        ("carol", Layer.PRIMARY, _utc(2027, 3, 8, 9), _utc(2027, 3, 12, 9), "bob")
    ]


def test_goalert_partial_shifts_become_a_secondary_override() -> None:
    got = history_plan((FEEDS / "goalert-override.ics").read_bytes(), make_schedule())
    assert _weekly(got) == [
        (0, Layer.SECONDARY, "alice", True),
        (1, Layer.SECONDARY, "bob", True),
    ]
    assert _overrides(got) == [
        ("carol", Layer.SECONDARY, _utc(2027, 3, 4, 8), _utc(2027, 3, 4, 20), "alice")
    ]


def test_linkedin_split_events_across_the_dst_change_become_an_override() -> None:
    got = history_plan((FEEDS / "linkedin-override.ics").read_bytes(), make_schedule())
    assert _weekly(got) == [(0, Layer.PRIMARY, "alice", True), (1, Layer.PRIMARY, "carol", True)]
    # Week 0 spans the spring-forward change: 167 real hours, held by alice end to end.
    (s0, _) = got.schedules[0].shifts
    assert (s0.end.astimezone(UTC) - s0.start.astimezone(UTC)) == timedelta(hours=167)
    (o,) = got.schedules[0].overrides
    assert (o.person, o.replaces) == ("bob", "alice")
    assert o.start == datetime(2027, 3, 27, 20, 0, tzinfo=BERLIN)
    assert o.end == datetime(2027, 3, 28, 12, 0, tzinfo=BERLIN)
    assert (o.end - o.start) == timedelta(hours=16)  # wall clock; real time is 15 h
    assert (o.end.astimezone(UTC) - o.start.astimezone(UTC)) == timedelta(hours=15)


def test_a_foreign_cover_across_a_handoff_is_one_override() -> None:
    # PagerDuty's final schedule: alice's week, dan from Sunday 20:00 to Tuesday 08:00 Berlin
    # (across the Monday 10:00 handoff), then bob's week.
    def event(uid: str, name: str, start: str, end: str) -> str:
        return (
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
            f"SUMMARY:On Call - {name} - Berlin SRE Primary\r\nEND:VEVENT\r\n"
        )

    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PagerDuty//On-Call Schedule//EN\r\n"
        + event("a", "Alice Martin", "20270301T090000Z", "20270307T190000Z")
        + event("d", "Dan Kowalski", "20270307T190000Z", "20270309T070000Z")
        + event("b", "Bob Okafor", "20270309T070000Z", "20270315T090000Z")
        + "END:VCALENDAR\r\n"
    ).encode()
    schedule = make_schedule(members=(*_MEMBERS, ("dan", "Dan Kowalski", "dan@example.com")))
    got = history_plan(feed, schedule)
    assert _weekly(got) == [(0, Layer.PRIMARY, "alice", True), (1, Layer.PRIMARY, "bob", True)]
    assert _overrides(got) == [
        ("dan", Layer.PRIMARY, _utc(2027, 3, 7, 19), _utc(2027, 3, 9, 7), None)
    ]


_MEMBERS = (
    ("alice", "Alice Martin", "alice@example.com"),
    ("bob", "Bob Okafor", "bob@example.com"),
    ("carol", "Carol Nguyen", "carol@example.com"),
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3 * 7 * 24 - 1),  # start hour from the plan's first handoff
            st.integers(1, 4 * 24),  # hours
            st.sampled_from(["alice", "bob", "carol", "dan"]),
            st.sampled_from([Layer.PRIMARY, Layer.SECONDARY]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
    st.sampled_from(["Europe/Berlin", "America/New_York"]),
)
def test_any_overrides_read_back_give_the_same_roster(
    covers: list[tuple[int, int, str, Layer]], foreign: bool, zone: str
) -> None:
    """Random overrides on a 3-week plan, exported and read back: as our feed (override ids)
    or with the ids stripped, as a paging tool's final schedule: the same person holds each
    layer at every half hour."""
    schedule = make_schedule("sched", zone)
    plan = round_robin(schedule, date(2027, 3, 1), 3)
    sp = plan.schedules[0]
    first, last = sp.shifts[0].start.astimezone(UTC), sp.shifts[-1].end.astimezone(UTC)
    for hour, length, person, layer in covers:
        a = first + timedelta(hours=hour)
        b = min(a + timedelta(hours=length), last)
        if b <= a:
            # Three weeks across New York's spring change are 503 hours, not 504: an override
            # drawn to start at the plan's end is empty, and with_override rightly refuses it.
            continue
        plan = plan.with_override(None, layer, person, a, b)
    feed = to_ical(plan)
    if foreign:
        feed = re.sub(rb"X-ONCALL-OVERRIDE:[^\r]*\r\n", b"", feed)
    back = history_plan(feed, schedule)
    t = first
    while t < last:
        for layer in (Layer.PRIMARY, Layer.SECONDARY):
            assert on_call(back, t, layer=layer) == on_call(plan, t, layer=layer), (t, layer)
        t += timedelta(minutes=30)


def test_feed_history_of_our_feed_counts_a_cover_for_the_coverer() -> None:
    # Dan covers five of bob's seven days in week 1 (primary): the carry-over read from the
    # feed moves those 120 hours from bob to dan, and dan's last time on call is the cover.
    schedule = make_schedule()
    plan = _plan()
    covered = plan.with_override(
        None,
        "primary",
        "dan",
        datetime(2027, 1, 11, 10, 0, tzinfo=BERLIN),
        datetime(2027, 1, 16, 10, 0, tzinfo=BERLIN),
    )
    before = feed_history(to_ical(plan), schedule, date(2027, 2, 1))
    after = feed_history(to_ical(covered), schedule, date(2027, 2, 1))
    moved = pytest.approx(120 / 168, abs=1e-3)
    assert before["bob"].primary_weeks - after["bob"].primary_weeks == moved
    assert after["dan"].primary_weeks - before["dan"].primary_weeks == moved
    assert after["alice"] == before["alice"] and after["carol"] == before["carol"]
