"""Schedule-level checks: what can be said of a schedule file before any plan exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from oncall_planner.expand import Problem, member_zone, week_starts
from oncall_planner.loader import source_of
from oncall_planner.report import Finding, Severity
from oncall_planner.spec import Member, Schedule, Weekday

__all__ = [
    "available_rotation_size",
    "check_schedule",
    "dst_changeover_dates",
    "rotation_size",
    "sites",
    "trained_members",
]

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


def rotation_size(schedule: Schedule) -> Iterator[Finding]:
    """H005: fewer trained members than ``min_rotation_size`` (the planner's hard rule too)."""
    src = source_of(schedule)
    parts = schedule.participants
    trained = trained_members(schedule)
    if len(trained) >= parts.min_rotation_size:
        return
    shadowing = sorted(m.id for m in parts.members if m.id not in trained)
    names = ", ".join(trained) if trained else "none"
    message = (
        f"{len(trained)} trained member(s) ({names}) but min_rotation_size is "
        f"{parts.min_rotation_size}"
    )
    hint = f"add {parts.min_rotation_size - len(trained)} more member(s) under participants.members"
    if shadowing:
        hint += f"; still shadowing: {', '.join(shadowing)}"
    path: tuple[str | int, ...] = ("schedule", "participants", "members")
    if not parts.members:
        path = ("schedule", "participants", "min_rotation_size")
    yield src.finding("H005", path, message, hint=hint)


def available_rotation_size(problem: Problem) -> Iterator[Finding]:
    """H005 over a horizon: trained members who are available for some week of it.

    A member on time off for the whole horizon does not count (a "4-person" rotation was
    planned with 3 people: issue 9): too few such members is an error. A week in which fewer
    than ``min_rotation_size`` trained members are available is a warning naming the week and
    who is away. Nothing is said here when the roster itself is too small
    (:func:`rotation_size` reports that).
    """
    schedule = problem.schedule
    parts = schedule.participants
    trained = trained_members(schedule)
    if len(trained) < parts.min_rotation_size:
        return
    src = source_of(schedule)
    n = len(problem.weeks)
    away = {p: problem.unavailable.get(p, frozenset()) for p in trained}
    available = [p for p in trained if len(away[p]) < n]
    if len(available) < parts.min_rotation_size:
        gone = sorted(set(trained) - set(available))
        yield src.finding(
            "H005",
            ("schedule", "participants", "min_rotation_size"),
            f"{len(available)} trained member(s) are available in the {n} planned weeks "
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
            f"{week.label()}: {len(trained) - len(out)} of the trained members are available, "
            f"fewer than min_rotation_size {parts.min_rotation_size}; away: {', '.join(out)}",
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
    for i, m in enumerate(schedule.participants.members):
        if m.working_hours is None and (m.timezone in (None, schedule.timezone)):
            continue  # the handoff rules S101/S102 already judge the schedule's own zone
        outside = _outside_hours(m, handoffs, schedule)
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
            hint="hand off when both people are at work; for teams many hours apart, a "
            "follow-the-sun split (one schedule per site, each covering its daytime) avoids "
            "night handoffs",
        )


def check_schedule(schedule: Schedule) -> list[Finding]:
    """Every plan-free finding about one schedule (H005, S101–S107)."""
    return [
        *rotation_size(schedule),
        *_handoff(schedule),
        *_sre_rotation_size(schedule),
        *_member_timezones(schedule),
        *_working_hours(schedule),
    ]
