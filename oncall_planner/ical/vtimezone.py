"""VTIMEZONE components in the shape Outlook and ical.js read correctly, built from zoneinfo.

icalendar's own generator (``Timezone.from_tzid``) writes RDATE lists and two STANDARD
sub-components. Outlook parses only one STANDARD with a yearly RRULE (MS-OXCICAL
§2.1.3.1.1.19.2), and ical.js 2.2.1 reads only the first value of each RDATE: with the default
VTIMEZONE, 14 of 24 weekly shifts were an hour off in ical.js (research/ical.md §2.4). So this
module writes one STANDARD and one DAYLIGHT, each with ``RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=nSU``
and its onset anchored in 1970, derived from the zone's actual transitions in the years the feed
covers, and then checks the result by letting icalendar expand it and comparing every instant of
the feed with zoneinfo.

A zone whose changes cannot be written that way (Africa/Casablanca and Africa/El_Aaiun, whose
offset follows Ramadan; a rule that changed inside the feed's years; a transition on "the Friday
before the last Sunday") gets no VTIMEZONE: :func:`build_vtimezone` raises
:class:`VTimezoneError` and the exporter writes that zone's times in UTC. icalendar's RDATE-list
VTIMEZONE, the earlier fallback, put 5–6 of 104 Casablanca shifts an hour off in ical.js
(research/interop.md), and Outlook reads one RDATE at most.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from oncall_planner.ical._lines import CRLF, fold, text

__all__ = ["VTimezoneError", "build_vtimezone", "verify_vtimezone"]

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class VTimezoneError(ValueError):
    """No VTIMEZONE reproduces the zone for the feed's instants."""


