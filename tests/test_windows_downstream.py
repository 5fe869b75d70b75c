"""Everything downstream of a plan with coverage windows (issue 12): the effective roster and
``who``, the real-time rules, iCal feeds and reviews.

Plans are built by hand from ``expand(schedule, start, weeks, window=...)`` occurrences with a
small round robin, independently of the solver. Zones: Berlin, New York and Sydney members;
windows defined in UTC (they tile) and in Berlin (a business-hours layer across the March DST
change).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall_planner.expand import expand, window_occurrences
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.roster import effective_shifts, handoffs, holding, horizon, weekly_view
from oncall_planner.spec import Schedule

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")

#: Three sites, three 8-hour windows in UTC: they tile every week exactly.
SUN = """
schedule:
  name: support
  timezone: Europe/Berlin
  handoff_day: monday
  handoff_time: "09:00"
  windows:
    - {name: apac, days: daily, start: "00:00", end: "08:00", timezone: UTC,
       members: {site: apac}}
    - {name: emea, days: daily, start: "08:00", end: "16:00", timezone: UTC,
       members: {site: emea}}
    - {name: amer, days: daily, start: "16:00", end: "24:00", timezone: UTC,
       members: {site: amer}}
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    members:
      - {id: sid, name: "Sid Sydney", timezone: Australia/Sydney, site: apac}
      - {id: sue, name: "Sue Sydney", timezone: Australia/Sydney, site: apac}
      - {id: bea, name: "Bea Berlin", timezone: Europe/Berlin, site: emea}
      - {id: ben, name: "Ben Berlin", timezone: Europe/Berlin, site: emea,
         time_off: [{start: 2027-03-10, end: 2027-03-10}]}
      - {id: nia, name: "Nia NewYork", timezone: America/New_York, site: amer}
      - {id: ned, name: "Ned NewYork", timezone: America/New_York, site: amer}
"""

#: A business-hours layer in Berlin: nobody is on call outside it, on purpose.
OFFICE = """
schedule:
  name: office
  timezone: Europe/Berlin
  handoff_day: monday
  handoff_time: "09:00"
  coverage: partial
  windows:
    - {name: office, days: mon-fri, start: "09:00", end: "17:00"}
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    members:
      - {id: bea, name: "Bea Berlin", timezone: Europe/Berlin}
      - {id: ben, name: "Ben Berlin", timezone: Europe/Berlin}
      - {id: nia, name: "Nia NewYork", timezone: America/New_York}
"""

START = date(2027, 3, 15)  # Monday; Europe's DST change is on 28 March, the US one on 14 March
WEEKS = 3


def schedule_of(text: str) -> Schedule:
    return load_schedule(text)


def round_robin(schedule: Schedule, start: date = START, weeks: int = WEEKS) -> Plan:
    """Week k's holder of each window is the window's eligible members in turn."""
    shifts = []
    for w in schedule.windows:
        problem = expand(schedule, start, weeks, window=w)
        pool = [m.id for m in problem.members]
        for week in problem.weeks:
            person = pool[week.index % len(pool)]
            for a, b in week.intervals:
                shifts.append(
                    Shift(
                        week=week.index,
                        layer=Layer.PRIMARY,
                        person=person,
                        window=w.name,
                        start=a,
                        end=b,
                    )
                )
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=weeks,
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,)).annotate([schedule])


def test_probe() -> None:
    sun = schedule_of(SUN)
    plan = round_robin(sun)
    sp = plan.schedules[0]
    print(handoffs(sp))
    for p in effective_shifts(sp)[:8]:
        print(p)
