"""``plan`` and ``plan_org``: from schedules to a checked plan."""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ortools.sat.python import cp_model

from oncall_planner import _args
from oncall_planner.errors import InfeasibleError, RejectedScheduleError, SolverTimeoutError
from oncall_planner.loader import Org
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift, SolveInfo, made_at
from oncall_planner.report import Severity
from oncall_planner.solver.constraints import HARD_CONSTRAINTS
from oncall_planner.solver.explain import explain_infeasible, prechecks
from oncall_planner.solver.greedy import greedy_assignment
from oncall_planner.solver.instance import Cell, Instance, build_instance
from oncall_planner.solver.model import ModelBuilder
from oncall_planner.solver.objective import (
    SOFT_GOALS,
    GoalTerm,
    add_objective,
    fair_targets,
    lexicographic_weights,
)
from oncall_planner.solver.options import PlanOptions
from oncall_planner.solver.summary import fairness_summary
from oncall_planner.spec import MemberHistory, Schedule
from oncall_planner.validate import refusals
from oncall_planner.validate.hard import check_hard

__all__ = ["MAX_WEEKS", "plan", "plan_org"]

#: The longest horizon planned at once.
MAX_WEEKS = 520

log = logging.getLogger(__name__)

#: Rotations with more decision variables than this are solved by stages (see PlanOptions).
STAGED_ABOVE_CELLS = 8000

#: Share of the remaining time given to each stage but the last (see :func:`_solve_by_stages`).
STAGE_SHARE = 0.9


def _ortools_version() -> str:
    try:
        return version("ortools")
    except PackageNotFoundError:  # pragma: no cover - ortools is a dependency
        return "unknown"


def _complete(m: ModelBuilder, cells: set[Cell]) -> tuple[list[int], float] | None:
    """Every variable's value for a plan (decisions fixed), and its objective; None if the plan
    breaks a rule.

    With every decision fixed, presolve settles the auxiliaries almost alone (0.03 s against
    0.27 s without it at 200 members × 52 weeks).
    """
    probe = m.model.clone()
    probe.clear_hints()  # type: ignore[no-untyped-call]
    for cell, var in m.x.items():
        domain = probe.proto.variables[var.index].domain
        domain[0] = domain[1] = int(cell in cells)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5.0
    solver.parameters.cp_model_presolve = True
    if solver.solve(probe) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    objective = solver.objective_value if probe.has_objective() else 0.0
    return list(solver.response_proto.solution), objective


def _hint(m: ModelBuilder, values: list[int]) -> None:
    """A complete hint, written straight into the proto (add_hint() cost 0.25 s at 28k)."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]
    hint = m.model.proto.solution_hint
    hint.vars.extend(list(range(len(values))))
    hint.values.extend(values)


@dataclass(frozen=True)
class _Greedy:
    """A greedy plan: its cells, whether it keeps every rule, and its objective value."""

    cells: set[Cell]
    valid: bool
    objective: float | None


def _greedy(m: ModelBuilder, instance: Instance, options: PlanOptions) -> _Greedy:
    """The greedy plan, hinted to the solver when ``options.hint`` is set.

    A hint of the decision variables alone barely helps (CP-SAT reaches its hint search only
    after the root LP); a complete one gives the first plan at once (research/cpsat.md §3.5),
    so the auxiliaries are found by solving a copy of the model with the decisions fixed. That
    copy also tells whether the greedy plan keeps every rule: if so, it is the fallback when
    the time limit runs out before the solver finds a plan of its own.
    """
    targets = {rot.index: fair_targets(instance, rot, options) for rot in instance.rotations}
    weights = {Layer.PRIMARY: options.primary_weight, Layer.SECONDARY: options.secondary_weight}
    chosen, complete = greedy_assignment(instance, targets, weights, options.spacing_weeks)
    if complete:
        full = _complete(m, chosen)
        if full is not None:
            if options.hint:
                _hint(m, full[0])
            return _Greedy(chosen, True, full[1] if m.model.has_objective() else None)
    return _Greedy(chosen, False, None)


def _to_plan(
    instance: Instance,
    cells: set[Cell],
    start: date,
    info: SolveInfo,
    created: datetime | None = None,
    revised: datetime | None = None,
) -> Plan:
    schedules = []
    for rot in instance.rotations:
        shifts = []
        for r, p, w, layer in sorted(cells, key=lambda c: (c[0], c[2], c[3].order, c[1])):
            if r != rot.index:
                continue
            week = rot.problem.weeks[w]
            shifts.append(Shift(week=w, layer=layer, person=p, start=week.start, end=week.end))
        for w, p in sorted(rot.shadows.items()):
            week = rot.problem.weeks[w]
            shifts.append(
                Shift(week=w, layer=Layer.SHADOW, person=p, start=week.start, end=week.end)
            )
        schedules.append(
            SchedulePlan(
                name=rot.name,
                timezone=rot.schedule.timezone,
                start=start,
                weeks=rot.n_weeks,
                shifts=tuple(shifts),
            )
        )
    return Plan(schedules=tuple(schedules), solve=info, created=created, revised=revised)


@dataclass
class _Outcome:
    """What a solve produced: its status and, with a plan, the plan's cells and figures."""

    status: Any
    cells: set[Cell] | None = None
    objective: float | None = None
    bound: float | None = None
    optimal: bool = False


