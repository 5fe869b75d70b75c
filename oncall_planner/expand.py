"""Schedule → concrete weeks: the only place where wall-clock times become instants.

Week 0 starts at the first ``handoff_day`` on or after the start date, at ``handoff_time`` in
the schedule's zone; every later handoff is the same wall time seven *local* days later. Adding
168 hours in UTC instead is the classic bug: after a DST change every handoff is an hour off.
Weeks across a changeover are therefore 167 h or 169 h long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall_planner.fairness import holiday_overlap
from oncall_planner.spec import Holiday, Member, Schedule, Window

__all__ = [
    "STINT_BREAK",
    "Problem",
    "Week",
    "expand",
    "first_handoff_date",
    "local_instant",
    "member_zone",
    "same_stint",
    "stints",
    "time_off_weeks",
    "week_starts",
    "window_occurrences",
    "window_zone",
]

#: Two shifts of one person belong to one stint when the second starts less than this after the
#: first ends, in any schedules: a one-week break (168 h, or 167 h across a DST change)
#: separates stints, a Monday–Monday week followed by a Thursday–Thursday one does not.
STINT_BREAK = timedelta(days=6)


def same_stint(end: datetime, next_start: datetime) -> bool:
    """True when a shift starting at ``next_start`` continues the stint of one ending at ``end``."""
    return next_start.astimezone(UTC) - end.astimezone(UTC) < STINT_BREAK


def stints(
    shifts: Sequence[tuple[datetime, datetime, str, int]],
) -> list[list[tuple[datetime, datetime, str, int]]]:
    """One person's (start, end, schedule, week) shifts grouped into stints.

    Sorted by start, a shift continues the stint when it starts less than ``STINT_BREAK``
    (6 days) after the previous one ends, in whichever schedule.
    """
    found: list[list[tuple[datetime, datetime, str, int]]] = []
    for item in sorted(shifts, key=lambda it: (it[0], it[2], it[3])):
        if found and same_stint(found[-1][-1][1], item[0]):
            found[-1].append(item)
        else:
            found.append([item])
    return found


@dataclass(frozen=True)
class Week:
    """One rotation week of a schedule.

    Attributes:
        index: 0 for the first week of the plan. Negative for weeks before it.
        start: The handoff that starts the week (aware, in the schedule's zone).
        end: The next handoff (aware, in the schedule's zone).
    """

    index: int
    start: datetime
    end: datetime
    #: The window's occurrences inside the week (aware, in the schedule's zone, sorted, never
    #: touching); empty for a schedule without windows, whose shift is the whole week.
    intervals: tuple[tuple[datetime, datetime], ...] = ()

    def pieces(self) -> tuple[tuple[datetime, datetime], ...]:
        """The on-call time of the week: the window's occurrences, or the whole week."""
        return self.intervals or ((self.start, self.end),)

    @property
    def hours(self) -> float:
        """On-call length in real (UTC) hours: 168, or 167/169 across a DST change, for a
        whole week; the occurrences' hours summed for a window."""
        return sum(
            (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds() / 3600 for a, b in self.pieces()
        )

    @property
    def week_hours(self) -> float:
        """The week's own length in real hours (handoff to handoff), windows or not."""
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True if ``[start, end)`` overlaps the week's on-call time (its occurrences)."""
        return any(start < b and a < end for a, b in self.pieces())

    def label(self) -> str:
        """``week 9 (2027-03-01 10:00 UTC)``."""
        return f"week {self.index} ({self.start:%Y-%m-%d %H:%M} {self.start.tzname()})"


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant of a local wall time on a day.

    A nonexistent wall time (inside a spring-forward gap) moves forward by the gap, as RFC 5545
    §3.3.5 prescribes: 02:30 on the Berlin changeover day is 03:30 CEST. An ambiguous one (fall
    back) is its first occurrence.
    """
    naive_local = datetime.combine(day, wall)
    dt = naive_local.replace(tzinfo=zone, fold=0)
    # Round-tripping through UTC normalises a time inside a gap.
    return dt.astimezone(UTC).astimezone(zone)


def first_handoff_date(schedule: Schedule, start: date) -> date:
    """The first ``handoff_day`` on or after ``start``."""
    return start + timedelta(days=(schedule.handoff_day.number - start.weekday()) % 7)


def week_starts(schedule: Schedule, start: date, weeks: int, *, offset: int = 0) -> list[datetime]:
    """The ``weeks + 1`` handoff instants bounding weeks ``offset .. offset + weeks - 1``."""
    first = first_handoff_date(schedule, start)
    zone = schedule.zone
    return [
        local_instant(first + timedelta(weeks=offset + k), schedule.handoff_time, zone)
        for k in range(weeks + 1)
    ]


def window_zone(window: Window, schedule: Schedule) -> ZoneInfo:
    """The zone of a window's wall times: its own, or the schedule's."""
    return ZoneInfo(window.timezone) if window.timezone else schedule.zone


def _wall(base: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The instant ``minutes`` of local wall-clock time after ``base`` 00:00 (may pass days)."""
    day, rest = divmod(minutes, 1440)
    return local_instant(base + timedelta(days=day), time(rest // 60, rest % 60), zone)


def window_occurrences(
    schedule: Schedule, window: Window, start: datetime, end: datetime
) -> tuple[tuple[datetime, datetime], ...]:
    """The window's occurrences inside ``[start, end)``, clipped to it.

    Each occurrence is found in the window's own zone: a daily window from ``start`` to
    ``end`` on each of its days (crossing midnight when the end is earlier), a span window from
    its ``from`` to the next ``to``. Wall times inside a spring-forward gap move forward by the
    gap (:func:`local_instant`), so a 00:00–08:00 window in Berlin is 7 h long on the last
    Sunday of March. Occurrences that touch (mon-fri 00:00–24:00) are merged into one.
    Instants are returned in the schedule's zone, sorted.
    """
    zone = window_zone(window, schedule)
    first = start.astimezone(zone).date() - timedelta(days=8)
    first -= timedelta(days=first.weekday())
    last = end.astimezone(zone).date() + timedelta(days=1)
    raw: list[tuple[datetime, datetime]] = []
    monday = first
    while monday <= last:
        if window.span is not None:
            a_min = window.span.start % 10080
            length = (window.span.end - window.span.start) % 10080
            raw.append((_wall(monday, a_min, zone), _wall(monday, a_min + length, zone)))
        else:
            assert window.days is not None and window.start is not None and window.end is not None
            length = (window.end - window.start) % 1440 or 1440
            for d in window.days:
                a_min = d * 1440 + window.start
                raw.append((_wall(monday, a_min, zone), _wall(monday, a_min + length, zone)))
        monday += timedelta(weeks=1)
    merged: list[tuple[datetime, datetime]] = []
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    for a, b in sorted((a.astimezone(UTC), b.astimezone(UTC)) for a, b in raw):
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    out = schedule.zone
    return tuple((a.astimezone(out), b.astimezone(out)) for a, b in merged)


def member_zone(member: Member, schedule: Schedule) -> ZoneInfo:
    """The member's zone, or the schedule's when the member has none."""
    return ZoneInfo(member.timezone) if member.timezone else schedule.zone


def _days(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Whole local days as ``[first 00:00, the day after last 00:00)``."""
    return local_instant(first, time(0), zone), local_instant(
        last + timedelta(days=1), time(0), zone
    )


def time_off_weeks(member: Member, schedule: Schedule, weeks: Sequence[Week]) -> frozenset[int]:
    """Indices of the weeks whose shift overlaps any of the member's time off."""
    zone = member_zone(member, schedule)
    intervals = [_days(t.start, t.last_day, zone) for t in member.time_off]
    return frozenset(w.index for w in weeks if any(w.overlaps(a, b) for a, b in intervals))


def _weeks_holding(days: Sequence[date], zone: ZoneInfo, weeks: Sequence[Week]) -> set[int]:
    found: set[int] = set()
    for d in days:
        a, b = _days(d, d, zone)
        found |= {w.index for w in weeks if w.overlaps(a, b)}
    return found


@dataclass(frozen=True)
class Problem:
    """A schedule made concrete over a horizon.

    Attributes:
        schedule: The schedule.
        start: The date planning starts from.
        weeks: The weeks of the plan, in order.
        unavailable: Member id → indices of weeks they are on time off.
        holiday_weeks: Week index → the holidays it holds: each holiday belongs to the one week
            holding the middle of its local day (a Monday holiday in a Monday 10:00 rotation
            is in the week starting that morning, not in two weeks).
        holiday_share: Week index → holiday burden of the week: the share of each holiday's
            local day inside it, summed (see :func:`oncall_planner.fairness.holiday_overlap`).
        window: The coverage window this problem is about (None: the whole week). Its weeks
            then carry the window's occurrences as ``intervals``, and time off, holidays and
            overlaps count those occurrences only.
    """

    schedule: Schedule
    start: date
    weeks: tuple[Week, ...]
    unavailable: dict[str, frozenset[int]]
    holiday_weeks: dict[int, tuple[Holiday, ...]]
    holiday_share: dict[int, float] = field(default_factory=dict)
    window: Window | None = None

    @property
    def members(self) -> tuple[Member, ...]:
        """The roster (for a window: the members it selects), sorted by id so member order in
        the file never matters."""
        return self.schedule.window_members(self.window)

    def weeks_holding(self, days: Sequence[date]) -> set[int]:
        """Indices of the weeks overlapping any of these local days."""
        return _weeks_holding(days, self.schedule.zone, self.weeks)

    def needs_shadow(self, member: Member) -> int:
        """How many shadow weeks the member still has to do before joining the rotation."""
        if not member.new_engineer:
            return 0
        done = max(member.shadow_weeks_done, member.history.shadow_weeks_done)
        return max(0, self.schedule.participants.shadow_weeks - done)

    def history_run_before_start(self, member: Member) -> int:
        """Consecutive on-call weeks the member served right before week 0, from history."""
        last = member.history.last_on_call
        if last is None:
            return 0
        first = first_handoff_date(self.schedule, self.start)
        gap_days = (first - last).days
        # The last stint ended right before week 0 when its last week started 7 days earlier.
        if 0 < gap_days <= 7:
            return member.history.last_stint_weeks
        return 0


def expand(
    schedule: Schedule, start: date, weeks: int, *, window: Window | str | None = None
) -> Problem:
    """Make a schedule concrete: weeks, time off and holidays over ``weeks`` weeks.

    With ``window`` (one of ``schedule.windows``, or its name), the weeks carry that window's
    occurrences, and time off and holidays count against them only.

    Raises:
        ValueError: ``weeks`` is less than 1, or ``window`` names no window of the schedule.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if isinstance(window, str):
        names = [w.name for w in schedule.windows]
        if window not in names:
            raise ValueError(
                f"expand: window {window!r} is not a window of {schedule.name}; "
                f"its windows are {', '.join(names) or 'none'}"
            )
        window = schedule.window(window)
    bounds = week_starts(schedule, start, weeks)
    week_list = tuple(
        Week(
            k,
            bounds[k],
            bounds[k + 1],
            window_occurrences(schedule, window, bounds[k], bounds[k + 1]) if window else (),
        )
        for k in range(weeks)
    )
    unavailable = {
        m.id: time_off_weeks(m, schedule, week_list) for m in schedule.participants.members
    }
    holiday_weeks: dict[int, list[Holiday]] = {}
    holiday_share: dict[int, float] = {}
    for h in schedule.holidays:
        a, b = _days(h.date, h.date, schedule.zone)
        middle = a.astimezone(UTC) + (b.astimezone(UTC) - a.astimezone(UTC)) / 2
        for w in week_list:
            share = sum(holiday_overlap(x, y, a, b) for x, y in w.pieces())
            if share > 0:
                holiday_share[w.index] = holiday_share.get(w.index, 0.0) + share
            # A window's week holds the holiday when any occurrence falls on it; a whole week
            # holds it when it holds the middle of the day (one week per holiday).
            holds = (
                share > 0
                if window is not None
                else w.overlaps(a, b) and w.start.astimezone(UTC) <= middle < w.end.astimezone(UTC)
            )
            if holds:
                holiday_weeks.setdefault(w.index, []).append(h)
    return Problem(
        schedule=schedule,
        start=start,
        weeks=week_list,
        unavailable=unavailable,
        holiday_weeks={k: tuple(v) for k, v in sorted(holiday_weeks.items())},
        holiday_share=dict(sorted(holiday_share.items())),
        window=window,
    )
