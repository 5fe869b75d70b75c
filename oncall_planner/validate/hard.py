"""Solver-free checkers of the planner's hard rules H001–H010.

These functions are the specification of the hard rules; the CP-SAT model in
``oncall_planner.solver`` is one implementation of them, and every plan it returns is re-checked
here. ``CHECKERS`` maps each hard-rule code to its checker, and a test keeps that set equal to
the solver's ``HARD_CONSTRAINTS``. Nothing here imports ortools.

Carry-over (history, the previous plan, frozen weeks, the stint running into week 0) is read
from ``oncall_planner.carryover``, which the solver uses too, so both sides count the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from oncall_planner.carryover import (
    freeze_instant,
    frozen_assignments,
    plan_history,
    previous_entry,
    run_before_start,
    weeks_before,
    with_history,
)
from oncall_planner.expand import (
    Problem,
    Week,
    expand,
    local_instant,
    member_zone,
    stints,
)
from oncall_planner.fairness import on_call_share_caps, share_weeks
from oncall_planner.loader import source_of
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan, Shift
from oncall_planner.report import Finding, Severity
from oncall_planner.roster import partly_overridden, weekly_view
from oncall_planner.spec import Member, MemberHistory, Schedule
from oncall_planner.validate._common import member_path
from oncall_planner.validate.schedule import available_rotation_size, rotation_size

__all__ = [
    "CHECKERS",
    "HardContext",
    "check_hard",
    "freeze_instant",
    "frozen_assignments",
    "plan_history",
    "previous_entry",
    "run_before_start",
    "with_history",
]

# ---------------------------------------------------------------------------------------------
# The context every checker reads


@dataclass
class HardContext:
    """What the checkers need: schedules with their expanded weeks and the plan.

    Attributes:
        items: (schedule, its plan, its problem) for every schedule that is in the plan.
        previous: The plan being re-planned, if any.
        freeze_until: Shifts starting before this date must match ``previous``.
        history: Carry-over overriding members' ``history``.
    """

    items: list[tuple[Schedule, SchedulePlan, Problem]]
    previous: Plan | None = None
    freeze_until: date | None = None
    history: Mapping[str, MemberHistory] | None = None
    members: dict[str, dict[str, Member]] = field(default_factory=dict)

    def member(self, schedule: Schedule, person: str) -> Member | None:
        """The member entry of ``person`` in ``schedule`` (None for unknown people: P102)."""
        table = self.members.setdefault(
            schedule.name, {m.id: m for m in schedule.participants.members}
        )
        return table.get(person)


def _shifts(sp: SchedulePlan, problem: Problem) -> list[Shift]:
    """The shifts inside the planned horizon (others are P-rule matters)."""
    return [s for s in sp.shifts if 0 <= s.week < len(problem.weeks)]


def _week_label(problem: Problem, week: int) -> str:
    return problem.weeks[week].label() if 0 <= week < len(problem.weeks) else f"week {week}"


def _span(first: int, last: int) -> str:
    return f"week {first}" if first == last else f"weeks {first}–{last}"


# ---------------------------------------------------------------------------------------------
# One checker per hard rule


def check_coverage(ctx: HardContext) -> Iterator[Finding]:
    """H001: exactly one primary per week, and one secondary when the policy pages it."""
    for schedule, sp, problem in ctx.items:
        layers = [Layer.PRIMARY] + ([Layer.SECONDARY] if schedule.uses_secondary else [])
        counts: dict[tuple[int, Layer], list[str]] = {}
        for s in _shifts(sp, problem):
            counts.setdefault((s.week, s.layer), []).append(s.person)
        for w in problem.weeks:
            for layer in layers:
                people = sorted(counts.get((w.index, layer), []))
                if len(people) == 1:
                    continue
                what = "nobody" if not people else ", ".join(people)
                yield source_of(schedule).finding(
                    "H001",
                    ("schedule", "name"),
                    f"{schedule.name}: {w.label()} has {len(people)} {layer.value} ({what}); "
                    "exactly one is required",
                    hint="every week needs exactly one person on each paged layer",
                )


def check_one_role(ctx: HardContext) -> Iterator[Finding]:
    """H002: nobody holds two roles (primary, secondary, shadow) in the same week."""
    for schedule, sp, problem in ctx.items:
        roles: dict[tuple[int, str], list[str]] = {}
        for s in _shifts(sp, problem):
            roles.setdefault((s.week, s.person), []).append(s.layer.value)
        for (week, person), layers in sorted(roles.items()):
            if len(layers) > 1:
                yield source_of(schedule).finding(
                    "H002",
                    member_path(schedule, person),
                    f"{schedule.name}: {person} holds {len(layers)} roles in "
                    f"{_week_label(problem, week)} ({' and '.join(layers)})",
                    hint="give one of the roles to someone else",
                )


def check_max_consecutive(ctx: HardContext) -> Iterator[Finding]:
    """H003: nobody on call more than ``max_consecutive_weeks`` in a row, counting carry-over."""
    for schedule, sp, problem in ctx.items:
        limit = schedule.participants.max_consecutive_weeks
        weeks_of: dict[str, set[int]] = {}
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS:
                weeks_of.setdefault(s.person, set()).add(s.week)
        for person, weeks in sorted(weeks_of.items()):
            member = ctx.member(schedule, person)
            carried = run_before_start(problem, member, ctx.previous, ctx.history) if member else 0
            run_start, run = -carried, carried
            for w in range(len(problem.weeks) + 1):
                if w in weeks:
                    if run == 0:
                        run_start = w
                    run += 1
                    continue
                # A stint that ended before week 0 is history, not this plan's doing.
                if run > limit and w - 1 in weeks:
                    before = f", {carried} of them before week 0" if run_start < 0 else ""
                    yield source_of(schedule).finding(
                        "H003",
                        ("schedule", "participants", "max_consecutive_weeks"),
                        f"{schedule.name}: {person} is on call {run} weeks in a row "
                        f"({_span(max(run_start, 0), w - 1)}{before}); "
                        f"max_consecutive_weeks is {limit}",
                        hint="give one of these weeks to someone else",
                    )
                run = 0


def check_shadowing(ctx: HardContext) -> Iterator[Finding]:
    """H004: untrained members never on call; a shadow week has a trained primary beside it."""
    for schedule, sp, problem in ctx.items:
        shifts = sorted(_shifts(sp, problem), key=Shift.sort_key)
        done: dict[str, int] = {}
        need: dict[str, int] = {}
        for m in schedule.participants.members:
            need[m.id] = problem.needs_shadow(with_history(m, ctx.history))
        by_week: dict[int, list[Shift]] = {}
        for s in shifts:
            by_week.setdefault(s.week, []).append(s)
        for w in range(len(problem.weeks)):
            week_shifts = by_week.get(w, [])
            for s in week_shifts:
                if s.layer in PAGED_LAYERS and done.get(s.person, 0) < need.get(s.person, 0):
                    yield source_of(schedule).finding(
                        "H004",
                        member_path(schedule, s.person, "new_engineer"),
                        f"{schedule.name}: {s.person} is {s.layer.value} in "
                        f"{_week_label(problem, w)} after {done.get(s.person, 0)} of "
                        f"{need[s.person]} shadow week(s) still needed",
                        hint="new engineers shadow for shadow_period before going on call",
                    )
            shadows = [s for s in week_shifts if s.layer is Layer.SHADOW]
            primaries = [s for s in week_shifts if s.layer is Layer.PRIMARY]
            trained = [p for p in primaries if done.get(p.person, 0) >= need.get(p.person, 0)]
            for s in shadows:
                if not trained:
                    yield source_of(schedule).finding(
                        "H004",
                        member_path(schedule, s.person, "new_engineer"),
                        f"{schedule.name}: {s.person} shadows in {_week_label(problem, w)} "
                        "without a trained primary beside them",
                        hint="a shadow week needs a trained primary",
                    )
            for s in shadows:
                done[s.person] = done.get(s.person, 0) + 1


def check_rotation_size(ctx: HardContext) -> Iterator[Finding]:
    """H005: enough trained members, and enough of them available in the planned weeks."""
    for schedule, _, problem in ctx.items:
        yield from rotation_size(schedule)
        # A thin week is a warning of `check`, not a broken rule: only the errors here.
        yield from (f for f in available_rotation_size(problem) if f.severity is Severity.ERROR)


def _time_off_entry(member: Member, schedule: Schedule, week: Week) -> int | None:
    """Index of the member's first time-off entry overlapping the week."""
    zone = member_zone(member, schedule)
    for j, t in enumerate(member.time_off):
        a = local_instant(t.start, time(0), zone)
        b = local_instant(t.last_day + timedelta(days=1), time(0), zone)
        if week.overlaps(a, b):
            return j
    return None


