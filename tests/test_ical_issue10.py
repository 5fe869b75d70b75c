"""Issue 10, feed export: each defect as a regression test.

The plan records when it was made (feeds stamp with it), METHOD:PUBLISH, an empty personal feed
that is still a calendar, no UID shared with two meanings, and Casablanca read right by a
second engine.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar
from test_ical_helpers import MEMBERS, make_schedule, replace_person, round_robin, schedule_yaml

from oncall_planner import plan
from oncall_planner.ical import to_ical
from oncall_planner.plans import Layer, Plan, made_at
from oncall_planner.solver import PlanOptions
from tests.conftest import FIXED_EPOCH

FAST = PlanOptions(time_limit_s=10, workers=1, seed=0)
MADE = datetime(2026, 11, 2, 14, 30, 7, tzinfo=UTC)


# -- 5. the plan records when it was made ------------------------------------------------------


def test_plan_records_when_it_was_made_and_each_revision() -> None:
    schedule = make_schedule()
    first = plan(schedule, date(2027, 1, 4), 4, options=FAST, created=MADE)
    assert (first.created, first.revised) == (MADE, None)
    data = json.loads(first.to_json())
    assert data["created"] == "2026-11-02T14:30:07Z" and "revised" not in data
    assert Plan.from_json(first.to_json()) == first
    later = MADE + timedelta(days=9, hours=3)
    again = plan(schedule, date(2027, 1, 4), 4, previous=first, options=FAST, created=later)
    assert (again.created, again.revised, again.made) == (MADE, later, later)
    # Next quarter is a new plan, not a revision of this one.
    after = plan(schedule, date(2027, 2, 1), 4, previous=first, options=FAST, created=later)
    assert (after.created, after.revised) == (later, None)
    # The feed stamps with it, not with the plan's start date.
    stamps = {e["DTSTAMP"].dt for e in Calendar.from_ical(to_ical(first)).walk("VEVENT")}
    assert stamps == {MADE}


def test_plan_made_now_unless_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    assert made_at() == datetime.fromtimestamp(int(FIXED_EPOCH), UTC)  # tests pin the time
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    now = made_at()
    assert before <= now <= datetime.now(UTC) and now.tzinfo is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        made_at(datetime(2026, 11, 2, 14, 30))
    with pytest.raises(ValueError, match="created must be"):
        plan(make_schedule(), date(2027, 1, 4), 2, created=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match=r"created must be .* got str '2026-11-02'"):
        made_at("2026-11-02")  # type: ignore[arg-type]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        made_at()


def test_plan_file_without_created_stays_readable() -> None:
    old = round_robin(make_schedule(), date(2027, 1, 4), 2).to_data()
    assert "created" not in old
    read = Plan.from_data(old)
    assert read.created is None and read.made is None
    # Its feed falls back to the start date, as before.
    stamps = {e["DTSTAMP"].dt for e in Calendar.from_ical(to_ical(read)).walk("VEVENT")}
    assert stamps == {datetime(2027, 1, 4, tzinfo=UTC)}


# -- 6. METHOD:PUBLISH ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_every_feed_says_method_publish(mode: str) -> None:
    p = round_robin(make_schedule(), date(2027, 1, 4), 3)
    for feed in (
        to_ical(p, tz_mode=mode),  # type: ignore[arg-type]
        to_ical(p, tz_mode=mode, person="alice"),  # type: ignore[arg-type]
        to_ical(p, tz_mode=mode, person="nobody"),  # type: ignore[arg-type]
    ):
        cal = Calendar.from_ical(feed)
        assert str(cal["METHOD"]) == "PUBLISH"
        assert b"ATTENDEE" not in feed


# -- 7. a person with no shifts still gets a calendar ---------------------------------------------


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_person_without_shifts_gets_a_calendar_with_a_component(mode: str) -> None:
    extra = (*MEMBERS, ("erin", "Erin Idle", "erin@example.com"))
    schedule = make_schedule(members=extra)
    p = round_robin(schedule, date(2027, 1, 4), 4, order=["alice", "bob", "carol", "dan"])
    assert "erin" in p.people and not any(s.person == "erin" for _, s in p.all_shifts())
    feed = to_ical(p, person="erin", tz_mode=mode)  # type: ignore[arg-type]
    cal = Calendar.from_ical(feed)
    # RFC 5545 §3.6: icalbody = calprops component; component = 1*(...).
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]
    assert str(cal.subcomponents[0]["TZID"]) == "Europe/Berlin"
    assert cal.walk("VEVENT") == []
    found = recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2028, 1, 1))
    assert list(found) == []
    # Same bytes twice, and a schedule with no shifts is the same kind of calendar.
    assert to_ical(p, person="erin", tz_mode=mode) == feed  # type: ignore[arg-type]
    empty = p.model_copy(update={"schedules": (p.schedules[0].model_copy(update={"shifts": ()}),)})
    assert [c.name for c in Calendar.from_ical(to_ical(empty)).subcomponents] == ["VTIMEZONE"]


# -- 8. one UID, one meaning --------------------------------------------------------------------


def _events(feed: bytes) -> dict[str, tuple[str, int]]:
    return {
        str(e["UID"]): (str(e["SUMMARY"]), int(e["SEQUENCE"]))
        for e in Calendar.from_ical(feed).walk("VEVENT")
    }


@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_schedule_and_personal_feeds_never_share_a_uid_with_two_meanings(mode: str) -> None:
    # Issue 10: Kai's reassigned event had SEQUENCE 0 in his feed, 1 in the schedule feed, and
    # a different SUMMARY, under one UID.
    before = round_robin(make_schedule(), date(2027, 1, 4), 8)
    after = replace_person(before, 3, Layer.PRIMARY, "carol")
    feeds = [to_ical(after, previous=before, tz_mode=mode)]  # type: ignore[arg-type]
    for person in ("alice", "bob", "carol", "dan"):
        feeds.append(to_ical(after, previous=before, person=person, tz_mode=mode))  # type: ignore[arg-type]
    meanings: dict[str, set[tuple[str, int]]] = {}
    for feed in feeds:
        for uid, meaning in _events(feed).items():
            meanings.setdefault(uid, set()).add(meaning)
    assert all(len(m) == 1 for m in meanings.values()), {
        u: m for u, m in meanings.items() if len(m) > 1
    }
    schedule_uids = set(_events(feeds[0]))
    personal_uids = set().union(*(_events(f) for f in feeds[1:]))
    assert not schedule_uids & personal_uids
    # Issue 11: the week leaves its old holder's feed as one CANCELLED event (once).
    cancelled = {
        str(e["UID"])
        for f in feeds[1:]
        for e in Calendar.from_ical(f).walk("VEVENT")
        if str(e["STATUS"]) == "CANCELLED"
    }
    assert len(cancelled) == 1 and next(iter(cancelled)).startswith("berlin-sre-primary-20270125.")
    assert len(personal_uids - cancelled) == len(schedule_uids) == 16
    # The reassigned week: SEQUENCE 1 in the schedule feed, a new event in carol's feed.
    changed = [u for u, (_, seq) in _events(feeds[0]).items() if seq == 1]
    assert changed == ["berlin-sre-primary-20270125@oncall-planner.invalid"]
    carol = _events(feeds[3])
    assert carol["berlin-sre-primary-20270125.carol.personal@oncall-planner.invalid"][1] == 0


# -- 9. zones without yearly rules ---------------------------------------------------------------


def _instants(feed: bytes) -> list[tuple[datetime, datetime]]:
    """Every event's start and end as a second engine (recurring-ical-events) reads them."""
    cal = Calendar.from_ical(feed)
    found = recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2029, 1, 1))
    return sorted((e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC)) for e in found)


