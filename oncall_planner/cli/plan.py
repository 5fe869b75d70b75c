"""``oncall-planner plan SCHEDULE_OR_DIR --start DATE --weeks N``: plan a rotation."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from oncall_planner.cli._common import emit, usage_error

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pydantic import ValidationError

    from oncall_planner.plans import Plan, SchedulePlan, ShiftChange
    from oncall_planner.solver.api import Progress
    from oncall_planner.spec import MemberHistory, Schedule

__all__ = ["changes_json", "format_changes", "format_table", "register", "run"]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD such as 2027-01-04, got {value!r}"
        ) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``plan`` subcommand."""
    p = sub.add_parser(
        "plan",
        help="plan a weekly rotation (CP-SAT) that keeps every hard rule",
        description="Plan weekly primary/secondary/shadow rotations. A folder is an org: its "
        "schedules are planned together and nobody is on call in two of them at once. Exit 0 "
        "with a plan, 1 when no plan exists (the reasons are printed) or the input is wrong, "
        "2 on usage errors.",
    )
    p.add_argument("target", metavar="SCHEDULE_OR_DIR", help="a schedule file or an org folder")
    p.add_argument("--start", type=_date, required=True, help="plan from this date (YYYY-MM-DD)")
    p.add_argument("--weeks", type=int, required=True, help="number of weeks to plan")
    p.add_argument("--previous", metavar="PLAN", help="a plan to re-plan with few changes")
    p.add_argument(
        "--freeze-until",
        type=_date,
        metavar="DATE",
        help="keep the previous plan's shifts starting before this date",
    )
    p.add_argument("-o", "--output", metavar="PLAN", help="write the plan (.json or .yaml)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="stdout format")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="seconds")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="solver workers")
    p.add_argument("--seed", type=int, default=0, help="solver random seed")
    p.add_argument(
        "--max-changes",
        type=int,
        default=0,
        metavar="N",
        help="in a re-plan, change at most N shifts beyond those the rules force, to honour "
        "avoid_weeks/prefer_weeks (default 0: only forced changes)",
    )
    p.add_argument(
        "--diff",
        metavar="PLAN",
        help="print the shifts that differ from this plan (a table, or JSON with --format json) "
        "instead of the plan",
    )
    p.add_argument(
        "--history",
        metavar="FEED.ics",
        help="an iCalendar feed of past shifts: carry-over replaces the schedule's history",
    )
    p.set_defaults(run=run, parser=p)


#: PlanOptions field → the flag that sets it.
_FLAGS = {
    "time_limit_s": "--time-limit",
    "workers": "--workers",
    "seed": "--seed",
    "max_changes": "--max-changes",
}


def _option_error(error: ValidationError) -> str:
    """``--workers should be less than or equal to 64, got 100``: PlanOptions' bounds, in
    the words of the flags."""
    first = error.errors()[0]
    flag = _FLAGS.get(str(first["loc"][0]), str(first["loc"][0]))
    rule = first["msg"].removeprefix("Input should be ")
    return f"{flag} should be {rule}, got {first['input']!r}"


def _load(target: Path) -> tuple[Schedule, ...]:
    from oncall_planner.loader import load_org, load_schedule

    if target.is_dir():
        return load_org(target).schedules
    return (load_schedule(target),)


def _history(path: str, schedules: Sequence[Schedule], before: date) -> dict[str, MemberHistory]:
    """Carry-over from a feed of actual shifts, per member id (needs the iCal module)."""
    from oncall_planner import ical

    data = Path(path).read_bytes()
    found: dict[str, MemberHistory] = {}
    for schedule in schedules:
        found.update(ical.feed_history(data, schedule, before, source=path))
    return found


def _local(sp: SchedulePlan, week: int) -> str:
    """When the week's shifts start, in the schedule's local time ("" if it has none)."""
    for s in sp.shifts:
        if s.week == week:
            return f"{s.start:%a %Y-%m-%d %H:%M} {s.start.tzname()}"
    return ""


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows as left-aligned columns, the first one (the header) underlined."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(c.ljust(widths[k]) for k, c in enumerate(row)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def format_table(plan: Plan, schedules: Sequence[Schedule]) -> str:
    """The plan as a readable table per schedule, then its per-person fairness summary.

    Args:
        plan: The plan (its ``fairness`` summary comes from the planner).
        schedules: Its schedules.
    """
    from oncall_planner.expand import expand
    from oncall_planner.fairness import balance_score
    from oncall_planner.plans import Layer

    out: list[str] = []
    by_name = {s.name: s for s in schedules}
    for sp in plan.schedules:
        schedule = by_name[sp.name]
        problem = expand(schedule, sp.start, sp.weeks)
        out.append(f"{sp.name} ({sp.timezone}), {sp.weeks} weeks from {sp.start}")
        rows: list[tuple[str, ...]] = [("week", "starts", "primary", "secondary", "shadow")]
        for w in range(sp.weeks):
            names = {
                layer: ", ".join(plan.display_name(s.person) for s in sp.on(w, layer)) or "–"
                for layer in Layer
            }
            holiday = problem.holiday_weeks.get(w)
            starts = _local(sp, w) + (" *" if holiday else "")
            rows.append(
                (
                    str(w),
                    starts,
                    names[Layer.PRIMARY],
                    names[Layer.SECONDARY],
                    names[Layer.SHADOW],
                )
            )
        out += _table(rows)
        if problem.holiday_weeks:
            out.append("* holiday week")
        out.append("")
        # Fairness: load units (primary_weight, secondary_weight) against the fair share.
        capacity = {m.id: m.capacity for m in schedule.participants.members}
        trainees = {m.id for m in schedule.participants.members if m.new_engineer}
        summary: list[tuple[str, ...]] = [
            ("person", "primary", "secondary", "shadow", "holiday", "load", "fair share")
        ]
        loads: list[float] = []
        for entry in sp.fairness:
            if entry.person not in trainees:
                loads.append(entry.load / capacity.get(entry.person, 1.0))
            summary.append(
                (
                    plan.display_name(entry.person),
                    str(entry.primary_weeks),
                    str(entry.secondary_weeks),
                    str(entry.shadow_weeks),
                    str(entry.holiday_weeks),
                    f"{entry.load:g}",
                    f"{entry.fair_share:.1f}",
                )
            )
        out += _table(summary)
        out.append(
            f"balance score {balance_score(loads):.0%} (load per unit of capacity of trained "
            "members, this plan only). load = primary_weight × primary + secondary_weight × "
            "secondary (2 and 1 by default); fair share = this plan's load shared by capacity × "
            "available weeks, minus history already served"
        )
        out.append("")
    info = plan.solve
    if info is not None and info.changes is not None:
        out.append(f"changes against the previous plan: {len(info.changes)}")
        if info.changes:
            out += format_changes(info.changes).splitlines()
        out.append("")
    if info is not None:
        objective = "n/a" if info.objective is None else f"{info.objective:g}"
        bound = "n/a" if info.bound is None else f"{info.bound:g}"
        out.append(
            f"solver: {info.status}, objective {objective}, bound {bound}, "
            f"{info.wall_s or 0:.2f} s, seed {info.seed}, {info.workers} worker(s), "
            f"OR-Tools {info.ortools_version}"
        )
        if info.components:
            proven = sum(c.status == "OPTIMAL" for c in info.components)
            out.append(f"{len(info.components)} independent components, {proven} proven optimal")
        if info.status == "FEASIBLE":
            gap = "unknown (no bound)" if info.gap is None else f"{info.gap:.1%}"
            out.append(
                f"not proven optimal: gap {gap} between the objective and the best bound; "
                "a longer --time-limit may close it"
            )
    return "\n".join(out)


def format_changes(changes: Sequence[ShiftChange]) -> str:
    """Changed shifts as a table: schedule, week, start, layer, before, after, why."""
    rows: list[tuple[str, ...]] = [
        ("schedule", "week", "starts", "layer", "before", "after", "why")
    ]
    for c in changes:
        rows.append(
            (
                c.schedule,
                str(c.week),
                f"{c.start:%Y-%m-%d %H:%M} {c.start.tzname()}",
                c.layer.value,
                c.before or "–",
                c.after or "–",
                c.reason,
            )
        )
    return "\n".join(_table(rows))


def changes_json(changes: Sequence[ShiftChange]) -> str:
    """Changed shifts as JSON: a list of objects with the keys documented in docs/cli.md."""
    import json

    data = [
        {
            "schedule": c.schedule,
            "week": c.week,
            "layer": c.layer.value,
            "start": c.start.isoformat(),
            "before": c.before,
            "after": c.after,
            "reason": c.reason,
        }
        for c in changes
    ]
    return json.dumps({"changes": data}, indent=2, ensure_ascii=False) + "\n"


def _progress_line(p: Progress) -> None:
    """One overwritten stderr line: components done, best objective, bound, gap."""
    objective = "–" if p.objective is None else f"{p.objective:g}"
    bound = "–" if p.bound is None else f"{p.bound:g}"
    gap = "–" if p.gap is None else f"{p.gap:.1%}"
    line = (
        f"planning: {p.done}/{p.components} components done, objective {objective}, "
        f"bound {bound}, gap {gap}"
    )
    end = "\n" if p.done == p.components else ""
    sys.stderr.write(f"\r\x1b[K{line}{end}")
    sys.stderr.flush()


def _child(conn: Connection, work: Callable[[], Plan]) -> None:
    """The solve, in its own process group so that Ctrl-C reaches only the parent."""
    import os
    import signal

    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from oncall_planner.errors import InfeasibleError, OncallPlannerError, SolverTimeoutError

    try:
        conn.send(("ok", work()))
    except InfeasibleError as e:
        conn.send(("infeasible", (e.conflicts, e.codes)))
    except SolverTimeoutError as e:
        conn.send(("timeout", e.time_limit_s))
    except OncallPlannerError as e:
        conn.send(("failed", str(e)))
    except ValueError as e:
        conn.send(("value", str(e)))
    except BaseException as e:
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def _interruptible(work: Callable[[], Plan]) -> Plan:
    """Run ``work`` in a child process that Ctrl-C kills, with everything it started.

    CP-SAT's own Ctrl-C handling stops the search and returns the plan so far, so an
    interrupted ``plan`` used to write a FEASIBLE plan and exit 0. Here the parent waits; on
    Ctrl-C it kills the child's process group (component workers included) and re-raises
    KeyboardInterrupt, so nothing is written and the CLI exits 130.
    """
    import contextlib
    import multiprocessing
    import os
    import signal

    from oncall_planner.errors import InfeasibleError, PlanningError, SolverTimeoutError

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, work), daemon=False)
    child.start()
    send.close()
    try:
        # The child does it too; whichever comes first wins (the other gets an OSError).
        with contextlib.suppress(OSError):
            os.setpgid(child.pid or 0, child.pid or 0)
        try:
            kind, value = receive.recv()
        except EOFError:
            raise RuntimeError(
                "internal error: the planning process ended without a result"
            ) from None
        child.join()
    except BaseException:
        try:
            os.killpg(child.pid or 0, signal.SIGKILL)
        except OSError:
            child.kill()
        child.join()
        raise
    if kind == "ok":
        result: Plan = value
        return result
    if kind == "infeasible":
        raise InfeasibleError(value[0], value[1])
    if kind == "timeout":
        raise SolverTimeoutError(value)
    if kind == "failed":
        raise PlanningError(value)
    if kind == "value":
        raise ValueError(value)
    raise RuntimeError(f"internal error in the planning process: {value}")


