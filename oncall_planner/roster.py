"""The effective roster: weekly shifts with overrides laid over them, over real time.

A schedule's plan holds weekly shifts (one per week and layer) and, optionally, overrides: one
person holding one layer for a stretch of real time ("carol covers bob from Wednesday 18:00 to
Friday 09:00"). At every instant, the last override in the list that covers the instant decides
who holds the layer; where none does, the weekly shifts do. So an override of an override works,
and removing one restores what was under it. Nothing here imports ortools.

Week boundaries come from the plan itself: week ``k`` starts at the first shift's local handoff
wall time ``7 k`` local days after week 0 (:func:`handoffs`, through ``expand.local_instant``,
the one definition of a handoff instant), never ``+168 h``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall_planner.expand import local_instant
from oncall_planner.plans import Layer, Override, Person, Plan, SchedulePlan, Shift

__all__ = [
    "EffectiveShift",
    "Holding",
    "effective_shifts",
    "handoffs",
    "holding",
    "horizon",
    "on_call",
    "partly_overridden",
    "weekly_view",
    "with_override",
]


@dataclass(frozen=True)
class EffectiveShift:
    """One person holding one layer of one schedule over ``[start, end)``.

    Attributes:
        schedule: Schedule name.
        layer: The layer.
        person: Member id.
        start: Start (aware, in the schedule's zone).
        end: End (aware, in the schedule's zone).
        week: Index of the weekly shift this piece comes from (None for an override).
        override: Id of the override this piece comes from (None for a weekly shift).
    """

    schedule: str
    layer: Layer
    person: str
    start: datetime
    end: datetime
    week: int | None = None
    override: str | None = None

    @property
    def source(self) -> str:
        """The override id, or ``week N`` for a piece of a weekly shift."""
        return self.override if self.override is not None else f"week {self.week}"

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True if ``[start, end)`` overlaps this piece."""
        return start < self.end and self.start < end

    def sort_key(self) -> tuple[datetime, str, int, str]:
        """Start (as an instant), schedule, layer order, person."""
        return (self.start.astimezone(UTC), self.schedule, self.layer.order, self.person)


# ---------------------------------------------------------------------------------------------
# Week boundaries of a schedule's plan


def _anchor(sp: SchedulePlan) -> tuple[date, time] | None:
    """Week 0's handoff day and the local handoff wall time, read off the plan's shifts."""
    if not sp.shifts:
        return None
    # The earliest week's shift: its start is a handoff instant at the handoff wall time.
    s = min(sp.shifts, key=lambda s: (s.week, s.layer.order))
    local = s.start.astimezone(ZoneInfo(sp.timezone))
    return local.date() - timedelta(weeks=s.week), local.timetz().replace(tzinfo=None)


def handoffs(sp: SchedulePlan) -> list[datetime]:
    """The ``weeks + 1`` handoff instants bounding the plan's weeks, in the schedule's zone.

    A plan without shifts has no handoff time to read; its weeks are counted from local
    midnight of its start date.
    """
    zone = ZoneInfo(sp.timezone)
    anchor = _anchor(sp)
    first, wall = anchor if anchor is not None else (sp.start, time(0))
    return [local_instant(first + timedelta(weeks=k), wall, zone) for k in range(sp.weeks + 1)]


def horizon(sp: SchedulePlan) -> tuple[datetime, datetime]:
    """``[start of week 0, end of the last week)``."""
    bounds = handoffs(sp)
    return bounds[0], bounds[-1]


# ---------------------------------------------------------------------------------------------
# Laying overrides over shifts


def _layer_pieces(sp: SchedulePlan, layer: Layer) -> list[EffectiveShift]:
    """The effective pieces of one layer, sorted by start then person."""
    zone = ZoneInfo(sp.timezone)
    shifts = [s for s in sp.shifts if s.layer is layer]
    overrides = [o for o in sp.overrides if o.layer is layer]
    if not overrides:
        return [
            EffectiveShift(sp.name, layer, s.person, s.start, s.end, week=s.week) for s in shifts
        ]
    cuts = sorted(
        {s.start.astimezone(UTC) for s in shifts}
        | {s.end.astimezone(UTC) for s in shifts}
        | {o.start.astimezone(UTC) for o in overrides}
        | {o.end.astimezone(UTC) for o in overrides}
    )
    pieces: list[EffectiveShift] = []
    open_by_key: dict[tuple[str, int | None, str | None], int] = {}
    for a, b in itertools.pairwise(cuts):
        top: Override | None = None
        for o in reversed(overrides):
            if o.start <= a and b <= o.end:
                top = o
                break
        holders: list[tuple[str, int | None, str | None]]
        if top is not None:
            holders = [(top.person, None, top.id)]
        else:
            holders = sorted(
                (s.person, s.week, None) for s in shifts if s.start <= a and b <= s.end
            )
        current: dict[tuple[str, int | None, str | None], int] = {}
        for key in holders:
            j = open_by_key.get(key)
            if j is not None and pieces[j].end.astimezone(UTC) == a:
                # Same person from the same source right after: one piece.
                p = pieces[j]
                pieces[j] = EffectiveShift(
                    p.schedule, p.layer, p.person, p.start, b.astimezone(zone), p.week, p.override
                )
                current[key] = j
            else:
                pieces.append(
                    EffectiveShift(
                        sp.name,
                        layer,
                        key[0],
                        a.astimezone(zone),
                        b.astimezone(zone),
                        key[1],
                        key[2],
                    )
                )
                current[key] = len(pieces) - 1
        open_by_key = current
    return sorted(pieces, key=EffectiveShift.sort_key)


def effective_shifts(
    sp: SchedulePlan, *, layer: Layer | None = None, person: str | None = None
) -> list[EffectiveShift]:
    """The effective pieces of a schedule's plan, sorted by start, layer and person.

    A piece is cut where its source changes (a weekly shift, an override); adjacent pieces of
    one person from different sources are not merged. Instants with nobody on a layer have no
    piece; instants with two people (a double booking in the weekly shifts) have two.
    """
    layers = [layer] if layer is not None else list(Layer)
    pieces = [p for lay in layers for p in _layer_pieces(sp, lay)]
    if person is not None:
        pieces = [p for p in pieces if p.person == person]
    return sorted(pieces, key=EffectiveShift.sort_key)


def _schedules(plan: Plan, schedule: str | None) -> tuple[SchedulePlan, ...]:
    if schedule is None:
        return plan.schedules
    try:
        return (plan.schedule(schedule),)
    except KeyError:
        names = ", ".join(sorted(sp.name for sp in plan.schedules)) or "none"
        raise ValueError(
            f"schedule: the plan has no schedule {schedule!r}; it has: {names}"
        ) from None


def _layer(value: object, name: str = "layer") -> Layer:
    if isinstance(value, Layer):
        return value
    try:
        return Layer(str(value))
    except ValueError:
        valid = ", ".join(lay.value for lay in Layer)
        raise ValueError(f"{name}: {value!r} is not a layer; valid: {valid}") from None


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: expected an aware datetime, got {type(value).__name__} {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name}: {value.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime(2027, 1, 6, 18, 0, tzinfo=ZoneInfo('Europe/Berlin')))"
        )
    return value


def plan_effective_shifts(
    plan: Plan,
    schedule: str | None = None,
    layer: Layer | str | None = None,
    person: str | None = None,
) -> list[EffectiveShift]:
    """:func:`effective_shifts` over the plan's schedules (all, or the one named)."""
    lay = _layer(layer) if layer is not None else None
    pieces = [
        p
        for sp in _schedules(plan, schedule)
        for p in effective_shifts(sp, layer=lay, person=person)
    ]
    return sorted(pieces, key=EffectiveShift.sort_key)


def _single(plan: Plan, schedule: str | None) -> SchedulePlan:
    found = _schedules(plan, schedule)
    if len(found) != 1:
        names = ", ".join(sorted(sp.name for sp in found)) or "none"
        raise ValueError(f"schedule: the plan has several schedules ({names}); name one")
    return found[0]


def on_call(
    plan: Plan, at: datetime, schedule: str | None = None, layer: Layer | str = Layer.PRIMARY
) -> str | None:
    """Who holds ``layer`` of ``schedule`` at the instant ``at`` (None: nobody).

    In a plan that double-books the instant (an H101 error), the first of them by id.

    Raises:
        ValueError: ``at`` is naive, the schedule is unknown or ambiguous, the layer unknown.
    """
    now = _aware(at, "at")
    sp = _single(plan, schedule)
    held = sorted(p.person for p in _layer_pieces(sp, _layer(layer)) if p.start <= now < p.end)
    return held[0] if held else None


@dataclass(frozen=True)
class Holding:
    """Who holds a layer at an instant, until when, and who comes next.

    Attributes:
        schedule: Schedule name.
        layer: The layer.
        person: Who holds it (None: nobody).
        since: When their unbroken hold started (None if nobody holds it).
        until: When it ends: the next change of person, or the end of the plan.
        next_person: Who holds the layer after ``until`` (None: nobody, or the plan ends).
        next_until: When the next person's unbroken hold ends.
    """

    schedule: str
    layer: Layer
    person: str | None
    since: datetime | None
    until: datetime | None
    next_person: str | None
    next_until: datetime | None

    def to_data(self) -> dict[str, object]:
        """JSON-ready data (times ISO 8601 with the schedule's offset)."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "schedule": self.schedule,
            "layer": self.layer.value,
            "person": self.person,
            "since": iso(self.since),
            "until": iso(self.until),
            "next": {"person": self.next_person, "until": iso(self.next_until)}
            if self.next_person
            else None,
        }


def _runs(pieces: Sequence[EffectiveShift]) -> list[tuple[str, datetime, datetime]]:
    """Pieces of one layer merged into unbroken holds of one person (single holders only)."""
    runs: list[tuple[str, datetime, datetime]] = []
    for p in pieces:
        if runs and runs[-1][0] == p.person and runs[-1][2] == p.start:
            runs[-1] = (p.person, runs[-1][1], p.end)
        else:
            runs.append((p.person, p.start, p.end))
    return runs


def holding(sp: SchedulePlan, layer: Layer, at: datetime) -> Holding:
    """Who holds ``layer`` at ``at``, until when, and who is next (for ``oncall-planner who``)."""
    now = _aware(at, "at")
    runs = _runs(_layer_pieces(sp, layer))
    current = sorted((r for r in runs if r[1] <= now < r[2]), key=lambda r: r[0])
    person: str | None
    since: datetime | None
    until: datetime | None
    if current:
        person, since, until = current[0]
        later = [r for r in runs if r[1] >= until and r[0] != person]
    else:
        person, since = None, None
        upcoming = [r for r in runs if r[1] > now]
        until = min((r[1] for r in upcoming), default=None)
        later = upcoming
    nxt = min(later, key=lambda r: (r[1], r[0]), default=None)
    return Holding(
        sp.name,
        layer,
        person,
        since,
        until,
        nxt[0] if nxt else None,
        nxt[2] if nxt else None,
    )


# ---------------------------------------------------------------------------------------------
# The weekly view of a plan with overrides (what the week-based rules H001–H008 read)


def _covered_by_one(pieces: Sequence[EffectiveShift], s: Shift) -> str | None:
    """The person holding all of ``s``'s time through overrides alone, if there is one."""
    inside = [p for p in pieces if p.overlaps(s.start, s.end)]
    if not inside or any(p.override is None for p in inside):
        return None
    people = {p.person for p in inside}
    # Real time: a week across a DST change is 167 h or 169 h, and local subtraction says 168.
    covered = sum(
        (min(p.end, s.end).astimezone(UTC) - max(p.start, s.start).astimezone(UTC) for p in inside),
        timedelta(),
    )
    whole = s.end.astimezone(UTC) - s.start.astimezone(UTC)
    return people.pop() if len(people) == 1 and covered == whole else None


def weekly_view(sp: SchedulePlan) -> SchedulePlan:
    """The plan as whole weeks: a weekly shift that overrides hand entirely to one other person
    becomes that person's shift; partly overridden shifts stay as planned (the interval rules
    H101–H107 judge the overridden part)."""
    if not sp.overrides:
        return sp
    shifts = []
    for lay in Layer:
        pieces = _layer_pieces(sp, lay)
        for s in sp.shifts:
            if s.layer is not lay:
                continue
            who = _covered_by_one(pieces, s)
            shifts.append(s if who is None else s.model_copy(update={"person": who}))
    return sp.model_copy(update={"shifts": tuple(sorted(shifts, key=Shift.sort_key))})


def partly_overridden(sp: SchedulePlan) -> set[tuple[int, Layer]]:
    """(week, layer) of weekly shifts that an override covers only in part."""
    found: set[tuple[int, Layer]] = set()
    for lay in Layer:
        overrides = [o for o in sp.overrides if o.layer is lay]
        if not overrides:
            continue
        pieces = _layer_pieces(sp, lay)
        for s in sp.shifts:
            if s.layer is not lay or not any(
                o.start < s.end and s.start < o.end for o in overrides
            ):
                continue
            if _covered_by_one(pieces, s) is None:
                found.add((s.week, lay))
    return found


# ---------------------------------------------------------------------------------------------
# Adding an override


def _minute(value: datetime, name: str) -> datetime:
    if value.second or value.microsecond:
        raise ValueError(
            f"{name}: {value.isoformat()} is not a whole minute; overrides are minute-precise"
        )
    return value


def _override_id(
    schedule: str, layer: Layer, person: str, start: datetime, end: datetime, taken: Iterable[str]
) -> str:
    used = set(taken)
    n = 0
    while True:
        key = "|".join(
            [
                schedule,
                layer.value,
                person,
                start.astimezone(UTC).isoformat(),
                end.astimezone(UTC).isoformat(),
                str(n),
            ]
        )
        candidate = "ovr-" + hashlib.sha256(key.encode()).hexdigest()[:12]
        if candidate not in used:
            return candidate
        n += 1


def with_override(
    plan: Plan,
    schedule: str | None,
    layer: Layer | str,
    person: str,
    start: datetime,
    end: datetime,
    *,
    reason: str | None = None,
    created: datetime | None = None,
    name: str | None = None,
    accepted: Sequence[str] = (),
) -> Plan:
    """A copy of the plan with one more override (it wins over everything under it).

    Args:
        plan: The plan.
        schedule: Schedule name (may be None when the plan has one schedule).
        layer: primary, secondary or shadow.
        person: Member id who holds the layer from ``start`` to ``end``.
        start: Aware, whole minute, inside the plan's weeks.
        end: Aware, whole minute, after ``start``, inside the plan's weeks.
        reason: Why (free text).
        created: When it was recorded (None: not recorded; keeps plans byte-identical).
        name: Display name for a person the plan does not know yet.
        accepted: Rule codes the override breaks that were accepted.

    Raises:
        ValueError: An argument is invalid; the message names it, the value and what is valid.
    """
    sp = _single(plan, schedule)
    lay = _layer(layer)
    a = _minute(_aware(start, "start"), "start")
    b = _minute(_aware(end, "end"), "end")
    if b <= a:
        raise ValueError(f"end: {b.isoformat()} is not after start {a.isoformat()}")
    first, last = horizon(sp)
    if a < first or b > last:
        raise ValueError(
            f"start/end: {a.isoformat()} – {b.isoformat()} is outside the plan of {sp.name} "
            f"({first.isoformat()} – {last.isoformat()})"
        )
    if created is not None:
        _aware(created, "created")
    if not isinstance(person, str) or not person:
        raise ValueError(f"person: expected a member id, got {person!r}")
    people = dict(plan.people)
    known = set(people) | set(plan.person_ids())
    if person not in known:
        if name is None:
            listed = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"person: {person!r} is not in the plan (known: {listed}); pass name= to add "
                "someone new"
            )
        people[person] = Person(name=name)
    under = {p.person for p in _layer_pieces(sp, lay) if p.overlaps(a, b)}
    override = Override(
        id=_override_id(sp.name, lay, person, a, b, (o.id for o in sp.overrides)),
        layer=lay,
        person=person,
        start=a,
        end=b,
        replaces=under.pop() if len(under) == 1 else None,
        reason=reason,
        created=created,
        accepted=tuple(sorted(set(accepted))),
    )
    updated = sp.model_copy(update={"overrides": (*sp.overrides, override)})
    # Re-validate so that times move into the schedule's zone and ids stay unique.
    updated = SchedulePlan.model_validate(updated.model_dump())
    return plan.model_copy(
        update={
            "schedules": tuple(updated if s.name == sp.name else s for s in plan.schedules),
            "people": dict(sorted(people.items())),
        }
    )


def iter_overrides(plan: Plan) -> Iterator[tuple[str, Override]]:
    """Every override with its schedule name."""
    for sp in plan.schedules:
        for o in sp.overrides:
            yield sp.name, o