@pytest.mark.parametrize("zone", ["Africa/Casablanca", "Africa/El_Aaiun"])
def test_ramadan_zones_are_written_in_utc_and_read_right_by_a_second_engine(zone: str) -> None:
    schedule = make_schedule("casa", zone, handoff="09:00")
    p = round_robin(schedule, date(2027, 1, 4), 52)
    berlin = round_robin(make_schedule(), date(2027, 1, 4), 52)
    both = p.model_copy(update={"schedules": (*p.schedules, *berlin.schedules)})
    feed = to_ical(both, tz_mode="tzid")
    text = feed.decode("utf-8")
    # No TZID and no VTIMEZONE for the zone, so no RDATE list for ical.js to misread...
    assert f"TZID={zone}" not in text and f"TZID:{zone}" not in text
    assert "RDATE" not in text
    # ...while Berlin keeps its yearly-rule VTIMEZONE.
    assert "TZID=Europe/Berlin" in text and "RRULE:FREQ=YEARLY" in text
    want = sorted((s.start.astimezone(UTC), s.end.astimezone(UTC)) for _, s in both.all_shifts())
    assert len(want) == 208
    assert _instants(feed) == want
    # Every handoff is 09:00 local in the zone, both sides of each Ramadan change.
    casa = [s for name, s in both.all_shifts() if name == "casa"]
    assert {s.start.astimezone(schedule.zone).strftime("%H:%M") for s in casa} == {"09:00"}
    # The UTC-offset changes really happen inside the feed's year (the point of the test).
    offsets = {s.start.utcoffset() for s in casa}
    assert len(offsets) == 2


