"""Orgs at scale: the split into independent components against one model for the whole org.

Run: ``.venv/bin/python benchmarks/bench_org_scale.py [--case 25x52|100x52|1000x52|200x52]``.

An org of R rotations × W weeks: 8–15 members per rotation, about 10 % of the people in two
rotations. Real orgs share people between related teams, so the rotations come in departments
of 5 and shared people link rotations of one department (a random link anywhere would tie the
whole org into one component). Everything is generated from a fixed seed. Each row gives the
wall time of the whole call, the status, objective, bound and gap (``optimality_gap``), whether
``check_hard`` accepts the plan, and the peak RSS of this process and its children.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from oncall_planner.plans import optimality_gap
from oncall_planner.solver import PlanOptions, plan, plan_org
from oncall_planner.spec import Schedule
from oncall_planner.validate.hard import check_hard

START = date(2027, 1, 4)
POLICY = [
    {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
    {"level": 2, "target": "on-call-secondary", "timeout": "10_minutes"},
]
DEPARTMENT = 5


def org(rotations: int, weeks: int, seed: int = 0) -> list[Schedule]:
    """R schedules; ~10 % of the people also sit in a second rotation of their department."""
    rng = random.Random(seed)
    rosters: list[list[str]] = []
    next_id = 0
    for _ in range(rotations):
        size = rng.randint(8, 15)
        rosters.append([f"u{next_id + k:05d}" for k in range(size)])
        next_id += size
    people = [p for roster in rosters for p in roster]
    shared = rng.sample(range(len(people)), round(0.1 * len(people)))
    home = {p: r for r, roster in enumerate(rosters) for p in roster}
    for k in shared:
        p = people[k]
        r = home[p]
        first = r - r % DEPARTMENT
        others = [o for o in range(first, min(first + DEPARTMENT, rotations)) if o != r]
        if others:
            rosters[rng.choice(others)].append(p)
    schedules = []
    for r, roster in enumerate(rosters):
        members: list[dict[str, Any]] = []
        for p in roster:
            m: dict[str, Any] = {
                "id": p,
                "name": p.title(),
                "history": {
                    "primary_weeks": rng.randint(0, 3),
                    "secondary_weeks": rng.randint(0, 3),
                },
            }
            if rng.random() < 0.3:
                first_day = START + timedelta(weeks=rng.randrange(weeks), days=rng.randrange(5))
                m["time_off"] = [{"start": first_day, "end": first_day + timedelta(days=6)}]
            members.append(m)
        holidays = [START + timedelta(weeks=rng.randrange(weeks), days=2) for _ in range(3)]
        schedules.append(
            Schedule.model_validate(
                {
                    "name": f"rot-{r:04d}",
                    "timezone": "UTC",
                    "handoff_time": "10:00",
                    "handoff_day": "monday",
                    "participants": {
                        "min_rotation_size": 4,
                        "max_consecutive_weeks": 2,
                        "members": members,
                    },
                    "escalation_policy": POLICY,
                    "holidays": [{"date": d} for d in holidays],
                }
            )
        )
    return schedules


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def figure(value: float | None) -> str:
    """A right-aligned objective or bound; n/a when unknown (a greedy plan has neither)."""
    return f"{'n/a':>12}" if value is None else f"{value:12.0f}"


def row(label: str, schedules: list[Schedule], weeks: int, options: PlanOptions) -> None:
    began = time.perf_counter()
    try:
        result = plan_org(schedules, START, weeks, options=options)
    except Exception as e:  # a benchmark row, not a crash: say what happened
        wall = time.perf_counter() - began
        print(f"  {label:34} {wall:7.1f} s  {type(e).__name__}: {str(e)[:80]}", flush=True)
        return
    wall = time.perf_counter() - began
    info = result.solve
    assert info is not None
    valid = not check_hard(schedules, result)
    gap = optimality_gap(info.objective, info.bound)
    parts = len(info.components) if info.components else 1
    print(
        f"  {label:34} {wall:7.1f} s  {info.status:8} objective {figure(info.objective)} "
        f"bound {figure(info.bound)} "
        f"gap {'n/a' if gap is None else f'{gap:7.2%}'}  valid {valid}  "
        f"components {parts}  peak RSS {peak_rss_mb():.0f} MB",
        flush=True,
    )


def case_org(rotations: int, limits: list[float], *, single: bool, workers: int) -> None:
    weeks = 52
    schedules = org(rotations, weeks)
    people = len({m.id for s in schedules for m in s.participants.members})
    print(f"{rotations} rotations × {weeks} weeks, {people} people", flush=True)
    for limit in limits:
        split = PlanOptions(time_limit_s=limit, workers=workers)
        row(f"split, {workers} processes, limit {limit:g} s", schedules, weeks, split)
        if single:
            joint = split.model_copy(update={"split": False})
            row(f"one model, {workers} workers, limit {limit:g} s", schedules, weeks, joint)


def case_single(members: int, weeks: int, limit: float) -> None:
    """One rotation of 200 members × 52 weeks (bench_planner.py's instances, seeds 1-3: time off,
    history, avoided weeks, holidays, 2 new engineers): proven optimal within the limit?"""
    from bench_planner import schedule

    print(f"1 rotation, {members} members × {weeks} weeks (bench_planner seeds 1-3)", flush=True)
    for seed in (1, 2, 3):
        sched = schedule(
            f"team-{members}", [f"e{i:03d}" for i in range(members)], weeks, seed, new=2
        )
        began = time.perf_counter()
        result = plan(sched, START, weeks, options=PlanOptions(time_limit_s=limit))
        wall = time.perf_counter() - began
        info = result.solve
        assert info is not None
        gap = optimality_gap(info.objective, info.bound)
        print(
            f"  seed {seed}, 1 worker, limit {limit:g} s: {wall:5.2f} s {info.status} "
            f"gap {'n/a' if gap is None else f'{gap:.2%}'} valid {not check_hard([sched], result)}",
            flush=True,
        )


def case_component(name: str, limit: float) -> None:
    """One component of the 25-rotation org (the one whose first schedule is ``name``), alone,
    one worker, each stage's outcome logged (the solver's debug log) to stderr."""
    import logging

    from oncall_planner.solver.instance import split_components

    logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)7.0f ms %(message)s")
    group = next(g for g in split_components(org(25, 52)) if g[0].name == name)
    row(
        f"component {name} ({len(group)} rotations), 1 worker, limit {limit:g} s",
        group,
        52,
        PlanOptions(time_limit_s=limit, workers=1),
    )


def case_six(limit: float) -> None:
    """The six-rotation org of issue 9 (tests/test_people_across_org.py) with a secondary layer
    over 13 weeks."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_people_across_org import six_rotations

    print("6 rotations (two shared seniors, holidays in two countries) × 13 weeks", flush=True)
    row(
        f"one component, limit {limit:g} s",
        six_rotations(secondary=True),
        13,
        PlanOptions(time_limit_s=limit, seed=0),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--case",
        choices=("25x52", "100x52", "1000x52", "200x52", "six", "component", "all"),
        default="all",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, help="one time limit instead of the case's own")
    parser.add_argument("--component", default="rot-0020", help="first schedule of a component")
    parser.add_argument("--split-only", action="store_true", help="skip the one-model rows")
    args = parser.parse_args()
    if args.case == "six":
        case_six(args.limit or 10.0)
    if args.case == "component":
        case_component(args.component, args.limit or 20.0)
    if args.case in ("25x52", "all"):
        limits = [args.limit] if args.limit else [5.0, 30.0]
        case_org(25, limits, single=not args.split_only, workers=args.workers)
    if args.case in ("100x52", "all"):
        case_org(100, [60.0], single=True, workers=args.workers)
    if args.case in ("200x52", "all"):
        case_single(200, 52, 5.0)
    if args.case in ("1000x52", "all"):
        case_org(1000, [300.0], single=False, workers=args.workers)


if __name__ == "__main__":
    main()
