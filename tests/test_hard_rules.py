"""The solver-free checkers of H001–H008, on hand-written plans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oncall_planner.expand import expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import MemberHistory, Schedule, Weekday
from oncall_planner.validate.hard import CHECKERS, check_hard, run_before_start

START = date(2027, 1, 4)

YAML = """\
schedule:
  name: team
  timezone: UTC
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    shadow_period: 1_week
    members:
      - id: ann
        name: Ann
      - id: ben
        name: Ben
        time_off:
          - {start: 2027-01-12, end: 2027-01-13}
      - id: cat
        name: Cat
      - id: nia
        name: Nia
        new_engineer: true
  escalation_policy:
    - {level: 1, target: on-call-primary, timeout: 5_minutes}
    - {level: 2, target: on-call-secondary, timeout: 5_minutes}
"""


@pytest.fixture
def schedule(tmp_path: object) -> Schedule:
    from pathlib import Path

    path = Path(str(tmp_path)) / "team.yaml"
    path.write_text(YAML, encoding="utf-8")
    return load_schedule(path)


def make_plan(schedule: Schedule, rows: list[tuple[str, str, str]], name: str = "team") -> Plan:
    """rows[w] = (primary, secondary, shadow) ids, '' for nobody."""
    weeks = expand(schedule, START, len(rows)).weeks
    shifts = []
    for w, row in enumerate(rows):
        for layer, person in zip(Layer, row, strict=True):
            if person:
                shifts.append(
                    Shift(
                        week=w, layer=layer, person=person, start=weeks[w].start, end=weeks[w].end
                    )
                )
    sp = SchedulePlan(
        name=name, timezone=schedule.timezone, start=START, weeks=len(rows), shifts=tuple(shifts)
    )
    return Plan(schedules=(sp,))


GOOD = [("ann", "cat", "nia"), ("ann", "cat", ""), ("ben", "nia", ""), ("cat", "ann", "")]


def codes(schedule: Schedule, rows: list[tuple[str, str, str]], **kw: object) -> list[str]:
    return [f.code for f in check_hard([schedule], make_plan(schedule, rows), **kw)]  # type: ignore[arg-type]


def test_a_valid_plan_has_no_findings(schedule: Schedule) -> None:
    assert codes(schedule, GOOD) == []


def test_h001_missing_and_doubled_layers(schedule: Schedule) -> None:
    rows = [("ann", "", "nia"), *GOOD[1:]]
    findings = check_hard([schedule], make_plan(schedule, rows))
    assert [f.code for f in findings] == ["H001"]
    assert "week 0 (2027-01-04 10:00 UTC) has 0 secondary" in findings[0].message
    assert findings[0].file and findings[0].file.endswith("team.yaml") and findings[0].line == 2


def test_h002_two_roles_in_one_week(schedule: Schedule) -> None:
    rows = [("ann", "ann", "nia"), *GOOD[1:]]
    found = check_hard([schedule], make_plan(schedule, rows))
    assert [f.code for f in found] == ["H002"]
    assert "ann holds 2 roles" in found[0].message


def test_h003_at_the_limit_and_one_past(schedule: Schedule) -> None:
    at_limit = [("ann", "cat", "nia"), ("cat", "ann", ""), ("ben", "nia", ""), ("nia", "ben", "")]
    assert codes(schedule, at_limit) == []
    past = [("ann", "cat", "nia"), ("ann", "cat", ""), ("ann", "nia", ""), ("ben", "nia", "")]
    found = check_hard([schedule], make_plan(schedule, past))
    assert [f.code for f in found] == ["H003"]
    assert "ann is on call 3 weeks in a row (weeks 0–2)" in found[0].message


def test_h003_counts_history_before_week_zero(schedule: Schedule) -> None:
    history = {
        "ann": MemberHistory(last_on_call=START - timedelta(weeks=1), last_stint_weeks=1),
    }
    problem = expand(schedule, START, 4)
    assert run_before_start(problem, schedule.member("ann"), history=history) == 1
    # ann's weeks 0-1 plus the week before: three in a row.
    found = check_hard([schedule], make_plan(schedule, GOOD), history=history)
    assert [f.code for f in found] == ["H003"]
    assert "1 of them before week 0" in found[0].message


def test_h004_on_call_before_shadowing(schedule: Schedule) -> None:
    early = [("ann", "nia", ""), ("ann", "cat", "nia"), ("ben", "nia", ""), ("cat", "ann", "")]
    found = check_hard([schedule], make_plan(schedule, early))
    assert [f.code for f in found] == ["H004"]
    assert "nia is secondary in week 0 (2027-01-04 10:00 UTC) after 0 of 1" in found[0].message
    assert found[0].path.endswith("members[3].new_engineer")
    # At the edge: one shadow week done, on call the week after.
    assert codes(schedule, GOOD) == []


def test_h005_reuses_the_schedule_check(schedule: Schedule) -> None:
    small = schedule.model_copy(
        update={"participants": schedule.participants.model_copy(update={"min_rotation_size": 4})}
    )
    found = check_hard([small], make_plan(small, GOOD))
    assert [f.code for f in found] == ["H005"]
    assert "3 trained member(s) (ann, ben, cat)" in found[0].message


def test_h006_located_at_the_time_off_entry(schedule: Schedule) -> None:
    rows = [("ann", "cat", "nia"), ("ben", "cat", ""), ("ann", "nia", ""), ("cat", "ann", "")]
    found = check_hard([schedule], make_plan(schedule, rows))
    assert [f.code for f in found] == ["H006"]
    f = found[0]
    assert "ben is primary in week 1 (2027-01-11 10:00 UTC) but is on time off" in f.message
    assert f.path == "schedule.participants.members[1].time_off[0]"
    assert f.line == YAML.splitlines().index("          - {start: 2027-01-12, end: 2027-01-13}") + 1


def test_h007_overlap_across_schedules(schedule: Schedule) -> None:
    other = schedule.model_copy(update={"name": "other", "handoff_day": Weekday.THURSDAY})
    a = make_plan(schedule, GOOD)
    b = make_plan(
        other,
        [("ann", "ben", ""), ("ben", "cat", ""), ("cat", "ann", ""), ("ben", "cat", "")],
        name="other",
    )
    both = Plan(schedules=a.schedules + b.schedules)
    found = [f for f in check_hard([schedule, other], both) if f.code == "H007"]
    assert found
    assert any("ann is primary in team" in f.message and "in other" in f.message for f in found)


def test_h008_frozen_weeks_must_match(schedule: Schedule) -> None:
    previous = make_plan(schedule, GOOD)
    changed = [("cat", "ann", "nia"), *GOOD[1:]]
    found = check_hard(
        [schedule], make_plan(schedule, changed), previous=previous, freeze_until=date(2027, 1, 11)
    )
    assert [f.code for f in found] == ["H008"]
    frozen = found[0]
    assert "week 0 (2027-01-04 10:00 UTC) is frozen" in frozen.message
    assert "lost ann (primary), cat (secondary)" in frozen.message
    # After the freeze date, changes are allowed.
    later = [*GOOD[:2], ("ben", "ann", ""), GOOD[3]]
    assert "H008" not in codes(schedule, later, previous=previous, freeze_until=date(2027, 1, 11))


def test_unknown_people_and_schedules_do_not_crash(schedule: Schedule) -> None:
    rows = [("zed", "cat", "nia"), *GOOD[1:]]
    assert codes(schedule, rows) == []
    stray = make_plan(schedule, GOOD, name="elsewhere")
    assert check_hard([schedule], stray) == []


def test_every_hard_rule_has_a_checker() -> None:
    from oncall_planner.rules import HARD_RULES

    assert set(CHECKERS) == set(HARD_RULES)
