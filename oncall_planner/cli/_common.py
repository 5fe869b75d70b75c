"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from oncall_planner._io import write_atomic

if TYPE_CHECKING:
    from oncall_planner.plans import Plan
    from oncall_planner.spec import Schedule

__all__ = ["codes", "emit", "stand_in_schedule", "usage_error"]


def codes(value: str) -> list[str]:
    """``"E2,H003"`` → ``["E2", "H003"]`` (for --select/--ignore)."""
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output`` ("-" is stdout)."""
    if output and output != "-":
        write_atomic(Path(output), text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """Print a usage error and return exit code 2."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return 2


def plan_schedule(
    parser: argparse.ArgumentParser, plan: Plan, name: str | None, schedules: str | None
) -> str | int:
    """The schedule of the plan a command acts on (``--schedule``, or the only one), or the
    usage error's exit code (2) when it is missing, unknown, or ``--schedules`` does not exist.
    """
    names = sorted(sp.name for sp in plan.schedules)
    if name is None and len(names) == 1:
        name = names[0]
    if name not in names:
        listed = ", ".join(names) or "none"
        given = "--schedule is needed" if name is None else f"no schedule {name!r}"
        return usage_error(parser, f"--schedule: {given}; the plan has: {listed}")
    if schedules is not None and not Path(schedules).exists():
        return usage_error(parser, f"--schedules: no such file or folder: {schedules}")
    assert name is not None
    return name


def stand_in_schedule(plan: Plan, name: str) -> Schedule:
    """The schedule ``name`` as far as its plan file shows it, for commands given a plan and
    no schedule file (``pages synth``, ``swap``).

    The plan records the zone, the escalation levels and the people's names; the handoff day and
    time are the first shift's, in the schedule's zone; ``max_consecutive_weeks`` is the longest
    run of paged weeks anyone holds (the plan is taken to keep its own rules). Time off,
    training and share caps are not in a plan file, so nothing forbids them.
    """
    from zoneinfo import ZoneInfo

    from oncall_planner.plans import PAGED_LAYERS, Layer
    from oncall_planner.spec import Schedule

    sp = plan.schedule(name)
    first = min(sp.shifts, key=lambda s: s.start) if sp.shifts else None
    local = first.start.astimezone(ZoneInfo(sp.timezone)) if first else None
    held: dict[str, set[int]] = {}
    for s in sp.shifts:
        if s.layer in PAGED_LAYERS:
            held.setdefault(s.person, set()).add(s.week)
    longest = max(
        (
            next(n for n in range(1, len(weeks) + 2) if w + n not in weeks)
            for weeks in held.values()
            for w in weeks
            if w - 1 not in weeks
        ),
        default=1,
    )
    levels: list[dict[str, object]] = [
        {
            "level": lvl.level,
            "target": list(lvl.targets),
            "timeout": f"{round(lvl.timeout_s)}s" if lvl.timeout_s else 0,
        }
        for lvl in sp.escalation
    ]
    if not levels:
        levels = [{"level": 1, "target": "on-call-primary", "timeout": "5_minutes"}]
        if any(s.layer is Layer.SECONDARY for s in sp.shifts):
            levels.append({"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"})
    people = sorted({s.person for s in sp.shifts})
    handoff_day = f"{local:%A}".lower() if local else "monday"
    handoff_time = f"{local:%H:%M}" if local else "10:00"
    windows: dict[str, object] = {}
    if sp.windows:
        # Windows are copied whole into the plan; who may hold each is whoever the plan gives
        # it to (sites are not in a plan file).
        if sp.handoff:
            handoff_day, handoff_time = sp.handoff.split()
        windows = {
            "windows": [
                {
                    **w.model_dump(mode="json", by_alias=True, exclude_none=True),
                    "members": sorted({s.person for s in sp.shifts if s.window == w.name}),
                }
                for w in sp.windows
            ],
            "coverage": sp.coverage,
        }
    return Schedule.model_validate(
        {
            "name": sp.name,
            "timezone": sp.timezone,
            "handoff_time": handoff_time,
            "handoff_day": handoff_day,
            "participants": {
                "min_rotation_size": 1,
                "max_consecutive_weeks": longest,
                "members": [{"id": p, "name": plan.display_name(p)} for p in people],
            },
            "escalation_policy": levels,
            **windows,
        }
    )
