"""The effective roster: weekly shifts with overrides laid over them, over real time.

A schedule's plan holds weekly shifts (one per week and layer) and, optionally, overrides: one
person holding one layer for a stretch of real time ("carol covers bob from Wednesday 18:00 to
Friday 09:00"). At every instant, the last override in the list that covers the instant decides
who holds the layer; where none does, the weekly shifts do. So an override of an override works,
and removing one restores what was under it. Nothing here imports ortools.

Coverage windows: a windowed plan's shifts are occurrences (one per window, week and layer's
stretch of time), so the roster is the occurrences themselves: ``on_call`` gives the window's
holder at an instant and None between windows of a ``coverage: partial`` schedule. An override
replaces whoever holds each instant it covers; its pieces are cut where the window under it
changes, each naming that window, and ``replaces`` lists every holder it covers ("ana, ben")
when it spans windows.

Week boundaries come from the plan itself: week ``k`` starts at the first shift's local handoff
wall time ``7 k`` local days after week 0 (:func:`handoffs`, through ``expand.local_instant``,
the one definition of a handoff instant), never ``+168 h``.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    "states",
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
        window: The coverage window of the time this piece covers (None: no windows, or an
            override in a gap of a ``coverage: partial`` schedule). An override over a
            windowed layer is cut at window boundaries and each piece names the window whose
            holder it replaces.
    """

    schedule: str
    layer: Layer
    person: str
    start: datetime
    end: datetime
    week: int | None = None
    override: str | None = None
    window: str | None = None

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
    """Week 0's handoff day and the local handoff wall time: the plan's recorded ``handoff``
    (plans with windows), else read off the plan's shifts."""
    if sp.handoff:
        day, wall = sp.handoff.split()
        number = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday").index(day)  # fmt: skip
        hour, minute = (int(x) for x in wall.split(":"))
        return sp.start + timedelta(days=(number - sp.start.weekday()) % 7), time(hour, minute)
    if not sp.shifts:
        return None
    if any(s.window is not None for s in sp.shifts):
        return _window_anchor(sp)
    # The earliest week's shift: its start is a handoff instant at the handoff wall time.
    s = min(sp.shifts, key=lambda s: (s.week, s.layer.order))
    local = s.start.astimezone(ZoneInfo(sp.timezone))
    return local.date() - timedelta(weeks=s.week), local.timetz().replace(tzinfo=None)


def _window_anchor(sp: SchedulePlan) -> tuple[date, time]:
    """Week 0's handoff read off occurrence shifts, which start at a handoff only sometimes.

    Week ``k``'s occurrences lie in ``[handoff k, handoff k+1)``, so each occurrence start,
    moved back ``k`` local weeks, is at or after week 0's handoff; the earliest of them is the
    handoff itself when the windows tile the week (``coverage: full``: some window holds the
    instant of every handoff, and occurrences are cut there). With ``coverage: partial`` it is
    the first covered instant of any week, at or after the true handoff: the horizon may
    start (and end) a little late, never early.
    """
    zone = ZoneInfo(sp.timezone)
    earliest = min(
        s.start.astimezone(zone).replace(tzinfo=None) - timedelta(weeks=s.week) for s in sp.shifts
    )
    return earliest.date(), earliest.time()


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


#: What keeps a piece growing across a cut: (person, week, override, window).
_Key = tuple[str, int | None, str | None, str | None]


