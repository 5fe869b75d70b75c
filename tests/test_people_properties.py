"""Properties of issue 9.

- Whenever an independent CP-SAT model of the hard rules alone (written here, not the planner's)
  finds a plan, ``plan`` returns one: history and fairness never make a team infeasible.
- Every plan ``plan_org`` returns for generated orgs (escalation, contacts, shared people, time
  off, history) passes ``check`` with no errors; or it refuses, or explains why no plan exists.
- One definition per number: the plan table, ``check`` (P105) and the fairness summary agree on
  random plans.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from oncall_planner import (
    InfeasibleError,
    PlanOptions,
    RejectedScheduleError,
    check,
    plan,
    plan_org,
)
from oncall_planner.cli.plan import format_table
from oncall_planner.expand import expand
from oncall_planner.fairness import (
    balance_loads,
    balance_score,
    org_capacity,
    org_fair_shares,
    water_fill,
)
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan, Shift
from oncall_planner.report import Severity
from oncall_planner.spec import Schedule
from oncall_planner.validate.plan import schedule_balance

START = date(2027, 3, 22)  # a Monday before the European DST change
OPTIONS = PlanOptions(time_limit_s=5, workers=1, seed=0)


def _schedule(
    name: str,
    members: list[dict[str, Any]],
    *,
    zone: str = "UTC",
    day: str = "monday",
    limit: int = 1,
    size: int = 1,
    policy: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Schedule:
    return Schedule.model_validate(
        {
            "name": name,
            "timezone": zone,
            "handoff_time": "10:00",
            "handoff_day": day,
            "participants": {
                "min_rotation_size": size,
                "max_consecutive_weeks": limit,
                "members": members,
                **fields.pop("participants", {}),
            },
            "escalation_policy": policy
            or [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}],
            **fields,
        }
    )


# ---------------------------------------------------------------------------------------------
# An independent feasibility model


def _local_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def independent_plan_exists(schedule: Schedule, weeks: int) -> bool:
    """A plain CP-SAT model of H001–H003, H005, H006 and H010 for one schedule of trained
    members with no carried-over stint."""
    zone = ZoneInfo(schedule.timezone)
    bounds = expand(schedule, START, weeks).weeks  # the week instants only
    parts = schedule.participants
    layers = [0, 1] if schedule.uses_secondary else [0]
    model = cp_model.CpModel()
    x: dict[tuple[str, int, int], cp_model.IntVar] = {}
    away: dict[str, set[int]] = {}
    for m in parts.members:
        away[m.id] = set()
        for t in m.time_off:
            a, b = _local_day(t.start, zone), _local_day(t.last_day + timedelta(days=1), zone)
            for w, week in enumerate(bounds):
                if week.start.astimezone(UTC) < b and a < week.end.astimezone(UTC):
                    away[m.id].add(w)
        for w in range(weeks):
            for lay in layers:
                x[(m.id, w, lay)] = model.new_bool_var(f"{m.id}{w}{lay}")
                if w in away[m.id]:
                    model.add(x[(m.id, w, lay)] == 0)
    available = [m.id for m in parts.members if len(away[m.id]) < weeks]
    if len(available) < parts.min_rotation_size:
        return False
    for w in range(weeks):
        for lay in layers:
            model.add_exactly_one(x[(m.id, w, lay)] for m in parts.members)
        for m in parts.members:
            model.add_at_most_one(x[(m.id, w, lay)] for lay in layers)
    limit = parts.max_consecutive_weeks
    for m in parts.members:
        for first in range(weeks - limit):
            model.add(
                sum(x[(m.id, w, lay)] for w in range(first, first + limit + 1) for lay in layers)
                <= limit
            )
        cap = min(
            (c for c in (m.max_on_call_share, parts.max_on_call_share) if c is not None),
            default=None,
        )
        if cap is not None:
            model.add(
                sum(x[(m.id, w, lay)] for w in range(weeks) for lay in layers)
                <= int(cap * weeks + 1e-9)
            )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@st.composite
def teams(draw: st.DrawFn) -> tuple[Schedule, int]:
    weeks = draw(st.integers(3, 6))
    size = draw(st.integers(2, 5))
    members = []
    for i in range(size):
        m: dict[str, Any] = {"id": f"m{i}", "name": f"M{i}"}
        if draw(st.integers(0, 2)) == 0:
            first = START + timedelta(days=draw(st.integers(0, 7 * weeks)))
            m["time_off"] = [
                {"start": first, "end": first + timedelta(days=draw(st.integers(0, 9)))}
            ]
        if draw(st.booleans()):
            # Large history on some members: the false "no plan exists" of issue 9.
            m["history"] = {
                "primary_weeks": draw(st.integers(0, 12)),
                "secondary_weeks": draw(st.integers(0, 12)),
            }
        if draw(st.integers(0, 5)) == 0:
            m["capacity"] = 0.5
        if draw(st.integers(0, 5)) == 0:
            m["max_on_call_share"] = draw(st.sampled_from(["25%", "50%", "75%"]))
        members.append(m)
    policy = [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}]
    if draw(st.booleans()):
        policy.append({"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"})
    schedule = _schedule(
        "team",
        members,
        zone=draw(st.sampled_from(["UTC", "Europe/Berlin", "Australia/Sydney"])),
        limit=draw(st.integers(1, 3)),
        size=draw(st.integers(1, 2)),
        policy=policy,
    )
    return schedule, weeks


@settings(max_examples=30)
@given(teams())
def test_plan_exists_whenever_the_independent_model_finds_one(case: tuple[Schedule, int]) -> None:
    schedule, weeks = case
    exists = independent_plan_exists(schedule, weeks)
    event("plannable" if exists else "infeasible")
    try:
        result = plan(schedule, START, weeks, options=OPTIONS)
    except InfeasibleError:
        assert not exists, "plan() said infeasible, but an independent model found a plan"
        return
    errors = [f for f in check(schedule, result) if f.severity is Severity.ERROR]
    assert errors == []
    assert exists, "plan() found a plan the independent model of the hard rules rejects"


def test_the_minimal_history_case_is_plannable_by_both() -> None:
    members = [
        {"id": "a", "name": "A", "history": {"primary_weeks": 8, "secondary_weeks": 10}},
        {"id": "b", "name": "B", "history": {"primary_weeks": 10, "secondary_weeks": 9}},
        {"id": "c", "name": "C"},
    ]
    policy = [
        {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
        {"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"},
    ]
    schedule = _schedule("hist", members, limit=3, size=2, policy=policy)
    assert independent_plan_exists(schedule, 4)
    assert plan(schedule, START, 4, options=OPTIONS).solve is not None


# ---------------------------------------------------------------------------------------------
# Every plan returned passes check


POOL = ["sam", "lena", "a1", "a2", "a3", "b1", "b2", "b3"]


@st.composite
def orgs(draw: st.DrawFn) -> list[Schedule]:
    count = draw(st.integers(1, 2))
    shared = draw(st.sampled_from([[], ["sam"], ["sam", "lena"]]))
    out = []
    for k in range(count):
        own = [p for p in POOL if p.startswith("ab"[k])]
        ids = sorted(set(shared + own[: draw(st.integers(2, 3))]))
        members = []
        for p in ids:
            m: dict[str, Any] = {"id": p, "name": p.title(), "email": f"{p}@example.com"}
            if draw(st.integers(0, 3)) == 0:
                first = START + timedelta(days=draw(st.integers(0, 27)))
                m["time_off"] = [{"start": first, "end": first + timedelta(days=3)}]
            if draw(st.booleans()):
                m["history"] = {
                    "primary_weeks": draw(st.integers(0, 8)),
                    "secondary_weeks": draw(st.integers(0, 8)),
                }
            members.append(m)
        # The manager is sometimes a member too (E210), the secondary sometimes misspelt (E202).
        manager = draw(
            st.sampled_from(["boss@example.com", "sam@example.com", f"{ids[-1]}@example.com"])
        )
        policy: list[dict[str, Any]] = [
            {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}
        ]
        if draw(st.booleans()):
            target = draw(
                st.sampled_from(["on-call-secondary", "on-call-secondary", "on-call-secnodary"])
            )
            policy.append({"level": 2, "target": target, "timeout": "10_minutes"})
        policy.append({"level": len(policy) + 1, "target": "manager", "timeout": 0})
        out.append(
            _schedule(
                f"team-{k}",
                members,
                zone=draw(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"])),
                day=draw(st.sampled_from(["monday", "thursday"])),
                limit=draw(st.integers(1, 2)),
                policy=policy,
                contacts={"manager": {"name": "Manager", "email": manager}},
                holidays=[START + timedelta(days=draw(st.integers(0, 27)))],
            )
        )
    return out


@settings(max_examples=25)
@given(orgs())
def test_every_plan_returned_passes_check(schedules: list[Schedule]) -> None:
    try:
        result = plan_org(schedules, START, 4, options=OPTIONS)
    except RejectedScheduleError as e:
        event("refused")
        assert e.findings and all(f.severity is Severity.ERROR for f in e.findings)
        # What is refused, check rejects too.
        codes = {f.code for f in check(schedules) if f.severity is Severity.ERROR}
        assert {f.code for f in e.findings} <= codes
        return
    except InfeasibleError as e:
        event("infeasible")
        assert e.conflicts
        return
    event("planned")
    errors = [f for f in check(schedules, result) if f.severity is Severity.ERROR]
    assert errors == [], "\n".join(f.format() for f in errors)
    _summary_matches_the_shifts(schedules, result)


def _summary_matches_the_shifts(schedules: list[Schedule], result: Plan) -> None:
    """The planner's per-person summary, recomputed from the shifts by hand."""
    by_name = {s.name: s for s in schedules}
    totals: dict[str, list[int]] = {}
    for sp in result.schedules:
        for s in sp.shifts:
            if s.layer in PAGED_LAYERS:
                totals.setdefault(s.person, [0, 0])[s.layer is Layer.SECONDARY] += 1
    for sp in result.schedules:
        zone = ZoneInfo(sp.timezone)
        holidays = [
            (_local_day(h.date, zone), _local_day(h.date + timedelta(days=1), zone))
            for h in by_name[sp.name].holidays
        ]
        for row in sp.fairness:
            primary, secondary = totals.get(row.person, [0, 0])
            assert (row.org_primary_weeks, row.org_secondary_weeks) == (primary, secondary)
            assert row.org_load == 2 * primary + secondary
            burden = 0.0
            for s in sp.shifts_of(row.person):
                if s.layer in PAGED_LAYERS:
                    for a, b in holidays:
                        inside = min(s.end.astimezone(UTC), b) - max(s.start.astimezone(UTC), a)
                        burden += max(inside, timedelta(0)) / (b - a)
            assert abs(row.holiday_burden - burden) < 1e-3


