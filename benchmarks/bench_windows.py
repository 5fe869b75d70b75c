"""Benchmark: follow the sun, three 8-hour windows × 52 weeks × 30 members (target: optimal
in ≤ 5 s).

Run: ``.venv/bin/python benchmarks/bench_windows.py`` (``--workers N``, ``--limit S``). One
schedule in UTC with three daily windows that tile the day, 00:00–08:00 (apac), 08:00–16:00
(emea) and 16:00–24:00 (amer), each selecting one site's 10 members by ``{site: …}``; members
in their site's zone with ``max_night_hours: 0`` (the windows keep everyone out of their own
night, so the cap must not cost a plan), ``min_rest: 11h``, a primary and a secondary layer,
a couple of weeks of time off per site. Plans 52 weeks from 2027-01-04 with the planner's
defaults, checks the plan with the solver-free checkers (0 findings required), and prints the
status, whether it is proven optimal, the objective, the bound and the wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncall_planner import PlanOptions, plan  # noqa: E402
from oncall_planner.spec import Schedule  # noqa: E402
from oncall_planner.validate.hard import check_hard  # noqa: E402

START = date(2027, 1, 4)
WEEKS = 52
SITES = (
    ("apac", "Asia/Singapore", "00:00", "08:00"),
    ("emea", "Europe/Berlin", "08:00", "16:00"),
    ("amer", "America/New_York", "16:00", "24:00"),
)


def follow_the_sun(per_site: int = 10) -> Schedule:
    """The benchmark schedule: 3 sites × ``per_site`` members, one 8-hour window each."""
    members: list[dict[str, Any]] = []
    for s, (site, zone, _a, _b) in enumerate(SITES):
        for k in range(per_site):
            member: dict[str, Any] = {
                "id": f"{site}-{k:02d}",
                "name": f"{site.upper()} {k}",
                "site": site,
                "timezone": zone,
                "max_night_hours": 0,
            }
            if k == 3:
                month = 3 + s
                member["time_off"] = [
                    {"start": f"2027-{month:02d}-01", "end": f"2027-{month:02d}-14"}
                ]
            members.append(member)
    return Schedule.model_validate(
        {
            "name": "follow-the-sun",
            "timezone": "UTC",
            "handoff_time": "00:00",
            "handoff_day": "monday",
            "windows": [
                {
                    "name": site,
                    "days": "daily",
                    "start": a,
                    "end": b,
                    "members": {"site": site},
                }
                for site, _zone, a, b in SITES
            ],
            "participants": {
                "min_rotation_size": 4,
                "max_consecutive_weeks": 1,
                "min_rest": "11h",
                "members": members,
            },
            "escalation_policy": [
                {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
                {"level": 2, "target": "on-call-secondary", "timeout": "10_minutes"},
            ],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()
    schedule = follow_the_sun()
    options = PlanOptions(time_limit_s=args.limit, workers=args.workers, seed=0)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    began = time.perf_counter()
    result = plan(schedule, START, WEEKS, options=options)
    wall = time.perf_counter() - began
    assert result.solve is not None
    findings = check_hard([schedule], result)
    cells = {(s.window, s.week, s.layer) for s in result.schedules[0].shifts}
    print(
        f"3 windows × {WEEKS} weeks × {len(schedule.participants.members)} members "
        f"(primary + secondary, {len(cells)} window-week cells): "
        f"status {result.solve.status}, objective {result.solve.objective}, "
        f"bound {result.solve.bound}, wall {wall:.2f} s (solve.wall_s {result.solve.wall_s}), "
        f"workers {args.workers}, hard-rule findings {len(findings)}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if not findings else 1


if __name__ == "__main__":
    sys.exit(main())