def test_yearly_rule_zones_agree_with_a_second_engine() -> None:
    plans = [
        round_robin(make_schedule(n, z), date(2026, 9, 7), 40)
        for n, z in (("b", "Europe/Berlin"), ("n", "America/New_York"), ("s", "Australia/Sydney"))
    ]
    both = plans[0].model_copy(update={"schedules": tuple(sp for p in plans for sp in p.schedules)})
    feed = to_ical(both, tz_mode="tzid")
    # Read with the embedded VTIMEZONEs only, not the tz database.
    cal = Calendar.from_ical(feed)
    zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in cal.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Berlin", "America/New_York", "Australia/Sydney"}
    want = sorted((s.start.astimezone(UTC), s.end.astimezone(UTC)) for _, s in both.all_shifts())
    got = []
    raw = feed.decode("utf-8").replace("\r\n ", "")
    for block in raw.split("BEGIN:VEVENT")[1:]:
        pair = []
        for prop in ("DTSTART", "DTEND"):
            m = re.search(rf"^{prop}(?:;TZID=([^:]+))?:(\d{{8}}T\d{{6}})(Z?)\r$", block, re.M)
            assert m, block
            wall = datetime.strptime(m[2], "%Y%m%dT%H%M%S")  # noqa: DTZ007 - zone added below
            pair.append(wall.replace(tzinfo=UTC if m[3] else zones[m[1]]).astimezone(UTC))
        got.append((pair[0], pair[1]))
    assert sorted(got) == want


# -- 10. severity-restricted levels in a feed's description -------------------------------------


def test_feed_description_times_severity_restricted_levels_on_their_own_path() -> None:

    from oncall_planner.loader import load_schedule

    text = (
        schedule_yaml()
        .replace(
            "    - {level: 1, target: on-call-primary, timeout: 5_minutes}\n",
            "    - {level: 1, target: [on-call-primary, vp-engineering], timeout: 5_minutes, "
            "severities: [SEV1]}\n"
            "    - {level: 2, target: on-call-primary, timeout: 5_minutes, severities: [SEV2]}\n",
        )
        .replace("{level: 2, target: on-call-secondary", "{level: 3, target: on-call-secondary")
    )
    text = text.replace(
        "{level: 3, target: engineering-manager", "{level: 4, target: engineering-manager"
    )
    text = text.replace("{level: 4, target: vp-engineering", "{level: 5, target: vp-engineering")
    schedule = load_schedule(text)  # type: ignore[arg-type]
    p = round_robin(schedule, date(2027, 1, 4), 2)
    assert p.schedules[0].escalation[0].severities == ("SEV1",)
    assert "severities" not in json.loads(p.to_json())["schedules"][0]["escalation"][2]
    assert Plan.from_json(p.to_json()) == p
    desc = str(Calendar.from_ical(to_ical(p)).walk("VEVENT")[0]["DESCRIPTION"])
    assert "escalation level 1, paged at once (SEV1 only)" in desc
    assert "escalation level 2, paged at once (SEV2 only)" in desc
    # The secondary: 5 minutes into a SEV1 or SEV2, at once for a severity no level names.
    assert (
        "3. berlin-sre secondary: paged after 5 min for SEV1, SEV2; at once for other "
        "severities" in desc
    )
    assert (
        "4. Grace Hopper <grace@example.com> (engineering-manager): paged after 15 min for" in desc
    )


def test_cli_plan_file_records_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from oncall_planner.cli import main

    schedule = tmp_path / "team.yaml"
    schedule.write_text(schedule_yaml(), encoding="utf-8")
    out = tmp_path / "plan.json"
    args = ["plan", str(schedule), "--start", "2027-01-04", "--weeks", "2", "-o", str(out)]
    assert main(args) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["created"] == "2026-11-30T09:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    capsys.readouterr()
    assert main([*args[:-1], str(tmp_path / "other.json")]) == 2
    assert "SOURCE_DATE_EPOCH must be whole seconds since 1970, got 'soon'" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "other.json").exists()
