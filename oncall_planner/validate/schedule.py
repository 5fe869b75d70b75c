"""Schedule-level checks: what can be said of a schedule file before any plan exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from oncall_planner.loader import source_of
from oncall_planner.report import Finding
from oncall_planner.spec import Schedule, Weekday

__all__ = ["check_schedule", "dst_changeover_dates", "trained_members"]

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
        if not (m.new_engineer and m.shadow_weeks_done < need)
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


def _rotation_size(schedule: Schedule) -> Iterator[Finding]:
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


def check_schedule(schedule: Schedule) -> list[Finding]:
    """Every plan-free finding about one schedule."""
    return [*_rotation_size(schedule), *_handoff(schedule)]
