"""The hard-rule checkers on plans with coverage windows (H001–H013), solver-free.

Plans here are built by hand from the windows' occurrences (a round-robin), so each test states
exactly which cell is broken.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from oncall_planner.carryover import frozen_assignments, previous_assignments, run_before_start
from oncall_planner.expand import expand
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate.hard import check_hard

START = date(2027, 3, 15)  # the US changes clocks on 14 March, the EU on 28 March 2027
WEEKS = 4


def _schedule(**extra: object) -> Schedule:
    members = [
        {"id": f"e{i}", "name": f"E{i}", "timezone": "Europe/Berlin", "site": "emea"}
        for i in range(3)
    ] + [
        {"id": f"a{i}", "name": f"A{i}", "timezone": "America/New_York", "site": "amer"}
        for i in range(3)
    ]
    data: dict[str, object] = {
        "name": "support",
        "timezone": "UTC",
        "handoff_day": "monday",
        "handoff_time": "09:00",
        "participants": {"min_rotation_size": 2, "max_consecutive_weeks": 1, "members": members},
        "windows": [
            {"name": "emea", "days": "daily", "start": "06:00", "end": "18:00",
             "members": {"site": "emea"}},
            {"name": "amer", "days": "daily", "start": "18:00", "end": "06:00",
             "members": {"site": "amer"}},
        ],
    }  # fmt: skip
    data.update(extra)
    return Schedule.model_validate(data)


Pick = Callable[[str, int], str]


def _round_robin(window: str, week: int) -> str:
    return f"{window[0]}{week % 3}"


def _plan(schedule: Schedule, pick: Pick = _round_robin, weeks: int = WEEKS) -> Plan:
    shifts = []
    for window in schedule.windows:
        problem = expand(schedule, START, weeks, window=window)
        for w in problem.weeks:
            for a, b in w.intervals:
                shifts.append(
                    Shift(
                        week=w.index,
                        layer=Layer.PRIMARY,
                        person=pick(window.name, w.index),
                        window=window.name,
                        start=a,
                        end=b,
                    )
                )
    sp = SchedulePlan(
        name=schedule.name, timezone=schedule.timezone, start=START, weeks=weeks,
        shifts=tuple(shifts),
    )  # fmt: skip
    return Plan(schedules=(sp,))


def _codes(schedule: Schedule, plan: Plan, **kw: object) -> list[str]:
    return [f.code for f in check_hard([schedule], plan, **kw)]  # type: ignore[arg-type]


def test_a_round_robin_windowed_plan_is_clean_across_dst() -> None:
    schedule = _schedule()
    plan = _plan(schedule)
    assert check_hard([schedule], plan) == []
    # One entry per occurrence: daily windows clipped at the Monday 09:00 handoff.
    sp = plan.schedules[0]
    assert {s.window for s in sp.shifts} == {"emea", "amer"}
    assert len(sp.on(0, Layer.PRIMARY, "emea")) == 8  # Mon 09–18, Tue..Sun, next Mon 06–09


def test_two_people_in_one_window_week_is_h001() -> None:
    schedule = _schedule()
    plan = _plan(schedule)
    sp = plan.schedules[0]
    # Give one occurrence of emea in week 1 to someone else (eligible, so only H001 fires).
    shifts = list(sp.shifts)
    i = next(k for k, s in enumerate(shifts) if s.week == 1 and s.window == "emea")
    shifts[i] = shifts[i].model_copy(update={"person": "e0"})
    broken = plan.model_copy(
        update={"schedules": (sp.model_copy(update={"shifts": tuple(shifts)}),)}
    )
    findings = check_hard([schedule], broken)
    # e0 also holds week 0, so the stolen occurrence makes two weeks in a row as well.
    assert [f.code for f in findings] == ["H001", "H003"]
    assert "window emea" in findings[0].message and "e0, e1" in findings[0].message


def test_a_window_week_with_nobody_is_h001() -> None:
    schedule = _schedule()
    plan = _plan(schedule)
    sp = plan.schedules[0]
    kept = tuple(s for s in sp.shifts if not (s.week == 2 and s.window == "amer"))
    broken = plan.model_copy(update={"schedules": (sp.model_copy(update={"shifts": kept}),)})
    findings = check_hard([schedule], broken)
    assert [f.code for f in findings] == ["H001"]
    assert "nobody" in findings[0].message and "amer" in findings[0].message


def test_a_person_outside_the_selector_is_h013() -> None:
    schedule = _schedule()
    plan = _plan(schedule, lambda window, week: "e0" if (window, week) == ("amer", 1) else
                 _round_robin(window, week))  # fmt: skip
    codes = _codes(schedule, plan)
    assert "H013" in codes
    (finding,) = [f for f in check_hard([schedule], plan) if f.code == "H013"]
    assert "e0 (site emea) holds window amer" in finding.message
    assert finding.path == "schedule.windows[1].members"


def test_consecutive_weeks_count_any_window() -> None:
    # e0 is eligible for both windows: emea in week 0 then amer in week 1 is two weeks in a row.
    schedule = _schedule(
        windows=[
            {"name": "emea", "days": "daily", "start": "06:00", "end": "18:00"},
            {"name": "amer", "days": "daily", "start": "18:00", "end": "06:00"},
        ]
    )

    def pick(window: str, week: int) -> str:
        if (window, week) in (("emea", 0), ("amer", 1)):
            return "e0"
        return {"emea": ["e1", "e2", "a0", "a1"], "amer": ["a2", "e1", "a0", "a1"]}[window][week]

    findings = [f for f in check_hard([schedule], _plan(schedule, pick)) if f.code == "H003"]
    assert len(findings) == 1 and "e0 is on call 2 weeks in a row" in findings[0].message
    # Two windows in one week are one week, not two.

    def same_week(window: str, week: int) -> str:
        return "e0" if week == 0 else ["", "e1", "e2", "a0"][week] if window == "emea" else (
            ["", "a1", "a2", "a0"][week] if week != 3 else "a1")  # fmt: skip

    assert "H003" not in _codes(schedule, _plan(schedule, same_week))


def test_min_rest_breaks_at_the_edge() -> None:
    # emea ends 18:00 UTC, amer starts 18:00 UTC: the same person in both has 0 h rest.
    schedule = _schedule(
        windows=[
            {"name": "emea", "days": "mon-fri", "start": "07:00", "end": "18:00"},
            {"name": "late", "days": "mon-fri", "start": "18:00", "end": "07:00"},
            {"name": "weekend", "span": {"from": "sat 07:00", "to": "mon 07:00"}},
        ],
        participants={
            "min_rest": "11h",
            "members": [{"id": f"p{i}", "name": f"P{i}"} for i in range(6)],
        },
    )

    def distinct(window: str, week: int) -> str:
        return f"p{({'emea': 0, 'late': 2, 'weekend': 4}[window] + week) % 6}"

    assert _codes(schedule, _plan(schedule, distinct)) == []

    def twice(window: str, week: int) -> str:
        return "p1" if (window, week) in (("emea", 1), ("weekend", 1)) else distinct(window, week)

    findings = [f for f in check_hard([schedule], _plan(schedule, twice)) if f.code == "H011"]
    # Friday 18:00 → Saturday 07:00 is 13 h (enough), but the weekend ends Monday 29 March
    # 07:00, where week 1's emea resumes until the 09:00 handoff: 0 h between two windows.
    assert len(findings) == 1, [f.message for f in findings]
    assert "p1 has 0 h off the pager" in findings[0].message
    assert "min_rest is 11 h" in findings[0].message
    # Without min_rest the same plan has no H011.
    relaxed = schedule.model_copy(
        update={
            "participants": schedule.participants.model_copy(update={"min_rest": None}),
        }
    )
    assert "H011" not in _codes(relaxed, _plan(relaxed, twice))


def test_night_hours_are_counted_in_the_members_zone() -> None:
    # amer is 18:00–06:00 UTC: 13:00–01:00 in New York (EST) – 3 h of night a day.
    schedule = _schedule()
    members = [
        m.model_copy(update={"max_night_hours": 21}) if m.site == "amer" else m
        for m in schedule.participants.members
    ]
    capped = schedule.model_copy(
        update={"participants": schedule.participants.model_copy(update={"members": members})}
    )
    findings = [f for f in check_hard([capped], _plan(capped)) if f.code == "H012"]
    # Week 0 (15–22 March, EDT from 14 March): 18:00–06:00 UTC is 14:00–02:00 EDT, 4 h a
    # night, 7 nights = 28 h > 21 (the Monday 06:00–09:00 UTC tail is 02:00–05:00: +3 h).
    assert findings and all("max_night_hours is 21" in f.message for f in findings)
    weeks_flagged = {f.message.split(" in week ")[1].split(" ")[0] for f in findings}
    assert weeks_flagged == {"0", "1", "2", "3"}
    members = [
        m.model_copy(update={"max_night_hours": 40}) if m.site == "amer" else m
        for m in schedule.participants.members
    ]
    roomy = schedule.model_copy(
        update={"participants": schedule.participants.model_copy(update={"members": members})}
    )
    assert "H012" not in _codes(roomy, _plan(roomy))


def test_time_off_counts_the_windows_own_hours() -> None:
    # e1 holds emea in week 1 (22–29 March); time off on a day outside emea's hours does
    # not break it, time off on a day inside does.
    schedule = _schedule(
        windows=[
            {"name": "emea", "days": "mon-fri", "start": "06:00", "end": "18:00",
             "members": {"site": "emea"}},
            {"name": "rest", "days": "mon-fri", "start": "18:00", "end": "06:00"},
            {"name": "weekend", "span": {"from": "sat 06:00", "to": "mon 06:00"}},
        ],
    )  # fmt: skip

    def pick(window: str, week: int) -> str:
        return {"emea": "e", "rest": "a", "weekend": "a"}[window] + str(
            (week + (1 if window == "weekend" else 0)) % 3
        )

    def with_time_off(day: str) -> Schedule:
        data = schedule.model_dump(mode="json", by_alias=True, exclude_none=True)
        for m in data["participants"]["members"]:
            if m["id"] == "e1":
                m["time_off"] = [{"start": day}]
        return Schedule.model_validate(data)

    saturday = with_time_off("2027-03-27")
    assert "H006" not in _codes(saturday, _plan(saturday, pick))
    wednesday = with_time_off("2027-03-24")
    findings = [f for f in check_hard([wednesday], _plan(wednesday, pick)) if f.code == "H006"]
    assert len(findings) == 1 and "e1 is primary (emea) in week 1" in findings[0].message


def test_frozen_windows_and_carry_over_read_the_window() -> None:
    schedule = _schedule()
    previous = _plan(schedule)
    emea = expand(schedule, START, WEEKS, window="emea")
    assert previous_assignments(emea, previous)[2] == ((Layer.PRIMARY, "e2"),)
    frozen = frozen_assignments(emea, previous, date(2027, 3, 30))
    assert sorted(frozen) == [0, 1, 2]
    changed = _plan(schedule, lambda w, k: _round_robin(w, k + 1) if w == "emea" else
                    _round_robin(w, k))  # fmt: skip
    codes = _codes(schedule, changed, previous=previous, freeze_until=date(2027, 3, 30))
    assert codes.count("H008") == 3
    # The stint carried into a plan from week 2: a1 held amer in week 1 (the week before).
    later = expand(schedule, date(2027, 3, 29), 2)
    member = schedule.member("a1")
    assert run_before_start(later, member, previous) == 1
    assert run_before_start(later, schedule.member("a0"), previous) == 0


def test_window_less_plans_are_judged_as_before() -> None:
    schedule = Schedule.model_validate(
        {
            "name": "plain",
            "timezone": "Europe/Berlin",
            "handoff_day": "monday",
            "handoff_time": "10:00",
            "participants": {
                "min_rest": "11h",
                "members": [{"id": f"p{i}", "name": f"P{i}"} for i in range(3)],
            },
        }
    )
    problem = expand(schedule, START, 3)
    shifts = tuple(
        Shift(week=w.index, layer=Layer.PRIMARY, person=f"p{w.index}", start=w.start, end=w.end)
        for w in problem.weeks
    )
    sp = SchedulePlan(name="plain", timezone="Europe/Berlin", start=START, weeks=3, shifts=shifts)
    plan = Plan(schedules=(sp,))
    assert check_hard([schedule], plan) == []
    assert '"window"' not in plan.to_json()


def test_a_windowed_plan_file_is_self_contained() -> None:
    from oncall_planner.cli._common import stand_in_schedule
    from oncall_planner.roster import handoffs

    schedule = _schedule(coverage="partial")
    plan = _plan(schedule).annotate([schedule])
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again == plan and again.to_json() == text
    sp = again.schedules[0]
    assert sp.windows == schedule.windows and sp.coverage == "partial"
    assert sp.handoff == "monday 09:00"
    # The handoffs are the schedule's, not the first occurrence's start.
    weeks = expand(schedule, START, WEEKS).weeks
    assert handoffs(sp) == [w.start for w in weeks] + [weeks[-1].end]
    # A schedule rebuilt from the plan alone keeps the windows and judges the plan clean.
    stand_in = stand_in_schedule(again, "support")
    assert [w.shape() for w in stand_in.windows] == [w.shape() for w in schedule.windows]
    assert stand_in.windows[1].members == ("a0", "a1", "a2")
    assert check_hard([stand_in], again) == []


def test_a_partial_layer_needs_a_level_that_reaches_someone_outside_it() -> None:
    from oncall_planner.validate import check

    office = [{"name": "office", "days": "mon-fri", "start": "09:00", "end": "17:00",
               "timezone": "Europe/Berlin", "members": {"site": "emea"}}]  # fmt: skip
    contacts = {"night": {"name": "Night desk", "email": "night@example.com"}}

    def errors(policy: list[dict[str, object]]) -> list[str]:
        schedule = _schedule(
            windows=office, coverage="partial", escalation_policy=policy, contacts=contacts
        )
        plan = _plan(schedule, lambda w, k: f"e{k % 3}").annotate([schedule])
        found = check(schedule, plan=plan).findings
        return [f.message for f in found if f.code == "E209"]

    alone = errors([
        {"level": 1, "target": "on-call-primary", "timeout": "5m"},
        {"level": 2, "target": "night", "timeout": 0},
    ])  # fmt: skip
    # Pages at level 1 reach nobody from Friday 17:00 to Monday 09:00 Berlin (and each night).
    assert len(alone) == 1 and "has nobody" in alone[0]
    together = errors([{"level": 1, "target": ["on-call-primary", "night"], "timeout": "5m"}])
    assert together == []


def test_s107_judges_only_the_window_running_at_the_handoff() -> None:
    from oncall_planner.validate import check

    # Handoff Monday 09:00 UTC falls in emea's window (06:00–18:00 UTC): 10:00/11:00 in Berlin.
    # amer's New York members sleep through it (04:00/05:00) and are not part of it.
    schedule = _schedule()
    assert [f for f in check(schedule).findings if f.code == "S107"] == []
    # A handoff at 20:00 UTC falls in amer's window: 15:00/16:00 in New York, fine; moved to
    # 03:00 UTC it is 22:00/23:00 there, outside their working hours, and says so.
    late = _schedule(handoff_time="03:00")
    found = [f for f in check(late).findings if f.code == "S107"]
    assert sorted(f.path for f in found) == [
        f"schedule.participants.members[{i}]" for i in (3, 4, 5)
    ]
    assert all("window running at the handoff" in (f.hint or "") for f in found)


def test_a_one_day_cover_of_a_window_breaks_no_rule() -> None:
    from oncall_planner.report import Severity
    from oncall_planner.validate import check

    schedule = _schedule()
    plan = _plan(schedule).annotate([schedule])
    sp = plan.schedules[0]
    # e2 (who holds emea in week 2) covers Wednesday's emea occurrence of e0's week 0.
    wednesday = next(
        s for s in sp.shifts if s.window == "emea" and s.week == 0 and s.start.weekday() == 2
    )
    covered = plan.with_override(None, "primary", "e2", wednesday.start, wednesday.end)
    assert covered.on_call(wednesday.start) == "e2"
    assert covered.on_call(wednesday.end) == "a0"  # amer's holder after the cover
    errors = [
        f.format() for f in check(schedule, plan=covered).findings if f.severity is Severity.ERROR
    ]
    assert errors == []
    # Given to e1, whose own emea week follows, the cover makes two weeks in a row (H103).
    too_close = plan.with_override(None, "primary", "e1", wednesday.start, wednesday.end)
    codes = {f.code for f in check(schedule, plan=too_close).findings}
    assert "H103" in codes and "H001" not in codes


def test_bad_windows_are_located_one_per_line(tmp_path: Path) -> None:
    from oncall_planner.cli import main

    text = """\
