"""Swap suggestions: ranked ways to free one person's week, found with a small CP-SAT model.

"Bob needs week 4 off" has three kinds of answer:

- a **cover**: someone else takes Bob's week and Bob owes nothing (one shift changes);
- a **swap**: carol takes Bob's week and Bob takes one of carol's (two shifts change);
- a **chain**: carol takes Bob's week, Bob takes dave's, dave takes carol's (three shifts).

The model (:func:`suggest_swaps`) is built around the week only: one Boolean per (person,
week, layer) for the weeks ``week ± max(max_consecutive_weeks, 2)`` (the weeks a change there
can touch a stint through, and at least two either side to find a week to give back) and the
people allowed in each cell (members, not on time off, trained, not shadowing that week, not
holding an overlapping shift in another schedule of the plan). Every other shift is a
constant. It minimises the number of changed shifts first, then the distance of each person's
load from their fair share (:func:`oncall_planner.fairness.load`, the planner's own fair
shares), with at most :data:`MAX_CHANGES` changed shifts. The top options are enumerated by
re-solving with a no-good cut on each answer found; each answer is applied to the plan
(:func:`with_swap`, whole-week overrides) and kept only if the validator's hard-rule checkers
find no error the plan did not already have, so the model is a search aid and the validator
stays the specification. This module lives in the solver package, which loads ortools;
``validate``, ``ical`` and ``review`` never import it.

Schedules with coverage windows (:func:`_window_swaps`): the unit is a *window-week*, the
occurrences of one window that one person holds in a week and layer. Only covers (a member the
window selects takes them all) and swaps within the same window are offered; the pools are
small, so each candidate is applied (one override per occurrence) and checked directly, with
the interval checkers too (min rest and night hours are about the occurrences' times).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from oncall_planner.errors import NoSwapError
from oncall_planner.expand import Problem
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan
from oncall_planner.spec import Schedule

__all__ = [
    "MAX_CHANGES",
    "LoadChange",
    "Move",
    "NoSwapError",
    "StintGaps",
    "SwapOption",
    "suggest_swaps",
    "with_swap",
]

#: The most shifts an option changes: a chain of two moves three shifts.
MAX_CHANGES = 3

#: Loads and fair shares are compared in tenths of a load unit (shares are fractional).
_SCALE = 10


@dataclass(frozen=True)
class Move:
    """One weekly shift, or one window-week, handed from one person to another.

    Attributes:
        week: Week index.
        layer: The layer.
        start: Handoff that starts the week (aware); for a window-week, the start of the
            window's first occurrence in the week.
        end: Handoff that ends it (aware); for a window-week, the end of the last occurrence.
        before: Who holds it now.
        after: Who holds it in the option.
        window: The coverage window whose occurrences of the week move (None: a whole week
            of a schedule without windows). Written to JSON only when set.
    """

    week: int
    layer: Layer
    start: datetime
    end: datetime
    before: str
    after: str
    window: str | None = None

    def label(self) -> str:
        """``week 4 primary``, or ``week 4 weekend primary`` for a window-week."""
        if self.window is None:
            return f"week {self.week} {self.layer.value}"
        return f"week {self.week} {self.window} {self.layer.value}"

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data."""
        data: dict[str, Any] = {
            "week": self.week,
            "layer": self.layer.value,
        }
        if self.window is not None:
            data["window"] = self.window
        data.update(
            {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "before": self.before,
                "after": self.after,
            }
        )
        return data


@dataclass(frozen=True)
class LoadChange:
    """One person's load in the schedule before and after an option, against their fair share.

    Attributes:
        person: Member id.
        before: Load now (:func:`oncall_planner.fairness.load`).
        after: Load with the option applied.
        fair_share: The planner's fair share of this schedule's load for the person.
    """

    person: str
    before: float
    after: float
    fair_share: float

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "person": self.person,
            "before": self.before,
            "after": self.after,
            "fair_share": round(self.fair_share, 3),
        }


@dataclass(frozen=True)
class StintGaps:
    """The off weeks between one person's stints (runs of on-call weeks) in the schedule.

    Attributes:
        person: Member id.
        before: Gaps in weeks, in order, now.
        after: Gaps with the option applied.
    """

    person: str
    before: tuple[int, ...]
    after: tuple[int, ...]

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"person": self.person, "before": list(self.before), "after": list(self.after)}


