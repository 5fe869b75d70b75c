"""Escalation policies against a plan: E209 (a level's layer empty), E210 (one person holds two
levels at a moment), E211 (a level adds nobody new)."""

from __future__ import annotations

from pathlib import Path

from test_validate_helpers import greedy_plan, replace_shifts, schedule_text, shifts_of

from oncall_planner.loader import load_org, load_schedule
from oncall_planner.plans import Layer, Plan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate import check

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "schedules" / "backend-primary.yaml"

TEAM = """
schedule:
  name: team
  timezone: Europe/Berlin
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    members:
      - {id: ann, name: Ann}
      - {id: ben, name: Ben}
      - {id: cat, name: Cat}
      - {id: dov, name: Dov, email: dov@example.com}
  contacts:
    lead: {name: Dov, email: dov@example.com}
    vp: {name: V}
  escalation_policy:
    - {level: 1, target: on-call-primary, timeout: 5m}
    - {level: 2, target: on-call-secondary, timeout: 10m}
    - {level: 3, target: LAST, timeout: 0}
"""
LEVEL2_LINE, LEVEL3_LINE = 17, 18


def _team(last: str = "vp") -> Schedule:
    return schedule_text(TEAM.replace("LAST", last))


def _found(schedule: Schedule, plan: Plan, code: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check(schedule, plan, select=[code])]


def _swap_week(plan: Plan, name: str, week: int, layer: Layer, person: str) -> Plan:
    shifts = [
        s.model_copy(update={"person": person}) if (s.week, s.layer) == (week, layer) else s
        for s in shifts_of(plan, name)
    ]
    return replace_shifts(plan, name, shifts)


def test_valid_plan_passes_every_escalation_rule() -> None:
    team = _team()
    plan = greedy_plan([team], weeks=8)
    assert not check(team, plan).errors
    for code in ("E209", "E210", "E211"):
        assert _found(team, plan, code) == []


def test_e209_week_without_a_secondary() -> None:
    team = _team()
    plan = greedy_plan([team], weeks=8)
    kept = [s for s in shifts_of(plan, "team") if (s.week, s.layer) != (3, Layer.SECONDARY)]
    found = _found(team, replace_shifts(plan, "team", kept), "E209")
    assert found == [
        (
            LEVEL2_LINE,
            "level 2 pages on-call-secondary, but nobody holds the secondary layer in week 3 "
            "(from 2027-01-25 10:00 CET): pages at that level reach nobody",
        )
    ]


def test_e210_primary_is_also_secondary() -> None:
    team = _team()
    plan = greedy_plan([team], weeks=8)
    primary = next(
        s.person for s in shifts_of(plan, "team") if s.week == 2 and s.layer.value == "primary"
    )
    bad = _swap_week(plan, "team", 2, Layer.SECONDARY, primary)
    e210 = _found(team, bad, "E210")
    assert e210 == [
        (
            LEVEL2_LINE,
            f"{primary} holds both level 1 (on-call-primary) and level 2 (on-call-secondary) in "
            "week 2 (from 2027-01-18 10:00 CET): escalating reaches the same person again",
        )
    ]
    # Level 2 then pages nobody new either.
    assert [m for _, m in _found(team, bad, "E211")] == [
        "level 2 (on-call-secondary) adds nobody new in week 2 (from 2027-01-18 10:00 CET): "
        "everyone it pages was already paged by an earlier level"
    ]


def test_e210_contact_who_is_also_in_the_rotation() -> None:
    # The "lead" contact has dov's email: in dov's primary weeks, level 3 re-pages dov.
    team = _team("lead")
    plan = greedy_plan([team], weeks=8)
    layers = {}
    for s in shifts_of(plan, "team"):
        if s.person == "dov" and s.layer is not Layer.SHADOW:
            layers.setdefault(s.layer, []).append(s.week)
    found = _found(team, plan, "E210")
    assert len(found) == len(layers) >= 1
    for (line, message), (layer, weeks) in zip(found, sorted(layers.items()), strict=True):
        level = 1 if layer is Layer.PRIMARY else 2
        assert line == LEVEL3_LINE
        assert message.startswith(
            f"dov holds both level {level} (on-call-{layer.value}) and level 3 (lead) in "
        )
        assert f"{min(weeks)}" in message


