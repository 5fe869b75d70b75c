"""Plan-quality checks (P101–P107): shift boundaries, unknown entries, load and fairness.

For a schedule with coverage windows, P101 compares each shift with its window's expected
occurrences, P103 and P104 count a week as on call when the person holds any window in it, and
P105/P106 compare the members of each window among themselves (each window is a rotation of
its own), in hours as :func:`oncall_planner.fairness.effective_weeks` counts them (an
occurrence is its real hours over the week's real hours).

Loads are on-call time on the paged layers (primary and secondary; shadow weeks are training,
not load). Fairness compares loads divided by ``capacity``, so a half-time member with half the
weeks counts as balanced, and includes members with no on-call time at all: Grafana OnCall's
balance score leaves them out, which hides the worst imbalance.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from oncall_planner.fairness import (
    BALANCED,
    balance_loads,
    balance_score,
    on_call_intervals,
    org_capacity,
    outliers,
)
from oncall_planner.loader import source_of
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, Shift
from oncall_planner.report import Finding
from oncall_planner.rules import rule
from oncall_planner.spec import Member, Schedule
from oncall_planner.validate._common import (
    ScheduleView,
    member_path,
    plural,
    stamp,
    views,
    week_list,
)
from oncall_planner.validate.schedule import trained_members

__all__ = [
    "MAX_SHARE",
    "OUTLIER_FACTOR",
    "QUARTER_WEEKS",
    "check_plan",
    "eligible_members",
    "loads",
    "schedule_balance",
    "unknown_schedules",
    "window_loads",
]

#: Google SRE book, ch. 11: at most 25 % of an engineer's time on call.
MAX_SHARE = 0.25
#: SRE book: everyone on call at least once a quarter; a quarter is 13 weeks.
QUARTER_WEEKS = 13
#: PagerDuty flags people at twice the team's mean load.
OUTLIER_FACTOR = 2.0
_WEEK_HOURS = 168.0


def _hours(shift: Shift) -> float:
    return (shift.end.astimezone(UTC) - shift.start.astimezone(UTC)).total_seconds() / 3600


def eligible_members(view: ScheduleView) -> list[Member]:
    """Members who may hold a paged layer at some point of the plan, sorted by id.

    Trained members, and new engineers who finish shadowing before the plan ends.
    """
    return [m for m in view.problem.members if view.problem.needs_shadow(m) < len(view.weeks)]


def schedule_balance(schedules: Sequence[Schedule], plan: Plan, name: str) -> float:
    """The balance score of one schedule of a plan, as P105 computes it (and the plan table
    prints it): :func:`balance_score` of :func:`loads` over the whole plan."""
    every = views(schedules, plan)
    view = next(v for v in every if v.schedule.name == name)
    return balance_score(list(loads(view, every).values()))


def loads(view: ScheduleView, org: Sequence[ScheduleView] = ()) -> dict[str, float]:
    """Member id → on-call weeks over capacity, counted across ``org`` (the plan's views).

    Every eligible member appears, with 0.0 if never on call. This is
    :func:`oncall_planner.fairness.balance_loads`: the plan table shows the same figures.
    """
    every = list(org) or [view]
    return balance_loads(
        [v.plan for v in every],
        [m.id for m in eligible_members(view)],
        org_capacity(v.schedule for v in every),
    )


def window_loads(
    view: ScheduleView, org: Sequence[ScheduleView] = ()
) -> dict[str, dict[str, float]]:
    """Window name → member id → the member's weeks in that window over capacity.

    Each window is a rotation of its own (fairness): its eligible members (the selector's, who
    finish shadowing before the plan ends) share its occurrences, counted in hours ÷ the week's
    real hours as :func:`oncall_planner.fairness.effective_weeks` counts them (an 8-hour daily
    window held for a week is 1/3). Weights do not change a comparison inside one window.
    Overrides are left out (:func:`oncall_planner.roster.weekly_view` has already given
    wholly overridden shifts to whoever covered them). Empty for a schedule without windows.
    """
    capacity = org_capacity(v.schedule for v in (list(org) or [view]))
    found: dict[str, dict[str, float]] = {}
    for name, problem in view.window_problems().items():
        shifts = tuple(s for s in view.plan.shifts if s.window == name)
        sp = view.plan.model_copy(update={"shifts": shifts, "overrides": ()})
        pool = [m.id for m in problem.members if problem.needs_shadow(m) < len(problem.weeks)]
        found[name] = balance_loads([sp], pool, capacity)
    return found


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# P101: shift boundaries, gaps and overlaps


def _boundaries(view: ScheduleView) -> Iterator[Finding]:
    src = source_of(view.schedule)
    weeks = view.weeks
    off: dict[Layer, list[Shift]] = {}
    outside: list[Shift] = []
    windowed = bool(view.schedule.windows)
    for s in view.plan.shifts:
        if s.week >= len(weeks):
            outside.append(s)
        elif windowed:
            continue  # _window_boundaries compares them with the windows' occurrences
        elif s.start != weeks[s.week].start or s.end != weeks[s.week].end:
            off.setdefault(s.layer, []).append(s)
    handoff = f"{view.schedule.handoff_time:%H:%M} {view.schedule.timezone}"
    for layer, shifts in sorted(off.items(), key=lambda e: e[0].order):
        s = shifts[0]
        w = weeks[s.week]
        yield src.finding(
            "P101",
            ("schedule", "handoff_time"),
            f"{plural(len(shifts), layer.value + ' shift')} off the local handoff time "
            f"({handoff}): week {s.week} ({s.person}) runs {stamp(s.start)} – {stamp(s.end)}, "
            f"but the week is {stamp(w.start)} – {stamp(w.end)}",
            hint="compute handoffs as the local wall time 7 days later, not +168 h in UTC "
            "(weeks across a DST change are 167 h or 169 h long); re-plan or fix the times",
        )
    if outside:
        s = outside[0]
        yield src.finding(
            "P101",
            ("schedule", "handoff_time"),
            f"{plural(len(outside), 'shift')} outside the plan's {len(weeks)} weeks "
            f"(e.g. week {s.week}, {s.layer.value}, {s.person})",
            hint="week indices run from 0 to weeks - 1",
        )


def _occurrence_text(pieces: Sequence[tuple[datetime, datetime]], limit: int = 3) -> str:
    shown = ", ".join(f"{stamp(a)} – {b:%H:%M}" for a, b in pieces[:limit])
    return shown + (f" and {len(pieces) - limit} more" if len(pieces) > limit else "")


def _window_boundaries(view: ScheduleView) -> Iterator[Finding]:
    """P101 for a schedule with windows: each shift is one expected occurrence of its window.

    The gaps between a window's occurrences, and occurrence boundaries that are not handoffs,
    are the windows' shape (S108 judges how they tile); what must hold is that the shifts of
    a (week, layer, window) are exactly the window's occurrences in that week. A window nobody
    holds in a week is a coverage matter (H001, E209), not reported here.
    """
    src = source_of(view.schedule)
    expected = view.window_problems()
    n = len(view.weeks)
    held: dict[tuple[Layer, str, int], list[Shift]] = {}
    stray: list[Shift] = []
    for s in view.plan.shifts:
        if s.week >= n:
            continue  # reported by _boundaries
        if s.window is None or s.window not in expected:
            stray.append(s)
        else:
            held.setdefault((s.layer, s.window, s.week), []).append(s)
    names = ", ".join(repr(w.name) for w in view.schedule.windows)
    if stray:
        s = stray[0]
        what = (
            f"window {s.window!r}, which the schedule does not define"
            if s.window
            else ("no window")
        )
        yield src.finding(
            "P101",
            ("schedule", "windows"),
            f"{plural(len(stray), 'shift')} of {view.schedule.name!r} name {what} "
            f"(e.g. week {s.week}, {s.layer.value}, {s.person}, {stamp(s.start)} – "
            f"{stamp(s.end)}); its windows are {names}",
            hint="each shift of a schedule with windows is one occurrence of one of its windows",
        )
    bad: dict[
        tuple[Layer, str],
        list[tuple[int, list[tuple[datetime, datetime]], list[tuple[datetime, datetime]]]],
    ] = {}
    for (layer, name, week), shifts in sorted(
        held.items(), key=lambda e: (e[0][0].order, e[0][1], e[0][2])
    ):
        want = [
            (a.astimezone(UTC), b.astimezone(UTC)) for a, b in expected[name].weeks[week].intervals
        ]
        have = sorted((s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in shifts)
        people = {s.person for s in shifts}
        if layer is Layer.SHADOW and len(people) > 1:
            # Two trainees may shadow one window: compare each one's occurrences.
            groups = [
                sorted(
                    (s.start.astimezone(UTC), s.end.astimezone(UTC))
                    for s in shifts
                    if s.person == p
                )
                for p in sorted(people)
            ]
        else:
            groups = [have]
        for got in groups:
            missing = [x for x in want if x not in got]
            extra = [x for x in got if x not in want]
            if missing or extra:
                bad.setdefault((layer, name), []).append((week, missing, extra))
    zone = view.schedule.zone
    for (layer, name), items in sorted(bad.items(), key=lambda e: (e[0][0].order, e[0][1])):
        week, missing, extra = items[0]
        parts = []
        if missing:
            parts.append(
                "misses "
                + _occurrence_text([(a.astimezone(zone), b.astimezone(zone)) for a, b in missing])
            )
        if extra:
            parts.append(
                "has "
                + _occurrence_text([(a.astimezone(zone), b.astimezone(zone)) for a, b in extra])
                + " that "
                + ("is not an occurrence" if len(extra) == 1 else "are not occurrences")
            )
        window = view.schedule.window(name)
        index = view.schedule.windows.index(window)
        yield src.finding(
            "P101",
            ("schedule", "windows", index),
            f"{plural(len(items), 'week')} of {layer.value} shifts do not match the occurrences "
            f"of window {name!r} ({window.shape()}): week {week} {' and '.join(parts)}"
            + (f" ({week_list([w for w, _, _ in items])})" if len(items) > 1 else ""),
            hint="a window's shifts in a week are exactly its occurrences between the week's "
            "handoffs (a wall time in the window's zone, DST resolved); re-plan or fix the times",
        )


def _gaps(view: ScheduleView) -> Iterator[Finding]:
    src = source_of(view.schedule)
    layers = [Layer.PRIMARY]
    if view.schedule.uses_secondary:
        layers.append(Layer.SECONDARY)
    for layer in layers:
        shifts = sorted(
            (s for s in view.plan.shifts if s.layer is layer and s.week < len(view.weeks)),
            key=lambda s: (s.start.astimezone(UTC), s.week, s.person),
        )
        gaps: list[tuple[Shift, Shift]] = []
        overlaps: list[tuple[Shift, Shift]] = []
        for a, b in pairwise(shifts):
            if a.week == b.week:
                continue  # two people on one layer in one week is H001's to report
            if b.start < a.end:
                overlaps.append((a, b))
            elif b.start > a.end and b.week == a.week + 1:
                # A missing week is H001's to report; here adjacent weeks fail to meet.
                gaps.append((a, b))
        for kind, pairs in (("gap", gaps), ("overlap", overlaps)):
            if not pairs:
                continue
            a, b = pairs[0]
            lo, hi = (a.end, b.start) if kind == "gap" else (b.start, a.end)
            size = (hi.astimezone(UTC) - lo.astimezone(UTC)) / timedelta(hours=1)
            who = (
                "nobody is paged"
                if kind == "gap"
                else f"{a.person} and {b.person} are both {layer.value}"
            )
            yield src.finding(
                "P101",
                ("schedule", "handoff_time"),
                f"{plural(len(pairs), layer.value + ' ' + kind)} between consecutive shifts: "
                f"{who} from {stamp(lo)} to {stamp(hi)} ({_fmt(size)} h, between weeks "
                f"{a.week} and {b.week})",
                hint="each shift must end exactly when the next one starts, at the handoff",
            )


# ---------------------------------------------------------------------------------------------
# P102: entries the schedules do not define


def unknown_schedules(
    plan: Plan, known: Sequence[str], *, file: str | None = None
) -> list[Finding]:
    """P102 for plan schedules that no checked schedule file defines."""
    found = []
    for i, sp in enumerate(plan.schedules):
        if sp.name in known:
            continue
        close = difflib.get_close_matches(sp.name, list(known), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += "checked schedules: " + (", ".join(sorted(known)) or "none")
        found.append(
            rule("P102").finding(
                f"the plan has schedule {sp.name!r}, which no checked schedule file defines",
                file=file,
                path=f"schedules[{i}].name",
                hint=hint,
            )
        )
    return found


def _unknown_people(view: ScheduleView) -> Iterator[Finding]:
    ids = [m.id for m in view.schedule.participants.members]
    weeks: dict[str, list[int]] = {}
    for s in view.plan.shifts:
        if s.person not in ids:
            weeks.setdefault(s.person, []).append(s.week)
    for person, found in sorted(weeks.items()):
        close = difflib.get_close_matches(person, ids, n=1, cutoff=0.6)
        yield source_of(view.schedule).finding(
            "P102",
            ("schedule", "participants", "members"),
            f"the plan puts {person!r} on call in {week_list(sorted(set(found)))}, but "
            f"{person!r} is not a member of {view.schedule.name!r}",
            key=True,
            hint=(f"did you mean {close[0]!r}? " if close else "")
            + "plan only members listed under participants.members",
        )


# ---------------------------------------------------------------------------------------------
# P103: on-call share across the org


def _merged_hours(intervals: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    end: datetime | None = None
    for a, b in sorted(intervals):
        if end is not None and a < end:
            if b > end:
                total += (b - end).total_seconds()
                end = b
            continue
        total += (b - a).total_seconds()
        end = b
    return total / 3600


def _shares(views_: Sequence[ScheduleView]) -> Iterator[Finding]:
    on_call: dict[str, list[tuple[datetime, datetime]]] = {}
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    home: dict[str, ScheduleView] = {}
    people = {v.schedule.name: set(v.plan.people()) for v in views_}
    for view in views_:
        if not view.weeks:
            continue
        span = (view.weeks[0].start.astimezone(UTC), view.weeks[-1].end.astimezone(UTC))
        for m in view.schedule.participants.members:
            spans.setdefault(m.id, []).append(span)
            home.setdefault(m.id, view)
    # The effective roster: override time counts for whoever held the layer (fairness). With
    # windows only their hours count: the SRE guidance is about time, and an 8-hour
    # follow-the-sun window every other week is a sixth of it, not half.
    for person, intervals in on_call_intervals(v.plan for v in views_).items():
        on_call.setdefault(person, []).extend(intervals)
    for person, intervals in sorted(on_call.items()):
        if person not in spans:
            continue  # P102 reports unknown people
        hours = _merged_hours(intervals)
        horizon = _merged_hours(spans[person])
        share = hours / horizon if horizon else 0.0
        if share <= MAX_SHARE:
            continue
        view = home[person]
        in_schedules = sorted(v.schedule.name for v in views_ if person in people[v.schedule.name])
        yield source_of(view.schedule).finding(
            "P103",
            member_path(view.schedule, person),
            f"{person} is on call {share * 100:.0f} % of the time ({_fmt(hours / _WEEK_HOURS)} of "
            f"{_fmt(horizon / _WEEK_HOURS)} weeks, primary or secondary, in "
            f"{', '.join(in_schedules)}); the SRE guidance is at most 25 %",
            hint="grow the rotation (8 people for weekly primary + secondary) or drop the "
            "secondary layer",
        )


# ---------------------------------------------------------------------------------------------
# P104–P107: per-schedule exposure and fairness


def _quarters(view: ScheduleView) -> Iterator[Finding]:
    trained = set(trained_members(view.schedule))
    weeks = view.weeks
    on_call_weeks: dict[str, set[int]] = {}
    for s in view.on_call_shifts():
        on_call_weeks.setdefault(s.person, set()).add(s.week)
    # With windows, only members some window selects can be on call at all.
    problems = list(view.window_problems().values()) or [view.problem]
    members = sorted({m.id: m for p in problems for m in p.members}.values(), key=lambda m: m.id)
    for q0 in range(0, len(weeks) - QUARTER_WEEKS + 1, QUARTER_WEEKS):
        window = set(range(q0, q0 + QUARTER_WEEKS))
        for member in members:
            if member.id not in trained or on_call_weeks.get(member.id, set()) & window:
                continue
            away = view.problem.unavailable.get(member.id, frozenset()) & window
            if len(away) == len(window):
                continue  # away the whole quarter: nothing to plan differently
            note = f" (on time off in {plural(len(away), 'week')} of them)" if away else ""
            yield source_of(view.schedule).finding(
                "P104",
                member_path(view.schedule, member.id),
                f"{member.id} is never on call in weeks {q0}–{q0 + QUARTER_WEEKS - 1} "
                f"({weeks[q0].start:%Y-%m-%d} – {weeks[q0 + QUARTER_WEEKS - 1].end:%Y-%m-%d})"
                f"{note}",
                hint="give everyone at least one week a quarter to stay familiar with the "
                "systems (SRE book)",
            )


def _balance(
    view: ScheduleView, load: dict[str, float], window: str | None = None
) -> Iterator[Finding]:
    if len(load) < 2:
        return
    score = balance_score(list(load.values()))
    if score >= BALANCED:
        return
    shown = ", ".join(f"{p} {_fmt(x)}" for p, x in load.items())
    counted = (
        f"weeks of window {window!r} (hours ÷ week length) over capacity"
        if window
        else "on-call weeks over capacity, across the org"
    )
    yield source_of(view.schedule).finding(
        "P105",
        _where(view, window),
        f"{f'window {window!r}: ' if window else ''}balance score {score * 100:.1f} % is below "
        f"95 % ({counted}: {shown})",
        key=True,
        hint="even out the weeks; scores count every eligible member, including those with "
        "no on-call time",
    )


def _where(view: ScheduleView, window: str | None) -> tuple[str | int, ...]:
    if window is None:
        return ("schedule", "participants", "members")
    index = [w.name for w in view.schedule.windows].index(window)
    return ("schedule", "windows", index)


def _outliers(
    view: ScheduleView, load: dict[str, float], window: str | None = None
) -> Iterator[Finding]:
    if len(load) < 2:
        return
    mean = sum(load.values()) / len(load)
    of = f" of window {window!r}" if window else ""
    for person in outliers(load, OUTLIER_FACTOR):
        x = load[person]
        yield source_of(view.schedule).finding(
            "P106",
            member_path(view.schedule, person),
            f"{person} carries {_fmt(x)} on-call weeks{of} (over capacity), {x / mean:.1f}× "
            f"the {'window' if window else 'team'} mean of {_fmt(mean)}",
            hint="move some of their weeks to people below the mean",
        )


def _holidays(view: ScheduleView) -> Iterator[Finding]:
    holiday_weeks = sorted(w for w in view.problem.holiday_weeks if w < len(view.weeks))
    if len(holiday_weeks) < 2:
        return
    counts: dict[str, list[int]] = {m.id: [] for m in eligible_members(view)}
    for w in holiday_weeks:
        for layer in PAGED_LAYERS:
            for p in view.on(w, layer):
                if p in counts and w not in counts[p]:
                    counts[p].append(w)
    # Someone who is away in every holiday week could not have taken one.
    free = {
        p for p in counts if not set(holiday_weeks) <= view.problem.unavailable.get(p, frozenset())
    }
    most = max(len(v) for v in counts.values())
    none = sorted(p for p in free if not counts[p])
    if most < 2 or not none:
        return
    heavy = sorted(p for p, v in counts.items() if len(v) == most)
    names = {w: ", ".join(h.name for h in view.problem.holiday_weeks[w]) for w in holiday_weeks}
    shown = "; ".join(
        f"{p} has {most} ({', '.join(f'week {w}: {names[w]}' for w in sorted(counts[p]))})"
        for p in heavy
    )
    yield source_of(view.schedule).finding(
        "P107",
        ("schedule", "holidays"),
        f"holiday weeks are uneven: {shown}, while {', '.join(none)} "
        f"{'has' if len(none) == 1 else 'have'} none",
        key=True,
        hint="give each holiday week to someone who has had none before repeating anyone",
    )


def check_plan(views_: Sequence[ScheduleView]) -> list[Finding]:
    """Every P-rule finding for the planned schedules of one org."""
    found: list[Finding] = []
    for view in views_:
        load = loads(view, views_)
        windowed = bool(view.schedule.windows)
        found += [
            *_boundaries(view),
            *(_window_boundaries(view) if windowed else _gaps(view)),
            *_unknown_people(view),
            *_quarters(view),
        ]
        if windowed:
            # Each window is a rotation of its own: members of an 8-hour window and of a
            # 16-hour one are not compared with each other.
            for name, per_window in window_loads(view, views_).items():
                found += [*_balance(view, per_window, name), *_outliers(view, per_window, name)]
        else:
            found += [*_balance(view, load), *_outliers(view, load)]
        found += _holidays(view)
    found += _shares(views_)
    return found
