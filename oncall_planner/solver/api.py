"""``plan`` and ``plan_org``: from schedules to a checked plan."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import time as _time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ortools.sat.python import cp_model

from oncall_planner import _args
from oncall_planner._outcome import Outcome, capture, restore
from oncall_planner.errors import InfeasibleError, RejectedScheduleError, SolverTimeoutError
from oncall_planner.loader import Org
from oncall_planner.plans import (
    ComponentSolve,
    Layer,
    Plan,
    SchedulePlan,
    Shift,
    SolveInfo,
    made_at,
    optimality_gap,
)
from oncall_planner.replan import plan_changes
from oncall_planner.report import Severity
from oncall_planner.solver.constraints import HARD_CONSTRAINTS
from oncall_planner.solver.explain import explain_infeasible, prechecks
from oncall_planner.solver.greedy import greedy_assignment
from oncall_planner.solver.instance import Cell, Instance, build_instance, split_components
from oncall_planner.solver.model import ModelBuilder
from oncall_planner.solver.objective import (
    GoalTerm,
    Stability,
    add_objective,
    fair_targets,
    lexicographic_weights,
    ranked_goals,
)
from oncall_planner.solver.options import PlanOptions
from oncall_planner.solver.summary import fairness_summary
from oncall_planner.spec import MemberHistory, Schedule
from oncall_planner.validate import refusals
from oncall_planner.validate.hard import check_hard

__all__ = ["MAX_WEEKS", "Progress", "ProgressCallback", "plan", "plan_org"]

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
    solver.parameters.catch_sigint_signal = False
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


def _greedy(
    m: ModelBuilder, instance: Instance, options: PlanOptions, *, verify: bool = True
) -> _Greedy:
    """The greedy plan, hinted to the solver when ``options.hint`` is set.

    A hint of the decision variables alone barely helps (CP-SAT reaches its hint search only
    after the root LP); a complete one gives the first plan at once (research/cpsat.md §3.5),
    so the auxiliaries are found by solving a copy of the model with the decisions fixed. That
    copy also tells whether the greedy plan keeps every rule: if so, it is the fallback when
    the time limit runs out before the solver finds a plan of its own. Solving by stages
    (``verify=False``), the first stage makes that copy anyway: each copy cost 1-2 s at
    200 members × 52 weeks, so the plan is returned unverified and the stages check it.
    """
    targets = {rot.index: fair_targets(instance, rot, options) for rot in instance.rotations}
    weights = {Layer.PRIMARY: options.primary_weight, Layer.SECONDARY: options.secondary_weight}
    chosen, complete = greedy_assignment(instance, targets, weights, options.spacing_weeks)
    if complete and not verify and not options.hint:
        return _Greedy(chosen, True, None)
    if complete:
        full = _complete(m, chosen)
        if full is not None:
            if options.hint:
                _hint(m, full[0])
            return _Greedy(chosen, True, full[1] if m.model.has_objective() else None)
    return _Greedy(chosen, False, None)


def _to_plan(instance: Instance, cells: set[Cell], start: date) -> Plan:
    # One sort over all cells with a precomputed layer rank: a sort per rotation over every
    # cell with ``Layer.order`` (``list(Layer).index``) per key took 372 s of a 533 s solve at
    # 1,000 rotations.
    rank = {layer: layer.order for layer in Layer}
    by_rotation: dict[int, list[Cell]] = {}
    for cell in sorted(cells, key=lambda c: (c[0], c[2], rank[c[3]], c[1])):
        by_rotation.setdefault(cell[0], []).append(cell)
    schedules = []
    for group in instance.schedule_groups():
        shifts = []
        for r in group:
            rot = instance.rotations[r]
            held = [(w, layer, p) for _r, p, w, layer in by_rotation.get(r, [])]
            held += [(w, Layer.SHADOW, p) for w, p in sorted(rot.shadows.items())]
            for w, layer, p in held:
                week = rot.problem.weeks[w]
                if rot.window is None:
                    shifts.append(
                        Shift(week=w, layer=layer, person=p, start=week.start, end=week.end)
                    )
                    continue
                # One shift per occurrence of the window in the week.
                shifts += [
                    Shift(week=w, layer=layer, person=p, window=rot.window.name, start=a, end=b)
                    for a, b in week.intervals
                ]
        rot = instance.rotations[group[0]]
        sched = rot.schedule
        # With windows, the plan carries them and its handoff (as ``Plan.annotate`` does), so
        # that the fairness summary reads the plan as everything downstream does.
        extra: dict[str, Any] = (
            {
                "windows": sched.windows,
                "handoff": f"{sched.handoff_day.value} {sched.handoff_time:%H:%M}",
                "coverage": sched.coverage,
            }
            if sched.windows
            else {}
        )
        schedules.append(
            SchedulePlan(
                name=sched.name,
                timezone=sched.timezone,
                start=start,
                weeks=rot.n_weeks,
                shifts=tuple(shifts),
                **extra,
            )
        )
    return Plan(schedules=tuple(schedules))


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
    # CP-SAT's own Ctrl-C handler stops the search and returns the plan so far as FEASIBLE, so
    # an interrupted `plan` wrote a plan and exited 0. Without it the interrupt is the caller's
    # (the CLI solves in a child process it kills, see cli/plan.py).
    params.catch_sigint_signal = False
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


#: Seconds to build the model per decision variable, about: 1.75 s for 200 members × 52 weeks
#: on a loaded machine, 0.5 s idle. A component with less time than that skips the model.
BUILD_S_PER_CELL = 5e-5

#: Share of a component's model-building time kept for pricing and summarising its plan.
POST_SHARE = 0.5

#: A stage with less time left than this is not started (the search would only set up).
MIN_STAGE_S = 0.05

#: Deterministic-time budget of a stage's floor check (see :func:`_reach_floor`): about 1-4 s
#: of wall time on the benchmark machine; the checks that succeeded needed at most 0.45.
FLOOR_CHECK_DTIME = 1.0

#: The floor check's budget for plans with coverage windows. Their goals (the fair-load band,
#: the window spread, spacing) are built to be reachable, and their linear bounds are weak, so
#: finding the floor is the way to prove a stage: at follow-the-sun × 52 weeks × 30 members the
#: spacing stage's check ran out at 1.0 (3.6 s in the stage, 5.5 s in all) and succeeded within
#: 2.5 (3.7 s in all; docs/benchmarks.md).
FLOOR_CHECK_DTIME_WINDOWS = 4.0

#: At most this share of a stage's time goes to its floor check: at 100 rotations the check
#: ran out (UNKNOWN) and left the optimisation nothing.
FLOOR_CHECK_SHARE = 0.5


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
    solver.parameters.max_deterministic_time = (
        FLOOR_CHECK_DTIME_WINDOWS if m.instance.windowed else FLOOR_CHECK_DTIME
    )
    return solver.solve(probe), solver


def _cells(m: ModelBuilder, solver: cp_model.CpSolver) -> set[Cell]:
    return {cell for cell, var in m.x.items() if solver.boolean_value(var)}


def _solve_weighted(m: ModelBuilder, options: PlanOptions, deadline: float) -> _Outcome:
    """One solve of the weighted objective (its weights make it lexicographic)."""
    solver = _solver(options, deadline - _time.perf_counter())
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No plan in time, but the search may have proven a bound: it bounds the greedy
        # fallback's objective too (same weighted objective).
        known = solver.best_objective_bound if m.model.has_objective() else None
        return _Outcome(status, bound=known if known is not None and math.isfinite(known) else None)
    has_objective = m.model.has_objective()
    return _Outcome(
        status,
        _cells(m, solver),
        solver.objective_value if has_objective else 0.0,
        solver.best_objective_bound if has_objective else 0.0,
        status == cp_model.OPTIMAL,
    )


def _changes_term(m: ModelBuilder, options: PlanOptions) -> GoalTerm | None:
    return Stability().term(m, options)


def _bound_changes(m: ModelBuilder, options: PlanOptions, deadline: float) -> None:
    """With ``max_changes``: at most that many changes beyond the fewest the rules force.

    The fewest forced changes come from a solve of the changes alone (a quarter of the time
    left); the bound then lets preferences, ranked first (see ``ranked_goals``), spend at most
    ``max_changes`` more.
    """
    term = _changes_term(m, options)
    if term is None:
        return
    probe = m.model.clone()
    probe.minimize(term.expr)
    solver = _solver(options, (deadline - _time.perf_counter()) * 0.25)
    status = solver.solve(probe)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return  # infeasible or no plan in time: the main solve will say so
    # The fewest changes found (proven when OPTIMAL): an upper bound on the forced ones, so
    # the bound below never makes the model infeasible.
    forced = round(solver.objective_value)
    m.model.add(term.expr <= forced + options.max_changes)


def _solve_by_stages(
    m: ModelBuilder, options: PlanOptions, deadline: float, fallback: set[Cell] | None
) -> _Outcome:
    """Minimise the goals one after another, each stage locking the value it reached.

    Same optimum as the weighted objective, without its large coefficients: an org of 20
    schedules found no plan in 10 s with one weighted solve, while its fairness stage alone was
    proven optimal in 3 s. A stage whose starting plan (the greedy plan for the first stage, the
    previous stage's plan after) already reaches the goal's floor is proven at once; otherwise
    the stage checks whether a plan reaches the floor (:func:`_reach_floor`, at most a quarter
    of its time), and only then optimises, starting from that plan (a complete hint). Each
    stage but the last gets 90 % of the remaining time (the weighted gap is decided by the
    highest goal left unproven: an org's holiday stage needed 5.0 s, 70 % gave it 4.7). The
    reported objective and bound are those of the weighted objective, so that they compare
    with a weighted solve; when time runs out, the greedy plan (``fallback``) is returned
    instead if it is better.
    """
    status: Any = cp_model.UNKNOWN
    proven = True
    stages: list[tuple[GoalTerm, int, float]] = []  # term, value reached, stage bound
    built: list[GoalTerm] = []  # every term created, in priority order
    ranked = ranked_goals(m, options)
    goals = [(goal, goal.term(m, options)) for goal in ranked[:1]]
    pending = list(ranked[1:])
    last: set[Cell] | None = None  # the latest stage's plan
    while goals:
        _goal, term = goals.pop()
        if term is not None:
            built.append(term)
            m.model.minimize(term.expr)
            if deadline - _time.perf_counter() < MIN_STAGE_S:
                proven = False
                break
            start_from = last if last is not None else fallback
            # The starting plan completed with the values of this stage's new variables (a
            # partial hint is ignored by a single worker).
            began = _time.perf_counter()
            full = _complete(m, start_from) if start_from is not None else None
            # Loading the model into CP-SAT costs about what that completion did, whatever the
            # time limit: a stage with less time left would only overrun it (200 members × 52
            # weeks on a loaded machine: 5 s limits ended after 6.7-8.4 s).
            setup = _time.perf_counter() - began
            if full is None and last is None:
                fallback = start_from = None  # the greedy plan breaks a rule
            floor_status: Any = None
            cells: set[Cell] | None = None
            if full is not None and start_from is not None and round(full[1]) <= term.lb:
                # The starting plan is already at the floor: nothing can be better.
                stage, value, bound, cells = cp_model.OPTIMAL, term.lb, float(term.lb), start_from
            elif deadline - _time.perf_counter() < 2 * setup:
                proven = False
                break
            else:
                if full is not None and last is not None:
                    _hint(m, full[0])
                remaining = deadline - _time.perf_counter()
                share = remaining if not pending else remaining * STAGE_SHARE
                floor_status, solver = _reach_floor(m, term, options, share * FLOOR_CHECK_SHARE)
                if floor_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    # The floor is a bound: nothing can be better.
                    stage, value, bound = cp_model.OPTIMAL, term.lb, float(term.lb)
                    cells = _cells(m, solver)
                else:
                    if full is not None and last is None:
                        # The first stage starts from the greedy plan only now: hinted before
                        # the floor check, an org's fairness stayed at 788 after 6 s instead
                        # of proven 0 after 3.5 s.
                        _hint(m, full[0])
                    floor = term.lb + (1 if floor_status == cp_model.INFEASIBLE else 0)
                    remaining = deadline - _time.perf_counter()
                    solver = _solver(options, remaining if not pending else remaining * STAGE_SHARE)
                    stage = solver.solve(m.model)
                    found = stage in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                    value = round(solver.objective_value) if found else term.lb
                    bound = (
                        max(float(floor), solver.best_objective_bound) if found else float(floor)
                    )
                    cells = _cells(m, solver) if found else None
            log.debug(
                "stage %s: status %s, value %s, bound %s, floor check %s",
                _goal.name,
                stage,
                value,
                bound,
                floor_status,
            )
            if stage == cp_model.INFEASIBLE and last is None:
                return _Outcome(stage)
            if stage not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or cells is None:
                proven = False
                break
            if value <= bound:
                stage = cp_model.OPTIMAL
            stages.append((term, value, bound))
            proven = proven and stage == cp_model.OPTIMAL
            status, last = stage, cells
            # Lock the stage: later stages may not make this goal worse.
            m.model.add(term.expr <= value)
        if pending:
            goal = pending.pop(0)
            goals.append((goal, goal.term(m, options)))
    if last is None:
        if fallback is None or status == cp_model.INFEASIBLE:
            return _Outcome(status)
        # No stage found a plan in time: the greedy plan, priced below with the terms already
        # built (building them again cost 1.1 s of a 4-rotation org's 2 s).
        last, status = fallback, cp_model.FEASIBLE
    cells = last
    # Every goal's term, the ones never reached too, so that the plan is priced with the same
    # weighted objective as a weighted solve.
    terms = built + [t for t in (goal.term(m, options) for goal in pending) if t is not None]
    weights = lexicographic_weights([t.ub - t.lb for t in terms])
    m.model.minimize(sum(w * t.expr for w, t in zip(weights, terms, strict=True)))
    m.model.clear_hints()  # type: ignore[no-untyped-call]
    priced = _complete(m, cells)
    if priced is None and not stages:
        # The greedy plan, never checked (no stage started), breaks a rule: no plan in time.
        return _Outcome(cp_model.UNKNOWN)
    objective = priced[1] if priced is not None else None
    if fallback is not None and objective is not None and not proven and cells != fallback:
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


@dataclass(frozen=True)
class Progress:
    """Where a running solve is, for a progress display (see ``plan_org(progress=...)``).

    Attributes:
        components: Independent parts of the org being planned.
        done: Parts finished so far.
        objective: Sum of the finished parts' objectives (None before the first).
        bound: Sum of their bounds (None when a finished part has none).
        stage: What runs now, in words ("fair load", "greedy plan"), or "".
    """

    components: int
    done: int
    objective: float | None = None
    bound: float | None = None
    stage: str = ""

    @property
    def gap(self) -> float | None:
        """``(objective − bound) / objective`` (see :func:`oncall_planner.plans.optimality_gap`)."""
        return optimality_gap(self.objective, self.bound)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Part:
    """One solved component: its schedules' plans and figures."""

    solve: ComponentSolve
    schedules: tuple[SchedulePlan, ...]


def _solve_component(
    schedules: Sequence[Schedule],
    start: date,
    weeks: int,
    previous: Plan | None,
    freeze_until: date | None,
    options: PlanOptions,
    history: Mapping[str, MemberHistory] | None,
    deadline: float,
) -> _Part:
    """Plan one component (or a whole org as one model) before ``deadline`` (perf_counter)."""
    began = _time.perf_counter()
    instance = build_instance(
        schedules, start, weeks, previous=previous, freeze_until=freeze_until, history=history
    )
    early = prechecks(instance)
    if early is not None:
        raise early
    size = sum(len(rot.members) * rot.n_weeks * len(rot.layers) for rot in instance.rotations)
    if previous is None and deadline - began < (1 + POST_SHARE) * BUILD_S_PER_CELL * size:
        # Not even time to build the model: the greedy plan, checked without a solver. At
        # 1,000 rotations each component's share was below its build time, and building them
        # anyway ran a 300 s limit to 548 s.
        quick = _greedy_only(schedules, instance, start, options, history, began)
        if quick is not None:
            return quick
    m = ModelBuilder(instance)
    for constraint in HARD_CONSTRAINTS:
        constraint.add(m)
    # Pricing the plan and summarising it afterwards take about half as long as building the
    # model did (200 members × 52 weeks: 1.75 s to build, 0.8 s after the search): keep that
    # much of the budget for after the search, so the call ends on time.
    deadline -= POST_SHARE * (_time.perf_counter() - began)
    if previous is not None and options.max_changes > 0:
        _bound_changes(m, options, deadline)
    staged = options.lexicographic
    if staged is None:
        # Measured (docs/benchmarks.md): one weighted solve is fastest for a team; by stages
        # wins for orgs and for large rotations, where the weighted LP stalls.
        staged = len(instance.rotations) > 1 or len(m.x) > STAGED_ABOVE_CELLS
    if staged:
        # Each stage adds its goal's variables when it starts: auxiliaries of later goals,
        # unconstrained by the objective, made the fairness stage of a 20-schedule org fail
        # to find a plan in 10 s (3 s to optimal without them).
        greedy = _greedy(m, instance, options, verify=False)
        outcome = _solve_by_stages(m, options, deadline, greedy.cells if greedy.valid else None)
        # The stages return the greedy plan themselves when it keeps every rule and no stage
        # found better; unverified, it is no fallback here.
        greedy = _Greedy(greedy.cells, False, None)
    else:
        add_objective(m, options)
        greedy = _greedy(m, instance, options)
        outcome = _solve_weighted(m, options, deadline)
    if outcome.status == cp_model.INFEASIBLE:
        if options.explain:
            raise explain_infeasible(instance, options)
        raise InfeasibleError(["the hard rules admit no plan (explanation switched off)"])
    if outcome.status == cp_model.MODEL_INVALID:  # pragma: no cover - a bug in the builder
        raise RuntimeError(f"internal error: invalid CP-SAT model: {m.model.validate()}")
    bound = outcome.bound
    if outcome.cells is not None:
        cells, objective, optimal = outcome.cells, outcome.objective, outcome.optimal
    elif greedy.valid:
        # Time ran out before the solver's first plan: the greedy plan keeps every rule.
        cells, objective, optimal = greedy.cells, greedy.objective, False
        if bound is not None and objective is not None and bound > objective:
            bound = None  # not a bound of this plan's objective: say nothing
        if objective is None:  # solved by stages: price the plan with the weighted objective
            add_objective(m, options)
            priced = _complete(m, cells)
            objective = priced[1] if priced is not None else None
    else:
        raise SolverTimeoutError(options.time_limit_s)
    # OPTIMAL only with a proof: 200 × 13 on 2 workers came back OPTIMAL at the time limit
    # with bound 41,258 below objective 41,748.
    optimal = optimal and optimality_gap(objective, bound) == 0.0
    result = _with_fairness(_to_plan(instance, cells, start), instance, options)
    return _Part(
        ComponentSolve(
            schedules=tuple(rot.name for rot in instance.rotations),
            status="OPTIMAL" if optimal else "FEASIBLE",
            objective=objective,
            bound=bound,
            gap=optimality_gap(objective, bound),
            wall_s=round(_time.perf_counter() - began, 3),
        ),
        result.schedules,
    )


def _greedy_only(
    schedules: Sequence[Schedule],
    instance: Instance,
    start: date,
    options: PlanOptions,
    history: Mapping[str, MemberHistory] | None,
    began: float,
) -> _Part | None:
    """The greedy plan without a model, if it keeps every hard rule (no objective, no bound)."""
    targets = {rot.index: fair_targets(instance, rot, options) for rot in instance.rotations}
    weights = {Layer.PRIMARY: options.primary_weight, Layer.SECONDARY: options.secondary_weight}
    chosen, complete = greedy_assignment(instance, targets, weights, options.spacing_weeks)
    if not complete:
        return None
    result = _with_fairness(_to_plan(instance, chosen, start), instance, options)
    if check_hard(schedules, result.annotate(schedules), history=history):
        return None
    return _Part(
        ComponentSolve(
            schedules=tuple(rot.name for rot in instance.rotations),
            status="FEASIBLE",
            wall_s=round(_time.perf_counter() - began, 3),
        ),
        result.schedules,
    )


def _size(schedules: Sequence[Schedule], weeks: int) -> int:
    """Decision variables of a component, about: what its share of the time follows (a
    schedule's windows each a rotation, counted with every member: an upper bound)."""
    return sum(
        len(s.participants.members) * weeks * (2 if s.uses_secondary else 1) * len(s.windows or [0])
        for s in schedules
    )


def _ignore_sigint() -> None:
    # Component workers leave Ctrl-C to the process that started them, which stops them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _component_task(args: tuple[Any, ...]) -> Outcome:
    """Solve one component in a worker process; errors travel back as data."""
    return capture(lambda: _solve_component(*args))


def _solve_parts(
    groups: list[list[Schedule]],
    start: date,
    weeks: int,
    previous: Plan | None,
    freeze_until: date | None,
    options: PlanOptions,
    history: Mapping[str, MemberHistory] | None,
    deadline: float,
    progress: ProgressCallback | None,
) -> list[_Part]:
    """Solve the components, one after another or ``options.workers`` at a time.

    Each component gets the time left in proportion to its size (among those not started,
    times the number of processes when several run at once), so that the whole call keeps its
    time limit; a component proven early leaves its time to the others. With several
    processes each solves with one CP-SAT worker, so the result does not depend on which
    process takes which component.
    """
    sizes = [_size(g, weeks) for g in groups]
    single = options.model_copy(update={"workers": 1}) if len(groups) > 1 else options
    parts: dict[int, _Part] = {}

    def report(stage: str = "") -> None:
        if progress is None:
            return
        done = list(parts.values())
        objective = sum(p.solve.objective or 0.0 for p in done) if done else None
        bounds = [p.solve.bound for p in done]
        bound = sum(b for b in bounds if b is not None) if done and None not in bounds else None
        progress(Progress(len(groups), len(done), objective, bound, stage))

    def budget(i: int, left: int, slots: int) -> float:
        remaining = deadline - _time.perf_counter()
        return remaining * min(1.0, slots * sizes[i] / max(1, left))

    report()
    if options.workers == 1 or len(groups) == 1:
        for i, group in enumerate(groups):
            left = sum(sizes[i:])
            limit = budget(i, left, 1)
            parts[i] = _solve_component(
                group,
                start,
                weeks,
                previous,
                freeze_until,
                single,
                history,
                _time.perf_counter() + limit,
            )
            report()
        return [parts[i] for i in range(len(groups))]
    order = sorted(range(len(groups)), key=lambda i: (-sizes[i], i))
    context = multiprocessing.get_context("fork")
    slots = min(options.workers, len(groups))
    with ProcessPoolExecutor(slots, mp_context=context, initializer=_ignore_sigint) as pool:
        running: dict[Any, int] = {}
        queue = list(order)
        try:
            while queue or running:
                while queue and len(running) < slots:
                    i = queue.pop(0)
                    left = (
                        sum(sizes[k] for k in queue)
                        + sizes[i]
                        + sum(sizes[k] for k in running.values())
                    )
                    limit = budget(i, left, slots)
                    args = (
                        groups[i],
                        start,
                        weeks,
                        previous,
                        freeze_until,
                        single,
                        history,
                        _time.perf_counter() + limit,
                    )
                    running[pool.submit(_component_task, args)] = i
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: running[f]):
                    i = running.pop(future)
                    parts[i] = restore(future.result(), "a planning worker")
                report()
        except BaseException:
            for future in running:
                future.cancel()
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise
    return [parts[i] for i in range(len(groups))]


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
    progress: ProgressCallback | None = None,
) -> Plan:
    _refuse_rejected(schedules, ignore)
    made = made_at(created)
    if not 1 <= weeks <= MAX_WEEKS:
        # Building the model counts against the time limit: 100,000 weeks would run for
        # minutes before the solver even starts.
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
    # The time limit is for the whole call: keep a little for the checks after (check_hard
    # took 0.07 s at 200 members × 52 weeks).
    reserve = min(5.0, 0.03 * options.time_limit_s)
    deadline = began + options.time_limit_s - reserve
    groups = split_components(schedules) if options.split else [list(schedules)]
    parts = _solve_parts(
        groups, start, weeks, previous, freeze_until, options, history, deadline, progress
    )
    solves = [p.solve for p in parts]
    objectives = [s.objective for s in solves]
    bounds = [s.bound for s in solves]
    objective = None if None in objectives else sum(o or 0.0 for o in objectives)
    bound = None if None in bounds else sum(b or 0.0 for b in bounds)
    optimal = all(s.status == "OPTIMAL" for s in solves)
    ordered = sorted((sp for p in parts for sp in p.schedules), key=lambda sp: sp.name)
    result = Plan(schedules=tuple(ordered)).annotate(schedules)
    changes = plan_changes(previous, result, schedules) if previous is not None else None
    info = SolveInfo(
        status="OPTIMAL" if optimal else "FEASIBLE",
        objective=objective,
        bound=bound,
        wall_s=round(_time.perf_counter() - began, 3),
        seed=options.seed,
        workers=options.workers,
        ortools_version=_ortools_version(),
        gap=optimality_gap(objective, bound),
        components=tuple(solves) if len(solves) > 1 else None,
        changes=changes,
    )
    # A re-plan of the same weeks is a revision: it keeps the first plan's creation time.
    replan = previous is not None and any(sp.start == start for sp in previous.schedules)
    first, revised = (previous.created or made, made) if replan and previous else (made, None)
    result = result.model_copy(update={"solve": info, "created": first, "revised": revised})
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
    schedule: Schedule | str | os.PathLike[str],
    start: date | str,
    weeks: int,
    *,
    previous: Plan | str | os.PathLike[str] | None = None,
    freeze_until: date | str | None = None,
    options: PlanOptions | None = None,
    history: Mapping[str, MemberHistory] | None = None,
    created: datetime | None = None,
    ignore: Sequence[str] = (),
    progress: ProgressCallback | None = None,
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
        progress: Called as the solve advances (components done, objective, bound); the
            CLI shows it on a terminal.

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
        progress=progress,
    )


def plan_org(
    org_or_schedules: Org | Sequence[Schedule] | str | os.PathLike[str],
    start: date | str,
    weeks: int,
    *,
    previous: Plan | str | os.PathLike[str] | None = None,
    freeze_until: date | str | None = None,
    options: PlanOptions | None = None,
    history: Mapping[str, MemberHistory] | None = None,
    created: datetime | None = None,
    ignore: Sequence[str] = (),
    progress: ProgressCallback | None = None,
) -> Plan:
    """Plan several schedules together; a member id in two schedules is one person.

    Nobody is given roles in two schedules at overlapping times (H007), whatever their handoff
    days, times and zones, nor in a stint across schedules longer than their smallest
    ``max_consecutive_weeks`` (H009). A person is one person: one fair share across the org,
    split among their schedules. The org is split into independent components (schedules
    linked by shared people), solved one after another or, with ``options.workers`` above 1,
    in that many processes; ``plan.solve.components`` gives each one's status, objective and
    bound. Arguments and errors are as for :func:`plan`.
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
        progress=progress,
    )