def check_time_off(ctx: HardContext) -> Iterator[Finding]:
    """H006: no role in a week whose shift overlaps the member's time off."""
    for schedule, sp, problem in ctx.items:
        # Weeks that an override cuts are judged to the minute by H106 (validate.intervals).
        partly = partly_overridden(sp)
        for s in _shifts(sp, problem):
            member = ctx.member(schedule, s.person)
            if member is None or s.week not in problem.unavailable.get(s.person, frozenset()):
                continue
            if (s.week, s.layer) in partly:
                continue
            week = problem.weeks[s.week]
            j = _time_off_entry(member, schedule, week)
            path = member_path(schedule, s.person, "time_off", *(() if j is None else (j,)))
            entry = member.time_off[j] if j is not None else None
            off = f" ({entry.start}–{entry.last_day})" if entry else ""
            yield source_of(schedule).finding(
                "H006",
                path,
                f"{schedule.name}: {s.person} is {s.layer.value} in {week.label()} but is on "
                f"time off{off}",
                hint="give the week to someone available",
            )


def check_cross_schedule(ctx: HardContext) -> Iterator[Finding]:
    """H007: nobody holds roles in two schedules at overlapping times."""
    spans: dict[str, list[tuple[datetime, datetime, Schedule, Problem, Shift]]] = {}
    for schedule, sp, problem in ctx.items:
        for s in _shifts(sp, problem):
            spans.setdefault(s.person, []).append((s.start, s.end, schedule, problem, s))
    for person, items in sorted(spans.items()):
        items.sort(key=lambda it: (it[0], it[2].name, it[4].layer.order))
        for i, (_a0, a1, sa, pa, shift_a) in enumerate(items):
            for b0, _b1, sb, pb, shift_b in items[i + 1 :]:
                if b0 >= a1:
                    break
                if sa.name == sb.name:
                    continue
                yield source_of(sa).finding(
                    "H007",
                    member_path(sa, person),
                    f"{person} is {shift_a.layer.value} in {sa.name} "
                    f"({_week_label(pa, shift_a.week)}) and {shift_b.layer.value} in {sb.name} "
                    f"({_week_label(pb, shift_b.week)}) at overlapping times",
                    hint="one person cannot answer two pagers at once",
                )


