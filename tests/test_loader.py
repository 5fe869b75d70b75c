"""Loading schedules: the seed, the examples, durations, YAML traps and orgs."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncall_planner import Schedule, ScheduleError, load_org, load_schedule, load_severity
from oncall_planner.durations import format_duration, parse_duration
from oncall_planner.loader import dump_schedule, source_of
from oncall_planner.spec import Member, Participants, Weekday
from tests.conftest import DATA, SCHEDULES, example_schedule_files

SEED = DATA / "seed.yaml"


def test_seed_schedule_loads_unchanged() -> None:
    schedule = load_schedule(SEED)
    assert schedule.name == "backend-primary"
    assert schedule.handoff_time == time(10, 0)
    assert schedule.handoff_day is Weekday.MONDAY
    assert schedule.participants.min_rotation_size == 4
    assert schedule.participants.max_consecutive_weeks == 2
    assert schedule.participants.shadow_period == timedelta(weeks=2)
    timeouts = [lvl.timeout for lvl in schedule.escalation_policy]
    assert timeouts == [timedelta(minutes=m) for m in (5, 10, 15, 0)]
    assert [lvl.target for lvl in schedule.escalation_policy] == [
        "on-call-primary",
        "on-call-secondary",
        "engineering-manager",
        "vp-engineering",
    ]
    assert schedule.health_metrics.alert_if_pages_exceed == 5
    assert schedule.compensation.post_incident_time_off is True


def test_example_contains_the_seed_verbatim() -> None:
    example = (SCHEDULES / "backend-primary.yaml").read_text(encoding="utf-8").splitlines()
    seed = SEED.read_text(encoding="utf-8").splitlines()
    # Every seed line appears in the example, in order (members and contacts are added).
    position = 0
    for line in seed:
        position = example.index(line, position) + 1


def test_backend_example_roster() -> None:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    members = schedule.participants.members
    assert len(members) == 6
    assert sum(m.new_engineer for m in members) == 1
    assert sum(bool(m.time_off) for m in members) == 2
    assert sum(m.capacity < 1 for m in members) == 1
    assert set(schedule.contacts) == {"engineering-manager", "vp-engineering"}


@pytest.mark.parametrize("path", example_schedule_files(), ids=lambda p: p.name)
def test_every_example_loads_and_round_trips(path: Path) -> None:
    schedule = load_schedule(path)
    assert load_schedule(dump_schedule(schedule)) == schedule


def test_examples_cover_the_promised_shapes() -> None:
    schedules = [load_schedule(p) for p in example_schedule_files()]
    sizes = {
        s.name: (len(s.participants.members), s.participants.min_rotation_size) for s in schedules
    }
    assert any(n == m for n, m in sizes.values()), "a team of exactly min_rotation_size"
    assert any(s.timezone == "America/New_York" and s.holidays for s in schedules)
    org = load_org(SCHEDULES / "org")
    assert len(org) == 2
    shared = [pid for pid, entries in org.people().items() if len(entries) > 1]
    assert shared == ["olivia", "priya"]


def test_severity_framework_example() -> None:
    framework = load_severity(SCHEDULES / "severity.yaml")
    assert [s.level for s in framework.levels] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    sev1 = framework.levels[0]
    assert sev1.response_time == timedelta(minutes=5)
    assert {(e.target, e.within) for e in sev1.escalation} == {
        ("vp-engineering", timedelta(0)),
        ("cto", timedelta(0)),
    }
    assert framework.fastest.level == "SEV1"


MINIMAL = """\
schedule:
  name: t
  timezone: Europe/Berlin
  handoff_time: {time}
  handoff_day: {day}
  participants:
    members: [{{id: a, name: A}}]
