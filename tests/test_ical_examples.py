"""Every example schedule is exported, expanded by another library, and read back."""

from __future__ import annotations

import itertools
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar
from test_ical_helpers import round_robin

from oncall_planner.ical import from_ical, to_ical
from oncall_planner.loader import load_schedule
from tests.conftest import ROOT, example_schedule_files


@pytest.mark.parametrize(
    "path", example_schedule_files(), ids=lambda p: p.relative_to(ROOT).as_posix()
)
@pytest.mark.parametrize("mode", ["utc", "tzid"])
def test_example_schedule_feed_keeps_local_handoffs(path: Path, mode: str) -> None:
    schedule = load_schedule(path)
    plan = round_robin(schedule, date(2026, 9, 7), 60)
    feed = to_ical(plan, tz_mode=mode)  # type: ignore[arg-type]
    cal = Calendar.from_ical(feed)
    assert cal.to_ical() == feed
    assert cal.get_missing_tzids() == set()
    zone = schedule.zone
    found = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2029, 1, 1))
    primaries = sorted(
        (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in found
        if str(e["X-ONCALL-LAYER"]) == "primary"
    )
    assert len(primaries) == 60
    want = (schedule.handoff_day.number, schedule.handoff_time)
    for start, end in primaries:
        for t in (start, end):
            local = t.astimezone(zone)
            assert (local.weekday(), local.time()) == want, f"{path.name}: {local}"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(primaries))
    assert {end - start for start, end in primaries} <= {
        timedelta(hours=h) for h in (167, 168, 169)
    }
    back = from_ical(feed, schedule.participants.members)
    assert sorted((s.person, s.start, s.end) for s in back) == sorted(
        (s.person, s.start, s.end) for s in plan.schedules[0].shifts
    )
    assert all(s.matched for s in back)