def _solver(options: PlanOptions, limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = options.workers
    params.random_seed = options.seed
    params.max_time_in_seconds = max(0.001, limit)
    params.cp_model_presolve = options.presolve
    if not options.presolve:
        # Probing still runs before the search without presolve: 3.2 s of a 7 s solve at
        # 200 members × 52 weeks, for no gain on this model (optimal in 5 s without it).
        params.cp_model_probing_level = 0
    # A complete hint is still taken as the first solution, but the search no longer dives
    # around it first: hinted with the fairness stage's plan (holiday load 46), an org's holiday
    # stage ended at 46 against a bound of 25 after 4.9 s; with this, proven 25 in 2.2-5.0 s
    # (docs/benchmarks.md). Measured with one worker only, so interleaved workers keep the
    # default.
    if options.workers == 1:
        params.hint_conflict_limit = 0
    if options.workers > 1:
        # Parallel search is reproducible only when interleaved (research/cpsat.md §3.8).
        params.interleave_search = True
    return solver


#: Deterministic-time budget of a stage's floor check (see :func:`_reach_floor`): about 1-4 s
#: of wall time on the benchmark machine; the checks that succeeded needed at most 0.45.
FLOOR_CHECK_DTIME = 1.0


def _reach_floor(
    m: ModelBuilder, term: GoalTerm, options: PlanOptions, limit: float
) -> tuple[Any, cp_model.CpSolver]:
    """Whether a plan reaches the goal's floor (``term.lb``): a feasibility solve, no objective.

    A goal at its floor is proven optimal by the floor itself, and with the goal's value fixed
    the solver only has to find a plan: an org's fairness stage took 1.0-1.6 s this way
    against 2.6-4.9 s optimising, a 200-member rotation's 0.4-1.0 s against 1.0-6.0 s. When
    the floor is out of reach the check usually says so at once (0.2 s at 200 members), and
    the stage's bound rises to ``lb + 1``. The budget is deterministic time, so the outcome
    does not depend on the machine unless the wall-clock ``limit`` runs out first.
    """
    probe = m.model.clone()
    probe.clear_objective()  # type: ignore[no-untyped-call]
    if options.workers > 1:
        # A hinted model without an objective aborts interleaved workers in OR-Tools 9.15
        # ("Check failed: heuristics.fixed_search").
        probe.clear_hints()  # type: ignore[no-untyped-call]
    probe.add(term.expr <= term.lb)
    solver = _solver(options, limit)
    solver.parameters.max_deterministic_time = FLOOR_CHECK_DTIME
    return solver.solve(probe), solver


def _cells(m: ModelBuilder, solver: cp_model.CpSolver) -> set[Cell]:
    return {cell for cell, var in m.x.items() if solver.boolean_value(var)}


def _solve_weighted(m: ModelBuilder, options: PlanOptions) -> _Outcome:
    """One solve of the weighted objective (its weights make it lexicographic)."""
    solver = _solver(options, options.time_limit_s)
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(status)
    has_objective = m.model.has_objective()
    return _Outcome(
        status,
        _cells(m, solver),
        solver.objective_value if has_objective else 0.0,
        solver.best_objective_bound if has_objective else 0.0,
        status == cp_model.OPTIMAL,
    )


def _solve_by_stages(
    m: ModelBuilder, options: PlanOptions, deadline: float, fallback: set[Cell] | None
) -> _Outcome:
    """Minimise the goals one after another, each stage locking the value it reached.

    Same optimum as the weighted objective, without its large coefficients: an org of 20
    schedules found no plan in 10 s with one weighted solve, while its fairness stage alone was
    proven optimal in 3 s. Each stage first checks whether a plan reaches the goal's floor
    (:func:`_reach_floor`), which proves the stage optimal at once, and only otherwise optimises.
    Each stage but the last gets 90 % of the remaining time (the weighted gap is decided by the
    highest goal left unproven: an org's holiday stage needed 5.0 s, 70 % gave it 4.7) and
    starts from the previous stage's plan. The reported objective and bound are those of the
    weighted objective, so that they compare with a weighted solve; when time runs out, the
    greedy plan (``fallback``) is returned instead if it is better.
    """
    last: cp_model.CpSolver | None = None
    status: Any = cp_model.UNKNOWN
    proven = True
    stages: list[tuple[GoalTerm, int, float]] = []  # term, value reached, stage bound
    built: list[GoalTerm] = []  # every term created, in priority order
    goals = [(goal, goal.term(m, options)) for goal in SOFT_GOALS[:1]]
    pending = list(SOFT_GOALS[1:])
    while goals:
        _goal, term = goals.pop()
        if term is not None:
            built.append(term)
            m.model.minimize(term.expr)
            if last is not None:
                # Start from the previous stage's plan, completed with the values of this
                # stage's new variables (a partial hint is ignored by a single worker). The
                # first stage starts without a hint: hinting the greedy plan there left an org's
                # fairness at 788 after 6 s instead of proven 0 after 3.5 s.
                full = _complete(m, _cells(m, last))
                if full is not None:
                    _hint(m, full[0])
            remaining = deadline - _time.perf_counter()
            # Earlier stages get more time: a higher goal left unproven costs more of the gap.
            share = remaining if not pending else remaining * STAGE_SHARE
            floor_status, solver = _reach_floor(m, term, options, share)
            if floor_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # The floor is a bound: nothing can be better.
                stage, value, bound = cp_model.OPTIMAL, term.lb, float(term.lb)
            else:
                floor = term.lb + (1 if floor_status == cp_model.INFEASIBLE else 0)
                remaining = deadline - _time.perf_counter()
                solver = _solver(options, remaining if not pending else remaining * STAGE_SHARE)
                stage = solver.solve(m.model)
                found = stage in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                value = round(solver.objective_value) if found else term.lb
                bound = max(float(floor), solver.best_objective_bound) if found else float(floor)
            log.debug(
                "stage %s: %s, value %s, bound %s, %.2f s (floor check %s)",
                _goal.name,
                solver.status_name(stage),
                value,
                bound,
                solver.wall_time,
                solver.status_name(floor_status),
            )
            if stage == cp_model.INFEASIBLE and last is None:
                return _Outcome(stage)
            if stage not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                proven = False
                break
            if value <= bound:
                stage = cp_model.OPTIMAL
            stages.append((term, value, bound))
            proven = proven and stage == cp_model.OPTIMAL
            status, last = stage, solver
            # Lock the stage: later stages may not make this goal worse.
            m.model.add(term.expr <= value)
        if pending:
            goal = pending.pop(0)
            goals.append((goal, goal.term(m, options)))
    if last is None:
        return _Outcome(status)
    cells = _cells(m, last)
    # Every goal's term, the ones never reached too, so that the plan is priced with the same
    # weighted objective as a weighted solve.
    terms = built + [t for t in (goal.term(m, options) for goal in pending) if t is not None]
    weights = lexicographic_weights([t.ub - t.lb for t in terms])
    m.model.minimize(sum(w * t.expr for w, t in zip(weights, terms, strict=True)))
    priced = _complete(m, cells)
    objective = priced[1] if priced is not None else None
    if fallback is not None and objective is not None and not proven:
        # A stage cut short can end worse than the greedy plan (seen at 200 members with a
        # 1 s limit): return the better of the two.
        greedy = _complete(m, fallback)
        if greedy is not None and greedy[1] < objective:
            cells, objective = fallback, greedy[1]
    bound = 0.0
    for k, (w, t) in enumerate(zip(weights, terms, strict=True)):
        if k >= len(stages):  # never reached: only its floor is known
            bound += w * t.lb
            break
        _, v, b = stages[k]
        if b < v:  # the first stage not proven optimal: its bound, then the lower floors
            bound += w * max(float(t.lb), b)
            break
        bound += w * v
    proven = proven and len(stages) == len(terms)
    return _Outcome(status, cells, objective, objective if proven else bound, proven)


def _with_fairness(result: Plan, instance: Instance, options: PlanOptions) -> Plan:
    """The plan with each schedule's per-person summary (see :mod:`.summary`)."""
    return fairness_summary(result, instance, options)


def _refuse_rejected(schedules: Sequence[Schedule], ignore: Sequence[str]) -> None:
    """Raise when ``check`` finds errors in the schedules (see ``validate.refusals``)."""
    if isinstance(ignore, str) or not all(isinstance(c, str) for c in ignore):
        raise TypeError(f"ignore must be a list of rule codes such as ['E202'], got {ignore!r}")
    rejected = refusals(list(schedules), ignore)
    if rejected:
        raise RejectedScheduleError(rejected)


def _solve(
    schedules: Sequence[Schedule],
    start: date,
    weeks: int,
    *,
    previous: Plan | None,
    freeze_until: date | None,
    options: PlanOptions | None,
    history: Mapping[str, MemberHistory] | None,
    created: datetime | None = None,
    ignore: Sequence[str] = (),
) -> Plan:
    _refuse_rejected(schedules, ignore)
    made = made_at(created)
    if not 1 <= weeks <= MAX_WEEKS:
        # Building the model does not count against the time limit: 100,000 weeks would
        # run for minutes before the solver even starts.
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS} (ten years), got {weeks}")
    if not schedules:
        raise ValueError("nothing to plan: no schedules given")
    names = [s.name for s in schedules]
    if len(set(names)) != len(names):
        raise ValueError(f"schedule names repeat: {sorted(names)}; names must be unique")
    if freeze_until is not None and previous is None:
        raise ValueError("freeze_until needs the previous plan whose weeks it freezes")
    options = options or PlanOptions()
    began = _time.perf_counter()
    instance = build_instance(
        schedules, start, weeks, previous=previous, freeze_until=freeze_until, history=history
    )
    early = prechecks(instance)
    if early is not None:
        raise early
    m = ModelBuilder(instance)
    for constraint in HARD_CONSTRAINTS:
        constraint.add(m)
    staged = options.lexicographic
    if staged is None:
        # Measured (docs/benchmarks.md): one weighted solve is fastest for a team; by stages
        # wins for orgs and for large rotations, where the weighted LP stalls.
        staged = len(instance.rotations) > 1 or len(m.x) > STAGED_ABOVE_CELLS
    if staged:
        # Each stage adds its goal's variables when it starts: auxiliaries of later goals,
        # unconstrained by the objective, made the fairness stage of a 20-schedule org fail
        # to find a plan in 10 s (3 s to optimal without them).
        greedy = _greedy(m, instance, options)
        outcome = _solve_by_stages(
            m, options, began + options.time_limit_s, greedy.cells if greedy.valid else None
        )
    else:
        add_objective(m, options)
        greedy = _greedy(m, instance, options)
        outcome = _solve_weighted(m, options)
    if outcome.status == cp_model.INFEASIBLE:
        if options.explain:
            raise explain_infeasible(instance, options)
        raise InfeasibleError(["the hard rules admit no plan (explanation switched off)"])
    if outcome.status == cp_model.MODEL_INVALID:  # pragma: no cover - a bug in the builder
        raise RuntimeError(f"internal error: invalid CP-SAT model: {m.model.validate()}")
    if outcome.cells is not None:
        cells, objective, optimal = outcome.cells, outcome.objective, outcome.optimal
    elif greedy.valid:
        # Time ran out before the solver's first plan: the greedy plan keeps every rule.
        cells, objective, optimal = greedy.cells, greedy.objective, False
        outcome.bound = None
        if objective is None:  # solved by stages: price the plan with the weighted objective
            add_objective(m, options)
            priced = _complete(m, cells)
            objective = priced[1] if priced is not None else None
    else:
        raise SolverTimeoutError(options.time_limit_s)
    info = SolveInfo(
        status="OPTIMAL" if optimal else "FEASIBLE",
        objective=objective,
        bound=outcome.bound,
        wall_s=round(_time.perf_counter() - began, 3),
        seed=options.seed,
        workers=options.workers,
        ortools_version=_ortools_version(),
    )
    # A re-plan of the same weeks is a revision: it keeps the first plan's creation time.
    replan = previous is not None and any(sp.start == start for sp in previous.schedules)
    first, revised = (previous.created or made, made) if replan and previous else (made, None)
    result = _with_fairness(
        _to_plan(instance, cells, start, info, first, revised), instance, options
    )
    result = result.annotate(schedules)
    problems = [
        f
        for f in check_hard(
            schedules, result, previous=previous, freeze_until=freeze_until, history=history
        )
        if f.severity is Severity.ERROR  # a thin week (H005) is a warning, not a broken rule
    ]
    if problems:
        listing = "\n".join(f.format() for f in problems)
        raise RuntimeError(f"internal error: the planner broke a hard rule:\n{listing}")
    return result