def check_frozen(ctx: HardContext) -> Iterator[Finding]:
    """H008: shifts starting before ``freeze_until`` stay exactly as in the previous plan."""
    if ctx.previous is None or ctx.freeze_until is None:
        return
    for schedule, sp, problem in ctx.items:
        frozen = frozen_assignments(problem, ctx.previous, ctx.freeze_until)
        got: dict[int, set[tuple[Layer, str]]] = {}
        for s in _shifts(sp, problem):
            got.setdefault(s.week, set()).add((s.layer, s.person))
        for week, wanted in sorted(frozen.items()):
            have = got.get(week, set())
            if have == set(wanted):
                continue
            lost = ", ".join(f"{p} ({lay.value})" for lay, p in sorted(set(wanted) - have))
            new = ", ".join(f"{p} ({lay.value})" for lay, p in sorted(have - set(wanted)))
            parts = [f"lost {lost}" if lost else "", f"added {new}" if new else ""]
            yield source_of(schedule).finding(
                "H008",
                ("schedule", "name"),
                f"{schedule.name}: {_week_label(problem, week)} is frozen (starts before "
                f"{ctx.freeze_until}) but changed: {'; '.join(p for p in parts if p)}",
                hint="frozen weeks are published; keep them exactly as they were",
            )


def check_cross_schedule_stints(ctx: HardContext) -> Iterator[Finding]:
    """H009: a stint across schedules holds at most the smallest max_consecutive_weeks.

    Stints within one schedule are H003's; here only those spanning two schedules or more are
    checked, the stint carried into week 0 of each schedule included.
    """
    by_name = {schedule.name: (schedule, problem) for schedule, _, problem in ctx.items}
    shifts: dict[str, list[tuple[datetime, datetime, str, int]]] = {}
    for schedule, sp, problem in ctx.items:
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS:
                shifts.setdefault(s.person, []).append((s.start, s.end, schedule.name, s.week))
    for schedule, _, problem in ctx.items:
        for member in schedule.participants.members:
            if member.id not in shifts:
                continue
            # The stint carried into week 0 (as H003 counts it) joins the stints.
            carried = run_before_start(problem, member, ctx.previous, ctx.history)
            for week in weeks_before(problem, carried):
                shifts[member.id].append((week.start, week.end, schedule.name, week.index))
    for person, items in sorted(shifts.items()):
        for stint in stints(items):
            names = sorted({name for _, _, name, _ in stint})
            if len(names) < 2 or all(w < 0 for _, _, _, w in stint):
                continue
            limit = min(by_name[n][0].participants.max_consecutive_weeks for n in names)
            if len(stint) <= limit:
                continue
            first = by_name[stint[0][2]][0]
            shown = ", ".join(
                f"{name} week {w}" + (" (before the plan)" if w < 0 else "")
                for _, _, name, w in stint
            )
            yield source_of(first).finding(
                "H009",
                member_path(first, person),
                f"{person} is on call {len(stint)} weekly shifts in one stint across "
                f"{' and '.join(names)} ({shown}); the smallest max_consecutive_weeks of these "
                f"schedules is {limit}",
                hint="shifts less than 6 days apart are one stint, in any schedules: give one "
                "of them to someone else",
            )


