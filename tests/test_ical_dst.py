"""Handoffs across DST, checked by an independent expander (recurring-ical-events).

The one mistake no validator catches (research/ical.md §5): handoffs computed as +168 h in UTC
drift an hour off the local handoff time after a DST change. Expanding the feed with another
library and checking wall times catches it; the negative control below proves the check would.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from test_ical_helpers import make_schedule, round_robin

from oncall_planner.ical import to_ical

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]


def expanded(feed: bytes, layer: str) -> list[tuple[datetime, datetime]]:
    cal = Calendar.from_ical(feed)
    found = recurring_ical_events.of(cal).between(date(2020, 1, 1), date(2040, 1, 1))
    spans = [
        (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in found
        if str(e["X-ONCALL-LAYER"]) == layer
    ]
    return sorted(spans)


def handoff_violations(spans: list[tuple[datetime, datetime]], zone: ZoneInfo) -> list[str]:
    bad = []
    for start, end in spans:
        for t in (start, end):
            local = t.astimezone(zone)
            if (local.weekday(), local.hour, local.minute) != (0, 10, 0):
                bad.append(f"{t.isoformat()} is {local:%a %H:%M} local")
    for (_, end), (start, _) in itertools.pairwise(spans):
        if end != start:
            bad.append(f"gap or overlap between {end} and {start}")
    return bad


@pytest.mark.parametrize("mode", ["utc", "tzid"])
@pytest.mark.parametrize("zone", ZONES)
def test_every_boundary_is_the_local_handoff_and_weeks_are_167_168_169_h(
    zone: str, mode: str
) -> None:
    # 60 weeks from September 2026 cross both changeovers of every zone at least once.
    plan = round_robin(make_schedule("team", zone), date(2026, 9, 7), 60)
    feed = to_ical(plan, tz_mode=mode)  # type: ignore[arg-type]
    for layer in ("primary", "secondary"):
        spans = expanded(feed, layer)
        assert len(spans) == 60
        assert handoff_violations(spans, ZoneInfo(zone)) == []
        hours = sorted({(end - start) / timedelta(hours=1) for start, end in spans})
        assert hours == [167.0, 168.0, 169.0]


def test_negative_control_utc_arithmetic_is_caught() -> None:
    # Rewrite each DTSTART/DTEND to "first handoff + k × 168 h" in UTC: the classic bug.
    plan = round_robin(make_schedule("team", "Europe/Berlin"), date(2026, 9, 7), 30)
    feed = to_ical(plan).decode()
    first = datetime(2026, 9, 7, 8, tzinfo=UTC)

    def drift(m: re.Match[str]) -> str:
        t = datetime.strptime(m[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        weeks = round((t - first) / timedelta(weeks=1))
        return f"{m[1]}:{first + timedelta(hours=168 * weeks):%Y%m%dT%H%M%SZ}"

    buggy = re.sub(r"(DTSTART|DTEND):(\d{8}T\d{6}Z)", drift, feed).encode()
    violations = handoff_violations(expanded(buggy, "primary"), ZoneInfo("Europe/Berlin"))
    assert violations and all("11:00" in v or "09:00" in v for v in violations)


@pytest.mark.parametrize("zone", ZONES)
def test_tzid_and_utc_feeds_expand_to_the_same_instants(zone: str) -> None:
    plan = round_robin(make_schedule("team", zone), date(2026, 9, 7), 60)
    for layer in ("primary", "secondary"):
        assert expanded(to_ical(plan, tz_mode="tzid"), layer) == expanded(to_ical(plan), layer)
