"""``oncall-planner review SCHEDULE --pages FILE (--plan PLAN | --history FEED.ics)``.

pandas and matplotlib (the ``review`` extra) load only when the command runs, never when the
CLI parser is built.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from oncall_planner.cli._common import emit, usage_error

if TYPE_CHECKING:
    from oncall_planner.health.period import Period
    from oncall_planner.loader import Org
    from oncall_planner.plans import Plan

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``review`` subcommand."""
    p = sub.add_parser(
        "review",
        help="quarterly review of pager load: pages per shift and person, night pages, fairness",
        description="Review page events against who was on call (a plan file, or history "
        "from an iCalendar feed) over a quarter or a range of days. Prints the summary, the "
        "health findings (R301–R306, P103) and the per-person and per-shift tables (with "
        "coverage windows: each shift's window, night hours and pages per window). Exit 0 "
        "when the review ran (findings are part of the review), 1 on bad input files, 2 on "
        "usage errors.",
    )
    p.add_argument("schedule", metavar="SCHEDULE", help="schedule file, or an org folder")
    p.add_argument("--pages", required=True, metavar="FILE", help="page export (CSV or JSON)")
    p.add_argument(
        "--pages-format",
        choices=("auto", "csv", "pagerduty", "opsgenie", "grafana"),
        default="auto",
        help="the export's source (default: guess from the file)",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--plan", metavar="PLAN", help="the plan that was followed")
    who.add_argument(
        "--history",
        metavar="[PERSON=]FEED.ics",
        action="append",
        help="an iCalendar feed of who was on call; PERSON= (member id, email or name) says "
        "whose personal feed it is; repeatable",
    )
    p.add_argument("--quarter", metavar="QUARTER", help="e.g. 2027Q1")
    p.add_argument("--from", dest="first", metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="last", metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--severity", metavar="FILE", help="a severity framework file")
    p.add_argument("--format", choices=("text", "json", "html"), default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the review to this file")
    p.add_argument(
        "--lenient", action="store_true", help="skip bad rows of the export and say how many"
    )
    p.add_argument(
        "--min-severity",
        choices=("info", "warning", "error"),
        default="info",
        help="show only findings this severe or worse (default: info, everything)",
    )
    p.set_defaults(run=run, parser=p)


def _period(args: argparse.Namespace) -> Period:
    from oncall_planner.health.period import Period

    if args.quarter and (args.first or args.last):
        raise ValueError("give either --quarter or --from/--to, not both")
    if args.first or args.last:
        if not (args.first and args.last):
            raise ValueError("--from and --to go together")
        try:
            first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
        except ValueError:
            raise ValueError(
                f"--from/--to take dates YYYY-MM-DD, got {args.first!r} and {args.last!r}"
            ) from None
        return Period.between(first, last)
    return Period.quarter(args.quarter or "2027Q1")


def _history(feeds: list[tuple[Path, str | None]], org: Org) -> Plan:
    """Who was on call, from feeds: read against each schedule whose members they name."""
    from oncall_planner.errors import FeedError
    from oncall_planner.ical import history_plan
    from oncall_planner.plans import merge_plans

    sources = [(path.read_bytes(), str(path), person) for path, person in feeds]
    plans, errors = [], []
    for schedule in org.schedules:
        try:
            plans.append(history_plan(sources, schedule))
        except FeedError as e:
            errors.append(e)
    if not plans:
        raise errors[0]
    return merge_plans(plans)


def run(args: argparse.Namespace) -> int:
    """Run the review and print it; return 0, or 2 on usage errors."""
    for label, value in (("schedule", args.schedule), ("pages", args.pages)):
        if not Path(value).exists():
            return usage_error(args.parser, f"no such {label} file: {value}")
    if args.plan and not Path(args.plan).exists():
        return usage_error(args.parser, f"no such plan file: {args.plan}")
    from oncall_planner.cli.plan import history_feeds

    try:
        feeds = history_feeds(args.history or [])
    except ValueError as e:
        return usage_error(args.parser, str(e))
    try:
        period = _period(args)
    except ValueError as e:
        return usage_error(args.parser, str(e))

    from oncall_planner.health import load_pages, review
    from oncall_planner.loader import Org, load_org, load_schedule, load_severity
    from oncall_planner.plans import Plan

    target = Path(args.schedule)
    org = load_org(target) if target.is_dir() else Org((load_schedule(target),))
    severity = load_severity(args.severity) if args.severity else None
    plan = Plan.read(args.plan) if args.plan else _history(feeds, org)
    pages = load_pages(args.pages, format=args.pages_format, lenient=args.lenient)
    if pages.skipped:
        print(
            f"oncall-planner review: skipped {pages.skipped} bad row(s) of {args.pages}",
            file=sys.stderr,
        )
        for finding in pages.problems[:10]:
            print(f"  {finding.format()}", file=sys.stderr)
    result = review(pages, plan, org, period, severity=severity)
    if args.min_severity != "info":
        result = replace(result, findings=result.findings.at_least(args.min_severity))
    if args.format == "json":
        text = result.to_json()
    elif args.format == "html":
        text = result.to_html()
    else:
        text = result.to_markdown()
    emit(text, args.output)
    return 0
