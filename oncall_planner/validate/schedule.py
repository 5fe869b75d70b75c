"""Schedule-level checks: what can be said of a schedule file before any plan exists.

Checks of coverage windows need a horizon, because windows in different zones drift apart
around DST changes: :func:`check_schedule` takes the date it starts from (``check`` passes the
plan's horizon, or today's date without a plan) and looks 53 weeks ahead, so every DST change
of the year is seen once.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from oncall_planner.expand import (
    Problem,
    member_zone,
    week_starts,
    window_occurrences,
    window_zone,
)
from oncall_planner.loader import source_of
from oncall_planner.report import Finding, Severity
from oncall_planner.spec import Member, Schedule, SiteSelector, Weekday, Window
from oncall_planner.validate._common import human_duration
from oncall_planner.windows import stretches

__all__ = [
    "HORIZON_WEEKS",
    "WINDOWS_EXAMPLE",
    "TilingFault",
    "available_rotation_size",
    "check_schedule",
    "dst_changeover_dates",
    "horizon",
    "recurrence_text",
    "recurring_runs",
    "rotation_size",
    "sites",
    "tiling_faults",
    "trained_members",
    "window_rest",
    "window_selectors",
    "windows_tile",
]

#: The one-line example S107 points to (a follow-the-sun schedule with coverage windows).
WINDOWS_EXAMPLE = (
    'windows: [{name: emea, days: mon-fri, start: "08:00", end: "16:00", '
    "members: {site: emea}}, ...] (see docs/schedule-format.md)"
)
#: Weeks a schedule's windows are checked over without a plan: a year and a week, so that
#: every DST change of every zone falls inside, whatever the start date.
HORIZON_WEEKS = 53

BUSINESS_START = time(8, 0)
BUSINESS_END = time(18, 0)
# Wall times that may not exist or happen twice on a changeover day (RFC 5545 §3.3.5).
DST_WINDOW_END = time(4, 0)


def trained_members(schedule: Schedule) -> list[str]:
    """Ids of the members who may be primary or secondary now (no shadowing left to do)."""
    need = schedule.participants.shadow_weeks
    return sorted(
        m.id
        for m in schedule.participants.members
        if not (m.new_engineer and max(m.shadow_weeks_done, m.history.shadow_weeks_done) < need)
    )


@cache
def dst_changeover_dates(zone_name: str, first_year: int, last_year: int) -> tuple[date, ...]:
    """Local dates on which the zone's UTC offset changes, between two years inclusive."""
    zone = ZoneInfo(zone_name)
    found = []
    day = date(first_year, 1, 1)
    previous = datetime.combine(day - timedelta(days=1), time(12), tzinfo=zone).utcoffset()
    while day.year <= last_year:
        # Transitions happen in the small hours: a different offset at noon than the day
        # before means today is a changeover day.
        offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
        if offset != previous:
            found.append(day)
            previous = offset
        day += timedelta(days=1)
    return tuple(found)


def _selector_text(window: Window) -> str:
    """``members: {site: emea}``, ``members: [ana, ben]`` or ``every member``."""
    if window.members is None:
        return "every member"
    if isinstance(window.members, SiteSelector):
        return f"members: {{site: {', '.join(window.members.sites)}}}"
    return f"members: [{', '.join(window.members)}]"


def _window_path(schedule: Schedule, window: Window, *rest: str | int) -> tuple[str | int, ...]:
    index = next(i for i, w in enumerate(schedule.windows) if w.name == window.name)
    return ("schedule", "windows", index, *rest)