# ---------------------------------------------------------------------------------------------
# One definition per number


@st.composite
def random_plans(draw: st.DrawFn) -> tuple[list[Schedule], Plan]:
    """Two schedules sharing sam, filled at random (rules need not hold)."""
    weeks = draw(st.integers(2, 8))
    schedules = []
    entries = []
    for k, ids in enumerate((["sam", "a1", "a2", "a3"], ["sam", "b1", "b2"])):
        members = [
            {"id": p, "name": p, **({"capacity": 0.5} if draw(st.integers(0, 3)) == 0 else {})}
            for p in ids
        ]
        schedule = _schedule(f"s{k}", members, day=["monday", "thursday"][k])
        problem = expand(schedule, START, weeks)
        shifts = tuple(
            Shift(
                week=w.index,
                layer=Layer.PRIMARY,
                person=draw(st.sampled_from(ids)),
                start=w.start,
                end=w.end,
            )
            for w in problem.weeks
        )
        schedules.append(schedule)
        entries.append(
            SchedulePlan(
                name=schedule.name, timezone="UTC", start=START, weeks=weeks, shifts=shifts
            )
        )
    return schedules, Plan(schedules=tuple(entries))


@settings(max_examples=40)
@given(random_plans())
def test_table_check_and_fairness_agree_on_the_balance_score(
    case: tuple[list[Schedule], Plan],
) -> None:
    schedules, result = case
    table = format_table(result, schedules)
    printed = re.findall(r"balance score ([\d.]+) % \(", table)
    report = check(schedules, result, select=["P105"])
    for k, sp in enumerate(result.schedules):
        schedule = schedules[k]
        eligible = [m.id for m in schedule.participants.members]
        loads = balance_loads(result.schedules, eligible, org_capacity(schedules))
        score = balance_score(list(loads.values()))
        assert schedule_balance(schedules, result, sp.name) == score
        assert printed[k] == f"{score * 100:.1f}"
        p105 = [f for f in report if f.file is None and schedule.name in _p105_owner(f, schedules)]
        if score < 0.95:
            assert any(f"balance score {score * 100:.1f} %" in f.message for f in p105)


