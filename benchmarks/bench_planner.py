"""Planner speed and quality: CP-SAT against a greedy round-robin baseline.

Run: ``.venv/bin/python benchmarks/bench_planner.py`` (add ``--quick`` for the small cases only).
Every case is generated from a fixed seed, so the figures are comparable between runs; the
timings are wall-clock on whatever machine runs it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oncall_planner.expand import expand
from oncall_planner.fairness import balance_score
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift, optimality_gap
from oncall_planner.solver import PlanOptions, plan, plan_org
from oncall_planner.spec import Schedule
from oncall_planner.validate.hard import check_hard

START = date(2027, 1, 4)
POLICY = [
    {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
    {"level": 2, "target": "on-call-secondary", "timeout": "10_minutes"},
]


def member(
    rng: random.Random, pid: str, weeks: int, *, new: bool, time_off: bool
) -> dict[str, Any]:
    """A member with some history, time off in 1–2 week blocks (≈ 8 % of weeks), preferences."""
    m: dict[str, Any] = {
        "id": pid,
        "name": pid.title(),
        "history": {
            "primary_weeks": 0 if new else rng.randint(0, 3),
            "secondary_weeks": 0 if new else rng.randint(0, 3),
        },
    }
    if new:
        m["new_engineer"] = True
    if time_off:
        offs = []
        for _ in range(max(1, round(weeks * 0.08 / 1.5))):
            first = START + timedelta(weeks=rng.randrange(weeks), days=rng.randrange(5))
            offs.append({"start": first, "end": first + timedelta(days=rng.choice([4, 11]))})
        m["time_off"] = offs
        m["avoid_weeks"] = [START + timedelta(weeks=rng.randrange(weeks))]
    return m


def schedule(
    name: str,
    ids: list[str],
    weeks: int,
    seed: int,
    *,
    new: int = 0,
    time_off: bool = True,
    zone: str = "UTC",
    day: str = "monday",
    at: str = "10:00",
) -> Schedule:
    """A weekly primary + secondary schedule over the given member ids."""
    rng = random.Random(seed)
    members = [member(rng, pid, weeks, new=i < new, time_off=time_off) for i, pid in enumerate(ids)]
    holidays = [START + timedelta(weeks=rng.randrange(weeks), days=2) for _ in range(weeks // 6)]
    return Schedule.model_validate(
        {
            "name": name,
            "timezone": zone,
            "handoff_time": at,
            "handoff_day": day,
            "participants": {
                "min_rotation_size": 2,
                "max_consecutive_weeks": 2,
                "shadow_period": "2_weeks",
                "members": members,
            },
            "escalation_policy": POLICY,
            "holidays": [{"date": d} for d in holidays],
        }
    )


def round_robin(sched: Schedule, weeks: int) -> Plan:
    """PagerDuty/Opsgenie-style rotation: a fixed order, skipping whoever is on time off.

    The secondary is the next available person after the primary. New engineers are left out of
    the order (they would need a trainer). Nothing else is checked.
    """
    problem = expand(sched, START, weeks)
    order = [m.id for m in problem.members if not m.new_engineer]
    shifts = []
    cursor = 0
    for w in problem.weeks:
        picked: list[str] = []
        k = cursor
        while len(picked) < 2 and k < cursor + 2 * len(order):
            p = order[k % len(order)]
            if w.index not in problem.unavailable.get(p, frozenset()) and p not in picked:
                picked.append(p)
            k += 1
        if not picked:
            picked = [order[cursor % len(order)]]
        cursor = order.index(picked[0]) + 1
        for layer, p in zip((Layer.PRIMARY, Layer.SECONDARY), picked, strict=False):
            shifts.append(Shift(week=w.index, layer=layer, person=p, start=w.start, end=w.end))
    sp = SchedulePlan(
        name=sched.name, timezone=sched.timezone, start=START, weeks=weeks, shifts=tuple(shifts)
    )
    return Plan(schedules=(sp,))


def loads(p: Plan, sched: Schedule, *, history: bool = False) -> dict[str, int]:
    """Load units (primary 2, secondary 1) per trained member, optionally with history."""
    out = {
        m.id: (2 * m.history.primary_weeks + m.history.secondary_weeks) if history else 0
        for m in sched.participants.members
        if not m.new_engineer
    }
    for s in p.schedule(sched.name).shifts:
        if s.person in out:
            out[s.person] += {Layer.PRIMARY: 2, Layer.SECONDARY: 1}.get(s.layer, 0)
    return out


def quality(p: Plan, sched: Schedule) -> dict[str, Any]:
    """Violations, load spread, balance score and avoid-week hits."""
    violations = check_hard([sched], p)
    ld = loads(p, sched)
    total = loads(p, sched, history=True)
    avoid = 0
    problem = expand(sched, START, p.schedule(sched.name).weeks)
    for m in sched.participants.members:
        bad = problem.weeks_holding(m.avoid_weeks)
        avoid += sum(
            1
            for s in p.schedule(sched.name).shifts
            if s.person == m.id and s.week in bad and s.layer is not Layer.SHADOW
        )
    return {
        "violations": len(violations),
        "by_code": dict(sorted(Counter(f.code for f in violations).items())),
        "spread": max(ld.values()) - min(ld.values()),
        "spread_h": max(total.values()) - min(total.values()),
        "balance": round(balance_score(list(ld.values())), 3),
        "avoid_hits": avoid,
    }


def run_single(n: int, weeks: int, seeds: list[int], opts: PlanOptions, *, new: int) -> None:
    rows = []
    for seed in seeds:
        sched = schedule(f"team-{n}", [f"e{i:03d}" for i in range(n)], weeks, seed, new=new)
        began = time.perf_counter()
        result = plan(sched, START, weeks, options=opts)
        wall = time.perf_counter() - began
        info = result.solve
        assert info is not None
        found = optimality_gap(info.objective, info.bound)
        gap = float("nan") if found is None else found
        ours = quality(result, sched)
        base = quality(round_robin(sched, weeks), sched)
        rows.append((seed, info.status, wall, gap, ours, base))
        print(
            f"  seed {seed}: {info.status:8} {wall:6.2f} s  gap {gap:6.2%}  | ours: "
            f"spread {ours['spread']} (with history {ours['spread_h']}), "
            f"balance {ours['balance']}, avoid {ours['avoid_hits']}, "
            f"violations {ours['violations']} | round-robin: spread {base['spread']} "
            f"({base['spread_h']}), "
            f"balance {base['balance']}, avoid {base['avoid_hits']}, violations "
            f"{base['violations']} {base['by_code']}"
        )
    walls = [r[2] for r in rows]
    print(f"  median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")


def run_first_plan(n: int, weeks: int, seeds: list[int], workers: int) -> None:
    """A 1 s limit (a plan, whatever its quality: wall time includes building the model) and a
    9 s limit (the whole call stays under 10 s)."""
    for seed in seeds:
        sched = schedule(f"team-{n}", [f"e{i:03d}" for i in range(n)], weeks, seed, new=2)
        for limit in (1.0, 9.0):
            began = time.perf_counter()
            opts = PlanOptions(time_limit_s=limit, workers=workers)
            result = plan(sched, START, weeks, options=opts)
            wall = time.perf_counter() - began
            info = result.solve
            assert info is not None
            print(
                f"  seed {seed}, limit {limit:4.1f} s: {info.status:8} in {wall:5.2f} s, "
                f"objective {fmt(info.objective)}, bound {fmt(info.bound)}, "
                f"gap {gap_of(info.objective, info.bound)}, violations "
                f"{len(check_hard([sched], result))}"
            )
        ours, base = quality(result, sched), quality(round_robin(sched, weeks), sched)
        print(
            f"    ours: spread {ours['spread']} (with history {ours['spread_h']}), avoid "
            f"{ours['avoid_hits']} | round-robin: spread {base['spread']} ({base['spread_h']}), "
            f"avoid {base['avoid_hits']}, violations {base['violations']} {base['by_code']}"
        )


def fmt(value: float | None) -> str:
    """A figure, or n/a (a greedy fallback has no bound)."""
    return "n/a" if value is None else f"{value:.0f}"


def gap_of(objective: float | None, bound: float | None) -> str:
    """Relative gap between objective and bound (``optimality_gap``, as in the plan)."""
    gap = optimality_gap(objective, bound)
    return "n/a" if gap is None else f"{gap:.2%}"


def org(n_schedules: int, size: int, shared: int, weeks: int, seed: int) -> list[Schedule]:
    """Schedules of ``size`` members; ``shared`` people belong to two schedules each.

    Handoffs differ (Monday 10:00 UTC, Wednesday 09:00 Berlin, Thursday 11:00 New York) so the
    overlaps between schedules are partial.
    """
    rng = random.Random(seed)
    own = n_schedules * size - shared
    people = [f"p{i:03d}" for i in range(own)]
    rosters = [
        people[i * (own // n_schedules) : (i + 1) * (own // n_schedules)]
        for i in range(n_schedules)
    ]
    leftovers = people[n_schedules * (own // n_schedules) :]
    for i, p in enumerate(leftovers):
        rosters[i % n_schedules].append(p)
    sharers = [f"s{i:03d}" for i in range(shared)]
    for i, p in enumerate(sharers):
        a = i % n_schedules
        b = (a + 1 + rng.randrange(n_schedules - 1)) % n_schedules
        rosters[a].append(p)
        rosters[b].append(p)
    handoffs = [("UTC", "monday", "10:00"), ("Europe/Berlin", "wednesday", "09:00"),
                ("America/New_York", "thursday", "11:00")]  # fmt: skip
    out = []
    for i, roster in enumerate(rosters):
        zone, day, at = handoffs[i % len(handoffs)]
        out.append(
            schedule(
                f"team-{i:02d}", sorted(roster), weeks, seed * 100 + i, zone=zone, day=day, at=at
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small cases only")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    opts = PlanOptions(time_limit_s=10, workers=args.workers)
    org_opts = PlanOptions(time_limit_s=9, workers=args.workers)
    print(f"workers={args.workers}, presolve off, 3 seeds per case unless noted")
    print("\n13 weeks × 12 members (time off, no new engineers): target proven optimal ≤ 0.2 s")
    run_single(12, 13, [1, 2, 3], opts, new=0)
    print("\n52 weeks × 30 members, time off, two new engineers: target proven optimal ≤ 2 s")
    run_single(30, 52, [1, 2, 3], opts, new=2)
    if args.quick:
        return
    print("\n52 weeks × 200 members: targets a plan ≤ 2 s; optimal or ≤ 1 % gap ≤ 10 s")
    run_first_plan(200, 52, [1, 2, 3], args.workers)
    print("\nOrg: 20 schedules × 10 members, 30 people shared, 26 weeks: target ≤ 10 s (9 s limit)")
    for seed in (1, 2):
        schedules = org(20, 10, 30, 26, seed)
        began = time.perf_counter()
        result = plan_org(schedules, START, 26, options=org_opts)
        wall = time.perf_counter() - began
        info = result.solve
        assert info is not None
        gap = gap_of(info.objective, info.bound)
        bad = check_hard(schedules, result)
        ours = [quality(result, s) for s in schedules]
        spreads = [q["spread"] for q in ours]
        with_history = max(q["spread_h"] for q in ours)
        base = [quality(round_robin(s, 26), s) for s in schedules]
        base_bad = sum(b["violations"] for b in base)
        # The round-robin ignores the other schedules: count its cross-schedule clashes too.
        merged = Plan(schedules=tuple(round_robin(s, 26).schedules[0] for s in schedules))
        clashes = sum(1 for f in check_hard(schedules, merged) if f.code == "H007")
        print(
            f"  seed {seed}: {info.status} in {wall:.2f} s, gap {gap}, violations {len(bad)}, "
            f"max load spread {max(spreads)} (with history {with_history}) | round-robin: "
            f"violations {base_bad} + {clashes} cross-schedule, max spread "
            f"{max(b['spread'] for b in base)} ({max(b['spread_h'] for b in base)})"
        )


if __name__ == "__main__":
    main()
