"""Benchmark: a full quarterly review (all tables and findings, no plots) of 1,000,000 pages.

Run: .venv/bin/python benchmarks/bench_review.py [--pages N] [--repeat K] [--csv]

The pages come from the seeded synthetic generator over a 14-week plan of
schedules/backend-primary.yaml (primary and secondary layers). The target is ≤ 5 s for
1,000,000 pages on a 2-core machine; with --csv it also times writing and loading the generic
CSV export of the same pages.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from oncall_planner import (  # noqa: E402
    Layer,
    PageLog,
    Period,
    Plan,
    SchedulePlan,
    Shift,
    load_pages,
    load_schedule,
    review,
    synthetic_pages,
)
from oncall_planner.expand import expand  # noqa: E402


def quarter_plan() -> tuple[object, Plan]:
    schedule = load_schedule(ROOT / "schedules" / "backend-primary.yaml")
    problem = expand(schedule, date(2026, 12, 28), 15)
    people = ["alice", "bob", "carol", "dan", "erin"]
    shifts = []
    for w in problem.weeks:
        for layer, offset in ((Layer.PRIMARY, 0), (Layer.SECONDARY, 2)):
            person = people[(w.index + offset) % len(people)]
            shifts.append(Shift(week=w.index, layer=layer, person=person, start=w.start, end=w.end))
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=problem.start,
        weeks=len(problem.weeks),
        shifts=tuple(shifts),
    )
    return schedule, Plan(schedules=(sp,)).annotate([schedule])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--csv", action="store_true", help="also time the CSV loader")
    args = parser.parse_args()

    schedule, plan = quarter_plan()
    t0 = time.perf_counter()
    # ~40,000 incidents a week give a little over the target; sample exactly N pages.
    start, end = Period.quarter("2027Q1").bounds(schedule.zone)  # type: ignore[attr-defined]
    log = synthetic_pages(
        plan,
        schedule,  # type: ignore[arg-type]
        seed=2027,
        start=start,
        end=end,
        incidents_per_week=45_000,
    )
    frame = log.frame
    if len(frame) > args.pages:
        # Sample whole incidents (in random order, each with its pages in time order) and cut
        # at N pages: sampling pages could drop an incident's first page and leave pages after
        # its acknowledgement alone, which the loader rightly rejects.
        rank = frame["incident_id"].drop_duplicates().sample(frac=1.0, random_state=0)
        order = pd.Series(range(len(rank)), index=rank.to_numpy())
        frame = (
            frame.assign(_rank=frame["incident_id"].map(order).to_numpy())
            .sort_values(["_rank", "paged_at"], kind="stable")
            .head(args.pages)
            .drop(columns="_rank")
        )
    pages = PageLog.from_frame(frame)
    gen_s = time.perf_counter() - t0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"generated {len(pages):,} pages ({pages.frame['incident_id'].nunique():,} incidents) "
        f"in {gen_s:.2f} s"
    )

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        rv = review(pages, plan, schedule, "2027Q1")  # type: ignore[arg-type]
        times.append(time.perf_counter() - t)
    print(
        f"review (all tables and findings, no plots) of {rv.team['pages']:,} pages: "
        f"best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {args.repeat} runs"
    )
    print(
        f"  {len(rv.per_shift)} shifts, {len(rv.incidents):,} incidents, "
        f"{len(rv.findings)} findings"
    )

    if args.csv:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pages.csv"
            out = pages.frame.copy()
            for c in ("paged_at", "acknowledged_at", "resolved_at"):
                out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            out.to_csv(path, index=False)
            t = time.perf_counter()
            loaded = load_pages(path)
            print(f"load_pages(CSV) of {len(loaded):,} rows: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
