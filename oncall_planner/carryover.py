"""Carry-over: what earlier work and earlier plans bring into a new plan.

History written in the schedule (or read from a feed), the previous plan, its frozen weeks and
the stint running into week 0 are one concern, shared by the planner and the validator. This
module sits below both (it imports neither), so data flows one way: ``solver`` and ``validate``
read carry-over from here and never from each other. Nothing here imports ortools.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from oncall_planner.expand import Problem, Week, local_instant, week_starts
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan
from oncall_planner.spec import Member, MemberHistory, Schedule

__all__ = [
    "freeze_instant",
    "frozen_assignments",
    "previous_entry",
    "run_before_start",
    "weeks_before",
    "with_history",
]

# How far back a previous plan is searched for a stint running into week 0.
_MAX_LOOKBACK_WEEKS = 60


def with_history(member: Member, history: Mapping[str, MemberHistory] | None) -> Member:
    """The member with its carry-over replaced by ``history[member.id]``, if given."""
    if history and member.id in history:
        return member.model_copy(update={"history": history[member.id]})
    return member


def previous_entry(previous: Plan | None, name: str) -> SchedulePlan | None:
    """The previous plan's entry for the schedule called ``name`` (None if it has none)."""
    if previous is None:
        return None
    try:
        return previous.schedule(name)
    except KeyError:
        return None


def freeze_instant(schedule: Schedule, freeze_until: date) -> datetime:
    """Local midnight starting ``freeze_until`` in the schedule's zone: shifts starting before it
    are frozen."""
    return local_instant(freeze_until, time(0), schedule.zone)


def frozen_assignments(
    problem: Problem, previous: Plan | None, freeze_until: date | None
) -> dict[int, tuple[tuple[Layer, str], ...]]:
    """Week index → the (layer, person) pairs a previous plan fixes in that week.

    A week is frozen when it starts before ``freeze_until`` (local midnight, schedule zone) and the
    previous plan covers it (one of its shifts starts at the same instant). Frozen weeks with no
    shift on a layer stay empty on that layer.
    """
    prev = previous_entry(previous, problem.schedule.name)
    if prev is None or freeze_until is None:
        return {}
    cut = freeze_instant(problem.schedule, freeze_until)
    by_start: dict[datetime, list[tuple[Layer, str]]] = {}
    for s in prev.shifts:
        by_start.setdefault(s.start, []).append((s.layer, s.person))
    frozen: dict[int, tuple[tuple[Layer, str], ...]] = {}
    for w in problem.weeks:
        if w.start >= cut:
            break
        # Aware datetimes compare as instants, so zones need not match.
        found = by_start.get(w.start)
        if found is not None:
            frozen[w.index] = tuple(sorted(found, key=lambda lp: (lp[0].order, lp[1])))
    return frozen


def weeks_before(problem: Problem, count: int) -> list[Week]:
    """Weeks -count .. -1 before the plan, most recent first."""
    bounds = week_starts(problem.schedule, problem.start, count, offset=-count)
    weeks = [Week(k - count, bounds[k], bounds[k + 1]) for k in range(count)]
    return list(reversed(weeks))


def run_before_start(
    problem: Problem,
    member: Member,
    previous: Plan | None = None,
    history: Mapping[str, MemberHistory] | None = None,
) -> int:
    """Consecutive on-call weeks the member served right before week 0.

    A previous plan of the same schedule that has shifts before week 0 is the record; otherwise
    the member's history (``last_on_call`` and ``last_stint_weeks``) is.
    """
    prev = previous_entry(previous, problem.schedule.name)
    first = problem.weeks[0].start
    if prev is not None and any(s.start < first for s in prev.shifts):
        on_call = {
            s.start for s in prev.shifts if s.person == member.id and s.layer in PAGED_LAYERS
        }
        run = 0
        for w in weeks_before(problem, _MAX_LOOKBACK_WEEKS):
            if w.start not in on_call:
                break
            run += 1
        return run
    return problem.history_run_before_start(with_history(member, history))
