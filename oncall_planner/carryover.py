"""Carry-over: what earlier work and earlier plans bring into a new plan.

History written in the schedule (or read from a feed), the previous plan, its frozen weeks and
the stint running into week 0 are one concern, shared by the planner and the validator. This
module sits below both (it imports neither), so data flows one way: ``solver`` and ``validate``
read carry-over from here and never from each other. Nothing here imports ortools.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from oncall_planner.expand import Problem, Week, local_instant, week_starts
from oncall_planner.fairness import effective_weeks
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan
from oncall_planner.roster import effective_shifts, handoffs
from oncall_planner.spec import Member, MemberHistory, Schedule

__all__ = [
    "freeze_instant",
    "frozen_assignments",
    "plan_history",
    "previous_assignments",
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


def previous_assignments(
    problem: Problem, previous: Plan | SchedulePlan | None
) -> dict[int, tuple[tuple[Layer, str], ...]]:
    """Week index → the (layer, person) pairs the previous plan has in that week of ``problem``.

    A week of a schedule without windows matches a previous shift starting at the same instant.
    A week of a window (``problem.window``) matches the previous plan's occurrences of that
    window starting inside the week; one person per layer holds them all in a valid plan.
    Weeks the previous plan does not cover are left out.
    """
    prev = (
        previous
        if isinstance(previous, SchedulePlan)
        else previous_entry(previous, problem.schedule.name)
    )
    if prev is None:
        return {}
    found: dict[int, set[tuple[Layer, str]]] = {}
    if problem.window is None:
        by_start: dict[datetime, list[tuple[Layer, str]]] = {}
        for s in prev.shifts:
            if s.window is None:
                by_start.setdefault(s.start, []).append((s.layer, s.person))
        for w in problem.weeks:
            # Aware datetimes compare as instants, so zones need not match.
            hit = by_start.get(w.start)
            if hit is not None:
                found[w.index] = set(hit)
    else:
        mine = sorted(
            (s.start.astimezone(UTC), s.layer, s.person)
            for s in prev.shifts
            if s.window == problem.window.name
        )
        starts = [a for a, _, _ in mine]
        for w in problem.weeks:
            lo = bisect.bisect_left(starts, w.start.astimezone(UTC))
            hi = bisect.bisect_left(starts, w.end.astimezone(UTC))
            if lo < hi:
                found[w.index] = {(layer, p) for _, layer, p in mine[lo:hi]}
    return {
        k: tuple(sorted(v, key=lambda lp: (lp[0].order, lp[1]))) for k, v in sorted(found.items())
    }


def frozen_assignments(
    problem: Problem, previous: Plan | None, freeze_until: date | None
) -> dict[int, tuple[tuple[Layer, str], ...]]:
    """Week index → the (layer, person) pairs a previous plan fixes in that week.

    A week is frozen when it starts before ``freeze_until`` (local midnight, schedule zone) and the
    previous plan covers it (:func:`previous_assignments`: a shift starting at the same instant,
    or for a window, the window's occurrences in the week). Frozen weeks with no shift on a
    layer stay empty on that layer.
    """
    if freeze_until is None:
        return {}
    cut = freeze_instant(problem.schedule, freeze_until)
    return {
        k: v
        for k, v in previous_assignments(problem, previous).items()
        if problem.weeks[k].start < cut
    }


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
    the member's history (``last_on_call`` and ``last_stint_weeks``) is. In a previous plan the
    stint is counted on its effective roster, as H103 counts stints: the member's unbroken
    primary or secondary time (overrides included) that reaches week 0's handoff, and the weeks
    it touches. Covering the last night before the handoff is a stint of one week; a week an
    override handed entirely to someone else is theirs, not the member's.
    """
    prev = previous_entry(previous, problem.schedule.name)
    first = problem.weeks[0].start
    if prev is not None and any(s.start < first for s in prev.shifts):
        if problem.schedule.windows:
            return _window_weeks_into(prev, member.id, problem)
        return _stint_into(prev, member.id, problem)
    return problem.history_run_before_start(with_history(member, history))


def _window_weeks_into(prev: SchedulePlan, person: str, problem: Problem) -> int:
    """With windows: the weeks right before week 0 in each of which the person held some window
    of a paged layer (a week counts once, whichever windows; as H003 counts weeks)."""
    starts = sorted(
        s.start.astimezone(UTC)
        for s in prev.shifts
        if s.person == person and s.layer in PAGED_LAYERS
    )
    run = 0
    for w in weeks_before(problem, _MAX_LOOKBACK_WEEKS):
        lo = bisect.bisect_left(starts, w.start.astimezone(UTC))
        if lo == len(starts) or starts[lo] >= w.end.astimezone(UTC):
            break
        run += 1
    return run


def _stretches(prev: SchedulePlan, person: str) -> list[tuple[datetime, datetime]]:
    """The person's unbroken paged time in a plan (effective roster, UTC): pieces that touch
    or overlap are one stretch, as H103 joins them."""
    pieces = sorted(
        (p.start.astimezone(UTC), p.end.astimezone(UTC))
        for p in effective_shifts(prev, person=person)
        if p.layer in PAGED_LAYERS
    )
    out: list[tuple[datetime, datetime]] = []
    for a, b in pieces:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _stint_into(prev: SchedulePlan, person: str, problem: Problem) -> int:
    """Weeks before week 0 touched by the person's unbroken paged time reaching week 0."""
    first = problem.weeks[0].start.astimezone(UTC)
    reaching = next((a for a, b in _stretches(prev, person) if a < first <= b), None)
    if reaching is None:
        return 0
    run = 0
    for w in weeks_before(problem, _MAX_LOOKBACK_WEEKS):
        if not (reaching < w.end.astimezone(UTC)):
            break
        run += 1
    return run


def plan_history(previous: Plan, schedule: Schedule, before: date) -> dict[str, MemberHistory]:
    """Carry-over of the schedule's members from a previous plan, as it was lived.

    The counterpart of ``oncall_planner.ical.feed_history`` for a plan file: the previous
    plan's effective roster (weekly shifts with its overrides laid over them) up to the start
    of week 0 of a plan from ``before`` (the first handoff on or after that day), so override
    hours count for whoever covered and a cover is repaid by the next plan's fair shares.
    Weeks are real hours ÷ 168 (a whole week across a DST change is one week; see
    :func:`oncall_planner.fairness.effective_weeks`), kept to three decimals: a 48 h cover is
    0.286 weeks. ``last_on_call`` is the start date of the week holding the end of the
    member's last stint and ``last_stint_weeks`` the weeks that stint touches, as H103 counts
    them, so covering the night before one's own week extends the stint carried into the
    next plan.

    Args:
        previous: The plan of the earlier period (a plan file read with ``Plan.read``).
        schedule: The schedule whose members are counted.
        before: The start date of the next plan: time from its first handoff on is left out.

    Returns:
        Member id → history, for every member with paged or shadow time, sorted by id.

    Raises:
        TypeError: An argument of the wrong kind (the message names it).
        ValueError: The plan has no entry for the schedule, or a bad argument value.
    """
    from oncall_planner import _args

    previous = _args.plan_arg("plan_history", "previous", previous)
    schedule = _args.schedule_arg("plan_history", "schedule", schedule)
    before = _args.date_arg("plan_history", "before", before)
    sp = previous_entry(previous, schedule.name)
    if sp is None:
        names = ", ".join(sorted(s.name for s in previous.schedules)) or "none"
        raise ValueError(f"previous: the plan has no schedule {schedule.name!r}; it has: {names}")
    # Up to week 0 of a plan starting on ``before``: its first handoff on or after that day.
    cut = week_starts(schedule, before, 1)[0].astimezone(UTC)
    paged = effective_weeks([sp], until=cut)
    shadowed = effective_weeks([sp], until=cut, shadow=True)
    bounds = [h.astimezone(UTC) for h in handoffs(sp)]
    members = {m.id for m in schedule.participants.members}
    out: dict[str, MemberHistory] = {}
    for person in sorted(members & (set(paged) | set(shadowed))):
        done = round(sum(shadowed.get(person, {}).values()))
        layers = paged.get(person, {})
        stretches = [(a, min(b, cut)) for a, b in _stretches(sp, person) if a < cut]
        if not stretches:
            out[person] = MemberHistory(shadow_weeks_done=done)
            continue
        a, b = stretches[-1]
        touched = [(lo, hi) for lo, hi in _pairs(bounds) if lo < b and a < hi]
        last_week = touched[-1][0] if touched else b - timedelta(weeks=1)
        out[person] = MemberHistory(
            primary_weeks=round(layers.get(Layer.PRIMARY, 0.0), 3),
            secondary_weeks=round(layers.get(Layer.SECONDARY, 0.0), 3),
            last_on_call=last_week.astimezone(schedule.zone).date(),
            last_stint_weeks=max(1, len(touched)),
            shadow_weeks_done=done,
        )
    return out


def _pairs(bounds: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    return list(itertools.pairwise(bounds))