def rotation_size(schedule: Schedule) -> Iterator[Finding]:
    """H005: fewer trained members than ``min_rotation_size`` (the planner's hard rule too),
    in the rotation or in a coverage window's eligible pool (its ``members:`` selector)."""
    src = source_of(schedule)
    parts = schedule.participants
    trained = trained_members(schedule)
    if len(trained) < parts.min_rotation_size:
        shadowing = sorted(m.id for m in parts.members if m.id not in trained)
        names = ", ".join(trained) if trained else "none"
        message = (
            f"{len(trained)} trained member(s) ({names}) but min_rotation_size is "
            f"{parts.min_rotation_size}"
        )
        hint = (
            f"add {parts.min_rotation_size - len(trained)} more member(s) under "
            "participants.members"
        )
        if shadowing:
            hint += f"; still shadowing: {', '.join(shadowing)}"
        path: tuple[str | int, ...] = ("schedule", "participants", "members")
        if not parts.members:
            path = ("schedule", "participants", "min_rotation_size")
        yield src.finding("H005", path, message, hint=hint)
        return
    for window in schedule.windows:
        pool = [m.id for m in schedule.window_members(window)]
        ready = [p for p in pool if p in trained]
        if len(ready) >= parts.min_rotation_size:
            continue
        shadowing = sorted(set(pool) - set(ready))
        where = (
            _window_path(schedule, window, "members")
            if window.members
            else (_window_path(schedule, window))
        )
        yield src.finding(
            "H005",
            where,
            f"window {window.name!r} ({window.shape()}, {_selector_text(window)}) has "
            f"{len(ready)} trained eligible member(s) ({', '.join(ready) or 'none'}) but "
            f"min_rotation_size is {parts.min_rotation_size}",
            hint=f"select {parts.min_rotation_size - len(ready)} more trained member(s) for "
            f"{window.name!r} (give them its site, or list them)"
            + (f"; still shadowing: {', '.join(shadowing)}" if shadowing else ""),
        )


def available_rotation_size(problem: Problem) -> Iterator[Finding]:
    """H005 over a horizon: trained members who are available for some week of it.

    A member on time off for the whole horizon does not count (a "4-person" rotation was
    planned with 3 people: issue 9): too few such members is an error. A week in which fewer
    than ``min_rotation_size`` trained members are available is a warning naming the week and
    who is away. Nothing is said here when the roster itself is too small
    (:func:`rotation_size` reports that). For a problem about a coverage window
    (``problem.window``), the pool is the window's eligible members, and time off counts
    against the window's occurrences only.
    """
    schedule = problem.schedule
    parts = schedule.participants
    everyone = trained_members(schedule)
    eligible = {m.id for m in problem.members}
    trained = [p for p in everyone if p in eligible]
    if len(trained) < parts.min_rotation_size:
        return
    src = source_of(schedule)
    window = problem.window
    of = f"window {window.name!r}: " if window is not None else ""
    n = len(problem.weeks)
    away = {p: problem.unavailable.get(p, frozenset()) for p in trained}
    available = [p for p in trained if len(away[p]) < n]
    if len(available) < parts.min_rotation_size:
        gone = sorted(set(trained) - set(available))
        yield src.finding(
            "H005",
            ("schedule", "participants", "min_rotation_size"),
            f"{of}{len(available)} trained member(s) are available in the {n} planned weeks "
            f"({', '.join(available) or 'none'}) but min_rotation_size is "
            f"{parts.min_rotation_size}: {', '.join(gone)} "
            f"{'is' if len(gone) == 1 else 'are'} on time off for the whole horizon",
            hint=f"add {parts.min_rotation_size - len(available)} more member(s) or plan "
            "another horizon",
        )
        return
    for week in problem.weeks:
        out = sorted(p for p in trained if week.index in away[p])
        if len(trained) - len(out) >= parts.min_rotation_size:
            continue
        finding = src.finding(
            "H005",
            ("schedule", "participants", "min_rotation_size"),
            f"{of}{week.label()}: {len(trained) - len(out)} of the trained members are "
            f"available, fewer than min_rotation_size {parts.min_rotation_size}; away: "
            f"{', '.join(out)}",
            hint="the rotation is thinner than its minimum this week; check the time off",
        )
        yield replace(finding, severity=Severity.WARNING)


