"""Solver-free checkers of the planner's hard rules H001–H013.

These functions are the specification of the hard rules; the CP-SAT model in
``oncall_planner.solver`` is one implementation of them, and every plan it returns is re-checked
here. ``CHECKERS`` maps each hard-rule code to its checker, and a test keeps that set equal to
the solver's ``HARD_CONSTRAINTS``. Nothing here imports ortools.

Carry-over (history, the previous plan, frozen weeks, the stint running into week 0) is read
from ``oncall_planner.carryover``, which the solver uses too, so both sides count the same way.

Coverage windows: a windowed plan has one shift per occurrence of a window. A *cell* is then
(week, window, layer): one person holds all of its occurrences. Rules about weeks (H003, H009,
H010) count a week once whichever windows a person holds in it; rules about time (H002, H006,
H007, H011, H012) look at the occurrences themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from oncall_planner.carryover import (
    freeze_instant,
    frozen_assignments,
    plan_history,
    previous_assignments,
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
from oncall_planner.spec import Member, MemberHistory, Schedule, Window
from oncall_planner.validate._common import member_path
from oncall_planner.validate.schedule import available_rotation_size, rotation_size
from oncall_planner.windows import night_hours, rest_breaches, stretches

__all__ = [
    "CHECKERS",
    "HardContext",
    "check_hard",
    "freeze_instant",
    "frozen_assignments",
    "plan_history",
    "previous_assignments",
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
    windows: dict[tuple[str, str], Problem] = field(default_factory=dict)

    def window_problem(self, schedule: Schedule, problem: Problem, window: Window) -> Problem:
        """The schedule expanded over the same weeks for one window (remembered)."""
        key = (schedule.name, window.name)
        found = self.windows.get(key)
        if found is None:
            found = self.windows[key] = expand(
                schedule, problem.start, len(problem.weeks), window=window
            )
        return found

    def member(self, schedule: Schedule, person: str) -> Member | None:
        """The member entry of ``person`` in ``schedule`` (None for unknown people: P102)."""
        table = self.members.setdefault(
            schedule.name, {m.id: m for m in schedule.participants.members}
        )
        return table.get(person)


def _shifts(sp: SchedulePlan, problem: Problem) -> list[Shift]:
    """The shifts inside the planned horizon (others are P-rule matters)."""
    return [s for s in sp.shifts if 0 <= s.week < len(problem.weeks)]


def _cells(
    schedule: Schedule, shifts: Sequence[Shift]
) -> dict[tuple[int, str, Layer], list[Shift]]:
    """Windowed shifts by (week, window, layer); shifts naming no window of the schedule are
    H013's and left out."""
    names = {w.name for w in schedule.windows}
    found: dict[tuple[int, str, Layer], list[Shift]] = {}
    for s in shifts:
        if s.window in names:
            found.setdefault((s.week, s.window, s.layer), []).append(s)
    return found


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
        if schedule.windows:
            yield from _window_coverage(schedule, sp, problem, layers)
            continue
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


def _window_coverage(
    schedule: Schedule, sp: SchedulePlan, problem: Problem, layers: Sequence[Layer]
) -> Iterator[Finding]:
    """H001 with windows: one person holds each (week, window, paged layer)."""
    cells = _cells(schedule, _shifts(sp, problem))
    for w in problem.weeks:
        for i, window in enumerate(schedule.windows):
            for layer in layers:
                people = sorted({s.person for s in cells.get((w.index, window.name, layer), [])})
                if len(people) == 1:
                    continue
                what = "nobody" if not people else ", ".join(people)
                yield source_of(schedule).finding(
                    "H001",
                    ("schedule", "windows", i),
                    f"{schedule.name}: window {window.name} ({window.shape()}) has "
                    f"{len(people)} {layer.value} in {w.label()} ({what}); exactly one person "
                    "holds all of a window's occurrences in a week",
                    hint="every window needs exactly one person on each paged layer each week",
                )