@dataclass(frozen=True)
class SwapOption:
    """One way to free ``person``'s ``week``.

    Attributes:
        rank: 1 for the best option.
        kind: ``cover`` (the person gives the week away), ``swap`` (they take one week back)
            or ``chain`` (they take one week back through a third person).
        schedule: Schedule name.
        person: Whose week is freed.
        week: The week freed.
        moves: The shifts that change, by week and layer.
        loads: Load against fair share of everyone whose load changes, by person.
        gaps: Gaps between stints of everyone involved, by person.
        deviation: How far the option moves the people involved from their fair shares:
            Σ (|load after − fair share| − |load before − fair share|); negative is fairer.
    """

    rank: int
    kind: Literal["cover", "swap", "chain"]
    schedule: str
    person: str
    week: int
    moves: tuple[Move, ...]
    loads: tuple[LoadChange, ...] = field(default=())
    gaps: tuple[StintGaps, ...] = field(default=())
    deviation: float = 0.0

    @property
    def changes(self) -> int:
        """How many weekly shifts change."""
        return len(self.moves)

    def summary(self) -> str:
        """One line: ``swap: carol takes week 4 primary, bob takes week 6 secondary``."""
        parts = [f"{m.after} takes {m.label()}" for m in self.moves]
        return f"{self.kind}: " + ", ".join(parts)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data with a fixed key order."""
        return {
            "rank": self.rank,
            "kind": self.kind,
            "schedule": self.schedule,
            "person": self.person,
            "week": self.week,
            "changes": self.changes,
            "moves": [m.to_data() for m in self.moves],
            "loads": [c.to_data() for c in self.loads],
            "gaps": [g.to_data() for g in self.gaps],
            "deviation": round(self.deviation, 3),
        }


# ---------------------------------------------------------------------------------------------
# Applying an option


def with_swap(plan: Plan, option: SwapOption, *, created: datetime | None = None) -> Plan:
    """The plan with the option's moves written as whole-week overrides (in a schedule with
    coverage windows, one override over each occurrence of a moved window-week).

    Every option moves whole weeks, yet the weekly shifts stay as published: each move is an
    override over the whole week (``replaces`` names who had it), so the plan shows what was
    agreed and what changed, feeds publish the change as its own event, carry-over counts the
    coverer's hours, and deleting the overrides undoes the swap. The validator counts a week an
    override hands entirely to one person as that person's week.

    Raises:
        ValueError: The option does not fit the plan (a week is no longer held by the person
            the option expects), or an argument is invalid.
    """
    from oncall_planner import _args
    from oncall_planner.roster import weekly_view

    plan = _args.plan_arg("with_swap", "plan", plan)
    if not isinstance(option, SwapOption):
        raise _args.wrong_type("with_swap", "option", option, "a SwapOption from suggest_swaps()")
    if created is not None:
        created = _args.instant_arg("with_swap", "created", created)
    try:
        sp = weekly_view(plan.schedule(option.schedule))
    except KeyError:
        names = ", ".join(s.name for s in plan.schedules)
        raise _args.bad_value(
            "with_swap", "option", option.schedule, f"an option for one of: {names}"
        ) from None
    spans: list[tuple[Move, list[tuple[datetime, datetime]]]] = []
    for m in option.moves:
        if m.window is None:
            cell = sp.on(m.week, m.layer)
            now = [s.person for s in cell]
            fits = now == [m.before]
        else:
            cell = sp.on(m.week, m.layer, m.window)
            now = sorted({s.person for s in cell})
            fits = bool(cell) and now == [m.before]
        if not fits:
            raise _args.bad_value(
                "with_swap",
                "option",
                f"{m.label()} held by {m.before}",
                "an option computed on this plan",
                f"; the plan has {', '.join(now) or 'nobody'} there now: ask suggest_swaps again",
            )
        # A window-week moves occurrence by occurrence: an override over each of them, so the
        # time between occurrences (other windows, or nobody's) stays as it is.
        spans.append(
            (m, [(m.start, m.end)] if m.window is None else [(s.start, s.end) for s in cell])
        )
    reason = f"{option.kind} to free {option.person}'s week {option.week}"
    for m, pieces in spans:
        for a, b in pieces:
            plan = plan.with_override(
                option.schedule, m.layer, m.after, a, b, reason=reason, created=created
            )
    return plan


# ---------------------------------------------------------------------------------------------
# The model


def _stint_gaps(weeks: set[int]) -> tuple[int, ...]:
    """Off weeks between consecutive runs of on-call weeks."""
    ordered = sorted(weeks)
    return tuple(b - a - 1 for a, b in itertools.pairwise(ordered) if b - a > 1)


@dataclass
class _Context:
    """What the model and the options need, read off the schedule and the plan once."""

    schedule: Schedule
    sp: SchedulePlan
    holder: dict[tuple[int, Layer], str]
    on_weeks: dict[str, set[int]]
    busy: dict[str, set[int]]
    allowed: dict[tuple[int, Layer], list[str]]
    loads: dict[str, float]
    shares: dict[str, float]
    weight: dict[Layer, int]
    carried: dict[str, int]
    window: list[int]
    problem: Problem


def _context(
    plan: Plan, schedule: Schedule, person: str, week: int, others: Sequence[Schedule]
) -> _Context:
    from oncall_planner.carryover import run_before_start
    from oncall_planner.expand import expand
    from oncall_planner.fairness import load
    from oncall_planner.roster import weekly_view
    from oncall_planner.solver.instance import build_instance
    from oncall_planner.solver.objective import fair_targets
    from oncall_planner.solver.options import PlanOptions

    sp = weekly_view(plan.schedule(schedule.name))
    problem = expand(schedule, sp.start, sp.weeks)
    options = PlanOptions()
    weight = {Layer.PRIMARY: options.primary_weight, Layer.SECONDARY: options.secondary_weight}
    layers = [lay for lay in PAGED_LAYERS if any(s.layer is lay for s in sp.shifts)]
    holder = {(s.week, s.layer): s.person for s in sp.shifts if s.layer in PAGED_LAYERS}
    on_weeks: dict[str, set[int]] = {}
    for (w, _), p in holder.items():
        on_weeks.setdefault(p, set()).add(w)
    # Weeks a person cannot take: shadowing here, or holding an overlapping shift elsewhere.
    busy: dict[str, set[int]] = {}
    for s in sp.shifts:
        if s.layer is Layer.SHADOW:
            busy.setdefault(s.person, set()).add(s.week)
    weeks = problem.weeks
    for other in plan.schedules:
        if other.name == sp.name:
            continue
        for s in weekly_view(other).shifts:
            for wk in weeks:
                if wk.overlaps(s.start, s.end):
                    busy.setdefault(s.person, set()).add(wk.index)
    members = {m.id: m for m in schedule.participants.members}
    # Training: on call only after the shadow weeks the member still needs, as H004 counts.
    trained_from: dict[str, int] = {}
    for pid, m in members.items():
        need = problem.needs_shadow(m)
        shadowed = sorted(s.week for s in sp.shifts if s.person == pid and s.layer is Layer.SHADOW)
        trained_from[pid] = (
            0 if need <= 0 else (shadowed[need - 1] + 1 if len(shadowed) >= need else sp.weeks)
        )
    reach = max(schedule.participants.max_consecutive_weeks, 2)
    window = [w for w in range(week - reach, week + reach + 1) if 0 <= w < sp.weeks]
    allowed: dict[tuple[int, Layer], list[str]] = {}
    for w in window:
        for lay in layers:
            if (w, lay) not in holder:
                continue
            allowed[(w, lay)] = [
                pid
                for pid in sorted(members)
                if not (pid == person and w == week)
                and w not in problem.unavailable.get(pid, frozenset())
                and w >= trained_from[pid]
                and w not in busy.get(pid, set())
            ]
    loads = {
        pid: float(
            load(
                sum(lay is Layer.PRIMARY for (_, lay), p in holder.items() if p == pid),
                sum(lay is Layer.SECONDARY for (_, lay), p in holder.items() if p == pid),
                weight[Layer.PRIMARY],
                weight[Layer.SECONDARY],
            )
        )
        for pid in sorted(members)
    }
    stored = {f.person: f.fair_share for f in sp.fairness}
    if set(members) <= set(stored):
        # The planner wrote its fair shares into the plan (the same fair_targets below):
        # reading them saves expanding every schedule again (a quarter of a second on 200).
        shares = {p: stored[p] for p in members}
    else:
        instance = build_instance([schedule, *others], sp.start, sp.weeks)
        rot = next(r for r in instance.rotations if r.name == schedule.name)
        shares = fair_targets(instance, rot, options)
    carried = {pid: run_before_start(problem, m) for pid, m in members.items()}
    return _Context(
        schedule,
        sp,
        holder,
        on_weeks,
        busy,
        allowed,
        loads,
        shares,
        weight,
        carried,
        window,
        problem,
    )


def _solve_options(ctx: _Context, person: str, week: int, wanted: int) -> Iterator[SwapOption]:
    """Candidate options, best first, up to ``wanted`` that pass the model (not yet checked).

    The objective is lexicographic with the number of changed shifts first, so the solve is
    split where that number steps: covers of the person's own cell alone (a model whose only
    free cell is that one), then everything with two or more changes. The first model is a
    tenth of the second on a 200-member team, which usually has more covers than anyone asks
    for.
    """
    own = [c for c in ctx.allowed if c[0] == week and ctx.holder[c] == person]
    alone = {
        c: (people if c in own else [ctx.holder[c]] if ctx.holder[c] in people else [])
        for c, people in ctx.allowed.items()
    }
    found = 0
    for allowed, least in ((alone, 1), (ctx.allowed, 2)):
        for option in _stage(ctx, person, week, wanted - found, allowed, least):
            found += 1
            yield option
        if found >= wanted:
            return


def _stage(
    ctx: _Context,
    person: str,
    week: int,
    wanted: int,
    allowed: dict[tuple[int, Layer], list[str]],
    least: int,
) -> Iterator[SwapOption]:
    """Options with at least ``least`` changed shifts, each cell taken from ``allowed``."""
    from ortools.sat.python import cp_model

    if wanted <= 0 or any(not people for people in allowed.values()):
        return
    model = cp_model.CpModel()
    x: dict[tuple[str, int, Layer], Any] = {}
    for (w, lay), people in sorted(allowed.items(), key=lambda kv: (kv[0][0], kv[0][1].order)):
        for p in people:
            x[(p, w, lay)] = model.new_bool_var(f"{p} holds week {w} {lay.value}")
        # Every cell of the window keeps exactly one holder.
        model.add_exactly_one(x[(p, w, lay)] for p in people)
    cells = sorted(allowed, key=lambda c: (c[0], c[1].order))
    window = set(ctx.window)
    # One role per person and week.
    by_person_week: dict[tuple[str, int], list[Any]] = {}
    for (p, w, _), var in x.items():
        by_person_week.setdefault((p, w), []).append(var)
    for group in by_person_week.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    # No stint longer than max_consecutive_weeks (H003), the window's edges and the weeks carried
    # into week 0 as constants.
    limit = ctx.schedule.participants.max_consecutive_weeks
    people_in = sorted({p for p, _, _ in x})
    for p in people_in:
        fixed = ctx.on_weeks.get(p, set())
        carried = ctx.carried.get(p, 0)

        def on(w: int, p: str = p, fixed: set[int] = fixed, carried: int = carried) -> Any:
            if w < 0:
                return 1 if w >= -carried else 0
            if w in window and any((w, lay) in allowed for lay in PAGED_LAYERS):
                return sum(x.get((p, w, lay), 0) for lay in PAGED_LAYERS)
            return 1 if w in fixed else 0

        for s in range(min(ctx.window) - limit, max(ctx.window) + 1):
            terms = [on(w) for w in range(s, s + limit + 1)]
            if any(not isinstance(t, int) for t in terms):
                model.add(sum(terms) <= limit)
    # Changed shifts: a cell whose holder is not the one it has now.
    changed = []
    for w, lay in cells:
        keep = x.get((ctx.holder[(w, lay)], w, lay))
        changed.append(1 if keep is None else 1 - keep)
    n_changed = sum(changed)
    model.add(n_changed <= MAX_CHANGES)
    model.add(n_changed >= least)
    # Fairness: Σ |load − fair share| over the people who may move, in tenths of a unit.
    deviation_terms = []
    mine: dict[str, list[tuple[int, Layer, Any]]] = {}
    for (q, w, lay), var in x.items():
        mine.setdefault(q, []).append((w, lay, var))
    held_by: dict[str, list[tuple[int, Layer]]] = {}
    for w, lay in cells:
        held_by.setdefault(ctx.holder[(w, lay)], []).append((w, lay))
    reach = _SCALE * max(ctx.weight.values()) * MAX_CHANGES
    for p in people_in:
        # The person's load in the window: what they take, less what they hold now.
        delta = sum(ctx.weight[lay] * var for _, lay, var in mine[p]) - sum(
            ctx.weight[lay] for _, lay in held_by.get(p, [])
        )
        now = round(_SCALE * ctx.loads.get(p, 0.0)) - round(_SCALE * ctx.shares.get(p, 0.0))
        # At most MAX_CHANGES shifts move, so the distance stays within reach of where it is.
        dev = model.new_int_var(
            max(0, abs(now) - reach), abs(now) + reach, f"{p} distance from fair share"
        )
        model.add_abs_equality(dev, now + _SCALE * delta)
        deviation_terms.append(dev)
    # Lexicographic: one more change always costs more than any fairness difference.
    big = 2 * _SCALE * max(ctx.weight.values()) * MAX_CHANGES * 2 + 1
    model.minimize(big * n_changed + sum(deviation_terms))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 10.0
    for _ in range(wanted):
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        chosen = []
        for w, lay in cells:
            was = ctx.holder[(w, lay)]
            new = next(p for p in allowed[(w, lay)] if solver.value(x[(p, w, lay)]))
            if new != was:
                chosen.append((w, lay, was, new))
        yield _option(ctx, person, week, chosen)
        # No-good cut: not exactly these moves again. The same moves plus others stay allowed:
        # "alice covers" and "alice covers, bob takes alice's week 1" are both options.
        moved = {(w, lay) for w, lay, _, _ in chosen}
        model.add(
            sum(1 - x[(new, w, lay)] for w, lay, _, new in chosen)
            + sum(c for cell, c in zip(cells, changed, strict=True) if cell not in moved)
            >= 1
        )


def _option(
    ctx: _Context, person: str, week: int, chosen: list[tuple[int, Layer, str, str]]
) -> SwapOption:
    shifts = {(s.week, s.layer): s for s in ctx.sp.shifts}
    moves = tuple(
        Move(w, lay, shifts[(w, lay)].start, shifts[(w, lay)].end, before, after)
        for w, lay, before, after in chosen
    )
    involved = sorted({m.before for m in moves} | {m.after for m in moves})
    delta: dict[str, float] = {}
    weeks_after = {p: set(ctx.on_weeks.get(p, set())) for p in involved}
    for m in moves:
        delta[m.before] = delta.get(m.before, 0.0) - ctx.weight[m.layer]
        delta[m.after] = delta.get(m.after, 0.0) + ctx.weight[m.layer]
        weeks_after[m.before].discard(m.week)
    for m in moves:
        weeks_after[m.after].add(m.week)
    loads = tuple(
        LoadChange(
            p, ctx.loads.get(p, 0.0), ctx.loads.get(p, 0.0) + delta[p], ctx.shares.get(p, 0.0)
        )
        for p in involved
        if delta.get(p, 0.0) != 0.0
    )
    gaps = tuple(
        StintGaps(p, _stint_gaps(ctx.on_weeks.get(p, set())), _stint_gaps(weeks_after[p]))
        for p in involved
    )
    gets_back = any(m.after == person for m in moves)
    kind: Literal["cover", "swap", "chain"] = (
        "cover" if not gets_back else ("swap" if len(moves) == 2 else "chain")
    )
    deviation = sum(abs(c.after - c.fair_share) - abs(c.before - c.fair_share) for c in loads)
    return SwapOption(0, kind, ctx.sp.name, person, week, moves, loads, gaps, deviation)


# ---------------------------------------------------------------------------------------------
# The front door


def suggest_swaps(
    plan: Plan,
    schedule: Schedule | str,
    person: str,
    week: int,
    *,
    top: int = 5,
    others: Sequence[Schedule] = (),
    window: str | None = None,
) -> list[SwapOption]:
    """Ranked options that free ``person``'s ``week`` in ``schedule``, best first.

    Fewest changed shifts first, then the smallest distance of the people involved from their
    fair share. Every option returned, applied with :func:`with_swap`, gives a plan in which
    the validator's hard-rule checkers (H001–H010, as :func:`oncall_planner.check` runs them)
    find no error the plan did not already have. The options move whole weeks, so the interval
    rules H101–H107 see nothing the weekly rules do not.

    In a schedule with coverage windows the unit is a *window-week*: the occurrences of one
    window that one person holds in a week and layer. ``person``'s week is the window-week they
    hold in it (``window`` picks one when they hold two). The options are **covers** (another
    member the window's ``members:`` selector selects takes every occurrence) and **swaps**
    (they take it, and ``person`` takes one of their window-weeks of the same window within
    ± max(max_consecutive_weeks, 2) weeks); no chains. The pools are small, so every candidate
    is tried directly (no solver model): each is applied with :func:`with_swap` (an override
    over each occurrence) and kept only if the hard-rule checkers and the interval checkers
    (:func:`oncall_planner.validate.intervals.check_intervals`, which see min rest and night
    hours to the minute) find no error the plan did not already have. Loads are
    :func:`oncall_planner.fairness.effective_load` (window weight × hours ÷ the week's hours).

    Args:
        plan: The plan (as published, overrides included).
        schedule: The schedule whose week is freed, or the path of its file.
        person: Member id who is on call (primary or secondary) that week.
        week: Week index (0 = the plan's first week).
        top: How many options, 1–50.
        others: The other schedules of the plan, so that the check covers people shared with
            them (two schedules at once, stints across schedules).
        window: The window whose week is freed, for a schedule with coverage windows; needed
            only when ``person`` holds two windows that week (otherwise the one they hold).

    Returns:
        Up to ``top`` options, ``rank`` 1 first.

    Raises:
        TypeError: An argument of the wrong kind.
        ValueError: An unknown person, schedule or window, a week out of range, the person is
            not on call that week (or does not hold ``window`` then), or ``window`` is missing
            while they hold two windows that week.
        NoSwapError: No option exists; the message says why.
    """
    from oncall_planner import _args

    func = "suggest_swaps"
    plan = _args.plan_arg(func, "plan", plan)
    sched = _args.schedule_arg(func, "schedule", schedule)
    person = _args.str_arg(func, "person", person, what="a member id")
    top = _args.int_arg(func, "top", top, lo=1, hi=50, what="a number of options")
    if isinstance(others, Schedule | str) or not isinstance(others, Sequence):
        raise _args.wrong_type(func, "others", others, "a list of Schedule")
    for o in others:
        if not isinstance(o, Schedule):
            raise _args.wrong_type(func, "others", others, "a list of Schedule")
    names = [sp.name for sp in plan.schedules]
    if sched.name not in names:
        raise _args.bad_value(
            func, "schedule", sched, f"a schedule of the plan ({', '.join(names)})"
        )
    sp = plan.schedule(sched.name)
    windowed = bool(sched.windows or sp.windows or any(s.window is not None for s in sp.shifts))
    if window is not None:
        if not isinstance(window, str):
            raise _args.wrong_type(func, "window", window, "a window name or None")
        if not windowed:
            raise _args.bad_value(
                func, "window", window, f"None: {sched.name} has no coverage windows"
            )
        _args.str_arg(func, "window", window, choices=[w.name for w in sched.windows])
    week = _args.int_arg(func, "week", week, lo=0, hi=sp.weeks - 1, what="a week index of the plan")
    members = sorted(m.id for m in sched.participants.members)
    if person not in members:
        raise _args.bad_value(
            func, "person", person, f"a member of {sched.name}: {', '.join(members)}"
        )
    if windowed:
        if not sched.windows:
            raise _args.bad_value(
                func,
                "schedule",
                sched,
                f"the schedule with the coverage windows of the plan of {sched.name} "
                f"({', '.join(sp.window_names())})",
            )
        rest = [o for o in others if o.name != sched.name]
        return _window_swaps(plan, sched, rest, person, week, window, top)
    ctx = _context(plan, sched, person, week, [o for o in others if o.name != sched.name])
    held = [lay for (w, lay), p in ctx.holder.items() if w == week and p == person]
    if not held:
        now = ", ".join(
            f"{lay.value} {p}"
            for (w, lay), p in sorted(ctx.holder.items(), key=lambda kv: kv[0][1].order)
            if w == week
        )
        raise _args.bad_value(
            func,
            "person",
            person,
            f"someone on call in week {week} of {sched.name} ({now or 'nobody'})",
        )
    found = _checked(plan, sched, others, ctx, person, week, top)
    if not found:
        lay = held[0]
        takers = ctx.allowed.get((week, lay), [])
        why = (
            "nobody else may take it (time off, training, or on call elsewhere that week)"
            if not takers
            else f"each of {len(takers)} people who could take it would break a rule, even "
            f"with up to {MAX_CHANGES} shifts changed"
        )
        raise NoSwapError(
            f"no option frees {person}'s week {week} ({lay.value}) in {sched.name}: {why}"
        )
    return found


def _hard_errors(
    plan: Plan,
    schedule: Schedule,
    others: Sequence[Schedule],
    problem: Problem,
    *,
    intervals: bool = False,
) -> Callable[[Plan], set[Any]]:
    """The error findings of a plan, as the validator's hard-rule checkers
    (``validate.hard.CHECKERS``) see them over the weekly view, and with ``intervals`` its
    interval checkers (:func:`oncall_planner.validate.intervals.check_intervals`) too.

    The schedules are expanded once for every plan the returned function is given, rather than
    once per ``check`` call (that expansion was most of a 0.6 s ``check`` on 200 members).
    """
    from oncall_planner.expand import expand
    from oncall_planner.report import Severity
    from oncall_planner.roster import weekly_view
    from oncall_planner.validate.hard import CHECKERS, HardContext
    from oncall_planner.validate.intervals import check_intervals

    targets = sorted(
        [schedule, *(o for o in others if o.name != schedule.name)], key=lambda s: s.name
    )
    names = {sp.name for sp in plan.schedules}
    problems = {
        s.name: problem
        if s.name == schedule.name
        else expand(s, plan.schedule(s.name).start, plan.schedule(s.name).weeks)
        for s in targets
        if s.name in names
    }
    windows: dict[tuple[str, str], Problem] = {}  # each window expanded once, too

    def errors(p: Plan) -> set[Any]:
        items = [
            (s, weekly_view(p.schedule(s.name)), problems[s.name])
            for s in targets
            if s.name in problems
        ]
        ctx_ = HardContext(items, windows=windows)
        found = {
            f
            for checker in CHECKERS.values()
            for f in checker(ctx_)
            if f.severity is Severity.ERROR
        }
        if intervals:
            found |= {f for f in check_intervals(targets, p) if f.severity is Severity.ERROR}
        return found

    return errors


def _checked(
    plan: Plan,
    schedule: Schedule,
    others: Sequence[Schedule],
    ctx: _Context,
    person: str,
    week: int,
    top: int,
) -> list[SwapOption]:
    """The model's options that the hard-rule checkers accept, ranked.

    The checkers are the validator's own (``validate.hard.CHECKERS``, H001–H010) run on the
    plan with the option applied, over the weekly view that counts a whole-week override as
    its holder's week; the schedules are expanded once for all options rather than once per
    ``check`` call (that expansion was most of a 0.6 s ``check`` on 200 members).
    """
    errors = _hard_errors(plan, schedule, others, ctx.problem)
    before = errors(plan)
    kept: list[SwapOption] = []
    # The validator may turn some down (rules the model leaves to it, e.g. on-call share caps):
    # look a few answers further than wanted.
    for option in _solve_options(ctx, person, week, top + 10):
        if errors(with_swap(plan, option)) - before:
            continue
        kept.append(option)
        if len(kept) == top:
            break
    # Ties (equally fair covers) in a fixed order, whatever order the solver met them in.
    kept.sort(
        key=lambda o: (
            o.changes,
            round(o.deviation, 1),
            [(m.week, m.layer.order, m.after) for m in o.moves],
        ),
    )
    return [replace(o, rank=k + 1) for k, o in enumerate(kept)]


# ---------------------------------------------------------------------------------------------
# Schedules with coverage windows

#: A window-week: (week, layer, window).
_Cell = tuple[int, Layer, str]


def _window_cells(sp: SchedulePlan) -> dict[_Cell, str]:
    """Window-week → its holder on the weekly view (paged layers only)."""
    cells: dict[_Cell, str] = {}
    for s in sp.shifts:
        if s.layer in PAGED_LAYERS and s.window is not None:
            cells.setdefault((s.week, s.layer, s.window), s.person)
    return cells


def _window_shares(
    plan: Plan, schedule: Schedule, others: Sequence[Schedule], sp: SchedulePlan
) -> dict[str, float]:
    """The planner's fair shares of the schedule's load: as written in the plan, else
    computed as the planner does (summed over the schedule's windows)."""
    members = [m.id for m in schedule.participants.members]
    stored = {f.person: f.fair_share for f in sp.fairness}
    if set(members) <= set(stored):
        return {p: stored[p] for p in members}
    from oncall_planner.solver.instance import build_instance
    from oncall_planner.solver.objective import fair_targets
    from oncall_planner.solver.options import PlanOptions

    options = PlanOptions()
    instance = build_instance([schedule, *others], sp.start, sp.weeks)
    rots = [r for r in instance.rotations if r.schedule.name == schedule.name]
    shares: dict[str, float] = {}
    for rot in rots:
        for p, x in fair_targets(instance, rot, options).items():
            shares[p] = shares.get(p, 0.0) + x
    return shares


def _window_swaps(
    plan: Plan,
    schedule: Schedule,
    others: Sequence[Schedule],
    person: str,
    week: int,
    window: str | None,
    top: int,
) -> list[SwapOption]:
    """Covers and swaps of ``person``'s window-week, checked and ranked (see
    :func:`suggest_swaps`)."""
    from oncall_planner import _args
    from oncall_planner.expand import expand
    from oncall_planner.fairness import effective_load
    from oncall_planner.roster import weekly_view
    from oncall_planner.solver.options import PlanOptions

    func = "suggest_swaps"
    sp = weekly_view(plan.schedule(schedule.name))
    cells = _window_cells(sp)
    held = sorted((c for c, p in cells.items() if c[0] == week and p == person), key=_cell_key)
    if not held:
        now = ", ".join(
            f"{c[2]} {c[1].value} {p}"
            for c, p in sorted(cells.items(), key=lambda kv: _cell_key(kv[0]))
            if c[0] == week
        )
        raise _args.bad_value(
            func,
            "person",
            person,
            f"someone on call in week {week} of {schedule.name} ({now or 'nobody'})",
        )
    theirs = sorted({c[2] for c in held})
    if window is None:
        if len(theirs) > 1:
            raise _args.bad_value(
                func,
                "window",
                None,
                "one of " + ", ".join(repr(w) for w in theirs),
                f": {person} holds {len(theirs)} windows in week {week} of {schedule.name}",
            )
        window = theirs[0]
    elif window not in theirs:
        raise _args.bad_value(
            func,
            "window",
            window,
            f"a window {person} holds in week {week} of {schedule.name}: "
            + ", ".join(repr(w) for w in theirs),
        )
    mine = [c for c in held if c[2] == window]
    pool = [m.id for m in schedule.window_members(schedule.window(window)) if m.id != person]
    reach = max(schedule.participants.max_consecutive_weeks, 2)

    occurrences: dict[_Cell, list[tuple[datetime, datetime]]] = {}
    for s in sp.shifts:
        if s.window is not None:
            occurrences.setdefault((s.week, s.layer, s.window), []).append((s.start, s.end))

    def move(cell: _Cell, before: str, after: str) -> Move:
        times = occurrences[cell]
        start = min(a for a, _ in times)
        end = max(b for _, b in times)
        return Move(cell[0], cell[1], start, end, before, after, window=cell[2])

    candidates: list[tuple[Literal["cover", "swap"], tuple[Move, ...]]] = []
    for q in pool:
        candidates.append(("cover", tuple(move(c, person, q) for c in mine)))
    for c2, q in sorted(cells.items(), key=lambda kv: _cell_key(kv[0])):
        if c2[2] != window or c2[0] == week or abs(c2[0] - week) > reach or q not in pool:
            continue
        moves = tuple(
            sorted(
                [*(move(c, person, q) for c in mine), move(c2, q, person)],
                key=lambda m: (m.week, m.layer.order),
            )
        )
        candidates.append(("swap", moves))

    options = PlanOptions()
    pw, sw = options.primary_weight, options.secondary_weight
    problem = expand(schedule, sp.start, sp.weeks)
    errors = _hard_errors(plan, schedule, others, problem, intervals=True)
    before = errors(plan)
    loads = effective_load([plan.schedule(schedule.name)], pw, sw)
    shares = _window_shares(plan, schedule, others, sp)
    on_weeks: dict[str, set[int]] = {}
    for c, p in cells.items():
        on_weeks.setdefault(p, set()).add(c[0])

    kept: list[SwapOption] = []
    for kind, moves in candidates:
        option = SwapOption(0, kind, schedule.name, person, week, moves)
        applied = with_swap(plan, option)
        if errors(applied) - before:
            continue
        after = effective_load([applied.schedule(schedule.name)], pw, sw)
        involved = sorted({m.before for m in moves} | {m.after for m in moves})
        changes = tuple(
            LoadChange(p, loads.get(p, 0.0), after.get(p, 0.0), shares.get(p, 0.0))
            for p in involved
            if round(after.get(p, 0.0) - loads.get(p, 0.0), 9) != 0.0
        )
        weeks_after = {p: set(on_weeks.get(p, set())) for p in involved}
        cells_after = dict(cells)
        for m in moves:
            assert m.window is not None
            cells_after[(m.week, m.layer, m.window)] = m.after
        for p in involved:
            weeks_after[p] = {c[0] for c, q in cells_after.items() if q == p}
        gaps = tuple(
            StintGaps(p, _stint_gaps(on_weeks.get(p, set())), _stint_gaps(weeks_after[p]))
            for p in involved
        )
        deviation = sum(abs(c.after - c.fair_share) - abs(c.before - c.fair_share) for c in changes)
        kept.append(replace(option, loads=changes, gaps=gaps, deviation=deviation))
    if not kept:
        why = (
            f"nobody else may hold window {window} (its members: selector)"
            if not pool
            else f"each of {len(pool)} people who may hold window {window} would break a rule, "
            f"as a cover or a swap within {reach} weeks"
        )
        raise NoSwapError(
            f"no option frees {person}'s week {week} ({window}) in {schedule.name}: {why}"
        )
    kept.sort(
        key=lambda o: (
            o.changes,
            round(o.deviation, 1),
            [(m.week, m.layer.order, m.window or "", m.after) for m in o.moves],
        ),
    )
    return [replace(o, rank=k + 1) for k, o in enumerate(kept[:top])]


def _cell_key(cell: _Cell) -> tuple[int, int, str]:
    return (cell[0], cell[1].order, cell[2])