def _handoff(schedule: Schedule) -> Iterator[Finding]:
    src = source_of(schedule)
    at = schedule.handoff_time
    shown = f"{at:%H:%M} {schedule.timezone}"
    if at == time(0, 0):
        yield src.finding(
            "S101",
            ("schedule", "handoff_time"),
            f"handoff at midnight ({shown})",
            hint='hand off during business hours, e.g. "10:00"',
        )
    elif not (BUSINESS_START <= at <= BUSINESS_END):
        yield src.finding(
            "S102",
            ("schedule", "handoff_time"),
            f"handoff at {shown} is outside business hours 08:00–18:00",
            hint='hand off when both people are at work, e.g. "10:00"',
        )
    if schedule.handoff_day in (Weekday.SATURDAY, Weekday.SUNDAY):
        yield src.finding(
            "S103",
            ("schedule", "handoff_day"),
            f"handoff on a {schedule.handoff_day.value}",
            hint="hand off on a weekday, e.g. monday",
        )
    if at < DST_WINDOW_END:
        year = datetime.now(UTC).year
        hits = [
            d
            for d in dst_changeover_dates(schedule.timezone, year, year + 4)
            if d.weekday() == schedule.handoff_day.number
        ]
        if hits:
            yield src.finding(
                "S104",
                ("schedule", "handoff_time"),
                f"handoff at {shown} falls in the DST changeover window (00:00–04:00) on "
                f"{', '.join(d.isoformat() for d in hits[:2])}"
                + (f" and {len(hits) - 2} more" if len(hits) > 2 else ""),
                hint="move the handoff to 04:00 or later; better, to business hours",
            )


# Google SRE book, ch. 11: weekly primary + secondary needs 8 engineers on one site, 6 per
# site when two sites share the pager.
SRE_SINGLE_SITE = 8
SRE_PER_SITE = 6
# Zones whose UTC offsets differ by less than this count as one site (London and Lisbon, or
# New York and Chicago); follow-the-sun sites are many hours apart.
_SITE_SPREAD_HOURS = 4


def _offset_hours(zone: ZoneInfo) -> float:
    # A fixed reference instant (not "now") keeps findings identical from run to run.
    ref = datetime(2027, 1, 15, 12, tzinfo=UTC).astimezone(zone)
    offset = ref.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def sites(schedule: Schedule) -> list[list[str]]:
    """Member ids grouped into sites: zones within a few hours of each other are one site.

    Each site is sorted; sites are ordered by UTC offset, westmost first.
    """
    by_offset = sorted(
        (_offset_hours(member_zone(m, schedule)), m.id) for m in schedule.participants.members
    )
    groups: list[list[str]] = []
    last: float | None = None
    for offset, member_id in by_offset:
        if last is None or offset - last >= _SITE_SPREAD_HOURS:
            groups.append([])
        groups[-1].append(member_id)
        last = offset
    return [sorted(g) for g in groups]


def _sre_rotation_size(schedule: Schedule) -> Iterator[Finding]:
    members = schedule.participants.members
    if not schedule.uses_secondary or not members:
        return
    groups = sites(schedule)
    if len(groups) == 1:
        if len(members) >= SRE_SINGLE_SITE:
            return
        message = (
            f"{len(members)} members; the SRE guidance for a single-site weekly primary + "
            f"secondary rotation is at least {SRE_SINGLE_SITE}"
        )
    else:
        small = [g for g in groups if len(g) < SRE_PER_SITE]
        if not small:
            return
        sizes = ", ".join(f"{len(g)} ({', '.join(g)})" for g in groups)
        message = (
            f"{len(groups)} sites of {sizes} members; the SRE guidance for a multi-site weekly "
            f"primary + secondary rotation is at least {SRE_PER_SITE} per site"
        )
    yield source_of(schedule).finding(
        "S105",
        ("schedule", "participants", "members"),
        message,
        key=True,
        hint="smaller rotations put each person on call more than 25 % of the time; grow the "
        "rotation, or page only a primary",
    )


