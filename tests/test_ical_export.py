"""The export checklist (research/ical.md §6), one test per property, on hand-built plans."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Timezone
from icalendar.parser.string import _foldline
from pydantic import ValidationError
from test_ical_helpers import MEMBERS, TRICKY, make_schedule, replace_person, round_robin

from oncall_planner.errors import FeedError
from oncall_planner.ical import event_uid, to_ical
from oncall_planner.ical._lines import fold
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift, merge_plans

START = date(2026, 10, 5)  # crosses the EU (Oct 25) and US (Nov 1) fall-back changes


@pytest.fixture(scope="module")
def berlin() -> Plan:
    return round_robin(make_schedule(), START, 30)


def events(feed: bytes) -> list[Calendar]:
    return list(Calendar.from_ical(feed).walk("VEVENT"))


def unfolded(feed: bytes) -> list[str]:
    return feed.decode("utf-8").replace("\r\n ", "").split("\r\n")


MODES = ("utc", "tzid")


# -- A. envelope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_1_version_and_prodid_exactly_once(berlin: Plan, mode: str) -> None:
    lines = unfolded(to_ical(berlin, tz_mode=mode))  # type: ignore[arg-type]
    assert lines.count("VERSION:2.0") == 1
    assert len([ln for ln in lines if ln.startswith("PRODID:")]) == 1
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""


@pytest.mark.parametrize("mode", MODES)
def test_2_crlf_and_75_octet_folding_never_split_utf8(berlin: Plan, mode: str) -> None:
    feed = to_ical(berlin, person="dan", tz_mode=mode)  # type: ignore[arg-type]
    assert feed.endswith(b"\r\n")
    assert b"\n" not in feed.replace(b"\r\n", b"")
    assert b"\r" not in feed.replace(b"\r\n", b"")
    physical = feed.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")  # a fold inside a UTF-8 sequence would make a line undecodable
    assert any(line.startswith(b" ") for line in physical)  # long lines were folded
    summaries = {str(e["SUMMARY"]) for e in events(feed)}
    assert f"[berlin-sre/primary] On-call primary: {TRICKY}" in summaries


@settings(max_examples=200)
@given(st.text(min_size=0, max_size=400).filter(lambda s: "\n" not in s and "\r" not in s))
def test_2_fold_matches_icalendar_octet_for_octet(value: str) -> None:
    line = "DESCRIPTION:" + value
    assert fold(line) == _foldline(line)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("person", [None, "dan"])
def test_3_icalendar_round_trip_is_byte_identical(berlin: Plan, mode: str, person: str) -> None:
    feed = to_ical(berlin, tz_mode=mode, person=person)  # type: ignore[arg-type]
    assert Calendar.from_ical(feed).to_ical() == feed


def test_4_member_and_shift_order_do_not_matter(berlin: Plan) -> None:
    sp = berlin.schedules[0]
    shuffled = Plan(
        schedules=(sp.model_copy(update={"shifts": tuple(reversed(sp.shifts))}),),
        people=dict(reversed(list(berlin.people.items()))),
        solve=berlin.solve,
    )
    # The same roster written in the opposite order in the schedule file.
    reordered = round_robin(make_schedule(members=tuple(reversed(MEMBERS))), START, 30)
    for mode in MODES:
        assert to_ical(shuffled, tz_mode=mode) == to_ical(berlin, tz_mode=mode)  # type: ignore[arg-type]
        assert to_ical(reordered, tz_mode=mode) == to_ical(berlin, tz_mode=mode)  # type: ignore[arg-type]


def test_5_and_6_display_name_and_refresh_hints(berlin: Plan) -> None:
    lines = unfolded(to_ical(berlin))
    assert "NAME:On-call: berlin-sre" in lines
    assert "X-WR-CALNAME:On-call: berlin-sre" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    person = unfolded(to_ical(berlin, person="alice"))
    assert "X-WR-CALNAME:On-call: Alice Martin" in person


@pytest.mark.parametrize("person", [None, "alice"])
def test_7_method_publish_with_organizer_and_no_attendee(berlin: Plan, person: str | None) -> None:
    # Issue 10: GoAlert, Google and Outlook exports say METHOD:PUBLISH. RFC 5546 §3.2.1 then
    # requires ORGANIZER, SUMMARY, DTSTAMP, DTSTART and UID on each event and forbids ATTENDEE.
    feed = to_ical(berlin, tz_mode="tzid", person=person)
    lines = unfolded(feed)
    assert [ln for ln in lines if ln.startswith("METHOD")] == ["METHOD:PUBLISH"]
    assert lines.index("METHOD:PUBLISH") < lines.index("BEGIN:VEVENT")
    assert not any(ln.startswith("ATTENDEE") for ln in lines)
    blocks = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    assert len(blocks) == len(events(feed)) > 0
    for block in blocks:
        names = [ln.split(":")[0].split(";")[0] for ln in block.split("\n") if ln]
        for prop in ("ORGANIZER", "SUMMARY", "DTSTAMP", "DTSTART", "UID"):
            assert names.count(prop) == 1, prop
    assert {str(e["ORGANIZER"]) for e in events(feed)} == {
        "mailto:oncall-planner@oncall-planner.invalid"
    }


# -- B. events -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_9_every_event_has_uid_utc_dtstamp_start_end_and_no_errors(berlin: Plan, mode: str) -> None:
    feed = to_ical(berlin, tz_mode=mode)  # type: ignore[arg-type]
    evs = events(feed)
    assert len(evs) == len(berlin.schedules[0].shifts) == 60
    for e in evs:
        assert e.errors == []
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(e)
        assert "DURATION" not in e
        assert e["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert all(
        re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", ln) for ln in unfolded(feed) if "DTSTAMP" in ln
    )


def test_10_end_after_start_and_the_model_refuses_inverted_shifts(berlin: Plan) -> None:
    for e in events(to_ical(berlin, tz_mode="tzid")):
        assert e["DTEND"].dt > e["DTSTART"].dt
    t = datetime(2027, 1, 4, 10, tzinfo=UTC)
    with pytest.raises(ValidationError):
        Shift(week=0, layer=Layer.PRIMARY, person="a", start=t, end=t)


def test_11_uids_unique_even_when_a_plan_doubles_a_layer(berlin: Plan) -> None:
    sp = berlin.schedules[0]
    doubled = (*sp.shifts, sp.shifts[0].model_copy(update={"person": "carol"}))
    plan = berlin.model_copy(update={"schedules": (sp.model_copy(update={"shifts": doubled}),)})
    uids = [str(e["UID"]) for e in events(to_ical(plan))]
    assert len(uids) == len(set(uids)) == 61


def test_12_uids_are_stable_across_windows_stamps_and_domains(berlin: Plan) -> None:
    later = round_robin(make_schedule(), START + timedelta(weeks=10), 30, offset=10)
    a = {str(e["UID"]) for e in events(to_ical(berlin))}
    b = {str(e["UID"]) for e in events(to_ical(later, stamp=datetime(2030, 1, 1, tzinfo=UTC)))}
    overlap = a & b
    assert len(overlap) == 40  # the 20 common weeks × 2 layers
    assert all(u.endswith("@oncall-planner.invalid") for u in a)
    first = berlin.schedules[0].shifts[0]
    assert (
        event_uid("berlin-sre", first, "example.com") == "berlin-sre-primary-20261005@example.com"
    )


def _by_uid(feed: bytes) -> dict[str, bytes]:
    blocks = feed.split(b"BEGIN:VEVENT\r\n")[1:]
    out = {}
    for block in blocks:
        text = block.split(b"END:VEVENT\r\n")[0]
        uid = re.search(rb"\r\nUID:(.*?)\r\n", text.replace(b"\r\n ", b""))
        assert uid
        out[uid[1].decode()] = text
    return out


@pytest.mark.parametrize("mode", MODES)
def test_13_changed_shift_keeps_uid_bumps_sequence_and_last_modified(
    berlin: Plan, mode: str
) -> None:
    old = to_ical(berlin, tz_mode=mode)  # type: ignore[arg-type]
    changed = replace_person(berlin, 3, Layer.PRIMARY, "carol")
    new = to_ical(changed, tz_mode=mode, previous=berlin)  # type: ignore[arg-type]
    before, after = _by_uid(old), _by_uid(new)
    assert before.keys() == after.keys()
    uid = "berlin-sre-primary-20261026@oncall-planner.invalid"
    different = [u for u in before if before[u] != after[u]]
    assert different == [uid]
    old_ev = {str(e["UID"]): e for e in events(old)}[uid]
    new_ev = {str(e["UID"]): e for e in events(new)}[uid]
    assert int(new_ev["SEQUENCE"]) == int(old_ev["SEQUENCE"]) + 1
    assert new_ev["LAST-MODIFIED"].dt > old_ev["LAST-MODIFIED"].dt
    assert new_ev["DTSTAMP"].dt == new_ev["LAST-MODIFIED"].dt
    # A third revision continues from the second feed: SEQUENCE keeps rising, and the shift
    # changed in revision 2 stays byte-identical.
    third = replace_person(changed, 5, Layer.SECONDARY, "alice")
    newer = to_ical(third, tz_mode=mode, previous_feed=new)  # type: ignore[arg-type]
    after3 = _by_uid(newer)
    assert after3[uid] == after[uid]
    uid5 = "berlin-sre-secondary-20261109@oncall-planner.invalid"
    assert b"SEQUENCE:1\r\n" in after3[uid5] and b"SEQUENCE:0\r\n" in after[uid5]
    # Same plan, same previous feed: nothing changes at all.
    assert to_ical(third, tz_mode=mode, previous_feed=newer) == newer  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("good", "bad", "prop"),
    [("SEQUENCE:0", "SEQUENCE:x", "SEQUENCE"),
     ("LAST-MODIFIED:20261005T000000Z", "LAST-MODIFIED:2026-10-05", "LAST-MODIFIED")],
)  # fmt: skip
def test_13_unreadable_previous_feed_is_a_located_feed_error(
    berlin: Plan, good: str, bad: str, prop: str
) -> None:
    feed = to_ical(berlin).decode("utf-8")
    lines = feed.split("\r\n")
    second = [i for i, line in enumerate(lines) if line == good][1]  # the second event's
    lines[second] = bad
    with pytest.raises(FeedError) as caught:
        to_ical(berlin, previous_feed="\r\n".join(lines).encode("utf-8"))
    (finding,) = caught.value.findings
    assert (finding.code, finding.line, finding.path) == ("L008", second + 1, f"VEVENT[1].{prop}")
    assert repr(bad.partition(":")[2]) in finding.message


def test_13_stamps_come_from_the_plan_not_the_clock(berlin: Plan) -> None:
    # A plan that records no time (an older plan@1 file) falls back to its start date.
    stamps = {e["DTSTAMP"].dt for e in events(to_ical(berlin))}
    assert stamps == {datetime(2026, 10, 5, tzinfo=UTC)}
    fixed = datetime(2026, 9, 30, 8, 15, tzinfo=UTC)
    assert {e["DTSTAMP"].dt for e in events(to_ical(berlin, stamp=fixed))} == {fixed}


def test_dtstamp_is_when_the_plan_was_made_not_its_start_date(berlin: Plan) -> None:
    # Issue 10: DTSTAMP/LAST-MODIFIED were the plan's start date, a future invented time.
    made = datetime(2026, 9, 14, 16, 30, 5, tzinfo=UTC)
    plan = berlin.model_copy(update={"created": made})
    evs = events(to_ical(plan))
    assert {e["DTSTAMP"].dt for e in evs} == {made}
    assert {e["LAST-MODIFIED"].dt for e in evs} == {made}
    assert all(e["DTSTAMP"].dt < e["DTSTART"].dt for e in evs)
    # A revision: unchanged shifts keep the first stamp, the changed one gets the revision's.
    revised = datetime(2026, 10, 20, 7, 0, tzinfo=UTC)
    changed = replace_person(plan, 5, Layer.PRIMARY, "carol").model_copy(
        update={"created": made, "revised": revised}
    )
    after = events(to_ical(changed, previous=plan))
    by_stamp = sorted((e["LAST-MODIFIED"].dt, int(e["SEQUENCE"])) for e in after)
    assert by_stamp.count((made, 0)) == len(after) - 1
    assert by_stamp[-1] == (revised, 1)


def test_14_removed_shifts_are_cancelled_once(berlin: Plan) -> None:
    # Issue 11: a removed shift is published once as STATUS:CANCELLED (as Grafana OnCall
    # does), so a calendar that merges by UID drops it; the next revision leaves it out.
    sp = berlin.schedules[0]
    fewer = sp.model_copy(update={"shifts": tuple(s for s in sp.shifts if s.week != 2)})
    plan = berlin.model_copy(update={"schedules": (fewer,)})
    feed = to_ical(plan, previous=berlin)
    new = _by_uid(feed)
    live = {u: t for u, t in new.items() if b"STATUS:CONFIRMED" in t}
    gone = {u: t for u, t in new.items() if b"STATUS:CANCELLED" in t}
    assert len(live) == 58
    removed = {event_uid("berlin-sre", s) for s in sp.shifts if s.week == 2}
    assert set(gone) == removed
    assert "berlin-sre-primary-20261019@oncall-planner.invalid" in gone
    old = _by_uid(to_ical(berlin))
    for uid, body in gone.items():
        assert b"SEQUENCE:1\r\n" in body
        same = [ln for ln in old[uid].split(b"\r\n") if ln.startswith((b"DTSTART", b"DTEND"))]
        assert len(same) == 2 and all(ln in body.split(b"\r\n") for ln in same)
    again = _by_uid(to_ical(plan, previous_feed=feed))
    assert set(again) == set(live)


def test_15_transparent_and_free(berlin: Plan) -> None:
    for e in events(to_ical(berlin)):
        assert str(e["TRANSP"]) == "TRANSPARENT"
        assert str(e["X-MICROSOFT-CDO-BUSYSTATUS"]) == "FREE"


def test_16_summary_description_and_tricky_names(berlin: Plan) -> None:
    evs = {str(e["UID"]): e for e in events(to_ical(berlin, tz_mode="tzid"))}
    first = evs["berlin-sre-primary-20261005@oncall-planner.invalid"]
    assert str(first["SUMMARY"]) == "On-call primary: Alice Martin (berlin-sre)"
    text = str(first["DESCRIPTION"])
    assert "Handoff in: Mon 2026-10-05 10:00 CEST (Europe/Berlin)" in text
    assert "Handoff out: Mon 2026-10-12 10:00 CEST (Europe/Berlin)" in text
    assert "This shift is escalation level 1, paged at once." in text
    assert "Grace Hopper <grace@example.com> (engineering-manager): paged after 15 min" in text
    assert "Vera Petrova <vera@example.com> (vp-engineering): paged after 30 min" in text
    second = evs["berlin-sre-secondary-20261005@oncall-planner.invalid"]
    assert "escalation level 2, paged after 5 min" in str(second["DESCRIPTION"])
    tricky = [e for e in evs.values() if str(e["X-ONCALL-PERSON"]) == "dan"]
    assert tricky and all(TRICKY in str(e["SUMMARY"]) for e in tricky)
    assert all(str(e["DESCRIPTION"]).startswith(TRICKY) for e in tricky)
    private = to_ical(berlin, contacts=False)
    assert b"grace@example.com" not in private and b"Grace Hopper" in private


def test_17_every_shift_of_the_plan_is_exported(berlin: Plan) -> None:
    got = sorted(
        (e["DTSTART"].dt.astimezone(UTC), str(e["X-ONCALL-LAYER"])) for e in events(to_ical(berlin))
    )
    want = sorted((s.start.astimezone(UTC), s.layer.value) for s in berlin.schedules[0].shifts)
    assert got == want


# -- C. time and time zones ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_18_no_floating_or_fixed_offset_times(berlin: Plan, mode: str) -> None:
    zones = available_timezones()
    for line in unfolded(to_ical(berlin, tz_mode=mode)):  # type: ignore[arg-type]
        if line.startswith(("DTSTART", "DTEND")) and not line.startswith("DTSTART:1970"):
            m = re.fullmatch(r"(DTSTART|DTEND)(?:;TZID=([^:]+))?:(\d{8}T\d{6})(Z?)", line)
            assert m, line
            assert bool(m[2]) != bool(m[4]), line  # exactly one of TZID and Z
            if m[2]:
                assert m[2] in zones
    if mode == "utc":
        assert b"TZID" not in to_ical(berlin)


def test_19_every_tzid_has_one_vtimezone_before_the_events(berlin: Plan) -> None:
    other = round_robin(make_schedule("nyc", "America/New_York"), START, 10)
    plan = merge_plans([berlin, other]).model_copy(update={"people": berlin.people})
    feed = to_ical(plan, tz_mode="tzid")
    cal = Calendar.from_ical(feed)
    assert cal.get_missing_tzids() == set()
    tzids = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert tzids == ["America/New_York", "Europe/Berlin"]  # sorted, once each
    assert feed.index(b"BEGIN:VTIMEZONE") < feed.index(b"BEGIN:VEVENT")
    assert b"X-WR-TIMEZONE" not in feed  # two zones: no single display zone (item 26)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_20_embedded_vtimezone_reproduces_zoneinfo_at_every_instant(zone: str) -> None:
    plan = round_robin(make_schedule("team", zone), date(2026, 1, 5), 160)
    feed = to_ical(plan, tz_mode="tzid")
    cal = Calendar.from_ical(feed)
    (vtz,) = cal.walk("VTIMEZONE")
    assert isinstance(vtz, Timezone)
    embedded = vtz.to_tz(lookup_tzid=False)
    truth = ZoneInfo(zone)
    for e in cal.walk("VEVENT"):
        for key in ("DTSTART", "DTEND"):
            instant = e[key].dt.astimezone(UTC)
            assert instant.astimezone(embedded).replace(tzinfo=None) == instant.astimezone(
                truth
            ).replace(tzinfo=None)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_21_vtimezone_has_the_outlook_shape(zone: str) -> None:
    feed = to_ical(round_robin(make_schedule("team", zone), date(2026, 1, 5), 60), tz_mode="tzid")
    (vtz,) = Calendar.from_ical(feed).walk("VTIMEZONE")
    kinds = [c.name for c in vtz.subcomponents]
    assert sorted(kinds) == ["DAYLIGHT", "STANDARD"]
    assert "COMMENT" not in vtz
    block = feed[feed.index(b"BEGIN:VTIMEZONE") : feed.index(b"END:VTIMEZONE")].decode()
    assert "RDATE" not in block
    rules = re.findall(r"RRULE:(.*)\r\n", block)
    assert len(rules) == 2
    for r in rules:
        assert re.fullmatch(r"FREQ=YEARLY;BYDAY=(-1|[1-4])SU;BYMONTH=\d{1,2}", r), r
    assert all(d.startswith("1970") for d in re.findall(r"DTSTART:(\d{8}T\d{6})", block))


def test_21_zone_without_dst_gets_a_single_standard() -> None:
    feed = to_ical(round_robin(make_schedule("tokyo", "Asia/Tokyo"), START, 4), tz_mode="tzid")
    (vtz,) = Calendar.from_ical(feed).walk("VTIMEZONE")
    assert [c.name for c in vtz.subcomponents] == ["STANDARD"]


def test_24_ambiguous_handoff_is_written_in_utc_in_tzid_mode() -> None:
    # 02:30 on Sunday 2026-10-25 happens twice in Berlin; clients disagree which one it is.
    schedule = make_schedule("night", "Europe/Berlin", handoff="02:30", day="sunday")
    plan = round_robin(schedule, date(2026, 10, 11), 4)
    lines = unfolded(to_ical(plan, tz_mode="tzid"))
    assert "DTSTART:20261025T003000Z" in lines  # the first 02:30 (CEST), in UTC
    assert "DTEND;TZID=Europe/Berlin:20261025T023000" not in lines
    assert "DTSTART;TZID=Europe/Berlin:20261018T023000" in lines  # unambiguous weeks keep TZID


def test_25_no_recurrence_rules_on_events(berlin: Plan) -> None:
    assert all("RRULE" not in e for e in events(to_ical(berlin, tz_mode="tzid")))


def test_26_x_wr_timezone_only_for_a_single_zone(berlin: Plan) -> None:
    assert "X-WR-TIMEZONE:Europe/Berlin" in unfolded(to_ical(berlin, tz_mode="tzid"))


def test_utc_schedule_in_tzid_mode_uses_z_and_no_vtimezone() -> None:
    plan = round_robin(make_schedule("utc-team", "UTC"), START, 3)
    feed = to_ical(plan, tz_mode="tzid")
    assert b"VTIMEZONE" not in feed and b"TZID=" not in feed


# -- D. per-person feeds -----------------------------------------------------------------------


def test_27_person_feed_holds_only_their_shifts_across_schedules(berlin: Plan) -> None:
    nyc = round_robin(make_schedule("nyc", "America/New_York"), START, 8, offset=1)
    plan = merge_plans([berlin, nyc]).model_copy(update={"people": berlin.people})
    feed = to_ical(plan, person="alice", tz_mode="tzid")
    evs = events(feed)
    mine = [s for _, s in plan.all_shifts() if s.person == "alice"]
    assert len(evs) == len(mine) > 0
    assert {str(e["X-ONCALL-PERSON"]) for e in evs} == {"alice"}
    assert {str(e["X-ONCALL-SCHEDULE"]) for e in evs} == {"berlin-sre", "nyc"}
    for e in evs:
        summary = str(e["SUMMARY"])
        assert summary.startswith(f"[{e['X-ONCALL-SCHEDULE']}/{e['X-ONCALL-LAYER']}] On-call ")
    assert b"X-WR-TIMEZONE" not in feed
    assert [str(tz["TZID"]) for tz in Calendar.from_ical(feed).walk("VTIMEZONE")] == [
        "America/New_York",
        "Europe/Berlin",
    ]


def test_person_zone_line_in_description() -> None:
    schedule = make_schedule()
    plan = round_robin(schedule, START, 2)
    people = dict(plan.people)
    people["alice"] = people["alice"].model_copy(update={"timezone": "America/New_York"})
    text = str(events(to_ical(plan.model_copy(update={"people": people})))[0]["DESCRIPTION"])
    assert "For Alice Martin (America/New_York): Mon 2026-10-05 04:00 EDT" in text


def test_bad_arguments_are_refused(berlin: Plan) -> None:
    with pytest.raises(ValueError, match="tz_mode"):
        to_ical(berlin, tz_mode="local")  # type: ignore[arg-type]
    # Was a bare KeyError('nope'); now the parameter, the value and the plan's schedules.
    with pytest.raises(ValueError, match=r"to_ical\(\): schedule must be .*, got 'nope' \(str\)"):
        to_ical(berlin, schedule="nope")
    with pytest.raises(ValueError, match="aware"):
        to_ical(berlin, stamp=datetime(2027, 1, 1))


def test_empty_person_feed_is_still_a_calendar(berlin: Plan) -> None:
    feed = to_ical(berlin, person="nobody")
    assert events(feed) == [] and b"X-WR-CALNAME:On-call: nobody" in feed


def test_schedule_plan_shadow_uid_names_the_person() -> None:
    t = datetime(2027, 1, 4, 10, tzinfo=UTC)
    shadow = Shift(week=0, layer=Layer.SHADOW, person="frank", start=t, end=t + timedelta(days=7))
    assert event_uid("s", shadow) == "s-shadow-20270104-frank@oncall-planner.invalid"
    sp = SchedulePlan(name="odd name/with slash", timezone="UTC", start=date(2027, 1, 4),
                      weeks=1, shifts=(shadow,))  # fmt: skip
    uid = str(events(to_ical(Plan(schedules=(sp,))))[0]["UID"])
    assert re.fullmatch(r"odd-name-with-slash-[0-9a-f]{8}-shadow-20270104-frank@.+", uid)


def test_long_folded_uids_are_carried_over(berlin: Plan) -> None:
    domain = "on-call-calendars.platform-engineering.example-corporation.com"
    old = to_ical(berlin, domain=domain)
    assert b"\r\n " in old.split(b"UID:", 1)[1][:120]  # the UID line is folded
    changed = replace_person(berlin, 0, Layer.PRIMARY, "dan")
    new = to_ical(changed, domain=domain, previous_feed=old)
    assert new.count(b"SEQUENCE:1\r\n") == 1
    assert to_ical(changed, domain=domain, previous_feed=new) == new
