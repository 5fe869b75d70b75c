"""``suggest_swaps``, ``Plan.with_swap`` and ``oncall-planner swap`` (issue 11).

Small hand-made teams (5 and 4 members, at most one week in a row, primary + secondary) so
that a brute force over every reassignment can say what the fewest changed shifts are.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest
from test_validate_helpers import greedy_plan

from oncall_planner import NoSwapError, check, load_schedule, suggest_swaps
from oncall_planner.cli import main
from oncall_planner.expand import expand
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.roster import weekly_view
from oncall_planner.spec import Schedule
from tests.conftest import SCHEDULES

START = date(2027, 3, 1)

YAML = """\
schedule:
  name: team
  timezone: Europe/Berlin
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    min_rotation_size: 4
    max_consecutive_weeks: 1
    members:
{members}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5_minutes}}
    - {{level: 2, target: on-call-secondary, timeout: 5_minutes}}
"""

# (primary, secondary) per week: nobody on call two weeks in a row.
FIVE = [("ann", "ben"), ("cat", "dan"), ("eve", "ann"), ("ben", "cat"), ("dan", "eve")]
FOUR = [("ann", "ben"), ("cat", "dan"), ("ann", "ben"), ("cat", "dan")]


def team(tmp_path: Path, people: list[str]) -> Schedule:
    members = "\n".join(f"      - {{id: {p}, name: {p.title()}}}" for p in people)
    path = tmp_path / "team.yaml"
    path.write_text(YAML.format(members=members), encoding="utf-8")
    return load_schedule(path)


def rows_plan(schedule: Schedule, rows: list[tuple[str, str]]) -> Plan:
    weeks = expand(schedule, START, len(rows)).weeks
    shifts = [
        Shift(week=w, layer=layer, person=p, start=weeks[w].start, end=weeks[w].end)
        for w, row in enumerate(rows)
        for layer, p in zip((Layer.PRIMARY, Layer.SECONDARY), row, strict=True)
    ]
    sp = SchedulePlan(
        name=schedule.name, timezone=schedule.timezone, start=START, weeks=len(rows),
        shifts=tuple(shifts),
    )  # fmt: skip
    return Plan(schedules=(sp,)).annotate([schedule])


def errors(schedule: Schedule, plan: Plan) -> list[str]:
    return [f.format() for f in check(schedule, plan).errors]


def held(plan: Plan, week: int, layer: Layer) -> str:
    return weekly_view(plan.schedules[0]).on(week, layer)[0].person


# -- every option passes the validator ----------------------------------------------------------


def test_each_option_passes_check_on_the_seed_schedule() -> None:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    plan = greedy_plan([schedule], weeks=8).annotate([schedule])
    assert errors(schedule, plan) == []
    person = held(plan, 3, Layer.PRIMARY)
    options = suggest_swaps(plan, schedule, person, 3, top=4)
    assert [o.rank for o in options] == list(range(1, len(options) + 1))
    assert len(options) == 4
    for o in options:
        after = plan.with_swap(o)
        assert errors(schedule, after) == [], o.summary()
        # The week is freed: the person holds no layer of it any more.
        assert person not in {
            s.person for s in weekly_view(after.schedules[0]).shifts if s.week == 3
        }
        # Every move is written as one whole-week override naming who had the week.
        added = after.schedules[0].overrides
        assert [(a.person, a.replaces, a.start, a.end) for a in added] == [
            (m.after, m.before, m.start, m.end) for m in o.moves
        ]


def test_options_report_loads_against_fair_share_and_gaps() -> None:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    plan = greedy_plan([schedule], weeks=8).annotate([schedule])
    person = held(plan, 3, Layer.PRIMARY)
    for o in suggest_swaps(plan, schedule, person, 3, top=3):
        by = {c.person: c for c in o.loads}
        # The person gives a primary week away (weight 2) and takes back what the moves say.
        back = sum(2 if m.layer is Layer.PRIMARY else 1 for m in o.moves if m.after == person)
        assert by[person].after - by[person].before == back - 2
        assert sum(c.after - c.before for c in o.loads) == 0  # load moves, it is not created
        gaps = {g.person: g for g in o.gaps}
        assert set(gaps) == {m.before for m in o.moves} | {m.after for m in o.moves}
        weeks_after = sorted(
            s.week for s in weekly_view(plan.with_swap(o).schedules[0]).shifts
            if s.person == person and s.layer is not Layer.SHADOW
        )  # fmt: skip
        assert sum(gaps[person].after) == sum(b - a - 1 for a, b in itertools.pairwise(weeks_after))


# -- the best option changes the fewest shifts: brute force ----------------------------------------


def _fewest_changes(schedule: Schedule, plan: Plan, person: str, week: int) -> int | None:
    """The fewest changed weekly shifts (1 or 2) that free the week, by trying them all."""
    sp = plan.schedules[0]
    cells = [(s.week, s.layer, s.person) for s in sp.shifts]
    people = sorted(m.id for m in schedule.participants.members)
    own = [c for c in cells if c[0] == week and c[2] == person]
    for size in (1, 2):
        for group in itertools.combinations(cells, size):
            if not set(own) <= set(group):
                continue
            for takers in itertools.product(people, repeat=size):
                if any(t == c[2] for t, c in zip(takers, group, strict=True)):
                    continue
                trial = plan
                for (w, lay, _), t in zip(group, takers, strict=True):
                    s = sp.on(w, lay)[0]
                    trial = trial.with_override(sp.name, lay, t, s.start, s.end)
                if not check(schedule, trial, select=["H"]).errors:
                    return size
    return None


@pytest.mark.parametrize(("person", "week"), [("ben", 3), ("ann", 2), ("cat", 1), ("ann", 0)])
def test_the_best_option_changes_the_fewest_shifts(tmp_path: Path, person: str, week: int) -> None:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan", "eve"])
    plan = rows_plan(schedule, FIVE)
    assert errors(schedule, plan) == []
    fewest = _fewest_changes(schedule, plan, person, week)
    best = suggest_swaps(plan, schedule, person, week, top=3)[0]
    if fewest is None:
        assert best.changes == 3
    else:
        assert best.changes == fewest
    assert errors(schedule, plan.with_swap(best)) == []


def test_a_swap_when_no_cover_exists(tmp_path: Path) -> None:
    # ben holds week 3; ann and eve are on call beside it, cat holds its other layer, and dan
    # is on call in week 4: no cover. ben takes dan's week 4 and dan takes week 3.
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan", "eve"])
    plan = rows_plan(schedule, FIVE)
    best = suggest_swaps(plan, schedule, "ben", 3)[0]
    assert best.kind == "swap"
    assert {(m.week, m.before, m.after) for m in best.moves} == {
        (3, "ben", "dan"),
        (4, "dan", "ben"),
    }


def test_no_option_says_why(tmp_path: Path) -> None:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan"])
    plan = rows_plan(schedule, FOUR)
    with pytest.raises(NoSwapError, match=r"no option frees ben's week 2 \(secondary\) in team"):
        suggest_swaps(plan, schedule, "ben", 2)


def test_someone_not_on_call_that_week(tmp_path: Path) -> None:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan", "eve"])
    plan = rows_plan(schedule, FIVE)
    with pytest.raises(ValueError, match=r"person must be someone on call in week 0 of team "
                       r"\(primary ann, secondary ben\), got 'eve'"):  # fmt: skip
        suggest_swaps(plan, schedule, "eve", 0)


# -- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan", "eve"])
    path = tmp_path / "plan.json"
    path.write_text(rows_plan(schedule, FIVE).to_json(), encoding="utf-8")
    return path, tmp_path / "team.yaml"


def test_cli_lists_options_as_text_and_json(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan, schedules = files
    args = ["swap", str(plan), "--person", "ben", "--week", "3", "--schedules", str(schedules)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. swap: dan takes week 3 primary, ben takes week 4 primary")
    assert "   gaps between stints (weeks) ben: 2 → 3\n" in out  # weeks 0, 3 → 0, 4
    assert main([*args, "--format", "json", "--top", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["rank"] for o in data["options"]] == list(range(1, len(data["options"]) + 1))
    assert data["options"][0]["kind"] == "swap"
    assert data["options"][0]["changes"] == 2


def test_cli_apply_round_trip(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    plan, schedules = files
    schedule = load_schedule(schedules)
    out = plan.parent / "after.json"
    args = ["swap", str(plan), "--person", "ben", "--week", "3", "--schedules", str(schedules)]
    assert main([*args, "--apply", "1", "-o", str(out)]) == 0
    assert "wrote option 1" in capsys.readouterr().out
    after = Plan.read(out)
    assert Plan.read(plan).schedules[0].overrides == ()  # -o leaves PLAN as it was
    assert errors(schedule, after) == []
    assert held(after, 3, Layer.PRIMARY) == "dan"
    assert held(after, 4, Layer.PRIMARY) == "ben"
    # Written over PLAN by default; asking again: ben is no longer on call in week 3.
    assert main([*args, "--apply", "1"]) == 0
    assert Plan.read(plan) == after
    capsys.readouterr()
    assert main(args) == 1
    assert "person must be someone on call in week 3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--person", "zed", "--week", "3"], 1, "person must be a member of team"),
        (["--person", "eve", "--week", "0"], 1, "someone on call in week 0"),
        (["--person", "ben", "--week", "9"], 2, "--week: the plan of team has weeks 0 to 4, got 9"),
        (["--person", "ben", "--week", "3", "--schedule", "ops"], 2, "no schedule 'ops'"),
        (["--person", "ben", "--week", "3", "--top", "0"], 2, "--top: must be 1 to 50"),
        (["--person", "ben", "--week", "3", "--apply", "6"], 2, "--apply: must be 1 to --top"),
    ],
)
def test_cli_errors(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    code: int,
    message: str,
) -> None:
    plan, schedules = files
    before = plan.read_bytes()
    assert main(["swap", str(plan), "--schedules", str(schedules), *extra]) == code
    assert message in capsys.readouterr().err
    assert plan.read_bytes() == before


def test_cli_no_option_exits_1_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan"])
    path = tmp_path / "plan.json"
    path.write_text(rows_plan(schedule, FOUR).to_json(), encoding="utf-8")
    args = ["swap", str(path), "--person", "ben", "--week", "2"]
    assert main([*args, "--schedules", str(tmp_path / "team.yaml")]) == 1
    assert "no option frees ben's week 2" in capsys.readouterr().err


def test_with_swap_refuses_an_option_for_another_plan(tmp_path: Path) -> None:
    schedule = team(tmp_path, ["ann", "ben", "cat", "dan", "eve"])
    plan = rows_plan(schedule, FIVE)
    option = suggest_swaps(plan, schedule, "ben", 3)[0]
    applied = plan.with_swap(option)
    with pytest.raises(ValueError, match="an option computed on this plan"):
        applied.with_swap(option)


def test_people_shared_by_two_schedules_are_checked_across_both() -> None:
    from oncall_planner import PlanOptions, load_org, plan_org

    org = load_org(SCHEDULES / "org")
    api, platform = org.schedule("api"), org.schedule("platform")
    plan = plan_org(org, date(2027, 1, 4), 6, options=PlanOptions(time_limit_s=5, workers=1))
    assert not check(org, plan).errors
    shared = {m.id for m in api.participants.members} & {
        m.id for m in platform.participants.members
    }
    sp = plan.schedule("api")
    # Someone in both schedules who is on call in api's week 2, if any; else api's primary.
    holders = [s.person for s in sp.shifts if s.week == 2 and s.layer is not Layer.SHADOW]
    person = next((p for p in holders if p in shared), holders[0])
    options = suggest_swaps(plan, api, person, 2, top=4, others=[platform])
    assert options
    for o in options:
        assert [f.format() for f in check(org, plan.with_swap(o)).errors] == [], o.summary()


def test_same_options_whatever_the_member_order(tmp_path: Path) -> None:
    people = ["ann", "ben", "cat", "dan", "eve"]
    first = team(tmp_path, people)
    (tmp_path / "b").mkdir()
    second = team(tmp_path / "b", people[::-1])
    plan_a, plan_b = rows_plan(first, FIVE), rows_plan(second, FIVE)
    for person, week in [("ben", 3), ("ann", 0)]:
        a = [o.to_data() for o in suggest_swaps(plan_a, first, person, week, top=6)]
        b = [o.to_data() for o in suggest_swaps(plan_b, second, person, week, top=6)]
        assert a == b


def test_same_options_whatever_the_hash_seed(files: tuple[Path, Path]) -> None:
    import os
    import subprocess
    import sys

    plan, schedules = files
    args = [sys.executable, "-m", "oncall_planner", "swap", str(plan), "--person", "ben"]
    args += ["--week", "3", "--top", "6", "--format", "json", "--schedules", str(schedules)]
    outs = [
        subprocess.run(
            args, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, check=True
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["options"]


def test_cli_without_schedules_reads_the_schedule_off_the_plan(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # The team has no time off and its longest stint is its max_consecutive_weeks (1), so the
    # plan alone gives the same options as the schedule file.
    plan, schedules = files
    args = ["swap", str(plan), "--person", "ben", "--week", "3", "--format", "json"]
    assert main(args) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main([*args, "--schedules", str(schedules)]) == 0
    assert alone == json.loads(capsys.readouterr().out)
    assert alone["options"][0]["kind"] == "swap"