"""


def test_unquoted_base60_time_is_read_as_written() -> None:
    # YAML 1.1 reads 10:00 as the integer 600; it must stay 10:00.
    schedule = load_schedule(MINIMAL.format(time="10:00", day="monday"))
    assert schedule.handoff_time == time(10, 0)
    assert load_schedule(MINIMAL.format(time="'9:05'", day="monday")).handoff_time == time(9, 5)


@pytest.mark.parametrize("day", ["monday", "Monday", "MONDAY", "Mon", "mOnDaY"])
def test_weekday_in_any_case(day: str) -> None:
    assert load_schedule(MINIMAL.format(time='"10:00"', day=day)).handoff_day is Weekday.MONDAY


def test_time_off_single_date_and_range() -> None:
    text = MINIMAL.format(time='"10:00"', day="monday").replace(
        "members: [{id: a, name: A}]",
        "members:\n      - id: a\n        name: A\n        time_off:\n"
        "          - 2027-01-18\n          - {start: 2027-02-01, end: 2027-02-05, reason: ski}",
    )
    (member,) = load_schedule(text).participants.members
    assert [(t.start, t.last_day, t.reason) for t in member.time_off] == [
        (date(2027, 1, 18), date(2027, 1, 18), None),
        (date(2027, 2, 1), date(2027, 2, 5), "ski"),
    ]


def test_source_map_locates_fields(seed_path: Path) -> None:
    schedule = load_schedule(seed_path)
    smap = source_of(schedule)
    assert smap.file == str(seed_path)
    line, _ = smap.locate(("schedule", "handoff_time"))
    text = seed_path.read_text(encoding="utf-8").splitlines()
    assert text[line - 1].strip().startswith("handoff_time:")
    # A path below a written value falls back to its nearest written ancestor.
    assert smap.locate(("schedule", "participants", "members", 0, "nope")) == smap.locate(
        ("schedule", "participants", "members", 0)
    )
    # Schedules made in Python have no source, and findings still work.
    assert source_of(Schedule.model_validate(schedule.model_dump())).file is None


def test_org_rejects_duplicate_schedule_names(tmp_path: Path) -> None:
    text = (SCHEDULES / "org" / "api.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError, match="schedule name 'api' is also used by"):
        load_org(tmp_path)


def test_org_collects_errors_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("schedule: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("schedule:\n  nme: x\n", encoding="utf-8")
    with pytest.raises(ScheduleError) as info:
        load_org(tmp_path)
    files = {Path(f.file or "").name for f in info.value.findings}
    assert files == {"a.yaml", "b.yaml"}


def test_empty_org_folder(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="no schedule files"):
        load_org(tmp_path)


# -- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2_weeks", timedelta(weeks=2)),
        ("5_minutes", timedelta(minutes=5)),
        (0, timedelta(0)),
        ("0", timedelta(0)),
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        ("2 weeks", timedelta(weeks=2)),
        ("1h30m", timedelta(minutes=90)),
        ("PT5M", timedelta(minutes=5)),
        ("P2W", timedelta(weeks=2)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("1 day", timedelta(days=1)),
    ],
)
def test_duration_forms(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "P", "PT", "5", 5, "5 parsecs", "-5m", True, None, "m5"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match=r"duration|unit"):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10**7))
def test_duration_format_round_trip(seconds: int) -> None:
    d = timedelta(seconds=seconds)
    assert parse_duration(format_duration(d)) == d


# -- model → YAML → model ----------------------------------------------------------------------

slugs = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and s != "")
zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"])
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def members(draw: st.DrawFn, member_id: str) -> Member:
    start = draw(days)
    time_off = draw(
        st.lists(
            st.builds(
                lambda s, n, r: {"start": s, "end": s + timedelta(days=n), "reason": r},
                st.just(start),
                st.integers(0, 20),
                st.none() | names,
            ),
            max_size=2,
        )
    )
    return Member.model_validate(
        {
            "id": member_id,
            "name": draw(names),
            "email": draw(st.none() | st.just(f"{member_id}@example.com")),
            "timezone": draw(st.none() | zones),
            "capacity": draw(st.sampled_from([1.0, 0.5, 0.25, 0.8])),
            "new_engineer": draw(st.booleans()),
            "shadow_weeks_done": draw(st.integers(0, 3)),
            "time_off": time_off,
            "avoid_weeks": draw(st.lists(days, max_size=2)),
            "history": {"primary_weeks": draw(st.integers(0, 20))},
        }
    )


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    ids = draw(st.lists(slugs, min_size=1, max_size=6, unique=True))
    roster = tuple(draw(members(i)) for i in ids)
    return Schedule(
        name=draw(names),
        timezone=draw(zones),
        handoff_time=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))),
        handoff_day=draw(st.sampled_from(list(Weekday))),
        participants=Participants(
            min_rotation_size=draw(st.integers(1, 8)),
            max_consecutive_weeks=draw(st.integers(1, 3)),
            shadow_period=timedelta(weeks=draw(st.integers(0, 3))),
            members=roster,
        ),
        escalation_policy=tuple(
            {"level": k + 1, "target": t, "timeout": timedelta(minutes=m)}  # type: ignore[misc]
            for k, (t, m) in enumerate(
                draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(["on-call-primary", "on-call-secondary", "boss"]),
                            st.integers(0, 60),
                        ),
                        max_size=4,
                    )
                )
            )
        ),
        holidays=tuple({"date": d, "name": "h"} for d in draw(st.lists(days, max_size=3))),  # type: ignore[misc]
    )


@given(schedules())
def test_model_yaml_model_round_trip(schedule: Schedule) -> None:
    assert load_schedule(dump_schedule(schedule)) == schedule