def check_one_role(ctx: HardContext) -> Iterator[Finding]:
    """H002: nobody holds two roles (primary, secondary, shadow) in the same week; with
    windows, in the same window-week or at overlapping times."""
    for schedule, sp, problem in ctx.items:
        # A window's occurrences repeat its layer: one role per window-week and layer.
        roles: dict[tuple[int, str, str], list[str]] = {}
        for s in _shifts(sp, problem):
            mine = roles.setdefault((s.week, s.window or "", s.person), [])
            if s.window is None or s.layer.value not in mine:
                mine.append(s.layer.value)
        for (week, window, person), layers in sorted(roles.items()):
            if len(layers) > 1:
                of = f" of window {window}" if window else ""
                yield source_of(schedule).finding(
                    "H002",
                    member_path(schedule, person),
                    f"{schedule.name}: {person} holds {len(layers)} roles{of} in "
                    f"{_week_label(problem, week)} ({' and '.join(layers)})",
                    hint="give one of the roles to someone else",
                )
        if schedule.windows:
            yield from _roles_at_once(schedule, _shifts(sp, problem), problem)


def _roles_at_once(
    schedule: Schedule, shifts: Sequence[Shift], problem: Problem
) -> Iterator[Finding]:
    """H002 across windows: two roles of one person at overlapping times."""
    by_person: dict[str, list[Shift]] = {}
    for s in shifts:
        by_person.setdefault(s.person, []).append(s)
    for person, mine in sorted(by_person.items()):
        mine.sort(key=lambda s: (s.start, s.layer.order, s.window or ""))
        reported: set[tuple[int, str, str]] = set()
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.layer is b.layer and a.window == b.window:
                    continue
                key = (a.week, f"{a.window}/{a.layer.value}", f"{b.window}/{b.layer.value}")
                if key in reported:
                    continue
                reported.add(key)
                yield source_of(schedule).finding(
                    "H002",
                    member_path(schedule, person),
                    f"{schedule.name}: {person} is {a.layer.value} ({a.window}) and "
                    f"{b.layer.value} ({b.window}) at the same time from "
                    f"{max(a.start, b.start):%Y-%m-%d %H:%M %Z} in {_week_label(problem, a.week)}",
                    hint="one person holds one role at a time; give one of them to someone else",
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
            told: set[tuple[str, str | None, Layer]] = set()
            for s in week_shifts:
                if s.layer in PAGED_LAYERS and done.get(s.person, 0) < need.get(s.person, 0):
                    # A window's occurrences are one cell: say it once.
                    if (s.person, s.window, s.layer) in told:
                        continue
                    told.add((s.person, s.window, s.layer))
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
            if not schedule.windows:
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
                continue
            # With windows a trainee shadows a window: its primary that week must be trained,
            # and the week counts once however many occurrences it has.
            for person, window in sorted({(s.person, s.window or "") for s in shadows}):
                beside = [
                    p
                    for p in primaries
                    if p.window == window and done.get(p.person, 0) >= need.get(p.person, 0)
                ]
                if not beside:
                    yield source_of(schedule).finding(
                        "H004",
                        member_path(schedule, person, "new_engineer"),
                        f"{schedule.name}: {person} shadows window {window} in "
                        f"{_week_label(problem, w)} without a trained primary beside them",
                        hint="a shadow week needs a trained primary in the same window",
                    )
            for person in sorted({s.person for s in shadows}):
                done[person] = done.get(person, 0) + 1


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
        told: set[tuple[int, str | None, Layer, str]] = set()
        for s in _shifts(sp, problem):
            member = ctx.member(schedule, s.person)
            if member is None:
                continue
            # A window's cell is judged on its own occurrences: time off on Saturday does not
            # rule out the weekday window (expand: time off to the hour).
            mine = problem
            if s.window is not None:
                if s.window not in {w.name for w in schedule.windows}:
                    continue
                mine = ctx.window_problem(schedule, problem, schedule.window(s.window))
            if s.week not in mine.unavailable.get(s.person, frozenset()):
                continue
            if (s.week, s.layer) in partly:
                continue
            if (s.week, s.window, s.layer, s.person) in told:
                continue
            told.add((s.week, s.window, s.layer, s.person))
            week = mine.weeks[s.week]
            j = _time_off_entry(member, schedule, week)
            path = member_path(schedule, s.person, "time_off", *(() if j is None else (j,)))
            entry = member.time_off[j] if j is not None else None
            off = f" ({entry.start}–{entry.last_day})" if entry else ""
            held = f" ({s.window})" if s.window else ""
            yield source_of(schedule).finding(
                "H006",
                path,
                f"{schedule.name}: {s.person} is {s.layer.value}{held} in {week.label()} but is "
                f"on time off{off}",
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
        # Occurrences of windows are one cell per week: one finding per pair of cells.
        told: set[tuple[str, int, str | None, str, int, str | None]] = set()
        for i, (_a0, a1, sa, pa, shift_a) in enumerate(items):
            for b0, _b1, sb, pb, shift_b in items[i + 1 :]:
                if b0 >= a1:
                    break
                if sa.name == sb.name:
                    continue
                pair = (
                    sa.name,
                    shift_a.week,
                    shift_a.window,
                    sb.name,
                    shift_b.week,
                    shift_b.window,
                )
                if pair in told:
                    continue
                told.add(pair)
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
        windows: list[Window | None] = list(schedule.windows) or [None]
        for window in windows:
            mine = problem if window is None else ctx.window_problem(schedule, problem, window)
            name = None if window is None else window.name
            frozen = frozen_assignments(mine, ctx.previous, ctx.freeze_until)
            got: dict[int, set[tuple[Layer, str]]] = {}
            for s in _shifts(sp, problem):
                if s.window == name:
                    got.setdefault(s.week, set()).add((s.layer, s.person))
            where = "" if window is None else f" window {window.name},"
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
                    f"{schedule.name}:{where} {_week_label(problem, week)} is frozen (starts "
                    f"before {ctx.freeze_until}) but changed: {'; '.join(p for p in parts if p)}",
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
        counted: set[tuple[str, int]] = set()
        for s in _shifts(sp, problem):
            if s.layer not in PAGED_LAYERS:
                continue
            if s.window is None:
                shifts.setdefault(s.person, []).append((s.start, s.end, schedule.name, s.week))
            elif (s.person, s.week) not in counted:
                # Windows: the week is the weekly shift, counted once whichever windows.
                counted.add((s.person, s.week))
                week = problem.weeks[s.week]
                shifts.setdefault(s.person, []).append(
                    (week.start, week.end, schedule.name, s.week)
                )
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
        counted: set[tuple[str, int]] = set()
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS:
                # With windows a week counts once, whichever windows the person holds in it.
                if s.window is not None:
                    if (s.person, s.week) in counted:
                        continue
                    counted.add((s.person, s.week))
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


def _local(at: datetime, schedule: Schedule) -> str:
    return f"{at.astimezone(schedule.zone):%a %Y-%m-%d %H:%M %Z}"


def _hours_text(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"


def check_min_rest(ctx: HardContext) -> Iterator[Finding]:
    """H011: at least ``min_rest`` between two of a person's on-call stretches in different
    windows (``windows.rest_breaches``), across every schedule of the plan."""
    rest_of = {
        schedule.name: schedule.participants.min_rest
        for schedule, _, _ in ctx.items
        if schedule.participants.min_rest
    }
    if not rest_of:
        return
    by_name = {schedule.name: schedule for schedule, _, _ in ctx.items}
    pieces: dict[str, list[tuple[datetime, datetime, tuple[str, str | None]]]] = {}
    for schedule, sp, problem in ctx.items:
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS:
                pieces.setdefault(s.person, []).append((s.start, s.end, (schedule.name, s.window)))
    for person, mine in sorted(pieces.items()):
        for first, later, given, need in rest_breaches(stretches(mine), rest_of):
            schedule = by_name[later.key[0] if later.key[0] in rest_of else first.key[0]]

            def what(key: tuple[str, str | None]) -> str:
                name, window = key
                return f"{name} {window}" if window else f"{name} (whole week)"

            yield source_of(schedule).finding(
                "H011",
                ("schedule", "participants", "min_rest"),
                f"{person} has {_hours_text(given)} off the pager between {what(first.key)} "
                f"(until {_local(first.end, schedule)}) and {what(later.key)} (from "
                f"{_local(later.start, schedule)}); min_rest is {_hours_text(need)}",
                hint="give one of these stretches to someone else",
            )


def check_night_hours(ctx: HardContext) -> Iterator[Finding]:
    """H012: nobody on call more than their ``max_night_hours`` between 22:00 and 08:00 in
    their own zone in one rotation week (``windows.night_hours``)."""
    for schedule, sp, problem in ctx.items:
        capped = {m.id: m for m in schedule.participants.members if m.max_night_hours is not None}
        if not capped:
            continue
        pieces: dict[tuple[str, int], list[tuple[datetime, datetime]]] = {}
        for s in _shifts(sp, problem):
            if s.layer in PAGED_LAYERS and s.person in capped:
                pieces.setdefault((s.person, s.week), []).append((s.start, s.end))
        for (person, week), mine in sorted(pieces.items()):
            member = capped[person]
            limit = member.max_night_hours
            assert limit is not None
            zone = member_zone(member, schedule)
            hours = night_hours(mine, zone)
            if hours <= limit + 1e-9:
                continue
            yield source_of(schedule).finding(
                "H012",
                member_path(schedule, person, "max_night_hours"),
                f"{schedule.name}: {person} is on call {hours:g} h between 22:00 and 08:00 "
                f"({zone.key}) in {_week_label(problem, week)}; max_night_hours is {limit:g}",
                hint="give the night window to someone whose day it is",
            )


def check_window_eligibility(ctx: HardContext) -> Iterator[Finding]:
    """H013: nobody holds a window whose ``members:`` selector leaves them out, and every shift
    of a schedule with windows names one of them (none names a window otherwise)."""
    for schedule, sp, problem in ctx.items:
        by_name = {w.name: (i, w) for i, w in enumerate(schedule.windows)}
        told: set[tuple[str, str | None]] = set()
        for s in _shifts(sp, problem):
            if (s.person, s.window) in told:
                continue
            if not schedule.windows:
                if s.window is None:
                    continue
                message = f"{schedule.name} has no windows, but a shift names window {s.window}"
                path: tuple[str | int, ...] = ("schedule", "name")
            elif s.window is None or s.window not in by_name:
                names = ", ".join(by_name)
                message = (
                    f"{schedule.name}: {s.person}'s shift in {_week_label(problem, s.week)} "
                    f"names {'no window' if s.window is None else f'window {s.window}'}; the "
                    f"schedule's windows are {names}"
                )
                path = ("schedule", "windows")
            else:
                i, window = by_name[s.window]
                member = ctx.member(schedule, s.person)
                if member is None or window.selects(member):
                    continue
                site = f" (site {member.site})" if member.site else " (no site)"
                message = (
                    f"{schedule.name}: {s.person}{site} holds window {window.name} in "
                    f"{_week_label(problem, s.week)}, but its members: selector leaves them out"
                )
                path = ("schedule", "windows", i, "members")
            told.add((s.person, s.window))
            yield source_of(schedule).finding(
                "H013",
                path,
                message,
                hint="give the window to someone it selects",
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
    "H011": check_min_rest,
    "H012": check_night_hours,
    "H013": check_window_eligibility,
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
