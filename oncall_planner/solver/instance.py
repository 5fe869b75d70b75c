"""The planning instance: schedules made concrete, with every fact the model and the
explanations read (who may hold which cell, carry-over runs, frozen weeks, shadow weeks).

Nothing here imports ortools. Cells are (rotation, person, week, layer) with layer primary or
secondary; shadow weeks are placed before the solve (see :func:`_place_shadows`) and are fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from oncall_planner.carryover import (
    frozen_assignments,
    previous_entry,
    run_before_start,
    with_history,
)
from oncall_planner.expand import Problem, expand
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan
from oncall_planner.spec import Member, MemberHistory, Schedule

__all__ = ["Cell", "Instance", "Rotation", "build_instance", "split_components"]

#: (rotation index, person id, week index, layer).
Cell = tuple[int, str, int, Layer]


@dataclass
class Rotation:
    """One schedule over the horizon.

    Attributes:
        index: Position in :attr:`Instance.rotations` (schedules sorted by name).
        schedule: The schedule.
        problem: Its expansion (weeks, time off, holidays).
        layers: The paged layers: primary, and secondary when the policy pages it.
        members: Member id → member (carry-over from ``history`` applied), sorted by id.
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

    @property
    def name(self) -> str:
        """The schedule's name."""
        return self.schedule.name

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

    def cells(self) -> list[Cell]:
        """Every cell, allowed or not, in a fixed order."""
        return [
            (rot.index, p, w, layer)
            for rot in self.rotations
            for p in rot.members
            for w in range(rot.n_weeks)
            for layer in rot.layers
        ]


def _layers(schedule: Schedule) -> tuple[Layer, ...]:
    return (Layer.PRIMARY, Layer.SECONDARY) if schedule.uses_secondary else (Layer.PRIMARY,)


def _place_shadows(instance: Instance) -> None:
    """Give every new engineer their shadow weeks as early as availability allows.

    Shadow weeks carry no load, so they are not traded against fairness: they are placed first,
    week by week, the trainee with the smallest id first, at most one shadow per week of a
    schedule; a trainee is skipped in weeks they are off or already shadowing in an overlapping
    week of another schedule. Frozen weeks keep the previous plan's shadow.
    """
    taken: dict[str, list[tuple[datetime, datetime]]] = {}
    for rot in instance.rotations:
        left = dict(rot.need)
        for w, week in enumerate(rot.problem.weeks):
            fixed = rot.frozen.get(w)
            candidates: list[str]
            if fixed is not None:
                candidates = [p for layer, p in fixed if layer is Layer.SHADOW and p in rot.members]
            else:
                candidates = sorted(p for p, k in left.items() if k > 0)
            for p in candidates:
                if rot.off(p, w) and fixed is None:
                    continue
                if fixed is None and any(week.overlaps(a, b) for a, b in taken.get(p, [])):
                    continue
                rot.shadows[w] = p
                taken.setdefault(p, []).append((week.start, week.end))
                if left.get(p, 0) > 0:
                    left[p] -= 1
                    if left[p] == 0:
                        rot.trained_from[p] = w + 1
                break
        for p, k in left.items():
            if k > 0:
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
                    if week.overlaps(a.start, a.end):
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
                    if wa.overlaps(wb.start, wb.end):
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
    """Expand the schedules and work out every fact the model needs."""
    rotations = []
    for i, schedule in enumerate(sorted(schedules, key=lambda s: s.name)):
        problem = expand(schedule, start, weeks)
        members = {
            m.id: with_history(m, history)
            for m in sorted(schedule.participants.members, key=lambda m: m.id)
        }
        rot = Rotation(
            index=i,
            schedule=schedule,
            problem=problem,
            layers=_layers(schedule),
            members=members,
            need={p: problem.needs_shadow(m) for p, m in members.items()},
        )
        rot.frozen = frozen_assignments(problem, previous, freeze_until)
        rot.run_before = {p: run_before_start(problem, m, previous) for p, m in members.items()}
        prev = previous_entry(previous, schedule.name)
        if prev is not None:
            index = {w.start: w.index for w in problem.weeks}
            for s in prev.shifts:
                w = index.get(s.start)
                if w is not None and w not in rot.frozen and s.layer in PAGED_LAYERS:
                    rot.previous[(w, s.layer)] = s.person
        rot.trained_from = dict.fromkeys(members, 0)
        rotations.append(rot)
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