def _zone_behaviour(name: str) -> tuple[float, float]:
    """UTC offsets in January and July: zones that agree on both (Paris, Berlin) act as one."""
    zone = ZoneInfo(name)

    def hours(month: int) -> float:
        offset = datetime(2027, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
        return (offset or timedelta(0)) / timedelta(hours=1)

    return hours(1), hours(7)


def _member_timezones(schedule: Schedule) -> Iterator[Finding]:
    members = schedule.participants.members
    zones = {m.timezone for m in members if m.timezone}
    unset = [(i, m) for i, m in enumerate(members) if not m.timezone]
    home = _zone_behaviour(schedule.timezone)
    elsewhere = sorted(z for z in zones if _zone_behaviour(z) != home)
    if not unset or not elsewhere:
        return
    i, first = unset[0]
    names = ", ".join(m.id for _, m in unset)
    yield source_of(schedule).finding(
        "S106",
        ("schedule", "participants", "members", i),
        f"members work in several time zones ({', '.join(elsewhere)} besides "
        f"{schedule.timezone}), but {names} {'has' if len(unset) == 1 else 'have'} no "
        f"timezone: assumed {schedule.timezone}",
        hint=f"add timezone: to {first.id}"
        + (f" and {len(unset) - 1} other member(s)" if len(unset) > 1 else ""),
    )


_MINUTE = timedelta(minutes=1)


def _outside_hours(member: Member, handoffs: list[datetime], schedule: Schedule) -> list[str]:
    """Local handoff times (``Sun 19:00``) falling outside the member's working hours."""
    zone = member_zone(member, schedule)
    hours = member.working_hours
    start, end = (hours.start, hours.end) if hours else (BUSINESS_START, BUSINESS_END)
    found: list[str] = []
    for h in handoffs:
        local = h.astimezone(zone)
        wall = local.time().replace(tzinfo=None)
        if local.weekday() >= 5 or not (start <= wall <= end):
            text = f"{local:%a %H:%M}"
            if text not in found:
                found.append(text)
    return found


def _working_hours(schedule: Schedule) -> Iterator[Finding]:
    src = source_of(schedule)
    # One year of handoffs: DST moves a distant member's local handoff time by an hour, and
    # the US and EU change clocks on different weekends.
    handoffs = week_starts(schedule, date(datetime.now(UTC).year, 1, 1), 52)
    # With windows, a handoff hands over only the windows running at that instant: the
    # members of the others are not there (follow-the-sun's Los Angeles members sleep through
    # a 08:00 UTC handoff between Berlin holders, as they should).
    active: dict[str, list[datetime]] = {}
    for w in schedule.windows:
        active[w.name] = [
            h
            for h in handoffs
            if any(
                a <= h < b
                for a, b in window_occurrences(schedule, w, h - timedelta(days=1), h + _MINUTE)
            )
        ]
    for i, m in enumerate(schedule.participants.members):
        if m.working_hours is None and (m.timezone in (None, schedule.timezone)):
            continue  # the handoff rules S101/S102 already judge the schedule's own zone
        mine = handoffs
        if schedule.windows:
            mine = sorted({h for w in schedule.windows if w.selects(m) for h in active[w.name]})
        outside = _outside_hours(m, mine, schedule)
        if not outside:
            continue
        hours = m.working_hours
        span = f"{hours.start:%H:%M}–{hours.end:%H:%M}" if hours else "08:00–18:00"
        zone = member_zone(m, schedule).key
        yield src.finding(
            "S107",
            ("schedule", "participants", "members", i),
            f"the handoff ({schedule.handoff_day.value} {schedule.handoff_time:%H:%M} "
            f"{schedule.timezone}) is {' / '.join(outside)} for {m.id} ({zone}), outside "
            f"their working hours {span} Mon–Fri",
            hint=(
                "hand off when the holders of the window running at the handoff are at work "
                "(move handoff_time, or cut the windows at the handoff)"
                if schedule.windows
                else "hand off when both people are at work; for teams many hours apart, "
                "follow-the-sun coverage windows keep each site on call in its own daytime: "
                + WINDOWS_EXAMPLE
            ),
        )


# ---------------------------------------------------------------------------------------------
# Coverage windows: tiling (S108), selectors (S109), rest inside one window (H011)


def horizon(
    schedule: Schedule, start: date, weeks: int = HORIZON_WEEKS
) -> tuple[datetime, datetime]:
    """``[first handoff on or after start, the handoff weeks later)``, the span windows are
    checked over."""
    bounds = week_starts(schedule, start, weeks)
    return bounds[0], bounds[-1]


_Kind = Literal["gap", "overlap"]


@dataclass(frozen=True)
class TilingFault:
    """A gap or overlap of a schedule's windows recurring at the same UTC hours.

    Attributes:
        kind: ``gap`` (nobody's window) or ``overlap`` (two windows at once).
        start: UTC time of day it starts.
        length: How long each one lasts.
        dates: UTC dates it starts on (consecutive days, or the same weekdays, one run).
        hours: Real hours of all of them together.
        windows: Names of the windows involved (for a gap: the one ending, the one starting).
        between: The windows involved in words, with their local wall times.
    """

    kind: _Kind
    start: time
    length: timedelta
    dates: tuple[date, ...]
    hours: float
    windows: tuple[str, ...]
    between: str

    @property
    def first(self) -> date:
        """The first date."""
        return self.dates[0]

    @property
    def last(self) -> date:
        """The last date."""
        return self.dates[-1]

    def when(self) -> str:
        """``16:00–17:00 UTC daily from 2027-03-15 to 2027-03-27``."""
        return recurrence_text(self.start, self.length, self.dates)

    def message(self) -> str:
        """The S108 sentence: what and when each day, between which windows, then how many
        hours on which dates (so that ``check`` folds the March and October drifts of one
        pair into one line listing both stretches)."""
        hours, days, span = recurrence_parts(self.start, self.length, self.dates)
        when = f"{hours} {days}" if days else hours
        return f"{self.kind} {when} {self.between}: {span} ({_hours_text(self.hours)})"


_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def recurrence_text(start: time, length: timedelta, dates: Sequence[date]) -> str:
    """A stretch of UTC time recurring on some dates, in words.

    ``16:00–17:00 UTC daily from 2027-03-15 to 2027-03-27``, ``03:00–04:00 UTC on Sun from
    2027-03-28 to 2027-10-24``, ``Fri 23:00 – Mon 06:00 UTC on Fri from …``, or ``… on Sun
    2027-03-28`` for a single date.
    """
    hours, days, span = recurrence_parts(start, length, dates)
    return " ".join(part for part in (hours, days, span) if part)


def recurrence_parts(start: time, length: timedelta, dates: Sequence[date]) -> tuple[str, str, str]:
    """:func:`recurrence_text` in its three parts: the UTC hours (``16:00–17:00 UTC``), how
    they recur (``daily``, ``on Sun``; empty for a single date) and the dates (``from
    2027-03-15 to 2027-03-27``, ``on Sun 2027-03-28``)."""
    first, last = dates[0], dates[-1]
    if length >= timedelta(days=1):
        a = datetime.combine(first, start)
        hours = f"{a:%a %H:%M} – {a + length:%a %H:%M} UTC"
    else:
        end = (datetime.combine(first, start) + length).time()
        hours = f"{start:%H:%M}–{'24:00' if end == time(0) else f'{end:%H:%M}'} UTC"
    if len(dates) == 1:
        return hours, "", f"on {first:%a %Y-%m-%d}"
    if {(b - a).days for a, b in itertools.pairwise(dates)} == {1}:
        days = "daily"
    else:
        days = "on " + ", ".join(_WEEKDAY_NAMES[n] for n in sorted({d.weekday() for d in dates}))
    return hours, days, f"from {first} to {last}"


def recurring_runs(
    stretches_utc: Iterable[tuple[datetime, datetime]],
) -> list[tuple[time, timedelta, tuple[date, ...], float]]:
    """Stretches of time grouped by their UTC hours: ``(start, length, dates, hours)``.

    Stretches with the same UTC start time and length on consecutive days, or on the same
    weekdays of consecutive weeks (dates at most 7 days apart), are one run; sorted by first
    date.
    """
    by_shape: dict[tuple[time, timedelta], list[date]] = {}
    for a, b in sorted((a.astimezone(UTC), b.astimezone(UTC)) for a, b in stretches_utc):
        by_shape.setdefault((a.time(), b - a), []).append(a.date())
    found = []
    for (start, length), dates in by_shape.items():
        run: list[date] = []
        for d in [*dates, None]:
            if d is not None and (not run or (d - run[-1]).days <= 7):
                run.append(d)
                continue
            found.append((start, length, tuple(run), len(run) * length / timedelta(hours=1)))
            run = [d] if d is not None else []
    return sorted(found, key=lambda r: (r[2][0], r[0], r[1]))


def _hours_text(hours: float) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{text} h"


def _wall(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%H:%M}"


def _occurrences_utc(
    schedule: Schedule, lo: datetime, hi: datetime
) -> list[tuple[Window, list[tuple[datetime, datetime]]]]:
    return [
        (
            w,
            [
                (a.astimezone(UTC), b.astimezone(UTC))
                for a, b in window_occurrences(schedule, w, lo, hi)
            ],
        )
        for w in schedule.windows
    ]


def tiling_faults(schedule: Schedule, start: date, weeks: int = HORIZON_WEEKS) -> list[TilingFault]:
    """S108's findings as data: where the windows leave a gap or overlap, in UTC.

    The windows' occurrences over ``weeks`` weeks from the first handoff on or after
    ``start`` are swept in UTC; every stretch covered by no window (a gap; not a fault with
    ``coverage: partial``) or by two or more (an overlap) is a fault. Faults at the same UTC
    hours between the same windows (at the same local wall times) on consecutive days, or on
    the same weekdays of consecutive weeks, are one :class:`TilingFault`. A schedule without
    windows has none.
    """
    if not schedule.windows:
        return []
    lo, hi = horizon(schedule, start, weeks)
    lo, hi = lo.astimezone(UTC), hi.astimezone(UTC)
    # A week either side, so that a fault straddling an end of the horizon is seen whole.
    pad = timedelta(weeks=1)
    per_window = _occurrences_utc(schedule, lo - pad, hi + pad)
    events: dict[datetime, list[tuple[int, int]]] = {}
    for k, (_, occurrences) in enumerate(per_window):
        for a, b in occurrences:
            events.setdefault(a, []).append((1, k))
            events.setdefault(b, []).append((-1, k))
    if not events:
        return []
    cuts = sorted({lo - pad, hi + pad, *events})
    active: set[int] = set()
    # (kind, start, end, windows involved) in time order, adjacent ones of one kind merged.
    raw: list[tuple[_Kind, datetime, datetime, set[int]]] = []
    for a, b in itertools.pairwise(cuts):
        for sign, k in events.get(a, ()):
            if sign > 0:
                active.add(k)
            else:
                active.discard(k)
        kind: _Kind | None = None
        if not active and a > lo - pad and b < hi + pad:
            kind = "gap"
        elif len(active) > 1:
            kind = "overlap"
        if kind is None:
            continue
        if raw and raw[-1][0] == kind and raw[-1][2] == a:
            raw[-1] = (kind, raw[-1][1], b, raw[-1][3] | active)
        else:
            raw.append((kind, a, b, set(active)))
    if schedule.coverage == "partial":
        raw = [r for r in raw if r[0] == "overlap"]
    groups: dict[tuple[_Kind, str], tuple[tuple[str, ...], list[tuple[datetime, datetime]]]] = {}
    for what, a, b, involved in raw:
        if not (a < hi and lo < b):
            continue
        names, between = _involved(schedule, per_window, what, a, b, involved)
        groups.setdefault((what, between), (names, []))[1].append((a, b))
    found = [
        TilingFault(what, at, length, dates, hours, names, between)
        for (what, between), (names, items) in groups.items()
        for at, length, dates, hours in recurring_runs(items)
    ]
    return sorted(found, key=lambda f: (f.first, f.start, f.kind, f.windows))


def _involved(
    schedule: Schedule,
    per_window: Sequence[tuple[Window, list[tuple[datetime, datetime]]]],
    kind: str,
    a: datetime,
    b: datetime,
    involved: set[int],
) -> tuple[tuple[str, ...], str]:
    """The windows of a fault and the words naming them with their local wall times."""

    def zone_of(w: Window) -> ZoneInfo:
        return window_zone(w, schedule)

    if kind == "gap":
        before = [(w, x, y) for w, occ in per_window for x, y in occ if y == a]
        after = [(w, x, y) for w, occ in per_window for x, y in occ if x == b]
        parts = [
            f"{w.name!r} (ends {_wall(y, zone_of(w))} {zone_of(w).key})" for w, _, y in before
        ] + [f"{w.name!r} (starts {_wall(x, zone_of(w))} {zone_of(w).key})" for w, x, _ in after]
        names = tuple(w.name for w, _, _ in [*before, *after])
        return names, "between " + " and ".join(parts) if parts else "outside every window"
    holders = []
    for k in sorted(involved):
        w, occ = per_window[k]
        hit = next(((x, y) for x, y in occ if x < b and a < y), None)
        if hit is not None:
            holders.append((hit[0], w, hit[1]))
    holders.sort(key=lambda it: (it[0], it[1].name))
    parts = [
        f"{w.name!r} ({_wall(x, zone_of(w))}–{_wall(y, zone_of(w))} {zone_of(w).key})"
        for x, w, y in holders
    ]
    return tuple(w.name for _, w, _ in holders), "of " + " and ".join(parts)


def windows_tile(schedule: Schedule, start: date, weeks: int = HORIZON_WEEKS) -> Iterator[Finding]:
    """S108: the windows do not tile the week (coverage: full) or overlap (partial).

    Checked over ``weeks`` weeks from the first handoff on or after ``start`` (see
    :func:`tiling_faults`); each finding is located at the window that starts after the gap
    (or inside the other, for an overlap).
    """
    src = source_of(schedule)
    for fault in tiling_faults(schedule, start, weeks):
        names = fault.windows
        at = names[-1] if names else schedule.windows[0].name
        if fault.kind == "gap":
            hint = (
                "make each window start where the previous one ends; windows in different "
                "zones drift apart when DST changes on different dates: define them in one "
                "zone (e.g. timezone: UTC)"
                + ("" if schedule.coverage == "partial" else ", or say coverage: partial")
            )
        else:
            hint = (
                "an overlap pages two people for one layer; make each window end where the "
                "next one starts, in one zone if DST moves them apart"
            )
        yield src.finding(
            "S108", _window_path(schedule, schedule.window(at)), fault.message(), hint=hint
        )


def window_selectors(schedule: Schedule) -> Iterator[Finding]:
    """S109: a window's ``members:`` names an id not in the roster, or a site nobody has."""
    src = source_of(schedule)
    members = schedule.participants.members
    ids = [m.id for m in members]
    sites = sorted({m.site for m in members if m.site is not None})
    for window in schedule.windows:
        selector = window.members
        if selector is None:
            continue
        if isinstance(selector, SiteSelector):
            for j, site in enumerate(selector.sites):
                if site in sites:
                    continue
                close = difflib.get_close_matches(site, sites, n=1, cutoff=0.6)
                path = _window_path(
                    schedule,
                    window,
                    "members",
                    "site",
                    *((j,) if not isinstance(selector.site, str) else ()),
                )
                hint = f"did you mean {close[0]!r}? " if close else ""
                hint += (
                    f"sites of the roster: {', '.join(sites)}"
                    if sites
                    else "no member has a site: give members site: (e.g. site: emea)"
                )
                yield src.finding(
                    "S109",
                    path,
                    f"window {window.name!r} selects site {site!r}, but no member has that site",
                    hint=hint,
                )
            continue
        for j, member_id in enumerate(selector):
            if member_id in ids:
                continue
            close = difflib.get_close_matches(member_id, ids, n=1, cutoff=0.6)
            yield src.finding(
                "S109",
                _window_path(schedule, window, "members", j),
                f"window {window.name!r} lists {member_id!r}, who is not a member of "
                f"{schedule.name!r}",
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "list ids from participants.members",
            )


def window_rest(schedule: Schedule, start: date, weeks: int = HORIZON_WEEKS) -> Iterator[Finding]:
    """H011 from the schedule alone: a window whose own occurrences leave less than
    ``participants.min_rest`` between them.

    One person holds every occurrence of a window in a week, so a daily 06:00–23:00 window
    with ``min_rest: 11h`` gives its holder 7 h of rest each night whoever it is: no plan can
    keep the rule. Occurrences are merged into stretches as :func:`oncall_planner.windows.
    stretches` does (a mon-fri 00:00–24:00 window is one stretch); the shortest rest between
    consecutive stretches over the horizon is reported, with the first date it happens.
    """
    need = schedule.participants.min_rest
    if need is None or need <= timedelta(0) or not schedule.windows:
        return
    src = source_of(schedule)
    lo, hi = horizon(schedule, start, weeks)
    for window in schedule.windows:
        key = (schedule.name, window.name)
        pieces = [(a, b, key) for a, b in window_occurrences(schedule, window, lo, hi)]
        merged = stretches(pieces)
        short = [
            (later.start - first.end, first, later)
            for first, later in itertools.pairwise(merged)
            if later.start - first.end < need
        ]
        if not short:
            continue
        rest, first, later = min(short, key=lambda it: (it[0], it[1].start))
        zone = window_zone(window, schedule)
        yield src.finding(
            "H011",
            ("schedule", "participants", "min_rest"),
            f"window {window.name!r} ({window.shape()}) leaves {human_duration(rest)} "
            f"between its own occurrences ({len(short)} time(s) in {weeks} weeks, first from "
            f"{first.end.astimezone(zone):%a %Y-%m-%d %H:%M} to "
            f"{later.start.astimezone(zone):%a %Y-%m-%d %H:%M} {zone.key}), less than "
            f"participants.min_rest {human_duration(need)}: whoever holds "
            "it for a week breaks the rest rule",
            hint=f"shorten {window.name!r} or split it into windows that different people "
            "hold, or lower min_rest",
        )


def check_schedule(
    schedule: Schedule, *, start: date | None = None, weeks: int = HORIZON_WEEKS
) -> list[Finding]:
    """Every plan-free finding about one schedule (H005, H011 within a window, S101–S109).

    Args:
        schedule: The schedule.
        start: The date the windows' horizon starts from (S108, H011): ``check`` passes the
            plan's start, or today's date (UTC) when there is no plan. Default: today.
        weeks: The horizon's length in weeks (default 53: every DST change of a year).
    """
    if start is None:
        start = datetime.now(UTC).date()
    return [
        *rotation_size(schedule),
        *_handoff(schedule),
        *_sre_rotation_size(schedule),
        *_member_timezones(schedule),
        *_working_hours(schedule),
        *window_selectors(schedule),
        *windows_tile(schedule, start, weeks),
        *window_rest(schedule, start, weeks),
    ]
