"""``oncall-planner who PLAN``: who holds each layer now (or at a time), until when, who is next."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall_planner.cli._common import emit, usage_error
from oncall_planner.expand import local_instant
from oncall_planner.plans import Layer, Plan, SchedulePlan

if TYPE_CHECKING:
    from oncall_planner.roster import Holding

__all__ = ["parse_time", "register"]


def parse_time(value: str, zone: ZoneInfo) -> datetime:
    """ISO 8601 with an offset, or a local wall time in ``zone`` (``2027-01-06T18:00``).

    Raises:
        ValueError: Not an ISO 8601 date-time.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a time: use ISO 8601 with an offset (2027-01-06T18:00+01:00) or "
            "a local time in the schedule's zone (2027-01-06T18:00)"
        ) from None
    if parsed.tzinfo is None:
        # A local wall time: resolved like a handoff (a time in a DST gap moves forward).
        return local_instant(parsed.date(), parsed.time(), zone)
    return parsed


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``who`` subcommand."""
    p = sub.add_parser(
        "who",
        help="who is on call now (or at a time), until when, and who is next",
        description="Read a plan file (overrides included) and print who holds each layer of "
        "each schedule at TIME (default: now), until when, and who holds it next. Exit 0, or "
        "1 if the plan cannot be read, 2 on usage errors.",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan file (.json or .yaml)")
    p.add_argument(
        "--at",
        metavar="TIME",
        help="ISO 8601 with an offset, or a local time in the schedule's zone (default: now)",
    )
    p.add_argument("--schedule", metavar="S", help="only this schedule")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run, parser=p)


def _layers(sp: SchedulePlan) -> list[Layer]:
    used = {s.layer for s in sp.shifts} | {o.layer for o in sp.overrides}
    return [lay for lay in Layer if lay in used]


def _stamp(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M %Z}" if value else "-"


def _line(plan: Plan, h: Holding) -> str:
    """``ana until …, then ben until …``; with windows ``ana (apac, until 08:00 UTC), then
    ben (emea) until …``, and ``nobody (outside coverage)`` between windows."""
    if not h.windowed:
        who = plan.display_name(h.person) if h.person else "nobody"
        text = who
        if h.until is not None:
            text += f" until {_stamp(h.until)}"
        if h.next_person is not None:
            text += f", then {plan.display_name(h.next_person)}"
            text += f" until {_stamp(h.next_until)}"
        return text
    if h.person is None:
        text = "nobody (outside coverage"
    else:
        text = plan.display_name(h.person) + (f" ({h.window}" if h.window else " (override")
    text += f", until {_stamp(h.until)})" if h.until is not None else ")"
    if h.next_person is not None:
        nxt = plan.display_name(h.next_person)
        text += f", then {nxt} ({h.next_window or 'override'}) until {_stamp(h.next_until)}"
    elif h.person is not None and h.next_until is not None:
        text += f", then nobody (outside coverage) until {_stamp(h.next_until)}"
    return text


def run(args: argparse.Namespace) -> int:
    """Print the holders and return 0 (or 2 on a usage error)."""
    from oncall_planner.roster import holding

    plan = Plan.read(args.plan)
    schedules = plan.schedules
    if args.schedule is not None:
        schedules = tuple(sp for sp in plan.schedules if sp.name == args.schedule)
        if not schedules:
            names = ", ".join(sorted(sp.name for sp in plan.schedules)) or "none"
            return usage_error(
                args.parser,
                f"--schedule: the plan has no schedule {args.schedule!r}; it has: {names}",
            )
    results = []
    for sp in sorted(schedules, key=lambda sp: sp.name):
        zone = ZoneInfo(sp.timezone)
        try:
            at = parse_time(args.at, zone) if args.at else datetime.now(UTC)
        except ValueError as e:
            return usage_error(args.parser, f"--at: {e}")
        results.append((sp, at.astimezone(zone), [holding(sp, lay, at) for lay in _layers(sp)]))
    if args.format == "json":
        data = [
            {
                "schedule": sp.name,
                "timezone": sp.timezone,
                "at": at.isoformat(),
                "layers": [h.to_data() for h in held],
            }
            for sp, at, held in results
        ]
        emit(json.dumps({"schedules": data}, indent=2, ensure_ascii=False), None)
        return 0
    lines = []
    for sp, at, held in results:
        lines.append(f"{sp.name} at {_stamp(at)}")
        for h in held:
            lines.append(f"  {h.layer.value:<9}  " + _line(plan, h))
    emit("\n".join(lines), None)
    return 0
