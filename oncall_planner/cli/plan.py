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

    from oncall_planner.expand import Problem
    from oncall_planner.plans import Plan, SchedulePlan, ShiftChange
    from oncall_planner.solver.api import Progress
    from oncall_planner.spec import MemberHistory, Schedule

__all__ = ["changes_json", "format_changes", "format_table", "history_feeds", "register", "run"]


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
        "schedules are planned together and nobody is on call in two of them at once. Schedules "
        "that check rejects are not planned (--ignore CODE to plan anyway). Exit 0 with a plan, "
        "1 when no plan exists (the reasons are printed) or the input is wrong, 2 on usage "
        "errors.",
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
        metavar="[PERSON=]FEED.ics",
        action="append",
        help="an iCalendar feed of past shifts, or a plan file of the earlier weeks (.json, "
        ".yaml; overrides count for whoever covered): carry-over replaces the schedule's "
        "history; PERSON= (member id, email or name) says whose personal feed it is; repeatable",
    )
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="plan although check reports this error code (repeatable; prefixes work)",
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


def history_feeds(values: Sequence[str]) -> list[tuple[Path, str | None]]:
    """``--history [PERSON=]FEED.ics`` values as (feed file, person or None).

    A value that names an existing file is a feed, even with ``=`` in its name.

    Raises:
        ValueError: A feed file does not exist, or ``PERSON=`` is empty.
    """
    found: list[tuple[Path, str | None]] = []
    for value in values:
        person, sep, file = value.partition("=")
        if Path(value).is_file() or not sep:
            person, file = "", value
        elif not person.strip():
            raise ValueError(f"--history {value!r}: the person before '=' is empty")
        if not Path(file).is_file():
            raise ValueError(f"no such feed file: {file}")
        found.append((Path(file), person.strip() or None))
    return found


def _history(
    feeds: Sequence[tuple[Path, str | None]], schedules: Sequence[Schedule], before: date
) -> dict[str, MemberHistory]:
    """Carry-over from feeds of actual shifts, per member id (needs the iCal module)."""
    from oncall_planner import ical

    found: dict[str, MemberHistory] = {}
    for path, person in feeds:
        if path.suffix.lower() in _PLAN_SUFFIXES:
            # A plan file of the earlier weeks: carry-over as lived, overrides included.
            found.update(_plan_history(path, schedules, before))
            continue
        data = path.read_bytes()
        for schedule in schedules:
            found.update(ical.feed_history(data, schedule, before, source=str(path), person=person))
    return found


_PLAN_SUFFIXES = (".json", ".yaml", ".yml")


def _plan_history(
    path: Path, schedules: Sequence[Schedule], before: date
) -> dict[str, MemberHistory]:
    """Carry-over from a plan file (``carryover.plan_history``), for the schedules it holds."""
    from oncall_planner.carryover import plan_history, previous_entry
    from oncall_planner.plans import Plan

    earlier = Plan.read(path)
    found: dict[str, MemberHistory] = {}
    for schedule in schedules:
        if previous_entry(earlier, schedule.name) is not None:
            found.update(plan_history(earlier, schedule, before))
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


def _window_rows(
    plan: Plan, sp: SchedulePlan, schedule: Schedule, problem: Problem
) -> list[tuple[str, ...]]:
    """A windowed schedule's weeks: one column per layer and window, naming its holder."""
    from oncall_planner.plans import Layer

    used = [layer for layer in Layer if any(s.layer is layer for s in sp.shifts)] or [Layer.PRIMARY]
    columns = [(layer, w.name) for layer in used for w in schedule.windows]
    rows: list[tuple[str, ...]] = [
        ("week", "starts", *(f"{layer.value} {name}" for layer, name in columns))
    ]
    for week in problem.weeks:
        holders = []
        for layer, name in columns:
            people = dict.fromkeys(s.person for s in sp.on(week.index, layer, name))
            holders.append(", ".join(plan.display_name(p) for p in people) or "–")
        star = " *" if week.index in problem.holiday_weeks else ""
        starts = f"{week.start:%a %Y-%m-%d %H:%M} {week.start.tzname()}{star}"
        rows.append((str(week.index), starts, *holders))
    return rows