def plan(
    schedule: Schedule,
    start: date,
    weeks: int,
    *,
    previous: Plan | None = None,
    freeze_until: date | None = None,
    options: PlanOptions | None = None,
    history: Mapping[str, MemberHistory] | None = None,
    created: datetime | None = None,
    ignore: Sequence[str] = (),
) -> Plan:
    """Plan a weekly rotation that keeps every hard rule and is as fair as possible.

    Args:
        schedule: The schedule to plan.
        start: Week 0 starts at the first handoff on or after this date.
        weeks: How many weeks to plan.
        previous: A plan to re-plan: its weeks before ``freeze_until`` are kept, later ones
            change as little as possible, and its weeks before ``start`` count toward
            ``max_consecutive_weeks``.
        freeze_until: Shifts starting before this date stay as in ``previous``.
        options: Solver settings (time limit, workers, seed, load weights).
        history: Carry-over per member id (e.g. from a feed of past shifts), replacing the
            ``history`` written in the schedule.
        created: When the plan is made (aware), recorded in the plan file and used by feeds
            as DTSTAMP; default ``SOURCE_DATE_EPOCH`` if set, else now (UTC). Re-planning the
            same weeks from ``previous`` keeps its ``created`` and records this as ``revised``.
        ignore: Rule codes (or prefixes) of ``check`` errors to plan despite; without them
            the planner refuses schedules that ``check`` rejects.

    Returns:
        The plan, annotated with names and escalation, with its solve information.

    Raises:
        RejectedScheduleError: ``check`` finds errors in the schedule (``findings``).
        InfeasibleError: No plan keeps every hard rule; ``conflicts`` says why.
        SolverTimeoutError: The time limit ran out before any plan was found.
        ValueError: ``weeks`` outside 1..MAX_WEEKS (520), ``freeze_until`` without
            ``previous``, or a naive ``created``.
        TypeError: An argument of the wrong kind (the message names it and what is accepted);
            an org of several schedules (use :func:`plan_org`); ``created`` is not a datetime.
    """
    schedule = _args.schedule_arg("plan", "schedule", schedule, org_to="plan_org")
    start, weeks, previous, freeze_until, options, history = _args.plan_args(
        "plan", start, weeks, previous, freeze_until, options, history
    )
    return _solve(
        [schedule],
        start,
        weeks,
        previous=previous,
        freeze_until=freeze_until,
        options=options,
        history=history,
        created=created,
        ignore=ignore,
    )


def plan_org(
    org_or_schedules: Org | Sequence[Schedule],
    start: date,
    weeks: int,
    *,
    previous: Plan | None = None,
    freeze_until: date | None = None,
    options: PlanOptions | None = None,
    history: Mapping[str, MemberHistory] | None = None,
    created: datetime | None = None,
    ignore: Sequence[str] = (),
) -> Plan:
    """Plan several schedules together; a member id in two schedules is one person.

    Nobody is given roles in two schedules at overlapping times (H007), whatever their handoff
    days, times and zones, nor in a stint across schedules longer than their smallest
    ``max_consecutive_weeks`` (H009). A person is one person: one fair share across the org,
    split among their schedules. Arguments and errors are as for :func:`plan`.
    """
    target = _args.schedules_arg("plan_org", "org_or_schedules", org_or_schedules)
    schedules = target.schedules if isinstance(target, Org) else (target,)
    start, weeks, previous, freeze_until, options, history = _args.plan_args(
        "plan_org", start, weeks, previous, freeze_until, options, history
    )
    return _solve(
        list(schedules),
        start,
        weeks,
        previous=previous,
        freeze_until=freeze_until,
        options=options,
        history=history,
        created=created,
        ignore=ignore,
    )
