"""``oncall-planner swap PLAN``: ranked ways to free someone's week; ``--apply N`` writes one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from oncall_planner._io import write_atomic
from oncall_planner.cli._common import emit, plan_schedule, stand_in_schedule, usage_error
from oncall_planner.plans import Plan

if TYPE_CHECKING:
    from oncall_planner.solver.swap import SwapOption
    from oncall_planner.spec import Schedule

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``swap`` subcommand."""
    p = sub.add_parser(
        "swap",
        help="ranked covers, swaps and chains that free someone's week",
        description="List ranked options that free PERSON's WEEK: a cover (someone takes it, "
        "no payback), a swap (they take one of the coverer's weeks) or a chain of two. Options "
        "come from a small solver model around the week, fewest changed shifts first, then "
        "closest to everyone's fair share; each is re-checked by the validator. --apply N "
        "writes option N as whole-week overrides, atomically (by default over PLAN). In a schedule "
        "with coverage windows the unit is a window-week (every occurrence of one window in "
        "the week): covers by the window's members and swaps within the same window, each "
        "written as one override per occurrence.",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan file (.json or .yaml)")
    p.add_argument("--schedule", metavar="S", help="the schedule (needed if the plan has several)")
    p.add_argument("--person", required=True, help="member id whose week is freed")
    p.add_argument("--week", required=True, type=int, metavar="N", help="week index (0 = first)")
    p.add_argument(
        "--window",
        metavar="NAME",
        help="the coverage window whose week is freed (needed only when PERSON holds two "
        "windows that week)",
    )
    p.add_argument("--top", type=int, default=5, metavar="K", help="how many options (1-50)")
    p.add_argument("--apply", type=int, metavar="N", help="write option N (1 = the best)")
    p.add_argument(
        "--schedules",
        metavar="PATH",
        help="schedule file or folder (time off, stints and training are checked against it); "
        "without it the schedule is read off the plan",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="where --apply writes (default: PLAN)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run, parser=p)


def _schedules(path: Path) -> list[Schedule]:
    from oncall_planner.loader import load_org, load_schedule

    return list(load_org(path)) if path.is_dir() else [load_schedule(path)]


def _text(options: list[SwapOption], plan: Plan) -> str:
    lines: list[str] = []
    for o in options:
        lines.append(f"{o.rank}. {o.summary()}  ({o.changes} shift{'s' if o.changes > 1 else ''})")
        for m in o.moves:
            when = f"{m.start:%a %Y-%m-%d %H:%M} – {m.end:%a %Y-%m-%d %H:%M %Z}"
            lines.append(f"   {m.label()} ({when}): {m.before} → {m.after}")
        for c in o.loads:
            lines.append(
                # Window loads are fractions of weeks: two decimals (1.26, not 1.25749).
                f"   load {c.person}: {round(c.before, 2):g} → {round(c.after, 2):g} "
                f"(fair share {c.fair_share:.1f})"
            )
        for g in o.gaps:
            if g.before == g.after:
                continue
            before = ", ".join(map(str, g.before)) or "none"
            after = ", ".join(map(str, g.after)) or "none"
            lines.append(f"   gaps between stints (weeks) {g.person}: {before} → {after}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """List options, or write one; 0 ok, 1 no option or bad input, 2 usage."""
    from oncall_planner.solver.swap import suggest_swaps, with_swap

    plan = Plan.read(args.plan)
    name = plan_schedule(args.parser, plan, args.schedule, args.schedules)
    if isinstance(name, int):
        return name
    path = Path(args.schedules) if args.schedules is not None else None
    if not 1 <= args.top <= 50:
        return usage_error(args.parser, f"--top: must be 1 to 50, got {args.top}")
    weeks = plan.schedule(name).weeks
    if not 0 <= args.week < weeks:
        return usage_error(
            args.parser, f"--week: the plan of {name} has weeks 0 to {weeks - 1}, got {args.week}"
        )
    if args.apply is not None and not 1 <= args.apply <= args.top:
        return usage_error(
            args.parser, f"--apply: must be 1 to --top ({args.top}), got {args.apply}"
        )
    if path is None:
        if plan.schedule(name).windows or any(s.window for s in plan.schedule(name).shifts):
            # The windows, their members: selectors and min_rest are in the schedule file only.
            return usage_error(
                args.parser,
                f"--schedules: the plan of {name} has coverage windows; give the schedule file "
                "(its windows and who may hold them are not in the plan)",
            )
        if not plan.schedule(name).shifts:
            return usage_error(args.parser, f"--schedules: the plan of {name} has no shifts")
        schedules = [stand_in_schedule(plan, name)]
    else:
        schedules = _schedules(path)
    by_name = {s.name: s for s in schedules}
    if name not in by_name:
        listed = ", ".join(sorted(by_name)) or "none"
        return usage_error(
            args.parser,
            f"--schedules: {args.schedules} has no schedule {name!r} (it has: {listed})",
        )
    if args.window is not None:
        windows = [w.name for w in by_name[name].windows]
        if args.window not in windows:
            valid = (
                f"the windows of {name} are: {', '.join(windows)}"
                if windows
                else f"{name} has no coverage windows"
            )
            return usage_error(args.parser, f"--window: no window {args.window!r}; {valid}")
    names = {sp.name for sp in plan.schedules}
    others = [s for s in schedules if s.name != name and s.name in names]
    options = suggest_swaps(
        plan,
        by_name[name],
        args.person,
        args.week,
        top=args.top,
        others=others,
        window=args.window,
    )
    if args.apply is None:
        if args.format == "json":
            data = {"options": [o.to_data() for o in options]}
            emit(json.dumps(data, indent=2, ensure_ascii=False), None)
        else:
            emit(_text(options, plan), None)
        return 0
    if args.apply > len(options):
        print(
            f"oncall-planner: --apply {args.apply}: only {len(options)} option(s) exist",
            file=sys.stderr,
        )
        return 1
    updated = with_swap(plan, options[args.apply - 1])
    out = Path(args.output or args.plan)
    text = updated.to_yaml() if out.suffix.lower() in (".yaml", ".yml") else updated.to_json()
    write_atomic(out, text)
    print(f"wrote option {args.apply} ({options[args.apply - 1].summary()}) to {out}")
    return 0