def format_table(plan: Plan, schedules: Sequence[Schedule]) -> str:
    """The plan as a readable table per schedule, then its per-person fairness summary.

    Args:
        plan: The plan (its ``fairness`` summary comes from the planner).
        schedules: Its schedules.
    """
    from oncall_planner.expand import expand
    from oncall_planner.plans import Layer
    from oncall_planner.validate.plan import schedule_balance

    out: list[str] = []
    by_name = {s.name: s for s in schedules}
    for sp in plan.schedules:
        schedule = by_name[sp.name]
        problem = expand(schedule, sp.start, sp.weeks)
        out.append(f"{sp.name} ({sp.timezone}), {sp.weeks} weeks from {sp.start}")
        rows: list[tuple[str, ...]] = [("week", "starts", "primary", "secondary", "shadow")]
        if schedule.windows:
            rows = _window_rows(plan, sp, schedule, problem)
        for w in range(0 if schedule.windows else sp.weeks):
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
        # Fairness: load units (primary_weight, secondary_weight) against the fair share; org
        # totals beside them when someone here is in another schedule too.
        others = {p for other in plan.schedules if other.name != sp.name for p in other.people()}
        shared = any(entry.person in others and entry.org_load is not None for entry in sp.fairness)
        header: tuple[str, ...] = (
            "person",
            "primary",
            "secondary",
            "shadow",
            "holidays",
            "load",
            "fair share",
        )
        if shared:
            header += ("org load", "org fair share")
        summary: list[tuple[str, ...]] = [header]
        # Window loads are fractions of weeks: both figures to two decimals, so that a load of
        # 0.667 beside a share of 0.7 does not read as unfair.
        figure = "{:.2f}" if schedule.windows else "{:g}"
        share = "{:.2f}" if schedule.windows else "{:.1f}"
        for entry in sp.fairness:
            row: tuple[str, ...] = (
                plan.display_name(entry.person),
                str(entry.primary_weeks),
                str(entry.secondary_weeks),
                str(entry.shadow_weeks),
                f"{entry.holiday_burden:.2f}".rstrip("0").rstrip("."),
                figure.format(entry.load),
                share.format(entry.fair_share),
            )
            if shared:
                row += (figure.format(entry.org_load or 0), share.format(entry.org_fair_share or 0))
            summary.append(row)
        out += _table(summary)
        score = schedule_balance(schedules, plan, sp.name)
        load = (
            "load = layer weight × window weight × hours held ÷ the week's hours, summed "
            "(primary and secondary weights 2 and 1 by default; primary and secondary count "
            "window-weeks)"
            if schedule.windows
            else "load = primary_weight × primary + secondary_weight × secondary (2 and 1 by "
            "default)"
        )
        out.append(
            f"balance score {score * 100:.1f} % (on-call weeks over capacity of the members who "
            f"may be on call, counted across the org: the figure check reports as P105). {load}; "
            "fair share = the load shared by capacity × available weeks, minus history already "
            "served, one share per person across the org; holidays = share of each holiday's "
            "day inside the person's shifts"
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
    windowed = any(c.window is not None for c in changes)
    rows: list[tuple[str, ...]] = [
        ("schedule", "week", "starts", "layer", *(("window",) if windowed else ()), "before",
         "after", "why")
    ]  # fmt: skip
    for c in changes:
        rows.append(
            (
                c.schedule,
                str(c.week),
                f"{c.start:%Y-%m-%d %H:%M} {c.start.tzname()}",
                c.layer.value,
                *((c.window or "–",) if windowed else ()),
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
            **({"window": c.window} if c.window is not None else {}),
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
    from oncall_planner._outcome import capture

    try:
        conn.send(capture(work))
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

    from oncall_planner._outcome import restore

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
    result: Plan = restore((kind, value), "the planning process")
    return result


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

    from oncall_planner.errors import InfeasibleError, RejectedScheduleError
    from oncall_planner.plans import Plan, made_at
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
    try:
        created = made_at()  # now, or SOURCE_DATE_EPOCH
    except ValueError as e:
        return usage_error(args.parser, str(e))
    schedules = _load(target)
    previous = Plan.read(args.previous) if args.previous else None
    history: Mapping[str, MemberHistory] | None = None
    if args.history:
        try:
            feeds = history_feeds(args.history)
        except ValueError as e:
            return usage_error(args.parser, str(e))
        history = _history(feeds, schedules, args.start)
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
            created=created,
            ignore=args.ignore,
            progress=progress,
        )

    try:
        result = _interruptible(work)
    except RejectedScheduleError as e:
        for finding in e.findings:
            print(finding.format(), file=sys.stderr)
        codes = " ".join(f"--ignore {c}" for c in sorted({f.code for f in e.findings}))
        print(
            f"oncall-planner: not planned: check rejects the schedules ({codes} to plan anyway)",
            file=sys.stderr,
        )
        return 1
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
