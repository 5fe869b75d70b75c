"""Benchmark: checking an org of 50 schedules with 52-week plans (target ≤ 1 s).

Run: ``.venv/bin/python benchmarks/bench_check.py``. Builds 50 schedules in four time zones
(8 members each, every 10th member shared with the next schedule, time off, holidays, a
4-level policy whose level 3 escalates to the next schedule), a valid 52-week plan for each,
and times ``check(org, plan, severity)`` with every rule, then each rule family alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncall_planner.expand import expand  # noqa: E402
from oncall_planner.loader import Org, load_schedule, load_severity  # noqa: E402
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift  # noqa: E402
from oncall_planner.spec import Schedule  # noqa: E402
from oncall_planner.validate import check  # noqa: E402
from oncall_planner.validate._common import views  # noqa: E402
from oncall_planner.validate.escalation import check_policy, check_policy_against_plan  # noqa: E402
from oncall_planner.validate.hard import check_hard  # noqa: E402
from oncall_planner.validate.plan import check_plan  # noqa: E402
from oncall_planner.validate.schedule import check_schedule  # noqa: E402

SCHEDULES = 50
WEEKS = 52
START = date(2027, 1, 4)
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC")


def _schedule_text(i: int) -> str:
    zone = ZONES[i % len(ZONES)]
    members = []
    for k in range(8):
        off = ""
        if k == 2:
            off = ", time_off: [{start: 2027-03-01, end: 2027-03-12}]"
        members.append(f"      - {{id: s{i}-m{k}, name: Member {i}.{k}{off}}}")
    nxt = f"team-{(i + 1) % SCHEDULES:02d}"
    text = f"""
schedule:
  name: team-{i:02d}
  timezone: {zone}
  handoff_time: "10:00"
  handoff_day: {("monday", "tuesday", "wednesday")[i % 3]}
  participants:
    min_rotation_size: 6
    max_consecutive_weeks: 1
    members:
{chr(10).join(members)}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5m}}
    - {{level: 2, target: on-call-secondary, timeout: 10m}}
    - {{level: 3, target: {nxt}, timeout: 10m}}
    - {{level: 4, target: [manager, vp], timeout: 0}}
  contacts:
    manager: {{name: Manager {i}, role: engineering-manager}}
    vp: {{name: VP, role: vp-engineering}}
  holidays: [2027-01-01, 2027-05-01, 2027-12-25]
"""
    return text.lstrip()


def _schedule(i: int) -> Schedule:
    return load_schedule(_schedule_text(i))


def _plan(schedule: Schedule) -> SchedulePlan:
    """Round robin: primary k, secondary k + 4, skipping the member on time off."""
    problem = expand(schedule, START, WEEKS)
    ids = [m.id for m in problem.members]
    shifts = []
    for w in problem.weeks:
        free = [p for p in ids if w.index not in problem.unavailable[p]]
        primary = free[(2 * w.index) % len(free)]
        secondary = free[(2 * w.index + 1) % len(free)]
        for layer, person in ((Layer.PRIMARY, primary), (Layer.SECONDARY, secondary)):
            shifts.append(Shift(week=w.index, layer=layer, person=person, start=w.start, end=w.end))
    return SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=START,
        weeks=WEEKS,
        shifts=tuple(shifts),
    )


def _time(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time in milliseconds."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    schedules = [_schedule(i) for i in range(SCHEDULES)]
    org = Org(tuple(schedules))
    plan = Plan(schedules=tuple(_plan(s) for s in schedules))
    severity = load_severity(ROOT / "schedules" / "severity.yaml")
    shifts = sum(len(sp.shifts) for sp in plan.schedules)
    report = check(org, plan, severity)
    names = [s.name for s in schedules]
    both = (schedules, plan)

    def escalation_alone() -> None:
        for s in schedules:
            check_policy(s, schedule_names=names, severity=severity, with_plan=True)

    def against_plan() -> None:
        planned = views(schedules, plan)
        by_name = {v.schedule.name: v for v in planned}
        for v in planned:
            check_policy_against_plan(v, by_name, schedule_names=names)

    rows = [
        ("`check(org, plan, severity)`, every rule", _time(lambda: check(org, plan, severity))),
        ("`check(org)`, no plan (H005, S*, E201–E208, E212)", _time(lambda: check(org))),
        (
            "schedule rules (`check_schedule` × 50)",
            _time(lambda: [check_schedule(s) for s in schedules]),
        ),
        ("escalation alone (E201–E208 × 50)", _time(escalation_alone)),
        ("expanding 50 × 52 weeks and indexing the plan", _time(lambda: views(schedules, plan))),
        (
            "plan quality (P101–P107, incl. expanding)",
            _time(lambda: check_plan(views(*both))),
        ),
        ("escalation against the plan (E209–E211, incl. expanding)", _time(against_plan)),
        ("hard rules (`check_hard`, H001–H008)", _time(lambda: check_hard(schedules, plan))),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "org"
        folder.mkdir()
        for i in range(SCHEDULES):
            (folder / f"team-{i:02d}.yaml").write_text(_schedule_text(i), encoding="utf-8")
        (folder / "severity.yaml").write_text(
            (ROOT / "schedules" / "severity.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(plan.to_json(), encoding="utf-8")
        argv = [sys.executable, "-m", "oncall_planner", "check", str(folder), "--plan"]
        argv += [str(plan_file), "--format", "json", "-o", str(Path(tmp) / "out.json")]
        cli = _time(lambda: subprocess.run(argv, check=False), repeat=3)
        rows.append(("CLI `oncall-planner check ORG --plan PLAN` (wall, incl. start-up)", cli))
    print(f"org: {SCHEDULES} schedules × {WEEKS} weeks, {shifts} shifts; {len(report)} findings")
    print(f"{'what':<64} {'median of 7':>12}")
    for label, ms in rows:
        print(f"{label:<64} {ms:>9.1f} ms")


if __name__ == "__main__":
    main()
