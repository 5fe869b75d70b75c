"""Coverage windows: the definitions the planner, the validator and reviews share.

A schedule with ``windows`` is several weekly rotations over parts of each week (see
``spec.Window``); :func:`oncall_planner.expand.window_occurrences` turns a window into instants.
This module holds the few numbers about those instants that more than one arrow of the
package computes, so that each has one definition:

- **night hours** (H012, reviews): on-call time between 22:00 and 08:00 in the person's zone;
- **rest** (H011): the time off the pager between two of one person's on-call *stretches*.
  Occurrences of one window (of one schedule) that touch, across a handoff or in consecutive
  weeks, are one stretch; occurrences of different windows that touch are two stretches with
  no rest between them (the weekday holder handing the weekend to themselves).

Nothing here imports ortools.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "NIGHT_END",
    "NIGHT_START",
    "Stretch",
    "night_hours",
    "rest_breaches",
    "stretches",
]

#: Night in the person's own zone: 22:00 to 08:00 (the sleep hours of reviews).
NIGHT_START = time(22, 0)
NIGHT_END = time(8, 0)


def _nights(a: datetime, b: datetime, zone: ZoneInfo) -> Iterable[tuple[datetime, datetime]]:
    """Local nights (22:00 → 08:00 next day, as instants) that may overlap ``[a, b)``."""
    day: date = a.astimezone(zone).date() - timedelta(days=1)
    last = b.astimezone(zone).date()
    while day <= last:
        start = datetime.combine(day, NIGHT_START).replace(tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), NIGHT_END).replace(tzinfo=zone)
        # Through UTC: a wall time in a spring-forward gap moves forward (expand.local_instant).
        yield start.astimezone(UTC), end.astimezone(UTC)
        day += timedelta(days=1)


def night_hours(pieces: Iterable[tuple[datetime, datetime]], zone: ZoneInfo) -> float:
    """Real hours of ``pieces`` (aware intervals, not overlapping) between 22:00 and 08:00 in
    ``zone``.

    A night across a DST change is as long as it really is (9 h or 11 h).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> utc = ZoneInfo("UTC")
    >>> night_hours([(datetime(2027, 1, 4, 20, tzinfo=utc), datetime(2027, 1, 5, 9, tzinfo=utc))],
    ...             ZoneInfo("Europe/Berlin"))
    10.0
    """
    total = 0.0
    for a, b in pieces:
        a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
        for n0, n1 in _nights(a_utc, b_utc, zone):
            x, y = max(a_utc, n0), min(b_utc, n1)
            if x < y:
                total += (y - x).total_seconds() / 3600
    return total


class Stretch(NamedTuple):
    """One unbroken stretch of a person's on-call time in one window (UTC instants)."""

    start: datetime
    end: datetime
    #: What makes touching pieces one stretch: (schedule, window); window None is the whole week.
    key: tuple[str, str | None]


def stretches(pieces: Iterable[tuple[datetime, datetime, tuple[str, str | None]]]) -> list[Stretch]:
    """A person's paged pieces ``(start, end, (schedule, window))`` merged into stretches.

    Pieces of one key that touch or overlap are one stretch; pieces of different keys never
    merge. Sorted by start, then key.
    """
    ordered = sorted(
        ((a.astimezone(UTC), b.astimezone(UTC), key) for a, b, key in pieces),
        key=lambda it: (it[0], it[1], it[2][0], it[2][1] or ""),
    )
    open_by_key: dict[tuple[str, str | None], int] = {}
    found: list[Stretch] = []
    for a, b, key in ordered:
        k = open_by_key.get(key)
        if k is not None and a <= found[k].end:
            found[k] = found[k]._replace(end=max(found[k].end, b))
            continue
        open_by_key[key] = len(found)
        found.append(Stretch(a, b, key))
    return sorted(found, key=lambda s: (s.start, s.end, s.key[0], s.key[1] or ""))


def rest_breaches(
    items: Sequence[Stretch], rest_of: dict[str, timedelta]
) -> list[tuple[Stretch, Stretch, timedelta, timedelta]]:
    """Pairs of stretches with less rest between them than required.

    ``rest_of`` maps a schedule name to its ``min_rest`` (schedules without one are left out).
    The rest required between two stretches is the larger of their schedules' ``min_rest``.
    Each stretch is compared with the stretches that start at or after its end, up to the
    longest rest required; stretches that overlap are not a rest matter (H002, H007).

    Returns:
        (earlier, later, rest given, rest required) for every breach, in time order.
    """
    longest = max(rest_of.values(), default=timedelta(0))
    if longest <= timedelta(0):
        return []
    ordered = sorted(items, key=lambda s: (s.start, s.end))
    found = []
    for i, first in enumerate(ordered):
        for later in ordered[i + 1 :]:
            if later.start - first.end >= longest:
                break
            if later.start < first.end or later.key == first.key:
                continue
            need = max(
                rest_of.get(first.key[0], timedelta(0)), rest_of.get(later.key[0], timedelta(0))
            )
            given = later.start - first.end
            if given < need:
                found.append((first, later, given, need))
    return sorted(found, key=lambda it: (it[0].start, it[1].start))