def test_e211_dynamic_level_repeating_a_layer() -> None:
    team = _team("on-call-primary")
    plan = greedy_plan([team], weeks=4)
    # Same target, so it is not a person holding two levels by accident (no E210) …
    assert _found(team, plan, "E210") == []
    # … but the level never adds anyone.
    assert _found(team, plan, "E211") == [
        (
            LEVEL3_LINE,
            "level 3 (on-call-primary) adds nobody new in weeks 0, 1, 2 and 3 (from 2027-01-04 "
            "10:00 CET): everyone it pages was already paged by an earlier level",
        )
    ]


def test_e210_across_schedules_at_different_handoffs() -> None:
    # api (Berlin, Monday 10:00) escalates to the platform schedule (New York, Thursday 09:00):
    # whoever is api primary must not be platform primary at the same moment.
    org = load_org(ROOT / "schedules" / "org")
    plan = greedy_plan(org.schedules, weeks=6)
    assert _found(org, plan, "E210") == []
    api = shifts_of(plan, "api")
    platform = shifts_of(plan, "platform")
    week1 = next(s for s in platform if s.week == 1 and s.layer is Layer.PRIMARY)
    # Put platform's week-1 primary on api's week-1 primary too (their times overlap).
    assert next(s for s in api if s.week == 1 and s.layer is Layer.PRIMARY).person != week1.person
    plan2 = _swap_week(plan, "api", 1, Layer.PRIMARY, week1.person)
    found = _found(org, plan2, "E210")
    assert len(found) == 1
    assert found[0][1].startswith(
        f"{week1.person} holds both level 1 (on-call-primary) and level 3 (platform) in week 1"
    )


def test_seed_plan_reaches_a_new_person_at_every_level() -> None:
    seed = load_schedule(SEED)
    plan = greedy_plan([seed], weeks=13)
    assert list(check(seed, plan, select=["E209", "E210", "E211"])) == []


def test_shift_helper_round_trip() -> None:
    # The plans built here survive the plan file format unchanged.
    plan = greedy_plan([_team()], weeks=3)
    again = Plan.from_json(plan.to_json())
    assert again.to_json() == plan.to_json()
    assert all(isinstance(s, Shift) for s in again.schedule("team").shifts)


def test_split_policy_is_judged_per_severity_path_against_the_plan() -> None:
    # Issue 10: on-call-secondary at level 2 for SEV1 and level 3 for the rest is one level on
    # each path, not one person holding two levels.
    split = TEAM.replace(
        "    - {level: 1, target: on-call-primary, timeout: 5m}\n"
        "    - {level: 2, target: on-call-secondary, timeout: 10m}\n",
        "    - {level: 1, target: on-call-primary, timeout: 5m}\n"
        "    - {level: 2, target: on-call-secondary, timeout: 5m, severities: [SEV1]}\n"
        "    - {level: 3, target: on-call-secondary, timeout: 10m, severities: [SEV2, SEV3]}\n",
    ).replace("{level: 3, target: LAST", "{level: 4, target: LAST")
    schedule = schedule_text(split.replace("LAST", "vp"))
    plan = greedy_plan([schedule])
    assert check(schedule, plan, select=["E209", "E210", "E211"]).codes() == set()
    # With Dov (a member) as the last level, Dov holding the secondary is found on both paths.
    lead = schedule_text(split.replace("LAST", "lead"))
    e210 = [f.message for f in check(lead, greedy_plan([lead]), select=["E210"])]
    assert any(m.endswith("(for SEV1)") and "level 2" in m for m in e210)
    assert any("level 3" in m and "(for SEV2, SEV3)" in m for m in e210)
