"""``oncall-planner override PLAN``: record that someone else holds a layer for a while."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from oncall_planner._io import write_atomic
from oncall_planner.cli._common import plan_schedule, usage_error
from oncall_planner.cli.who import parse_time
from oncall_planner.plans import Layer, Plan
from oncall_planner.report import Finding, Severity

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``override`` subcommand."""
    p = sub.add_parser(
        "override",
        help="let someone else hold a layer for a while (illness, a covered night)",
        description="Add an override to a plan and write the new revision atomically (by "
        "default over PLAN), after checking it. A rule the override breaks is an error (exit "
        "1, nothing written) unless --force records it as accepted. With --schedules the "
        "full check runs (time off, stints, shadows); without, the checks the plan alone "
        "allows (two layers or two schedules at once).",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan file (.json or .yaml)")
    p.add_argument("--schedule", metavar="S", help="the schedule (needed if the plan has several)")
    p.add_argument("--layer", choices=[lay.value for lay in Layer], default="primary")
    p.add_argument("--person", required=True, help="member id who covers")
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="TIME",
        help="ISO 8601 with an offset, or a local time in the schedule's zone",
    )
    p.add_argument("--to", dest="end", required=True, metavar="TIME", help="as --from")
    p.add_argument("--reason", metavar="TEXT", help="why (kept in the plan)")
    p.add_argument("--schedules", metavar="PATH", help="schedule file or folder to check against")
    p.add_argument("-o", "--output", metavar="OUT", help="where to write (default: PLAN)")
    p.add_argument(
        "--force", action="store_true", help="write even if it breaks rules, recording them"
    )
    p.set_defaults(run=run, parser=p)


def _findings(plan: Plan, schedules_path: str | None, plan_path: str) -> list[Finding]:
    """Error findings of the plan's effective roster."""
    if schedules_path is None:
        from oncall_planner.validate.intervals import check_plan_alone

        found = check_plan_alone(plan, file=plan_path)
    else:
        from oncall_planner.cli.check import _plan_for
        from oncall_planner.loader import Org, load_org, load_schedule
        from oncall_planner.validate import check

        path = Path(schedules_path)
        org = load_org(path) if path.is_dir() else Org((load_schedule(path),))
        found = list(check(org, _plan_for(plan, {s.name for s in org})).findings)
    return [f for f in found if f.severity is Severity.ERROR]


def run(args: argparse.Namespace) -> int:
    """Add the override, check, write; 0 written, 1 broken rules or bad input, 2 usage."""
    plan = Plan.read(args.plan)
    name = plan_schedule(args.parser, plan, args.schedule, args.schedules)
    if isinstance(name, int):
        return name
    zone = ZoneInfo(plan.schedule(name).timezone)
    times = []
    for flag, value in (("--from", args.start), ("--to", args.end)):
        try:
            times.append(parse_time(value, zone))
        except ValueError as e:
            return usage_error(args.parser, f"{flag}: {e}")
    start, end = times
    created = datetime.now(UTC).replace(second=0, microsecond=0)
    options = {"reason": args.reason, "created": created}
    try:
        updated = plan.with_override(name, args.layer, args.person, start, end, **options)
    except ValueError as e:
        return usage_error(args.parser, str(e))
    before = set(_findings(plan, args.schedules, args.plan))
    broken = [f for f in _findings(updated, args.schedules, args.plan) if f not in before]
    if broken:
        if not args.force:
            for f in broken:
                print(f.format(), file=sys.stderr)
            print(
                f"oncall-planner: override not written: it breaks {len(broken)} rule(s); "
                "--force records them as accepted",
                file=sys.stderr,
            )
            return 1
        codes = sorted({f.code for f in broken})
        updated = plan.with_override(
            name, args.layer, args.person, start, end, accepted=codes, **options
        )
    out = Path(args.output or args.plan)
    text = updated.to_yaml() if out.suffix.lower() in (".yaml", ".yml") else updated.to_json()
    write_atomic(out, text)
    return 0
