"""Swaps in schedules with coverage windows: the unit is a window-week (the occurrences of one
window one person holds in a week and layer). Covers by the window's members and swaps within
the same window, each re-checked here with the whole validator (``check``), which is
independent of the checkers the swap module filters with only in being the public entry."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from oncall_planner import Plan, PlanOptions, check, load_schedule, plan
from oncall_planner.cli import main
from oncall_planner.errors import NoSwapError
from oncall_planner.fairness import effective_load
from oncall_planner.plans import Layer
from oncall_planner.roster import on_call
from oncall_planner.solver.swap import SwapOption, suggest_swaps, with_swap
from oncall_planner.spec import Schedule

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
WEEKDAY_WEEKEND = SCHEDULES / "weekday-weekend.yaml"
FOLLOW_THE_SUN = SCHEDULES / "follow-the-sun.yaml"
OPTIONS = PlanOptions(workers=1, seed=0)
# Six weeks over the EU clock change (Sunday 28 March 2027: the weekend of week 3 is 1 h shorter).
START = date(2027, 3, 1)


@cache
def planned(path: Path, weeks: int) -> tuple[Schedule, Plan]:
    schedule = load_schedule(path)
    return schedule, plan(schedule, START, weeks, options=OPTIONS)


def holder(result: Plan, week: int, window: str) -> str:
    people = {s.person for s in result.schedules[0].on(week, Layer.PRIMARY, window)}
    assert len(people) == 1, people
    return people.pop()


@pytest.mark.parametrize("week", [1, 2, 3])
def test_options_freeing_the_weekend_holder_are_all_valid(week: int) -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    assert not check(schedule, result).errors
    person = holder(result, week, "weekend")
    options = suggest_swaps(result, schedule, person, week, top=50)
    assert options
    assert [o.rank for o in options] == list(range(1, len(options) + 1))
    # Covers (one change) before swaps (two).
    assert [o.changes for o in options] == sorted(o.changes for o in options)
    for option in options:
        assert option.kind in ("cover", "swap")
        assert option.changes == (1 if option.kind == "cover" else 2)
        assert all(m.window == "weekend" for m in option.moves)
        freed = [m for m in option.moves if m.week == week]
        assert [m.before for m in freed] == [person]
        applied = with_swap(result, option)
        report = check(schedule, applied)
        assert not report.errors, (option.summary(), [f.message for f in report.errors])
        # The person's weekend of that week is someone else's at every occurrence.
        for s in result.schedules[0].on(week, Layer.PRIMARY, "weekend"):
            for at in (s.start, s.end - timedelta(minutes=1)):
                assert on_call(applied, at) == freed[0].after
        if option.kind == "swap":
            back = next(m for m in option.moves if m.after == person)
            assert back.week != week
            assert abs(back.week - week) <= max(schedule.participants.max_consecutive_weeks, 2)


def test_the_weekday_holder_is_never_offered_the_same_weeks_weekend() -> None:
    """min_rest 11h: the weekday window ends Friday 18:00 as the weekend starts."""
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    for week in range(6):
        weekday = holder(result, week, "weekday")
        person = holder(result, week, "weekend")
        try:
            options = suggest_swaps(result, schedule, person, week, top=50)
        except NoSwapError:  # no option at all is fine here
            continue
        for option in options:
            takers = {m.after for m in option.moves if m.week == week}
            assert weekday not in takers, option.summary()


def test_loads_are_the_effective_loads_before_and_after() -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    person = holder(result, 3, "weekend")  # a weekend across the clock change
    options = suggest_swaps(result, schedule, person, 3, top=50)
    weights = (PlanOptions().primary_weight, PlanOptions().secondary_weight)
    before = effective_load(result.schedules, *weights)
    seen_change = False
    for option in options:
        after = effective_load(with_swap(result, option).schedules, *weights)
        for change in option.loads:
            assert change.before == pytest.approx(before.get(change.person, 0.0))
            assert change.after == pytest.approx(after.get(change.person, 0.0))
            seen_change = True
        expected = sum(
            abs(c.after - c.fair_share) - abs(c.before - c.fair_share) for c in option.loads
        )
        assert option.deviation == pytest.approx(expected)
    assert seen_change


def test_only_the_windows_own_site_is_offered() -> None:
    schedule, result = planned(FOLLOW_THE_SUN, 4)
    site = {m.id: m.site for m in schedule.participants.members}
    offered = 0
    for window in ("apac", "emea", "amer"):
        person = holder(result, 1, window)
        options = suggest_swaps(result, schedule, person, 1, top=50)
        for option in options:
            for m in option.moves:
                assert m.window == window
                assert site[m.after] == window, option.summary()
                offered += 1
            assert not check(schedule, with_swap(result, option)).errors
    assert offered


def test_window_is_needed_when_the_person_holds_two_windows() -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    sp = result.schedules[0]
    person = holder(result, 4, "weekday")
    # Hand them the weekend of that week too (an H011 breach the plan then already has).
    shifts = tuple(
        s.model_copy(update={"person": person}) if s.week == 4 and s.window == "weekend" else s
        for s in sp.shifts
    )
    both = result.model_copy(update={"schedules": (sp.model_copy(update={"shifts": shifts}),)})
    with pytest.raises(ValueError, match=r"window must be one of 'weekday', 'weekend', got None"):
        suggest_swaps(both, schedule, person, 4)
    options = suggest_swaps(both, schedule, person, 4, window="weekday", top=50)
    assert options
    assert all(m.window == "weekday" for o in options for m in o.moves)


def test_bad_window_arguments_name_the_parameter_and_the_windows() -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    person = holder(result, 2, "weekend")
    with pytest.raises(ValueError, match=r"window must be one of 'weekday', 'weekend', got 'nig"):
        suggest_swaps(result, schedule, person, 2, window="night")
    with pytest.raises(ValueError, match=r"window must be a window .* 'weekend', got 'weekday'"):
        suggest_swaps(result, schedule, person, 2, window="weekday")
    with pytest.raises(TypeError, match=r"window must be a window name or None, got 1 \(int\)"):
        suggest_swaps(result, schedule, person, 2, window=1)  # type: ignore[arg-type]


def test_cli_apply_writes_a_plan_whose_who_names_the_coverer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    path = tmp_path / "plan.json"
    path.write_text(result.to_json())
    person = holder(result, 2, "weekend")
    args = ["swap", str(path), "--person", person, "--week", "2"]
    args += ["--schedules", str(WEEKDAY_WEEKEND)]
    assert main([*args, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["options"]
    first = listed[0]
    assert first["kind"] == "cover"
    assert [m["window"] for m in first["moves"]] == ["weekend"]
    out = tmp_path / "swapped.json"
    assert main([*args, "--window", "weekend", "--apply", "1", "-o", str(out)]) == 0
    capsys.readouterr()
    coverer = first["moves"][0]["after"]
    occurrence = result.schedules[0].on(2, Layer.PRIMARY, "weekend")[0]
    at = occurrence.start + timedelta(hours=1)
    assert main(["who", str(out), "--at", at.isoformat(), "--format", "json"]) == 0
    who = json.loads(capsys.readouterr().out)["schedules"][0]["layers"][0]
    assert (who["person"], who["window"]) == (coverer, "weekend")
    assert who["person"] != person
    assert not check(schedule, Plan.read(out)).errors
    # The written overrides are the option's: one per occurrence of the window-week.
    written = Plan.read(out).schedules[0].overrides
    occurrences = result.schedules[0].on(2, Layer.PRIMARY, "weekend")
    assert sorted((o.start, o.end) for o in written) == sorted(
        (s.start, s.end) for s in occurrences
    )
    assert {o.person for o in written} == {coverer}


def test_cli_bad_window_is_a_usage_error_listing_the_windows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, result = planned(WEEKDAY_WEEKEND, 6)
    path = tmp_path / "plan.json"
    path.write_text(result.to_json())
    person = holder(result, 2, "weekend")
    args = ["swap", str(path), "--person", person, "--week", "2"]
    code = main([*args, "--schedules", str(WEEKDAY_WEEKEND), "--window", "night"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--window" in err and "'night'" in err and "weekday, weekend" in err
    # Without the schedule file the windows' members and min_rest are unknown: said, exit 2.
    assert main(args) == 2
    assert "--schedules" in capsys.readouterr().err


def test_option_data_writes_window_only_for_windowed_moves() -> None:
    schedule, result = planned(WEEKDAY_WEEKEND, 6)
    option: SwapOption = suggest_swaps(result, schedule, holder(result, 2, "weekend"), 2)[0]
    data = option.to_data()["moves"][0]
    assert list(data) == ["week", "layer", "window", "start", "end", "before", "after"]
    plain = option.moves[0].__class__(**{**option.moves[0].__dict__, "window": None})
    assert "window" not in plain.to_data()
