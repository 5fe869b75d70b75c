"""Benchmark: ``suggest_swaps`` on the 52-week × 200-member benchmark rotation (issue 11).

Run: ``.venv/bin/python benchmarks/bench_swap.py [--seeds 1 2 3] [--asks 5]``. Builds the
rotation of ``bench_planner.py`` (200 members with history, time off, holidays; primary +
secondary; max 2 weeks in a row), plans it with the solver (10 s limit, 1 worker), then for
``--asks`` people on call in spread-out weeks times ``suggest_swaps(top=5)`` (the model, the
enumeration and the validator's re-check of each option) and checks every option again with
the full ``check(schedule, plan.with_swap(option))``, outside the timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_planner import START, schedule  # noqa: E402

from oncall_planner.plans import Plan  # noqa: E402
from oncall_planner.report import Severity  # noqa: E402
from oncall_planner.solver import PlanOptions, plan  # noqa: E402
from oncall_planner.solver.swap import suggest_swaps  # noqa: E402
from oncall_planner.validate import check  # noqa: E402

MEMBERS, WEEKS = 200, 52


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--asks", type=int, default=5, help="swap requests per seed")
    args = parser.parse_args()
    for seed in args.seeds:
        sched = schedule("team-200", [f"e{i:03d}" for i in range(MEMBERS)], WEEKS, seed, new=2)
        began = time.perf_counter()
        cached = Path(f"/tmp/bench_swap_plan_{seed}.json")
        if cached.exists():
            result = Plan.read(cached)
        else:
            result = plan(sched, START, WEEKS, options=PlanOptions(time_limit_s=10, workers=1))
            cached.write_text(result.to_json(), encoding="utf-8")
        print(f"seed {seed}: planned in {time.perf_counter() - began:.1f} s")
        errors = [f for f in check(sched, result).findings if f.severity is Severity.ERROR]
        print(f"  the plan's own errors: {len(errors)}")
        sp = result.schedules[0]
        walls: list[float] = []
        cpus: list[float] = []
        for k in range(args.asks):
            week = 3 + k * (WEEKS - 6) // max(args.asks - 1, 1)
            person = sp.on(week, sp.shifts[0].layer)[0].person
            began, cpu = time.perf_counter(), time.process_time()
            options = suggest_swaps(result, sched, person, week, top=5)
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            walls.append(wall)
            cpus.append(cpu)
            bad = 0
            for o in options:
                found = check(sched, result.with_swap(o)).findings
                bad += any(f.severity is Severity.ERROR for f in found)
            kinds = ", ".join(f"{o.kind}/{o.changes}" for o in options)
            print(
                f"  {person} week {week:2}: {len(options)} options in {wall * 1000:5.0f} ms "
                f"(CPU {cpu * 1000:4.0f} ms) "
                f"({kinds}); options failing check: {bad}"
            )
        print(
            f"  wall: median {statistics.median(walls) * 1000:.0f} ms, max "
            f"{max(walls) * 1000:.0f} ms; CPU: median {statistics.median(cpus) * 1000:.0f} ms, "
            f"max {max(cpus) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