schedule:
  name: s
  timezone: UTC
  handoff_day: monday
  handoff_time: "09:00"
  windows:
    - {name: a, days: mon-fry, start: "08:00", end: "16:00"}
    - {name: b, days: daily, start: "16:00", end: "25:00"}
    - {name: g, span: {from: "fri 18:00", to: "mon 09:00"}, members: {site: x, foo: 1}}
  participants:
    members:
      - {id: x, name: X}
"""
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", str(path)]) == 1
    lines = [line.strip() for line in out.getvalue().splitlines() if "L004" in line]
    # Three different mistakes: three lines, each with its own line and column.
    assert [line.split(": L004")[0].rsplit(":", 2)[1:] for line in lines] == [
        ["7", "23"], ["8", "51"], ["9", "70"]
    ]  # fmt: skip
    assert "did you mean 'fri'?" in lines[0]
    assert "expected {site: NAME} (or {site: [A, B]}) or a list of member ids" in lines[2]


def test_replan_changes_name_the_window_whose_week_changed() -> None:
    from oncall_planner.replan import plan_changes

    schedule = _schedule()
    previous = _plan(schedule)
    # amer's occurrences never start at the Monday 09:00 handoff: its week 1 goes to a0.
    changed = _plan(schedule, lambda w, k: "a0" if (w, k) == ("amer", 1) else _round_robin(w, k))
    (change,) = plan_changes(previous, changed, [schedule])
    amer = expand(schedule, START, WEEKS, window="amer").weeks[1]
    assert (change.window, change.week, change.before, change.after) == ("amer", 1, "a1", "a0")
    assert change.start == amer.intervals[0][0]
    assert plan_changes(previous, previous, [schedule]) == ()


def test_window_times_are_quoted_wall_times_like_the_handoff() -> None:
    import pytest
    from pydantic import ValidationError

    from oncall_planner.spec import Window

    ok = Window.model_validate({"name": "n", "days": "daily", "start": "20:00", "end": "24:00"})
    assert (ok.start, ok.end) == (1200, 1440)
    for start, said in ((8, 'quoted wall time "HH:MM"'), ("24:00", "starts at 24:00")):
        with pytest.raises(ValidationError, match=said):
            Window.model_validate({"name": "n", "days": "daily", "start": start, "end": "09:00"})
    with pytest.raises(ValidationError, match=r"hours are 00–23 \(or 24:00\)"):
        Window.model_validate({"name": "n", "days": "daily", "start": "08:00", "end": "24:30"})


def test_expand_names_the_windows_when_given_an_unknown_one() -> None:
    import pytest

    with pytest.raises(ValueError, match="window 'emia' is not a window of support; its "
                       "windows are emea, amer"):  # fmt: skip
        expand(_schedule(), START, 1, window="emia")
