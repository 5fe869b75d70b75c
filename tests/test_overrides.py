"""Overrides: the effective roster, the interval rules H101–H107 at their edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall_planner.expand import expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate import check
from oncall_planner.validate.intervals import check_intervals, check_plan_alone

START = date(2027, 3, 1)  # Berlin changes to CEST on 2027-03-28, New York to EDT on 2027-03-14
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

YAML = """\
schedule:
  name: {name}
  timezone: {zone}
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    shadow_period: 1_week
    members:
      - {{id: ann, name: Ann}}
      - id: ben
        name: Ben
        time_off:
          - {{start: 2027-03-17, end: 2027-03-18}}
          - {{start: 2027-03-31, end: 2027-03-31}}
      - {{id: cat, name: Cat}}
      - {{id: dan, name: Dan}}
      - {{id: nia, name: Nia, new_engineer: true}}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5_minutes}}
    - {{level: 2, target: on-call-secondary, timeout: 5_minutes}}
"""

# (primary, secondary, shadow) per week; nobody twice in a row, nia shadows beside ann.
ROWS = [
    ("ann", "cat", "nia"),
    ("ben", "dan", ""),
    ("cat", "ann", ""),
    ("dan", "cat", ""),
    ("ann", "dan", ""),
    ("ben", "cat", ""),
]


def load(tmp_path: Path, zone: str = "Europe/Berlin", name: str = "team") -> Schedule:
    path = tmp_path / f"{name}.yaml"
    path.write_text(YAML.format(name=name, zone=zone), encoding="utf-8")
    return load_schedule(path)


def make_plan(schedule: Schedule, rows: list[tuple[str, str, str]] = ROWS) -> Plan:
    weeks = expand(schedule, START, len(rows)).weeks
    shifts = [
        Shift(week=w, layer=layer, person=person, start=weeks[w].start, end=weeks[w].end)
        for w, row in enumerate(rows)
        for layer, person in zip(Layer, row, strict=True)
        if person
    ]
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=START,
        weeks=len(rows),
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,))


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


@pytest.fixture
def team(tmp_path: Path) -> Schedule:
    return load(tmp_path)


def codes(schedule: Schedule, plan: Plan) -> list[str]:
    return [f.code for f in check(schedule, plan).errors]


# ---------------------------------------------------------------------------------------------
# The plan file


def test_a_plan_without_overrides_has_no_overrides_key(team: Schedule) -> None:
    plan = make_plan(team)
    assert "overrides" not in plan.to_json()
    assert Plan.from_json(plan.to_json()).to_json() == plan.to_json()


def test_overrides_round_trip_in_order_with_their_keys(team: Schedule) -> None:
    plan = make_plan(team).with_override(
        "team", "primary", "cat", at(2027, 3, 10, 18), at(2027, 3, 12, 9), reason="ben ill"
    )
    plan = plan.with_override("team", "primary", "dan", at(2027, 3, 11), at(2027, 3, 11, 6))
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again.to_json() == text
    data = again.to_data()["schedules"][0]["overrides"]
    assert [list(o) for o in data] == [
        ["id", "layer", "person", "start", "end", "replaces", "reason", "created"]
    ] * 2
    assert [o["person"] for o in data] == ["cat", "dan"]
    assert data[0]["replaces"] == "ben" and data[0]["reason"] == "ben ill"
    assert data[1]["replaces"] == "cat"  # what was under it: the first override


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (at(2027, 3, 10, 18, 0), at(2027, 3, 10, 17), "not after start"),
        (datetime(2027, 3, 10, 18), at(2027, 3, 11), "start: 2027-03-10T18:00:00 has no time zone"),
        (at(2027, 3, 10, 18).replace(second=30), at(2027, 3, 11), "not a whole minute"),
        (at(2027, 2, 10, 18), at(2027, 3, 2), "outside the plan"),
    ],
)
def test_with_override_checks_its_arguments(
    team: Schedule, start: datetime, end: datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_plan(team).with_override("team", "primary", "cat", start, end)


def test_with_override_names_unknown_people_layers_and_schedules(team: Schedule) -> None:
    plan = make_plan(team)
    a, b = at(2027, 3, 10, 18), at(2027, 3, 11)
    with pytest.raises(ValueError, match="person: 'zed' is not in the plan"):
        plan.with_override("team", "primary", "zed", a, b)
    with pytest.raises(ValueError, match="layer: 'pager' is not a layer; valid: primary"):
        plan.with_override("team", "pager", "cat", a, b)
    with pytest.raises(ValueError, match="schedule: the plan has no schedule 'ops'; it has: team"):
        plan.with_override("ops", "primary", "cat", a, b)
    added = plan.with_override("team", "primary", "zed", a, b, name="Zed Manager")
    assert added.display_name("zed") == "Zed Manager"


def test_a_half_week_override_read_from_a_file_is_not_a_weekly_error(team: Schedule) -> None:
    """The issue: written as a shift, a half-week override was H001, P101 and H003."""
    plan = make_plan(team).with_override(
        "team", "primary", "cat", at(2027, 3, 10, 18), at(2027, 3, 12, 9)
    )
    plan = Plan.from_json(plan.to_json())
    assert codes(team, plan) == []


# ---------------------------------------------------------------------------------------------
# The effective roster


def test_override_of_an_override_and_removing_one(team: Schedule) -> None:
    base = make_plan(team)
    one = base.with_override("team", "primary", "cat", at(2027, 3, 10, 18), at(2027, 3, 12, 9))
    two = one.with_override("team", "primary", "dan", at(2027, 3, 11), at(2027, 3, 11, 6))
    assert two.on_call(at(2027, 3, 10, 17, 59)) == "ben"
    assert two.on_call(at(2027, 3, 10, 18)) == "cat"
    assert two.on_call(at(2027, 3, 11, 5, 59)) == "dan"
    assert two.on_call(at(2027, 3, 11, 6)) == "cat"
    assert two.on_call(at(2027, 3, 12, 9)) == "ben"
    # Removing the first override: the second still lies over ben's week.
    sp = two.schedules[0]
    removed = two.model_copy(
        update={"schedules": (sp.model_copy(update={"overrides": sp.overrides[1:]}),)}
    )
    assert removed.on_call(at(2027, 3, 10, 18)) == "ben"
    assert removed.on_call(at(2027, 3, 11, 3)) == "dan"
    assert [(p.person, p.source) for p in removed.effective_shifts(layer="primary")][1:4] == [
        ("ben", "week 1"),
        ("dan", sp.overrides[1].id),
        ("ben", "week 1"),
    ]


def test_effective_shifts_by_person_and_layer(team: Schedule) -> None:
    plan = make_plan(team).with_override(
        "team", "secondary", "ann", at(2027, 3, 9, 10), at(2027, 3, 9, 22)
    )
    ann = plan.effective_shifts(person="ann", layer=Layer.SECONDARY)
    assert [(p.start, p.end) for p in ann] == [
        (at(2027, 3, 9, 10), at(2027, 3, 9, 22)),
        (at(2027, 3, 15, 10), at(2027, 3, 22, 10)),
    ]
    assert ann[0].override is not None and ann[1].week == 2


def test_on_call_checks_its_arguments(team: Schedule) -> None:
    plan = make_plan(team)
    with pytest.raises(ValueError, match="at: 2027-03-10T18:00:00 has no time zone"):
        plan.on_call(datetime(2027, 3, 10, 18))
    with pytest.raises(TypeError, match="at: expected an aware datetime, got str"):
        plan.on_call("2027-03-10")  # type: ignore[arg-type]
    assert plan.on_call(at(2027, 2, 1)) is None  # before the plan


# ---------------------------------------------------------------------------------------------
# H101 at its edges: a handoff, DST in Berlin and New York


def test_override_ending_exactly_at_a_handoff(team: Schedule) -> None:
    handoff = at(2027, 3, 15, 10)
    plan = make_plan(team).with_override("team", "primary", "ann", at(2027, 3, 12, 9), handoff)
    assert plan.on_call(handoff - timedelta(minutes=1)) == "ann"
    assert plan.on_call(handoff) == "cat"
    # ann's cover runs into her secondary week 2: one stint of 2 weeks, at the limit.
    assert codes(team, plan) == []
    # One minute past the handoff, ann holds primary and secondary at once.
    past = make_plan(team).with_override(
        "team", "primary", "ann", at(2027, 3, 12, 9), handoff + timedelta(minutes=1)
    )
    found = check(team, past).errors
    assert [f.code for f in found] == ["H102"]
    assert "from 2027-03-15 10:00 CET – 2027-03-15 10:01 CET" in found[0].message


def test_h101_names_a_gap_in_local_time_across_berlin_dst(team: Schedule) -> None:
    rows = [*ROWS[:3], ("", "cat", ""), *ROWS[4:]]
    plan = make_plan(team, rows).with_override(
        "team", "primary", "ben", at(2027, 3, 27, 10), at(2027, 3, 29, 10)
    )
    found = [f for f in check_intervals([team], plan) if f.code == "H101"]
    assert [f.message for f in found] == [
        "team: nobody holds primary from 2027-03-22 10:00 CET – 2027-03-27 10:00 CET; "
        "exactly one is required"
    ]
    piece = plan.effective_shifts(layer="primary", person="ben")[1]
    assert piece.end - piece.start == timedelta(days=2)  # wall time
    hours = (piece.end.timestamp() - piece.start.timestamp()) / 3600
    assert hours == 47  # real time: the clocks went forward
    assert plan.on_call(at(2027, 3, 29, 9, 59)) == "ben"
    assert plan.on_call(at(2027, 3, 29, 10)) == "ann"


def test_h101_across_new_york_dst_and_a_double_booking(tmp_path: Path) -> None:
    ny = load(tmp_path, "America/New_York")
    rows = [ROWS[0], ("", "dan", ""), *ROWS[2:]]
    plan = make_plan(ny, rows).with_override(
        "team",
        "primary",
        "ann",
        at(2027, 3, 13, 12, zone=NEW_YORK),
        at(2027, 3, 15, 10, zone=NEW_YORK),
    )
    found = [f.message for f in check_intervals([ny], plan) if f.code == "H101"]
    assert found == [
        "team: nobody holds primary from 2027-03-08 10:00 EST – 2027-03-13 12:00 EST; "
        "exactly one is required"
    ]
    # A second primary shift in week 2 is a double booking until an override settles it.
    sp = plan.schedules[0]
    extra = Shift(
        week=2, layer=Layer.PRIMARY, person="ben", start=sp.shifts[4].start, end=sp.shifts[4].end
    )
    doubled = plan.model_copy(
        update={"schedules": (sp.model_copy(update={"shifts": (*sp.shifts, extra)}),)}
    )
    doubled = Plan.from_json(doubled.to_json())
    messages = [f.message for f in check_intervals([ny], doubled) if f.code == "H101"]
    assert messages == [
        "team: ben and cat all hold primary from 2027-03-15 10:00 EDT – 2027-03-22 10:00 EDT; "
        "exactly one is required",
        *found,
    ]


# ---------------------------------------------------------------------------------------------
# H102, H104, H106, H107, H103


def test_h102_two_layers_at_once(team: Schedule) -> None:
    plan = make_plan(team).with_override(
        "team", "primary", "cat", at(2027, 3, 2, 20), at(2027, 3, 3, 8)
    )
    found = [f for f in check_intervals([team], plan) if f.code == "H102"]
    assert len(found) == 1
    assert "cat holds secondary (week 0) and primary" in found[0].message
    assert "from 2027-03-02 20:00 CET – 2027-03-03 08:00 CET" in found[0].message


def test_h104_paged_override_only_after_the_shadow_week(team: Schedule) -> None:
    early = make_plan(team).with_override(
        "team", "primary", "nia", at(2027, 3, 5, 10), at(2027, 3, 5, 18)
    )
    # In week 0 nia is the shadow: a primary override there is H104, and two layers at once.
    assert [f.code for f in check_intervals([team], early)] == ["H102", "H104"]
    after = make_plan(team).with_override(
        "team", "primary", "nia", at(2027, 3, 8, 10), at(2027, 3, 8, 18)
    )
    assert check_intervals([team], after) == []


def test_h106_override_onto_a_vacation_to_the_minute(team: Schedule) -> None:
    onto = make_plan(team).with_override(
        "team", "primary", "ben", at(2027, 3, 16, 20), at(2027, 3, 17, 8)
    )
    found = list(check(team, onto).errors)
    assert [f.code for f in found] == ["H106"]
    assert found[0].message == (
        f"team: ben holds primary ({onto.schedules[0].overrides[0].id}) from "
        "2027-03-17 00:00 CET – 2027-03-17 08:00 CET but is on time off (2027-03-17–2027-03-18)"
    )
    assert found[0].path == "schedule.participants.members[1].time_off[0]"
    # Ending at the midnight his time off starts is allowed.
    before = make_plan(team).with_override(
        "team", "primary", "ben", at(2027, 3, 16, 20), at(2027, 3, 17)
    )
    assert codes(team, before) == []


def test_a_cover_for_a_vacation_inside_ones_own_week(team: Schedule) -> None:
    rows = [*ROWS[:4], ("ben", "dan", ""), ROWS[5]]
    # ben's day off 2027-03-31 falls in his primary week 4: the weekly rule rejects the week...
    assert codes(team, make_plan(team, rows)) == ["H006"]
    # ...a cover for the whole day settles it, and a half-day cover leaves the rest as H106.
    covered = make_plan(team, rows).with_override(
        "team", "primary", "ann", at(2027, 3, 31), at(2027, 4, 1)
    )
    assert codes(team, covered) == []
    half = make_plan(team, rows).with_override(
        "team", "primary", "ann", at(2027, 3, 31), at(2027, 3, 31, 12)
    )
    found = check(team, half).errors
    assert [f.code for f in found] == ["H106"]
    assert "ben holds primary (week 4) from 2027-03-31 12:00 CEST – 2027-04-01 00:00 CEST" in (
        found[0].message
    )


def test_a_whole_week_override_counts_as_that_persons_week(team: Schedule) -> None:
    sp = make_plan(team).schedules[0]
    week3 = sp.on(3, Layer.PRIMARY)[0]
    plan = make_plan(team).with_override("team", "primary", "cat", week3.start, week3.end)
    # cat is now secondary and primary in week 3: the weekly rule H002 sees the whole week.
    assert codes(team, plan) == ["H002", "E210"]


def test_h107_two_schedules_at_once(tmp_path: Path) -> None:
    team, ops = load(tmp_path), load(tmp_path, "America/New_York", "ops")
    ops_rows = [("dan", "ben", ""), ("cat", "ann", ""), *ROWS[2:]]
    plan = Plan(schedules=(make_plan(team).schedules[0], make_plan(ops, ops_rows).schedules[0]))
    assert check_intervals([team, ops], plan) == []  # whole weeks are H007's (shared people)
    # ann covers team's primary on an evening when she is secondary in ops.
    covered = plan.with_override("team", "primary", "ann", at(2027, 3, 9, 18), at(2027, 3, 9, 23))
    found = list(check_intervals([team, ops], covered))
    assert [f.code for f in found] == ["H107"]
    assert "ann holds secondary in ops (week 1) and primary in team" in found[0].message
    assert [f.code for f in check_plan_alone(covered)] == ["H107"]


def test_h103_covering_the_night_before_a_two_week_stint(team: Schedule) -> None:
    rows = [
        ROWS[0],
        ROWS[1],
        ("ann", "cat", ""),
        ("ann", "ben", ""),
        ("cat", "dan", ""),
        ("ben", "dan", ""),
    ]
    assert codes(team, make_plan(team, rows)) == []
    night = make_plan(team, rows).with_override(
        "team", "primary", "ann", at(2027, 3, 14, 22), at(2027, 3, 15, 10)
    )
    found = check(team, night).errors
    assert [f.code for f in found] == ["H103"]
    assert found[0].message == (
        "team: ann is on call without a break from 2027-03-14 22:00 CET – 2027-03-29 10:00 CEST, "
        "3 weeks in a row counting override time (weeks 1–3); max_consecutive_weeks is 2"
    )
    # A night with a break before her weeks is a stint of its own.
    earlier = make_plan(team, rows).with_override(
        "team", "primary", "ann", at(2027, 3, 9, 22), at(2027, 3, 10, 8)
    )
    assert codes(team, earlier) == []


def test_accepted_codes_turn_the_finding_into_info(team: Schedule) -> None:
    plan = make_plan(team).with_override(
        "team", "primary", "ben", at(2027, 3, 16, 20), at(2027, 3, 17, 8), accepted=["H106"]
    )
    report = check(team, plan)
    assert report.errors == ()
    assert [f.code for f in report if f.message.startswith("accepted (")] == ["H106"]


def test_a_plan_file_override_naming_a_stranger_is_a_located_error(team: Schedule) -> None:
    from oncall_planner.errors import PlanFileError

    plan = make_plan(team).with_override(
        "team", "primary", "zed", at(2027, 3, 10, 18), at(2027, 3, 11), name="Zed"
    )
    data = plan.to_data()
    del data["people"]
    with pytest.raises(PlanFileError) as e:
        Plan.from_data(data, source="plan.json")
    (finding,) = e.value.findings
    assert finding.code == "L004" and finding.file == "plan.json"
    assert "names 'zed', who is neither in the plan's people nor on any shift" in finding.message
    data["schedules"][0]["overrides"][0]["start"] = "2027-03-10T18:00:30+01:00"
    with pytest.raises(PlanFileError, match="is not a whole minute"):
        Plan.from_data(data, source="plan.json")
