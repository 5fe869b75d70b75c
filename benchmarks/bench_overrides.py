"""Benchmark: overrides on a 52-week, 200-member rotation (issue 11).

Run: ``.venv/bin/python benchmarks/bench_overrides.py``. Builds one Berlin schedule with 200
members and a valid 52-week primary + secondary plan (members in turn), adds 100 overrides (two
a week: an evening cover by someone off call that week, and a cover of that cover), and times
``check`` with and without the overrides, the interval rules alone, ``effective_shifts``,
``on_call`` at 1,000 instants and ``who`` (``roster.holding``) at 100.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncall_planner.expand import expand  # noqa: E402
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift  # noqa: E402
from oncall_planner.roster import holding  # noqa: E402
from oncall_planner.spec import Schedule  # noqa: E402
from oncall_planner.validate import check  # noqa: E402
from oncall_planner.validate.intervals import check_intervals  # noqa: E402

MEMBERS, WEEKS, START = 200, 52, date(2027, 1, 4)


def build() -> tuple[Schedule, Plan, Plan]:
    schedule = Schedule.model_validate(
        {
            "name": "big",
            "timezone": "Europe/Berlin",
            "handoff_time": "10:00",
            "handoff_day": "monday",
            "participants": {
                "min_rotation_size": 4,
                "max_consecutive_weeks": 1,
                "members": [{"id": f"m{k:03d}", "name": f"Member {k}"} for k in range(MEMBERS)],
            },
            "escalation_policy": [
                {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
                {"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"},
            ],
        }
    )
    weeks = expand(schedule, START, WEEKS).weeks
    shifts = [
        Shift(week=w.index, layer=layer, person=f"m{(2 * w.index + j) % MEMBERS:03d}",
              start=w.start, end=w.end)
        for w in weeks
        for j, layer in enumerate((Layer.PRIMARY, Layer.SECONDARY))
    ]  # fmt: skip
    sp = SchedulePlan(name="big", timezone=schedule.timezone, start=START, weeks=WEEKS,
                      shifts=tuple(shifts))  # fmt: skip
    plan = Plan(schedules=(sp,)).annotate([schedule])
    covered = plan
    for w in weeks[:50]:
        evening = w.start + timedelta(days=2, hours=8)  # Wednesday 18:00 local
        a = f"m{(2 * w.index + 100) % MEMBERS:03d}"
        b = f"m{(2 * w.index + 101) % MEMBERS:03d}"
        covered = covered.with_override("big", "primary", a, evening, evening + timedelta(hours=14))
        covered = covered.with_override(
            "big", "primary", b, evening + timedelta(hours=2), evening + timedelta(hours=6)
        )
    return schedule, plan, covered


def timed(fn: Callable[[], object], runs: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, result


def main() -> None:
    t0 = time.perf_counter()
    schedule, plan, covered = build()
    print(f"build (200 members, 104 shifts, 100 overrides via with_override): "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")  # fmt: skip
    sp = covered.schedules[0]
    first = sp.shifts[0].start
    instants = [first + timedelta(minutes=523 * k) for k in range(1000)]
    rows = [
        ("check(schedule, plan), no overrides", lambda: check(schedule, plan)),
        ("check(schedule, plan), 100 overrides", lambda: check(schedule, covered)),
        ("check_intervals alone (H101–H107)", lambda: check_intervals([schedule], covered)),
        ("effective_shifts(), all layers", lambda: covered.effective_shifts()),
        ("on_call at 1,000 instants", lambda: [covered.on_call(t) for t in instants]),
        ("who at 100 instants (2 layers)",
         lambda: [holding(sp, lay, t) for t in instants[:100] for lay in Layer if lay.order < 2]),
    ]  # fmt: skip
    for name, fn in rows:
        ms, result = timed(fn)
        extra = ""
        if name.startswith("check"):
            errors = [f for f in result if f.severity == "error"]  # type: ignore[attr-defined]
            extra = f"  ({len(errors)} errors)"
        print(f"{name:<42} {ms:9.1f} ms{extra}")


if __name__ == "__main__":
    main()