def check_on_call_share(ctx: HardContext) -> Iterator[Finding]:
    """H010: nobody on call for more of the plan's weeks than their ``max_on_call_share``."""
    caps = on_call_share_caps(schedule for schedule, _, _ in ctx.items)
    weeks: dict[str, list[str]] = {}
    horizon: dict[str, int] = {}
    home: dict[str, Schedule] = {}
    for schedule, sp, problem in ctx.items:
        for m in schedule.participants.members:
            horizon[m.id] = max(horizon.get(m.id, 0), len(problem.weeks))
            home.setdefault(m.id, schedule)
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS:
                weeks.setdefault(s.person, []).append(schedule.name)
    for person, cap in caps.items():
        held = weeks.get(person, [])
        allowed = share_weeks(cap, horizon.get(person, 0))
        if len(held) <= allowed:
            continue
        schedule = home[person]
        yield source_of(schedule).finding(
            "H010",
            member_path(schedule, person),
            f"{person} is on call {len(held)} of {horizon[person]} weeks (in "
            f"{', '.join(sorted(set(held)))}); max_on_call_share {cap * 100:g} % allows "
            f"{allowed}",
            hint="give some of these weeks to someone else",
        )


#: Hard-rule code → its solver-free checker.
CHECKERS: dict[str, Callable[[HardContext], Iterator[Finding]]] = {
    "H001": check_coverage,
    "H002": check_one_role,
    "H003": check_max_consecutive,
    "H004": check_shadowing,
    "H005": check_rotation_size,
    "H006": check_time_off,
    "H007": check_cross_schedule,
    "H008": check_frozen,
    "H009": check_cross_schedule_stints,
    "H010": check_on_call_share,
}


def check_hard(
    schedules: Sequence[Schedule],
    plan: Plan,
    *,
    previous: Plan | None = None,
    freeze_until: date | None = None,
    history: Mapping[str, MemberHistory] | None = None,
) -> list[Finding]:
    """Check a plan against every hard rule, without a solver.

    Args:
        schedules: The schedules the plan is for. Plan entries for other schedules, and shifts of
            people who are not members, are skipped (they are P102 findings of the validator).
        plan: The plan to check.
        previous: The plan it re-plans, for frozen weeks (H008) and stints running into week 0.
        freeze_until: Shifts starting before this date must be as in ``previous``.
        history: Carry-over per member id, overriding the members' ``history``.

    Returns:
        The findings, sorted by file, line and code.
    """
    by_name = {s.name: s for s in schedules}
    items = []
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        schedule = by_name.get(sp.name)
        if schedule is None:
            continue
        # Whole weeks that overrides hand to one person count as that person's (roster).
        items.append((schedule, weekly_view(sp), expand(schedule, sp.start, sp.weeks)))
    ctx = HardContext(items, previous=previous, freeze_until=freeze_until, history=history)
    findings = [f for checker in CHECKERS.values() for f in checker(ctx)]
    return sorted(findings, key=Finding.sort_key)