def _p105_owner(finding: Any, schedules: list[Schedule]) -> str:
    """Schedules built in Python have no file: match the finding by the members it lists."""
    names = set(re.findall(r"(\w+) [\d.]+(?:,|\))", finding.message))
    for s in schedules:
        if names == {m.id for m in s.participants.members}:
            return s.name
    return ""


# ---------------------------------------------------------------------------------------------
# Fair shares


@given(
    st.dictionaries(
        st.sampled_from(list("abcdef")),
        st.tuples(st.floats(0.01, 1.0), st.floats(-30, 30)),
        min_size=1,
    ),
    st.floats(0.5, 60),
)
def test_water_fill_hands_out_exactly_the_load(people: dict[str, Any], total: float) -> None:
    mass = sum(w for w, _ in people.values())
    share = {p: w / mass for p, (w, _) in people.items()}
    correction = {p: c for p, (_, c) in people.items()}
    targets = water_fill(total, share, correction)
    assert abs(sum(targets.values()) - total) < 1e-6 * max(1.0, total)
    assert all(t >= 0 for t in targets.values())


@given(st.integers(1, 4), st.integers(2, 6), st.lists(st.integers(0, 20), min_size=8, max_size=8))
def test_a_shared_person_gets_one_share_and_rotations_hand_out_their_load(
    rotations: int, size: int, history: list[int]
) -> None:
    names = [f"r{k}" for k in range(rotations)]
    weight = {(r, "sam"): 13.0 for r in names}
    for r in names:
        for i in range(size):
            weight[(r, f"{r}-{i}")] = 13.0
    people = sorted({p for _, p in weight})
    capacity = dict.fromkeys(people, 1.0)
    past = {p: float(history[i % len(history)]) for i, p in enumerate(people)}
    totals = dict.fromkeys(names, 39.0)
    targets = org_fair_shares(totals, weight, capacity, past, 1.0)
    for r in names:
        assert abs(sum(t for (q, _), t in targets.items() if q == r) - 39.0) < 1e-6
    # Without history, sam's shares add up to one person's share of the org.
    plain = org_fair_shares(totals, weight, capacity, {}, 1.0)
    sam = sum(t for (_, p), t in plain.items() if p == "sam")
    assert abs(sam - 39.0 * rotations / len(people)) < 1e-3


