"""``oncall-planner pages synth PLAN [--seed N] [--quarter Q] -o pages.csv``: synthetic pages.

The README's ``review`` needs a page export; on a fresh clone there is none, and the generator
(``oncall_planner.synthetic_pages``) was Python-only. This command writes its pages as the
generic CSV that ``review --pages`` reads. pandas (the ``review`` extra) loads only when it runs.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from oncall_planner.cli._common import emit, stand_in_schedule, usage_error

if TYPE_CHECKING:
    from oncall_planner.health.pages import PageLog
    from oncall_planner.loader import Org
    from oncall_planner.spec import Schedule

__all__ = ["pages_csv", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``pages`` subcommand and its ``synth`` action."""
    p = sub.add_parser(
        "pages",
        help="page events: synthesise a realistic export for trying reviews",
        description="Work with page events (the input of `review`).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    s = actions.add_parser(
        "synth",
        help="write seeded synthetic pages for a plan's shifts as CSV",
        description="Generate realistic page events for the shifts of a plan (incidents by "
        "time of day, noisy services, storm days, escalations to the secondary) and write "
        "them as the generic CSV that `review --pages` reads. The same plan, seed and "
        "quarter give the same file. Exit 0, 1 on a bad plan or schedule, 2 on usage errors.",
    )
    s.add_argument("plan", metavar="PLAN", help="the plan file (.json or .yaml)")
    s.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    s.add_argument("--quarter", metavar="QUARTER", help="only pages in this quarter, e.g. 2027Q1")
    s.add_argument(
        "--schedule",
        metavar="SCHEDULE_OR_DIR",
        help="the plan's schedule file or org folder (default: what the plan file records: "
        "zones, members, the level-1 timeout)",
    )
    s.add_argument("--incidents-per-week", type=float, default=3.0, metavar="X", help="default 3")
    s.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the CSV to write ('-': stdout)"
    )
    s.set_defaults(run=run, parser=s)


def pages_csv(log: PageLog) -> str:
    """The page log as the generic CSV (``docs/review.md``), times ISO-8601 with offset."""
    from oncall_planner.health.pages import CANONICAL_COLUMNS

    frame = log.frame
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANONICAL_COLUMNS)
    columns = [frame[c].tolist() for c in CANONICAL_COLUMNS]
    for row in zip(*columns, strict=True):
        writer.writerow(
            [
                "" if v is None or v != v else v.isoformat() if hasattr(v, "isoformat") else v
                for v in row
            ]
        )
    return buffer.getvalue()


def _target(path: str) -> Schedule | Org:
    from oncall_planner.loader import load_org, load_schedule

    target = Path(path)
    return load_org(target) if target.is_dir() else load_schedule(target)


def run(args: argparse.Namespace) -> int:
    """Generate and write the pages; return 0, or 2 on usage errors."""
    if not Path(args.plan).is_file():
        return usage_error(args.parser, f"no such plan file: {args.plan}")
    if args.schedule and not Path(args.schedule).exists():
        return usage_error(args.parser, f"no such schedule file or folder: {args.schedule}")
    if args.seed < 0:
        return usage_error(args.parser, f"--seed must be 0 or more, got {args.seed}")
    if args.incidents_per_week < 0:
        return usage_error(
            args.parser, f"--incidents-per-week must be 0 or more, got {args.incidents_per_week}"
        )
    from oncall_planner.health.period import Period

    period = None
    if args.quarter:
        try:
            period = Period.quarter(args.quarter)
        except ValueError as e:
            return usage_error(args.parser, f"--quarter: {e}")

    from oncall_planner.health import synthetic_pages
    from oncall_planner.loader import Org
    from oncall_planner.plans import Plan

    plan = Plan.read(args.plan)
    if args.schedule:
        schedule = _target(args.schedule)
    else:
        schedule = Org(tuple(stand_in_schedule(plan, sp.name) for sp in plan.schedules))
    start = end = None
    if period is not None:
        zone = (schedule.schedules[0] if isinstance(schedule, Org) else schedule).zone
        start, end = period.bounds(zone)
    log = synthetic_pages(
        plan,
        schedule,
        seed=args.seed,
        start=start,
        end=end,
        incidents_per_week=args.incidents_per_week,
    )
    emit(pages_csv(log), args.output)
    if args.output != "-":
        print(f"{len(log)} page(s) written to {args.output}")
    return 0