def run(args: argparse.Namespace) -> int:
    """Plan, print or write, and return 0 (plan), 1 (no plan / bad input), 2 (usage) or 130
    (Ctrl-C: nothing written)."""
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\noncall-planner: interrupted; nothing written", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from oncall_planner.errors import InfeasibleError
    from oncall_planner.plans import Plan
    from oncall_planner.solver import PlanOptions, plan_org
    from oncall_planner.solver.api import MAX_WEEKS

    target = Path(args.target)
    if not target.exists():
        return usage_error(args.parser, f"no such file or folder: {target}")
    if not 1 <= args.weeks <= MAX_WEEKS:
        return usage_error(
            args.parser, f"--weeks must be between 1 and {MAX_WEEKS}, got {args.weeks}"
        )
    if args.freeze_until and not args.previous:
        return usage_error(args.parser, "--freeze-until needs --previous")
    try:
        options = PlanOptions(
            time_limit_s=args.time_limit,
            workers=args.workers,
            seed=args.seed,
            max_changes=args.max_changes,
        )
    except ValidationError as e:
        return usage_error(args.parser, _option_error(e))
    schedules = _load(target)
    previous = Plan.read(args.previous) if args.previous else None
    history: Mapping[str, MemberHistory] | None = None
    if args.history:
        if not Path(args.history).is_file():
            return usage_error(args.parser, f"no such feed file: {args.history}")
        history = _history(args.history, schedules, args.start)
    compare = Plan.read(args.diff) if args.diff else None
    progress = _progress_line if sys.stderr.isatty() else None

    def work() -> Plan:
        return plan_org(
            schedules,
            args.start,
            args.weeks,
            previous=previous,
            freeze_until=args.freeze_until,
            options=options,
            history=history,
            progress=progress,
        )

    try:
        result = _interruptible(work)
    except InfeasibleError as e:
        print(f"oncall-planner: {e}", file=sys.stderr)
        if e.codes:
            print(f"rules involved: {', '.join(e.codes)}", file=sys.stderr)
        return 1
    if args.output and args.output != "-":
        yaml_out = args.output.lower().endswith((".yaml", ".yml"))
        emit(result.to_yaml() if yaml_out else result.to_json(), args.output)
    if compare is not None:
        from oncall_planner.replan import plan_changes

        changes = plan_changes(compare, result, schedules)
        if args.format == "json":
            sys.stdout.write(changes_json(changes))
        else:
            print(format_changes(changes) if changes else "no shifts changed")
            if args.output:
                print(f"plan written to {args.output}")
    elif args.format == "json" or args.output == "-":
        sys.stdout.write(result.to_json())
    else:
        print(format_table(result, schedules))
        if args.output:
            print(f"plan written to {args.output}")
    return 0