def _layer_pieces(sp: SchedulePlan, layer: Layer) -> list[EffectiveShift]:
    """The effective pieces of one layer, sorted by start then person.

    A sweep over the instants where a shift or an override starts or ends: between two such
    instants the top (last-listed) active override decides, else the active shifts do.
    """
    zone = ZoneInfo(sp.timezone)
    shifts = [s for s in sp.shifts if s.layer is layer]
    overrides = [o for o in sp.overrides if o.layer is layer]
    if not overrides:
        return [
            EffectiveShift(sp.name, layer, s.person, s.start, s.end, week=s.week, window=s.window)
            for s in shifts
        ]
    # Events at UTC instants: (instant, +1 start / -1 end, kind, index).
    events: dict[datetime, list[tuple[int, str, int]]] = {}
    for i, s in enumerate(shifts):
        events.setdefault(s.start.astimezone(UTC), []).append((1, "s", i))
        events.setdefault(s.end.astimezone(UTC), []).append((-1, "s", i))
    for i, o in enumerate(overrides):
        events.setdefault(o.start.astimezone(UTC), []).append((1, "o", i))
        events.setdefault(o.end.astimezone(UTC), []).append((-1, "o", i))
    cuts = sorted(events)
    active_shifts: set[int] = set()
    active_overrides: set[int] = set()
    pieces: list[EffectiveShift] = []
    open_by_key: dict[_Key, int] = {}
    for a, b in itertools.pairwise(cuts):
        for sign, kind, i in events[a]:
            target = active_shifts if kind == "s" else active_overrides
            if sign > 0:
                target.add(i)
            else:
                target.discard(i)
        holders: list[_Key]
        if active_overrides:
            top = overrides[max(active_overrides)]
            # The override replaces whoever holds the instant, in their window: an override
            # from 06:00 to 10:00 over apac (until 08:00) and emea is two pieces, one per window.
            under = sorted({w for i in active_shifts if (w := shifts[i].window) is not None})
            holders = [(top.person, None, top.id, under[0] if under else None)]
        else:
            holders = sorted(
                (shifts[i].person, shifts[i].week, None, shifts[i].window) for i in active_shifts
            )
        current: dict[_Key, int] = {}
        for key in holders:
            j = open_by_key.get(key)
            if j is not None:
                # Same person from the same source right after: one piece.
                pieces[j] = dataclasses.replace(pieces[j], end=b.astimezone(zone))
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
                        key[3],
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
    lay = _layer(layer)
    # The definition itself, without cutting pieces: the last override covering the instant,
    # else the weekly shifts covering it.
    for o in reversed(sp.overrides):
        if o.layer is lay and o.start <= now < o.end:
            return o.person
    held = sorted(s.person for s in sp.shifts if s.layer is lay and s.start <= now < s.end)
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
        next_until: When the next person's unbroken hold ends (in a plan with windows, when
            nobody holds the layer next: when the coverage gap ends).
        window: The coverage window ``person`` holds at the instant (None: the plan has no
            windows, nobody holds the layer, or an override holds it in a coverage gap).
        next_window: The window the next person holds after ``until``.
        windowed: True when the schedule's plan has windows, so that nobody holding the layer
            means the instant is outside coverage rather than a gap in the plan.
    """

    schedule: str
    layer: Layer
    person: str | None
    since: datetime | None
    until: datetime | None
    next_person: str | None
    next_until: datetime | None
    window: str | None = None
    next_window: str | None = None
    windowed: bool = False

    def to_data(self) -> dict[str, object]:
        """JSON-ready data (times ISO 8601 with the schedule's offset)."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        data: dict[str, object] = {
            "schedule": self.schedule,
            "layer": self.layer.value,
            "person": self.person,
            "since": iso(self.since),
            "until": iso(self.until),
            "next": {"person": self.next_person, "until": iso(self.next_until)}
            if self.next_person
            else None,
        }
        if self.windowed:
            # Extend only: a plan without windows keeps its keys; "window" is None outside
            # coverage, and the next holder's window rides along with them.
            data["window"] = self.window
            nxt = data["next"]
            if isinstance(nxt, dict):
                nxt["window"] = self.next_window
        return data


def states(
    pieces: Iterable[EffectiveShift],
    first: datetime | None = None,
    last: datetime | None = None,
) -> list[tuple[tuple[str, ...], datetime, datetime]]:
    """Who holds one layer over time: maximal stretches with the same holders (sorted ids).

    Stretches with nobody between pieces are included, and from ``first`` / up to ``last``
    when given (the result is then clipped to them). Times are UTC. One holder is the only
    valid state; none is a gap and two or more a double booking (H101).
    """
    return [
        (tuple(person for person, _ in held), a, b)
        for held, a, b in _runs(pieces, first, last, lambda p: (p.person, ""))
    ]


def _runs(
    pieces: Iterable[EffectiveShift],
    first: datetime | None,
    last: datetime | None,
    key: Callable[[EffectiveShift], tuple[str, str]],
) -> list[tuple[tuple[tuple[str, str], ...], datetime, datetime]]:
    """:func:`states` with holders told apart by ``key`` (the person, or person and window)."""
    events: dict[datetime, list[tuple[int, tuple[str, str]]]] = {}
    for p in pieces:
        events.setdefault(p.start.astimezone(UTC), []).append((1, key(p)))
        events.setdefault(p.end.astimezone(UTC), []).append((-1, key(p)))
    lo = first.astimezone(UTC) if first is not None else None
    hi = last.astimezone(UTC) if last is not None else None
    cuts = sorted(set(events) | {t for t in (lo, hi) if t is not None})
    active: Counter[tuple[str, str]] = Counter()
    out: list[tuple[tuple[tuple[str, str], ...], datetime, datetime]] = []
    for a, b in itertools.pairwise(cuts):
        for sign, holder in events.get(a, ()):
            active[holder] += sign
        a2 = max(a, lo) if lo is not None else a
        b2 = min(b, hi) if hi is not None else b
        if a2 >= b2:
            continue
        state = tuple(sorted(active.elements()))
        if out and out[-1][0] == state and out[-1][2] == a2:
            out[-1] = (state, out[-1][1], b2)
        else:
            out.append((state, a2, b2))
    return out