# ---------------------------------------------------------------------------------------------
# The independent model for orgs: with max_consecutive_weeks 1 everywhere, H007 and H009 say
# that two shifts of one person never overlap and never start less than 6 days after the other
# ends: a pairwise at-most-one, written here without the planner's stint code.


def independent_org_plan_exists(schedules: list[Schedule], weeks: int) -> bool:
    model = cp_model.CpModel()
    slots: dict[str, list[tuple[datetime, datetime, list[cp_model.IntVar]]]] = {}
    for schedule in schedules:
        zone = ZoneInfo(schedule.timezone)
        layers = [0, 1] if schedule.uses_secondary else [0]
        parts = schedule.participants
        ids = [m.id for m in parts.members]
        away: dict[str, set[int]] = {}
        bounds = expand(schedule, START, weeks).weeks
        x = {
            (p, w, lay): model.new_bool_var(f"{schedule.name}{p}{w}{lay}")
            for p in ids
            for w in range(weeks)
            for lay in layers
        }
        for m in parts.members:
            away[m.id] = set()
            for t in m.time_off:
                a, b = _local_day(t.start, zone), _local_day(t.last_day + timedelta(days=1), zone)
                away[m.id] |= {
                    w
                    for w, wk in enumerate(bounds)
                    if wk.start.astimezone(UTC) < b and a < wk.end.astimezone(UTC)
                }
            for w in away[m.id]:
                for lay in layers:
                    model.add(x[(m.id, w, lay)] == 0)
        if sum(1 for p in ids if len(away[p]) < weeks) < parts.min_rotation_size:
            return False
        for w, week in enumerate(bounds):
            for lay in layers:
                model.add_exactly_one(x[(p, w, lay)] for p in ids)
            for p in ids:
                slots.setdefault(p, []).append(
                    (
                        week.start.astimezone(UTC),
                        week.end.astimezone(UTC),
                        [x[(p, w, lay)] for lay in layers],
                    )
                )
    for items in slots.values():
        for i, (a0, a1, va) in enumerate(items):
            model.add_at_most_one(va)
            for b0, b1, vb in items[i + 1 :]:
                gap = max(b0 - a1, a0 - b1)  # negative when they overlap
                if gap < timedelta(days=6):
                    model.add(sum(va) + sum(vb) <= 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@st.composite
def shared_orgs(draw: st.DrawFn) -> tuple[list[Schedule], int]:
    weeks = draw(st.integers(2, 5))
    shared = draw(st.sampled_from([["sam"], ["sam", "lena"]]))
    out = []
    for k, prefix in enumerate("ab"):
        ids = shared + [f"{prefix}{i}" for i in range(draw(st.integers(2, 4)))]
        members = []
        for p in ids:
            m: dict[str, Any] = {"id": p, "name": p}
            if draw(st.integers(0, 2)) == 0:
                first = START + timedelta(days=draw(st.integers(0, 7 * weeks)))
                m["time_off"] = [
                    {"start": first, "end": first + timedelta(days=draw(st.integers(0, 6)))}
                ]
            if draw(st.booleans()):
                m["history"] = {
                    "primary_weeks": draw(st.integers(0, 10)),
                    "secondary_weeks": draw(st.integers(0, 10)),
                }
            members.append(m)
        policy = [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}]
        if draw(st.booleans()):
            policy.append({"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"})
        out.append(
            _schedule(
                f"team-{k}",
                members,
                zone=draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"])),
                day=draw(st.sampled_from(["monday", "wednesday", "thursday"])),
                limit=1,
                policy=policy,
            )
        )
    return out, weeks


@settings(max_examples=25)
@given(shared_orgs())
def test_org_plan_exists_whenever_the_independent_model_finds_one(
    case: tuple[list[Schedule], int],
) -> None:
    schedules, weeks = case
    exists = independent_org_plan_exists(schedules, weeks)
    event("plannable" if exists else "infeasible")
    try:
        result = plan_org(schedules, START, weeks, options=OPTIONS)
    except InfeasibleError:
        assert not exists, "plan_org() said infeasible, but an independent model found a plan"
        return
    assert [f for f in check(schedules, result) if f.severity is Severity.ERROR] == []
    assert exists, "plan_org() found a plan the independent model of the hard rules rejects"