@dataclass(frozen=True)
class _Transition:
    """One change of UTC offset: the instant, the offsets around it and the new abbreviation."""

    at: datetime
    before: timedelta
    after: timedelta
    name: str

    @property
    def onset(self) -> datetime:
        """The local wall time (in the offset before) at which the change happens, naive."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    value = at.astimezone(zone).utcoffset()
    assert value is not None  # a ZoneInfo always answers
    return value


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[_Transition]:
    """Every offset change from 1 January ``first_year`` to 31 December ``last_year`` (UTC)."""
    found: list[_Transition] = []
    day = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    previous = _offset(zone, day)
    step = timedelta(days=1)
    while day < end:
        nxt = day + step
        current = _offset(zone, nxt)
        if current != previous:
            # Bisect to the minute: every real zone changes on a whole minute.
            lo, hi = day, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if _offset(zone, mid) == previous:
                    lo = mid
                else:
                    hi = mid
            found.append(_Transition(hi, previous, current, hi.astimezone(zone).tzname() or ""))
            previous = current
        day = nxt
    return found


def _ordinals(onset: datetime) -> set[int]:
    """The ``n`` of ``BYDAY=nXX`` that name this date: 1–4 from the start, -1 for the last."""
    found = set()
    nth = (onset.day - 1) // 7 + 1
    if nth <= 4:
        found.add(nth)
    if onset.day + 7 > calendar.monthrange(onset.year, onset.month)[1]:
        found.add(-1)
    return found


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days = [
        d
        for d in (date(year, month, k) for k in range(1, calendar.monthrange(year, month)[1] + 1))
        if d.weekday() == weekday
    ]
    return days[-1] if nth == -1 else days[nth - 1]


def _fmt_offset(td: timedelta) -> str:
    minutes = int(td.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{mins:02d}"


def _observance(kind: str, transitions: Sequence[_Transition]) -> list[str] | None:
    """One STANDARD or DAYLIGHT with a yearly rule, if every transition follows the same one."""
    first = transitions[0]
    signature = (first.onset.month, first.onset.weekday(), first.onset.time())
    ordinals = _ordinals(first.onset)
    for t in transitions[1:]:
        if (t.onset.month, t.onset.weekday(), t.onset.time()) != signature:
            return None
        if (t.before, t.after, t.name) != (first.before, first.after, first.name):
            return None
        ordinals &= _ordinals(t.onset)
    if not ordinals:
        return None
    nth = -1 if -1 in ordinals else min(ordinals)
    month, weekday, wall = signature
    anchor = datetime.combine(_nth_weekday(1970, month, weekday, nth), wall)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{anchor:%Y%m%dT%H%M%S}",
        f"RRULE:FREQ=YEARLY;BYDAY={nth}{_DAYS[weekday]};BYMONTH={month}",
        fold(f"TZNAME:{text(first.name)}"),
        f"TZOFFSETFROM:{_fmt_offset(first.before)}",
        f"TZOFFSETTO:{_fmt_offset(first.after)}",
        f"END:{kind}",
    ]


def _rule_based(tzid: str, first_year: int, last_year: int) -> list[str] | None:
    zone = ZoneInfo(tzid)
    changes = _transitions(zone, first_year, last_year)
    head = ["BEGIN:VTIMEZONE", fold(f"TZID:{text(tzid)}")]
    if not changes:
        probe = datetime(first_year, 1, 1, tzinfo=UTC)
        offset = _offset(zone, probe)
        name = probe.astimezone(zone).tzname() or ""
        return [
            *head,
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            fold(f"TZNAME:{text(name)}"),
            f"TZOFFSETFROM:{_fmt_offset(offset)}",
            f"TZOFFSETTO:{_fmt_offset(offset)}",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    forward = [t for t in changes if t.after > t.before]
    back = [t for t in changes if t.after < t.before]
    years = range(first_year, last_year + 1)
    for group in (forward, back):
        if sorted(t.at.year for t in group) != list(years):
            return None  # not exactly one change each way every year
    standard = _observance("STANDARD", back)
    daylight = _observance("DAYLIGHT", forward)
    if standard is None or daylight is None:
        return None
    return [*head, *standard, *daylight, "END:VTIMEZONE"]


def verify_vtimezone(lines: Sequence[str], tzid: str, instants: Iterable[datetime]) -> bool:
    """True if the VTIMEZONE, read by icalendar alone, gives zoneinfo's wall time at every instant.

    Args:
        lines: The VTIMEZONE's physical lines (no CRLF).
        tzid: The IANA zone it describes.
        instants: Aware instants to compare at.
    """
    from icalendar import Timezone

    component = Timezone.from_ical(CRLF.join(lines) + CRLF)
    assert isinstance(component, Timezone)
    embedded = component.to_tz(lookup_tzid=False)
    zone = ZoneInfo(tzid)
    for at in instants:
        mine = at.astimezone(embedded).replace(tzinfo=None)
        truth = at.astimezone(zone).replace(tzinfo=None)
        if mine != truth:
            return False
    return True


@lru_cache(maxsize=64)
def _cached(tzid: str, first_year: int, last_year: int, instants: tuple[datetime, ...]) -> str:
    lines = _rule_based(tzid, first_year, last_year)
    if lines is not None and verify_vtimezone(lines, tzid, instants):
        return CRLF.join(lines) + CRLF
    raise VTimezoneError(
        f"{tzid}'s offset changes in {first_year}–{last_year} follow no yearly rule"
    )


def build_vtimezone(tzid: str, instants: Iterable[datetime]) -> str:
    """A verified VTIMEZONE for ``tzid``, valid at every one of ``instants``.

    Args:
        tzid: An IANA zone name (not UTC: UTC times are written with ``Z``).
        instants: The aware instants the feed writes in this zone.

    Returns:
        The component as CRLF-terminated, folded text.

    Raises:
        VTimezoneError: No VTIMEZONE with yearly rules matches zoneinfo at every instant (write
            those times in UTC instead).
    """
    points = tuple(sorted(set(instants)))
    if not points:
        raise ValueError("a VTIMEZONE needs at least one instant to be valid for")
    zone = ZoneInfo(tzid)
    first = points[0].astimezone(zone).year
    last = points[-1].astimezone(zone).year
    return _cached(tzid, first, last, points)
