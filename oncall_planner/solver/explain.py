"""Why no plan exists, in sentences a team lead understands.

Two stages. Cheap pre-checks run before any solve: too few trained members (H005), a published
week that can no longer stand (H008), a week where too few people are even allowed on call
(H001). When the solver proves infeasibility anyway, a second model without objective guards
each rule's constraints of one schedule-week with an assumption literal; CP-SAT's sufficient
assumptions for infeasibility give a core, a deletion filter shrinks it (cheap: the literals are
grouped per rule × week, not per person), and a *witness* (a plan satisfying every rule except
coverage of the core's weeks, covering as much as it can) shows what each member is doing in the
week nobody can take: "week 9 (2027-03-01 10:00 UTC): nobody can be secondary: alice and bob are
on time off, carol has reached max_consecutive_weeks=2 (on call in weeks 7–8), dan is primary".
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterable
from datetime import timedelta

from ortools.sat.python import cp_model

from oncall_planner.carryover import weeks_before
from oncall_planner.errors import InfeasibleError
from oncall_planner.expand import Week, stints
from oncall_planner.fairness import on_call_share_caps, share_weeks
from oncall_planner.plans import Layer
from oncall_planner.report import Severity
from oncall_planner.rules import rule
from oncall_planner.solver.constraints import HARD_CONSTRAINTS
from oncall_planner.solver.instance import Cell, Instance, Rotation, weeks_meet
from oncall_planner.solver.model import SCHEDULE_WEEK_CODES, Group, ModelBuilder
from oncall_planner.solver.options import PlanOptions
from oncall_planner.validate.schedule import (
    available_rotation_size,
    rotation_size,
    trained_members,
)

__all__ = ["explain_infeasible", "prechecks"]


def _names(people: Iterable[str]) -> str:
    items = list(people)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _span(first: int, last: int) -> str:
    return f"week {first}" if first == last else f"weeks {first}–{last}"


def _where(instance: Instance, rot: Rotation, week: int) -> str:
    label = rot.problem.weeks[week].label()
    return f"{rot.name}, {label}" if len(instance.rotations) > 1 else label


class _Reasons:
    """Collects "why not" phrases, grouping people with the same reason."""

    def __init__(self) -> None:
        self.grouped: dict[tuple[str, str], list[str]] = {}
        self.codes: set[str] = set()

    def add(self, person: str, singular: str, plural: str, code: str) -> None:
        self.grouped.setdefault((singular, plural), []).append(person)
        self.codes.add(code)

    def text(self) -> str:
        parts = []
        for (singular, plural), people in self.grouped.items():
            verb = singular if len(people) == 1 else plural
            parts.append(f"{_names(sorted(people))} {verb}")
        return ", ".join(parts)


def _static_reason(instance: Instance, rot: Rotation, p: str, w: int, reasons: _Reasons) -> bool:
    """Add the reason a cell is ruled out before the search; False if it is not."""
    if rot.off(p, w):
        reasons.add(p, "is on time off", "are on time off", "H006")
        return True
    if w < rot.trained_from.get(p, 0):
        need = rot.need.get(p, 0)
        reasons.add(
            p,
            f"is still shadowing ({need} shadow week(s) to do)",
            "are still shadowing",
            "H004",
        )
        return True
    busy = instance.busy.get((rot.index, w, p))
    if busy:
        reasons.add(
            p, f"is shadowing in {_names(sorted(set(busy)))}", "are shadowing elsewhere", "H007"
        )
        return True
    if rot.too_many_night_hours(p, w):
        cap = rot.members[p].max_night_hours
        reasons.add(
            p,
            f"would be on call {_hours(rot.night_minutes(p, w))} at night (22:00–08:00 in "
            f"their zone) but max_night_hours is {cap:g}",
            "would be on call at night beyond their max_night_hours",
            "H012",
        )
        return True
    return False


def _hours(minutes: int) -> str:
    """``7 h`` or ``7.5 h``."""
    return f"{minutes / 60:g} h"


def _window_pool(instance: Instance, rot: Rotation) -> str | None:
    """H005 for a coverage window: fewer eligible trained members, available in some week,
    than ``min_rotation_size`` (None when enough)."""
    assert rot.window is not None
    need = rot.schedule.participants.min_rotation_size
    trained = [p for p in trained_members(rot.schedule) if p in rot.members]
    away = {p: rot.problem.unavailable.get(p, frozenset()) for p in trained}
    available = [p for p in trained if len(away[p]) < rot.n_weeks]
    if len(available) >= need:
        return None
    return (
        f"{rot.name}: window {rot.window.name} ({rot.window.shape()}) has "
        f"{len(available)} eligible trained member(s) available ({', '.join(available) or 'none'}) "
        f"but min_rotation_size is {need} (select more members for the window, or add some)"
    )


def _not_eligible(rot: Rotation) -> str:
    """``; 4 members are not eligible for window weekend`` (H013), or ""."""
    if rot.window is None or not rot.excluded:
        return ""
    n = len(rot.excluded)
    verb = "member is" if n == 1 else "members are"
    return f"; {n} other {verb} not eligible for window {rot.window.name} (H013)"


def _frozen_sentence(rot: Rotation, w: int, instance: Instance) -> str:
    fixed = rot.frozen.get(w, ())
    who = ", ".join(f"{p} as {layer.value}" for layer, p in fixed) or "nobody"
    return f"the week is frozen (published before {instance.freeze_until}) with {who}"


def prechecks(instance: Instance) -> InfeasibleError | None:
    """Conflicts found without a solver, or None."""
    conflicts: list[str] = []
    codes: set[str] = set()
    seen: set[str] = set()
    for rot in instance.rotations:
        if rot.window is not None:
            short = _window_pool(instance, rot)
            if short is not None:
                conflicts.append(short)
                codes.add("H005")
        if rot.schedule.name not in seen:
            seen.add(rot.schedule.name)
            whole = [*rotation_size(rot.schedule)]
            if rot.window is None:
                whole += available_rotation_size(rot.problem)
            for f in whole:
                if f.severity is not Severity.ERROR:
                    continue
                conflicts.append(
                    f"{rot.schedule.name}: {f.message}" + (f" ({f.hint})" if f.hint else "")
                )
                codes.add("H005")
        for w, fixed in sorted(rot.frozen.items()):
            for layer, p in fixed:
                if p not in rot.members:
                    why = "is no longer a member"
                    code = "P102"
                elif layer is Layer.SHADOW:
                    if rot.shadows.get(w) == p:
                        continue
                    why = "can no longer shadow that week"
                    code = "H006" if rot.off(p, w) else "H004"
                else:
                    blocking = [
                        c for c in instance.forbidding(rot.index, p, w, layer) if c != "H008"
                    ]
                    if not blocking:
                        continue
                    reasons = _Reasons()
                    _static_reason(instance, rot, p, w, reasons)
                    why = reasons.text().removeprefix(p).strip() or "cannot hold it"
                    code = blocking[0]
                conflicts.append(
                    f"{_where(instance, rot, w)}: the week is frozen (published before "
                    f"{instance.freeze_until}) with {p} as {layer.value}, but {p} {why}"
                )
                codes.update({"H008", code})
        for w in range(rot.n_weeks):
            allowed = {
                layer: [p for p in rot.members if instance.allowed(rot.index, p, w, layer)]
                for layer in rot.layers
            }
            pool = {p for people in allowed.values() for p in people}
            empty = [layer for layer in rot.layers if not allowed[layer]]
            if not empty and len(pool) >= len(rot.layers):
                continue
            missing = empty[0] if empty else rot.layers[-1]
            reasons = _Reasons()
            for p in rot.members:
                if p in pool:
                    continue
                if not _static_reason(instance, rot, p, w, reasons) and w in rot.frozen:
                    reasons.add(
                        p, "is not in the frozen week", "are not in the frozen week", "H008"
                    )
            for p in sorted(pool):
                reasons.add(p, f"is the only one left and holds {rot.layers[0].value}", "", "H002")
            text = reasons.text() or "the schedule has no members"
            if w in rot.frozen:
                text = _frozen_sentence(rot, w, instance) + "; " + text
            text += _not_eligible(rot)
            conflicts.append(f"{_where(instance, rot, w)}: nobody can be {missing.value}: {text}")
            codes.update({"H001", *reasons.codes})
            if rot.excluded:
                codes.add("H013")
    if not conflicts:
        return None
    return InfeasibleError(conflicts, sorted(codes))


# ---------------------------------------------------------------------------------------------
# After the solver proved infeasibility


def _solver(options: PlanOptions, limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = options.seed
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.cp_model_presolve = False
    return solver


def _infeasible_with(
    m: ModelBuilder, literals: list[cp_model.IntVar], solver: cp_model.CpSolver
) -> bool:
    m.model.clear_assumptions()
    m.model.add_assumptions(literals)
    return solver.solve(m.model) == cp_model.INFEASIBLE


def _core(m: ModelBuilder, options: PlanOptions) -> list[Group]:
    """A small set of rule-week groups that together admit no plan."""
    deadline = _time.monotonic() + options.explain_time_limit_s
    literals = m.assumptions()
    by_index = {lit.index: lit for lit in literals}
    solver = _solver(options, options.explain_time_limit_s)
    if not _infeasible_with(m, literals, solver):
        return []
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    if not core:
        core = literals
    # Deletion filter: drop each group whose removal keeps the rest infeasible. Literals are
    # compared by index: == on CP-SAT variables builds a constraint, not a truth value.
    kept = sorted(v.index for v in core)
    for index in list(kept):
        if _time.monotonic() > deadline:
            break
        trial = [i for i in kept if i != index]
        remaining = max(0.1, deadline - _time.monotonic())
        if _infeasible_with(m, [by_index[i] for i in trial], _solver(options, remaining)):
            kept = trial
    return sorted((m.groups[i] for i in kept), key=lambda g: (g.rotation, g.week, g.code))


def _witness(m: ModelBuilder, core: list[Group], options: PlanOptions) -> set[Cell] | None:
    """A plan that keeps every rule but covers the core's weeks only as far as it can."""
    open_weeks = {(g.rotation, g.week) for g in core if g.code == "H001"}
    covers = {m.literal("H001", r, w).index for r, w in open_weeks}
    others = [lit for lit in m.assumptions() if lit.index not in covers]
    for r, w in sorted(open_weeks):
        for layer in m.rotations[r].layers:
            m.model.add_at_most_one(v for _, v in m.x.people_on(r, w, layer))
    m.model.maximize(
        sum(
            v
            for r, w in sorted(open_weeks)
            for layer in m.rotations[r].layers
            for _, v in m.x.people_on(r, w, layer)
        )
    )
    core_lits = [m.literal(g.code, g.rotation, g.week) for g in core if g.code != "H001"]
    for assumed in (others, core_lits):
        m.model.clear_assumptions()
        m.model.add_assumptions(assumed)
        solver = _solver(options, options.explain_time_limit_s)
        status = solver.solve(m.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return {cell for cell, var in m.x.items() if solver.value(var)}
    return None


def _cover_sentence(
    instance: Instance, rot: Rotation, w: int, layer: Layer, witness: set[Cell]
) -> tuple[str, set[str]]:
    reasons = _Reasons()
    holder = {p: lay for (r, p, k, lay) in witness if r == rot.index and k == w}
    for p in rot.members:
        if _static_reason(instance, rot, p, w, reasons):
            continue
        if w in rot.frozen:
            reasons.add(p, "is not in the frozen week", "are not in the frozen week", "H008")
            continue
        if p in holder:
            reasons.add(p, f"is {holder[p].value}", f"are {holder[p].value}", "H002")
            continue
        elsewhere = sorted(
            instance.rotations[r].name
            for (r, q, k, _lay) in witness
            if q == p
            and r != rot.index
            and weeks_meet(instance.rotations[r].problem.weeks[k], rot.problem.weeks[w])
        )
        if elsewhere:
            reasons.add(
                p,
                f"is on call in {_names(sorted(set(elsewhere)))}",
                "are on call elsewhere",
                "H007",
            )
            continue
        before, k = 0, w - 1
        while k >= 0 and _on(witness, rot, p, k):
            before, k = before + 1, k - 1
        # A stint reaching back to week 0 continues the carried-over one.
        pre = rot.run_before.get(p, 0) if k < 0 else 0
        after, k = 0, w + 1
        while k < rot.n_weeks and _on(witness, rot, p, k):
            after, k = after + 1, k + 1
        after_last = w + after
        if before + after + pre + 1 > rot.limit:
            spans = []
            if pre:
                spans.append(f"{pre} week(s) before the plan")
            if before:
                spans.append(_span(w - before, w - 1))
            if after:
                spans.append(_span(w + 1, after_last))
            reasons.add(
                p,
                f"has reached max_consecutive_weeks={rot.limit} (on call in {' and '.join(spans)})",
                f"have reached max_consecutive_weeks={rot.limit}",
                "H003",
            )
            continue
        stint = _cross_stint(instance, rot, p, w, witness)
        if stint is not None:
            reasons.add(p, stint, "would be on call too long across schedules", "H009")
            continue
        capped = _share_reached(instance, p, witness)
        if capped is not None:
            reasons.add(p, capped, "have reached their max_on_call_share", "H010")
            continue
        rest = _rest_reason(instance, rot, w, p, witness)
        if rest is not None:
            reasons.add(p, rest, "would not get their min_rest", "H011")
            continue
        night = _night_reason(instance, rot, w, p, witness)
        if night is not None:
            reasons.add(p, night, "would be on call at night beyond max_night_hours", "H012")
            continue
        reasons.add(
            p,
            "could take it only by breaking another rule",
            "could take it only by breaking another rule",
            "H001",
        )
    text = reasons.text() or "the schedule has no members"
    if w in rot.frozen:
        text = _frozen_sentence(rot, w, instance) + "; " + text
    return f"{_where(instance, rot, w)}: nobody can be {layer.value}: {text}", reasons.codes


def _carried(instance: Instance, p: str) -> list[tuple[Rotation, list[Week]]]:
    """The weeks ``p`` was on call right before week 0 of each schedule (history or the
    previous plan, as H003 and H009 count them), most recent first."""
    found = []
    for rot in instance.rotations:
        run = rot.run_before.get(p, 0)
        if p in rot.members and run:
            found.append((rot, weeks_before(rot.problem, run)))
    return found


def _carried_phrase(rot: Rotation, weeks: list[Week]) -> str:
    """``2 weeks in alpha right before the plan (weeks -2 to -1)``."""
    first, last = min(w.index for w in weeks), max(w.index for w in weeks)
    where = f"week {first}" if first == last else f"weeks {first} to {last}"
    count = f"{len(weeks)} week" + ("s" if len(weeks) != 1 else "")
    return f"{count} in {rot.name} right before the plan, {where}"


def _carried_into(instance: Instance, rot: Rotation) -> str:
    """``; carried into the plan: pat 1 week in alpha right before the plan, week -1 (smallest
    max_consecutive_weeks 1)`` for the shared members of a schedule with a carried stint."""
    found = []
    for p in rot.members:
        schedules = [r for r in instance.rotations if p in r.members]
        carried = _carried(instance, p)
        if len(schedules) < 2 or not carried:
            continue
        limit = min(r.limit for r in schedules)
        phrases = " and ".join(_carried_phrase(before, weeks) for before, weeks in carried)
        found.append(f"{p} {phrases} (smallest max_consecutive_weeks {limit})")
    return "; carried into the plan: " + "; ".join(found) if found else ""


def _cross_stint(
    instance: Instance, rot: Rotation, p: str, w: int, witness: set[Cell]
) -> str | None:
    """H009's phrase when week ``w`` would join ``p``'s shifts elsewhere, or the stint carried
    into the plan, into a stint longer than the smallest max_consecutive_weeks of the
    schedules involved (None otherwise)."""
    shifts = {
        (
            instance.rotations[r].problem.weeks[k].start,
            instance.rotations[r].problem.weeks[k].end,
            instance.rotations[r].name,
            k,
        )
        for (r, q, k, _lay) in witness
        if q == p
    }
    for before, weeks in _carried(instance, p):
        shifts |= {(week.start, week.end, before.name, week.index) for week in weeks}
    week = rot.problem.weeks[w]
    here = (week.start, week.end, rot.name, w)
    shifts.add(here)
    limits = {r.name: r.limit for r in instance.rotations}
    for stint in stints(sorted(shifts)):
        if here not in stint:
            continue
        names = sorted({name for _, _, name, _ in stint})
        limit = min(limits[n] for n in names)
        if len(names) < 2 or len(stint) <= limit:
            return None
        also = [f"{n} week {k}" for _, _, n, k in stint if k >= 0 and (n, k) != (rot.name, w)]
        inside = {(n, k) for _, _, n, k in stint}
        carried = [
            _carried_phrase(before, held)
            for before, weeks in _carried(instance, p)
            if (held := [wk for wk in weeks if (before.name, wk.index) in inside])
        ]
        parts = []
        if carried:
            parts.append("after " + " and ".join(carried))
        if also:
            parts.append("also " + ", ".join(also))
        parts.append(f"the smallest max_consecutive_weeks is {limit}")
        return (
            f"would be on call {len(stint)} weeks in one stint across {_names(names)} "
            f"({'; '.join(parts)})"
        )
    return None


def _share_reached(instance: Instance, p: str, witness: set[Cell]) -> str | None:
    """H010's phrase when ``p`` already holds every week their max_on_call_share allows."""
    cap = on_call_share_caps(r.schedule for r in instance.rotations).get(p)
    if cap is None:
        return None
    horizon = max(r.n_weeks for r in instance.rotations if p in r.members)
    held = sum(1 for (_r, q, _k, _lay) in witness if q == p)
    allowed = share_weeks(cap, horizon)
    if held < allowed:
        return None
    return (
        f"has reached max_on_call_share {cap * 100:g} % ({held} of {horizon} weeks, "
        f"{allowed} allowed)"
    )


def _on(witness: set[Cell], rot: Rotation, p: str, k: int) -> bool:
    """True if ``p`` holds week ``k`` of the rotation's schedule (any of its windows)."""
    return any((r, p, k, layer) in witness for r in rot.siblings for layer in rot.layers)


def _rest_reason(
    instance: Instance, rot: Rotation, w: int, p: str, witness: set[Cell]
) -> str | None:
    """H011's phrase when ``p``'s shifts elsewhere leave too little rest around week ``w``."""
    mine = rot.schedule.participants.min_rest
    for r, q, k, _lay in sorted(witness, key=lambda c: (c[0], c[2], c[3].order)):
        other = instance.rotations[r]
        if q != p or r == rot.index:
            continue
        theirs = other.schedule.participants.min_rest
        need = max(mine or timedelta(0), theirs or timedelta(0))
        if need <= timedelta(0):
            continue
        for a, b in rot.problem.weeks[w].pieces():
            for x, y in other.problem.weeks[k].pieces():
                gap = min((g for g in (x - b, a - y) if g >= timedelta(0)), default=None)
                if gap is not None and gap < need:
                    return (
                        f"holds {other.name} week {k}, leaving {_duration(gap)} of rest where "
                        f"min_rest is {_duration(need)}"
                    )
    return None


def _duration(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _night_reason(
    instance: Instance, rot: Rotation, w: int, p: str, witness: set[Cell]
) -> str | None:
    """H012's phrase when week ``w`` would add to ``p``'s night time in the schedule-week
    beyond their max_night_hours."""
    cap = rot.night_cap(p)
    if cap is None:
        return None
    held = {
        r
        for (r, q, k, _lay) in witness
        if q == p and k == w and r != rot.index and r in rot.siblings
    }
    total = rot.night_minutes(p, w) + sum(instance.rotations[r].night_minutes(p, w) for r in held)
    if total <= cap or not held:
        return None
    names = _names(sorted(instance.rotations[r].name for r in held))
    return (
        f"holds {names} that week: {_hours(total)} at night (22:00–08:00 in their zone) "
        f"with this one, but max_night_hours is {cap / 60:g}"
    )


#: The coverage-window rules, named beside the witness's sentences when they are in the core.
_WINDOW_CODES = ("H011", "H012", "H013")


def _core_line(instance: Instance, g: Group) -> str:
    """``H011 support/weekend, week 3 (…): min_rest 11 h: …`` for a group of the core."""
    rot = instance.rotations[g.rotation]
    detail = rule(g.code).summary
    if g.code == "H003":
        detail = f"max_consecutive_weeks={rot.limit}"
    elif g.code == "H009":
        detail = (
            "a stint across schedules (shifts less than 6 days apart) would hold more "
            "weeks than the smallest max_consecutive_weeks of the schedules involved"
        ) + _carried_into(instance, rot)
    elif g.code == "H010":
        detail = "someone would be on call for more weeks than max_on_call_share allows"
    elif g.code == "H008":
        detail = _frozen_sentence(rot, g.week, instance)
    elif g.code == "H011":
        detail = (
            f"min_rest {_duration(rot.schedule.participants.min_rest or timedelta(0))}: "
            "nobody may hold this window's week and a stretch of another window (or schedule) "
            "with less rest between them"
        )
    elif g.code == "H012":
        detail = (
            "nobody may be on call more than their max_night_hours between 22:00 and 08:00 in "
            "their own zone in this week"
        )
    elif g.code == "H013" and rot.window is not None:
        detail = (
            f"window {rot.window.name} may be held only by the members it selects "
            f"({_names(sorted(rot.members)) or 'nobody'})"
        )
    where = _where(instance, rot, g.week)
    if g.code in SCHEDULE_WEEK_CODES and rot.window is not None:
        where = f"{rot.schedule.name}, {rot.problem.weeks[g.week].label()}"
    return f"{g.code} {where}: {detail}"


def explain_infeasible(instance: Instance, options: PlanOptions) -> InfeasibleError:
    """Explain a proven infeasibility (the planning model has already said INFEASIBLE)."""
    m = ModelBuilder(instance, explain=True)
    for constraint in HARD_CONSTRAINTS:
        constraint.add(m)
    core = _core(m, options)
    if not core:
        return InfeasibleError(
            ["the rules admit no plan, but no small set of conflicting rules was found in time"],
            [],
        )
    codes = {g.code for g in core}
    named: set[str] = set()  # the codes the witness's sentences give as reasons
    conflicts: list[str] = []
    witness = _witness(m, core, options) if any(g.code == "H001" for g in core) else None
    if witness is not None:
        for g in core:
            if g.code != "H001":
                continue
            rot = instance.rotations[g.rotation]
            for layer in rot.layers:
                held = [p for p in rot.members if (rot.index, p, g.week, layer) in witness]
                if held:
                    continue
                sentence, found = _cover_sentence(instance, rot, g.week, layer, witness)
                conflicts.append(sentence)
                codes |= found
                named |= found
                break
    if not conflicts:
        conflicts.append("these rules cannot all hold together:")
        conflicts += [_core_line(instance, g) for g in core]
    else:
        # The window rules in the core that no sentence names (a week nobody can take because
        # min rest or night hours ruled out what came before it).
        conflicts += [
            "and " + _core_line(instance, g)
            for g in core
            if g.code in _WINDOW_CODES and g.code not in named
        ]
    codes.discard("")
    return InfeasibleError(conflicts, sorted(codes))
