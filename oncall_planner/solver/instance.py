"""The planning instance: schedules made concrete, with every fact the model and the
explanations read (who may hold which cell, carry-over runs, frozen weeks, shadow weeks).

Nothing here imports ortools. Cells are (rotation, person, week, layer) with layer primary or
secondary; shadow weeks are placed before the solve (see :func:`_place_shadows`) and are fixed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from oncall_planner.carryover import (
    frozen_assignments,
    previous_assignments,
    run_before_start,
    with_history,
)
from oncall_planner.expand import Problem, Week, expand, member_zone
from oncall_planner.fairness import window_share
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan
from oncall_planner.spec import Member, MemberHistory, Schedule, Window
from oncall_planner.windows import night_hours

__all__ = [
    "Cell",
    "Instance",
    "Rotation",
    "build_instance",
    "split_components",
    "weeks_meet",
]

#: (rotation index, person id, week index, layer).
Cell = tuple[int, str, int, Layer]


@dataclass(eq=False)
class Rotation:
    """One schedule over the horizon, or one coverage window of a schedule with windows.

    Attributes:
        index: Position in :attr:`Instance.rotations` (schedules sorted by name, a schedule's
            windows in the order it lists them).
        schedule: The schedule.
        problem: Its expansion (weeks, time off, holidays; a window's occurrences).
        layers: The paged layers: primary, and secondary when the policy pages it.
        members: Member id → member (carry-over from ``history`` applied), sorted by id; for a
            window, the members it selects (H013).
        window: The coverage window (None: the whole week).
        excluded: For a window, the schedule's members it does not select (H013).
        need: Member id → shadow weeks still needed at the start.
        shadows: Week index → the member shadowing that week (placed before the solve).
        trained_from: Member id → first week they may be on call (``len(weeks)``: never).
        frozen: Week index → the (layer, person) pairs fixed by the previous plan.
        previous: (week, layer) → person in the previous plan after the frozen weeks.
        run_before: Member id → consecutive on-call weeks right before week 0.
    """

    index: int
    schedule: Schedule
    problem: Problem
    layers: tuple[Layer, ...]
    members: dict[str, Member]
    need: dict[str, int]
    shadows: dict[int, str] = field(default_factory=dict)
    trained_from: dict[str, int] = field(default_factory=dict)
    frozen: dict[int, tuple[tuple[Layer, str], ...]] = field(default_factory=dict)
    previous: dict[tuple[int, Layer], str] = field(default_factory=dict)
    run_before: dict[str, int] = field(default_factory=dict)
    window: Window | None = None
    excluded: dict[str, Member] = field(default_factory=dict)
    #: The rotation indices of the schedule's windows (this one's alone without windows).
    siblings: tuple[int, ...] = ()
    #: (person, week) → night minutes of the week's occurrences in the person's zone.
    _night: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The schedule's name, ``schedule/window`` for a window."""
        if self.window is None:
            return self.schedule.name
        return f"{self.schedule.name}/{self.window.name}"

    def night_minutes(self, person: str, week: int) -> int:
        """Minutes of the week's on-call time between 22:00 and 08:00 in the person's zone
        (:func:`oncall_planner.windows.night_hours`), for H012."""
        key = (person, week)
        known = self._night.get(key)
        if known is None:
            member = self.members.get(person) or self.excluded[person]
            hours = night_hours(
                self.problem.weeks[week].pieces(), member_zone(member, self.schedule)
            )
            known = self._night[key] = round(hours * 60)
        return known

    @property
    def n_weeks(self) -> int:
        """Number of weeks planned."""
        return len(self.problem.weeks)

    @property
    def limit(self) -> int:
        """``max_consecutive_weeks``."""
        return self.schedule.participants.max_consecutive_weeks

    def off(self, person: str, week: int) -> bool:
        """True if the person's time off overlaps the week."""
        return week in self.problem.unavailable.get(person, frozenset())

    def share(self, week: int) -> float:
        """The weeks' worth of holding the rotation in a week, before the layer weight: 1 for a
        whole week, :func:`oncall_planner.fairness.window_share` for a window."""
        if self.window is None:
            return 1.0
        wk = self.problem.weeks[week]
        return window_share(wk.hours, wk.week_hours, self.window.weight)

    def night_cap(self, person: str) -> int | None:
        """The person's ``max_night_hours`` in whole minutes (H012), or None."""
        member = self.members.get(person) or self.excluded.get(person)
        if member is None or member.max_night_hours is None:
            return None
        return math.floor(member.max_night_hours * 60 + 1e-9)

    def too_many_night_hours(self, person: str, week: int) -> bool:
        """True if the week's occurrences alone hold more night time than the person's cap."""
        cap = self.night_cap(person)
        return cap is not None and self.night_minutes(person, week) > cap


@dataclass
class Instance:
    """Everything the planner plans at once.

    Attributes:
        rotations: One per schedule, sorted by schedule name.
        overlaps: (r1, w1, r2, w2, person) for people in two rotations whose weeks overlap
            in time (r1 < r2).
        busy: (rotation, week, person) → the rotation names where the person shadows at an
            overlapping time (fixed before the solve, so it forbids the cell: H007).
        previous: The plan being re-planned.
        freeze_until: Frozen-week date.
        history: Carry-over overrides.
    """

    rotations: list[Rotation]
    overlaps: list[tuple[int, int, int, int, str]]
    busy: dict[tuple[int, int, str], list[str]]
    previous: Plan | None = None
    freeze_until: date | None = None
    history: Mapping[str, MemberHistory] | None = None
    #: Fair shares per (rotation, person), by load weights (see ``objective.org_targets``).
    fair_cache: dict[tuple[int, int, float], dict[tuple[int, str], float]] = field(
        default_factory=dict
    )
    _allowed: dict[Cell, bool] = field(default_factory=dict, repr=False)

    def schedule_groups(self) -> list[list[int]]:
        """Rotation indices per schedule, in rotation order: one each for a schedule without
        windows, one per window otherwise."""
        found: dict[str, list[int]] = {}
        for rot in self.rotations:
            found.setdefault(rot.schedule.name, []).append(rot.index)
        return list(found.values())

    @property
    def windowed(self) -> bool:
        """True if some schedule planned has coverage windows."""
        return any(rot.window is not None for rot in self.rotations)

    # -- which rule forbids a cell --------------------------------------------------------------

    def forbidding(self, r: int, person: str, week: int, layer: Layer) -> list[str]:
        """The codes of the rules that rule this cell out before any search (empty: allowed)."""
        rot = self.rotations[r]
        codes = []
        if week < rot.trained_from.get(person, 0):
            codes.append("H004")
        if rot.off(person, week):
            codes.append("H006")
        if (r, week, person) in self.busy:
            codes.append("H007")
        if rot.too_many_night_hours(person, week):
            codes.append("H012")
        fixed = rot.frozen.get(week)
        if fixed is not None and (layer, person) not in fixed:
            codes.append("H008")
        return codes

    def allowed(self, r: int, person: str, week: int, layer: Layer) -> bool:
        """True if no rule rules the cell out before the search.

        Remembered per cell: the fair shares, the greedy plan and the model ask about every
        cell several times (0.6 s of a 5-rotation org part's build otherwise).
        """
        key = (r, person, week, layer)
        known = self._allowed.get(key)
        if known is None:
            known = self._allowed[key] = not self.forbidding(r, person, week, layer)
        return known

    def cells(self, *, ineligible: bool = False) -> list[Cell]:
        """Every cell, allowed or not, in a fixed order; with ``ineligible``, also the cells of
        members a window does not select (the explanation model rules them out: H013)."""
        return [
            (rot.index, p, w, layer)
            for rot in self.rotations
            for p in (
                sorted([*rot.members, *rot.excluded])
                if ineligible and rot.excluded
                else rot.members
            )
            for w in range(rot.n_weeks)
            for layer in rot.layers
        ]


def _layers(schedule: Schedule) -> tuple[Layer, ...]:
    return (Layer.PRIMARY, Layer.SECONDARY) if schedule.uses_secondary else (Layer.PRIMARY,)


def weeks_meet(a: Week, b: Week) -> bool:
    """True if the on-call time of two weeks (their occurrences, or whole weeks) overlaps."""
    return any(a.overlaps(x, y) for x, y in b.pieces())


def _place_shadows(instance: Instance) -> None:
    """Give every new engineer their shadow weeks as early as availability allows.

    Shadow weeks carry no load, so they are not traded against fairness: they are placed first,
    week by week, the trainee with the smallest id first, at most one shadow per week of a
    schedule (of each window of a schedule with windows); a trainee is skipped in weeks they
    are off or already shadowing at an overlapping time, and shadows at most one window of a
    week (one they are eligible for): a shadow week counts once. Frozen weeks keep the previous
    plan's shadow.
    """
    taken: dict[str, list[Week]] = {}
    for group in instance.schedule_groups():
        rots = [instance.rotations[r] for r in group]
        left = dict(rots[0].need)
        for w in range(rots[0].n_weeks):
            shadowing: set[str] = set()
            for rot in rots:
                week = rot.problem.weeks[w]
                fixed = rot.frozen.get(w)
                candidates: list[str]
                if fixed is not None:
                    candidates = [
                        p for layer, p in fixed if layer is Layer.SHADOW and p in rot.members
                    ]
                else:
                    candidates = sorted(p for p, k in left.items() if k > 0 and p in rot.members)
                for p in candidates:
                    if fixed is None and (rot.off(p, w) or p in shadowing):
                        continue
                    if fixed is None and any(weeks_meet(week, b) for b in taken.get(p, [])):
                        continue
                    rot.shadows[w] = p
                    shadowing.add(p)
                    taken.setdefault(p, []).append(week)
                    break
            for p in sorted(shadowing):
                if left.get(p, 0) > 0:
                    left[p] -= 1
                    if left[p] == 0:
                        for rot in rots:
                            rot.trained_from[p] = w + 1
        for p, k in left.items():
            if k > 0:
                for rot in rots:
                    rot.trained_from[p] = rot.n_weeks
    # A shadow week in one schedule rules out a role at overlapping times in the others.
    for rot in instance.rotations:
        for other in instance.rotations:
            if other.index == rot.index:
                continue
            for w, p in other.shadows.items():
                if p not in rot.members:
                    continue
                a = other.problem.weeks[w]
                for week in rot.problem.weeks:
                    if weeks_meet(week, a):
                        instance.busy.setdefault((rot.index, week.index, p), []).append(other.name)


def _overlaps(rotations: Sequence[Rotation]) -> list[tuple[int, int, int, int, str]]:
    found = []
    for a in rotations:
        for b in rotations:
            if b.index <= a.index:
                continue
            shared = sorted(set(a.members) & set(b.members))
            if not shared:
                continue
            for wa in a.problem.weeks:
                for wb in b.problem.weeks:
                    if wb.start >= wa.end:
                        break
                    if weeks_meet(wa, wb):
                        found += [(a.index, wa.index, b.index, wb.index, p) for p in shared]
    return found


def build_instance(
    schedules: Sequence[Schedule],
    start: date,
    weeks: int,
    *,
    previous: Plan | None = None,
    freeze_until: date | None = None,
    history: Mapping[str, MemberHistory] | None = None,
) -> Instance:
    """Expand the schedules and work out every fact the model needs.

    A schedule with coverage windows becomes one rotation per window (its members: those the
    window selects), so the rules across rotations sharing a person (H007, H009, H010, one
    fair share) apply between windows as between schedules.
    """
    rotations: list[Rotation] = []
    for schedule in sorted(schedules, key=lambda s: s.name):
        everyone = {
            m.id: with_history(m, history)
            for m in sorted(schedule.participants.members, key=lambda m: m.id)
        }
        whole = expand(schedule, start, weeks)
        run_before = {p: run_before_start(whole, m, previous) for p, m in everyone.items()}
        for window in schedule.windows or (None,):
            problem = whole if window is None else expand(schedule, start, weeks, window=window)
            members = {p: m for p, m in everyone.items() if window is None or window.selects(m)}
            rot = Rotation(
                index=len(rotations),
                schedule=schedule,
                problem=problem,
                layers=_layers(schedule),
                members=members,
                need={p: problem.needs_shadow(m) for p, m in everyone.items()},
                window=window,
                excluded={p: m for p, m in everyone.items() if p not in members},
            )
            rot.frozen = frozen_assignments(problem, previous, freeze_until)
            rot.run_before = {p: run_before[p] for p in members}
            if previous is not None:
                rot.previous = _previous_weeks(rot, previous)
            rot.trained_from = dict.fromkeys(members, 0)
            rotations.append(rot)
    for rot in rotations:
        rot.siblings = tuple(k.index for k in rotations if k.schedule.name == rot.schedule.name)
    instance = Instance(
        rotations=rotations,
        overlaps=_overlaps(rotations),
        busy={},
        previous=previous,
        freeze_until=freeze_until,
        history=history,
    )
    _place_shadows(instance)
    return instance


def _previous_weeks(rot: Rotation, previous: Plan) -> dict[tuple[int, Layer], str]:
    """(week, layer) → person of the previous plan's paged shifts in the rotation's weeks after
    the frozen ones (for a window, its own occurrences: ``carryover.previous_assignments``)."""
    found: dict[tuple[int, Layer], str] = {}
    for w, pairs in previous_assignments(rot.problem, previous).items():
        if w in rot.frozen:
            continue
        for layer, p in pairs:
            if layer in PAGED_LAYERS:
                found[(w, layer)] = p
    return found


def split_components(schedules: Sequence[Schedule]) -> list[list[Schedule]]:
    """The org's independent parts: schedules linked, directly or not, by a shared member id.

    No rule or goal crosses from one part to another (every cross-schedule rule is about one
    person), so each part is planned alone and the plans put side by side are the org's plan.
    Parts are ordered by their first schedule name, schedules inside a part by name.
    """
    ordered = sorted(schedules, key=lambda s: s.name)
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, schedule in enumerate(ordered):
        for m in schedule.participants.members:
            j = first_with.setdefault(m.id, i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    parts: dict[int, list[Schedule]] = {}
    for i, schedule in enumerate(ordered):
        parts.setdefault(root(i), []).append(schedule)
    return [parts[k] for k in sorted(parts)]