def holding(sp: SchedulePlan, layer: Layer, at: datetime) -> Holding:
    """Who holds ``layer`` at ``at``, until when, and who is next (for ``oncall-planner who``).

    ``until`` is the next change of holders (a double-booked stretch, an error, counts as a
    change); in a double-booked stretch the holder shown is the first by id, as ``on_call``.
    In a plan with windows a change of window is a change too (``ana`` holding apac until
    08:00 and then emea is two holds), and nobody between windows (``coverage: partial``)
    is a stretch of its own.
    """
    now = _aware(at, "at").astimezone(UTC)
    zone = ZoneInfo(sp.timezone)
    windowed = any(s.window is not None for s in sp.shifts)
    segments = _runs(_layer_pieces(sp, layer), None, None, lambda p: (p.person, p.window or ""))
    starts = [seg[1] for seg in segments]
    k = bisect.bisect_right(starts, now) - 1
    current = segments[k] if k >= 0 and now < segments[k][2] else None
    until: datetime | None
    held: tuple[tuple[str, str], ...]
    if current is not None:
        held, since, until = current[0], current[1], current[2]
    else:
        held, since = (), None
    following = segments[k + 1] if k + 1 < len(segments) else None
    if current is None:
        until = following[1] if following is not None else None

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value is not None else None

    nxt = following[0][0] if following is not None and following[0] else None
    return Holding(
        sp.name,
        layer,
        held[0][0] if held else None,
        local(since) if held else None,
        local(until),
        nxt[0] if nxt is not None else None,
        # With windows, nobody next (a coverage gap) still has an end: when coverage resumes.
        local(following[2])
        if following is not None and (nxt is not None or (windowed and held))
        else None,
        window=(held[0][1] or None) if held else None,
        next_window=(nxt[1] or None) if nxt is not None else None,
        windowed=windowed,
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
    H101–H107 judge the overridden part).

    A windowed plan stays per occurrence (windows are never merged into whole weeks), and its
    cell (a window's occurrences of one week and layer) is the unit: when overrides hand every
    occurrence of the cell to one person, the cell becomes theirs; a cover of one day leaves
    the cell to its planned holder, as a cover of one day leaves a whole week (otherwise the
    cover would read as two people in the cell, H001, and as a week of its own, H003).
    """
    if not sp.overrides:
        return sp
    shifts = []
    for lay in Layer:
        pieces = _layer_pieces(sp, lay)
        cells: dict[tuple[int, str], list[Shift]] = {}
        for s in sp.shifts:
            if s.layer is not lay:
                continue
            if s.window is not None:
                cells.setdefault((s.week, s.window), []).append(s)
                continue
            who = _covered_by_one(pieces, s)
            shifts.append(s if who is None else s.model_copy(update={"person": who}))
        for cell in cells.values():
            holders = {_covered_by_one(pieces, s) for s in cell}
            who = holders.pop() if len(holders) == 1 else None
            shifts += [s if who is None else s.model_copy(update={"person": who}) for s in cell]
    return sp.model_copy(update={"shifts": tuple(sorted(shifts, key=Shift.sort_key))})


def partly_overridden(sp: SchedulePlan) -> set[tuple[int, Layer]]:
    """(week, layer) of weekly shifts that an override covers only in part."""
    found: set[tuple[int, Layer]] = set()
    for lay in Layer:
        overrides = [o for o in sp.overrides if o.layer is lay]
        if not overrides:
            continue
        pieces = _layer_pieces(sp, lay)
        cells: dict[tuple[int, str], list[Shift]] = {}
        for s in sp.shifts:
            if s.layer is lay and s.window is not None:
                cells.setdefault((s.week, s.window), []).append(s)
        for s in sp.shifts:
            if s.layer is not lay or not any(
                o.start < s.end and s.start < o.end for o in overrides
            ):
                continue
            if s.window is not None:
                # A windowed cell is partly overridden unless one person took all of it.
                holders = {_covered_by_one(pieces, c) for c in cells[(s.week, s.window)]}
                if len(holders) != 1 or None in holders:
                    found.add((s.week, lay))
            elif _covered_by_one(pieces, s) is None:
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
            close = difflib.get_close_matches(person, sorted(known), n=1, cutoff=0.6)
            listed = ", ".join(sorted(known)[:12]) or "none"
            more = f" and {len(known) - 12} more" if len(known) > 12 else ""
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"person: {person!r} is not in the plan; {hint}known: {listed}{more} "
                "(pass name= to add someone new)"
            )
        people[person] = Person(name=name)
    below = [p for p in _layer_pieces(sp, lay) if p.overlaps(a, b)]
    under = {p.person for p in below}
    replaces = under.pop() if len(under) == 1 else None
    if len(under) > 1 and any(p.window is not None for p in below):
        # Over several windows' holders, it names each of them, in time order ("ana, ben");
        # a window-less plan keeps None for several, as ever.
        replaces = ", ".join(dict.fromkeys(p.person for p in below))
    override = Override(
        id=_override_id(sp.name, lay, person, a, b, (o.id for o in sp.overrides)),
        layer=lay,
        person=person,
        start=a,
        end=b,
        replaces=replaces,
        reason=reason,
        created=created,
        accepted=tuple(sorted(set(accepted))),
    )
    # The id is new and the times are moved into the schedule's zone, as the file reader does.
    zone = ZoneInfo(sp.timezone)
    override = override.model_copy(update={"start": a.astimezone(zone), "end": b.astimezone(zone)})
    updated = sp.model_copy(update={"overrides": (*sp.overrides, override)})
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
