"""Random overrides on random small plans, against a brute-force minute scan.

The scan is a second, deliberately naive definition of the effective roster: for every minute
of the horizon, the last override covering it decides, else the weekly shifts do. ``on_call``,
``who`` (``roster.holding``) and the H101 findings must agree with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from oncall_planner.expand import expand
from oncall_planner.plans import Layer, Override, Person, Plan, SchedulePlan, Shift
from oncall_planner.roster import holding
from oncall_planner.spec import Schedule
from oncall_planner.validate._common import stamp
from oncall_planner.validate.intervals import check_intervals

PEOPLE = ("ann", "ben", "cat", "dan")
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney")
# Starts whose first weeks hold a DST change in one of the zones.
STARTS = (date(2027, 3, 8), date(2027, 3, 22), date(2027, 10, 25), date(2027, 3, 29))
MINUTE = timedelta(minutes=1)


def schedule(zone: str) -> Schedule:
    return Schedule.model_validate(
        {
            "name": "team",
            "timezone": zone,
            "handoff_time": "10:00",
            "handoff_day": "monday",
            "participants": {
                "min_rotation_size": 2,
                "max_consecutive_weeks": 9,
                "shadow_period": "1_week",
                "members": [{"id": p, "name": p.title()} for p in PEOPLE],
            },
            "escalation_policy": [
                {"level": 1, "target": "on-call-primary", "timeout": "5_minutes"},
                {"level": 2, "target": "on-call-secondary", "timeout": "5_minutes"},
            ],
        }
    )


@st.composite
def plans(draw: st.DrawFn) -> tuple[Schedule, Plan]:
    s = schedule(draw(st.sampled_from(ZONES)))
    start = draw(st.sampled_from(STARTS))
    weeks = expand(s, start, draw(st.integers(1, 2))).weeks
    shifts = []
    for w in weeks:
        for layer in (Layer.PRIMARY, Layer.SECONDARY):
            # Mostly one person; sometimes nobody or two, so that gaps and doubles occur.
            people = draw(st.lists(st.sampled_from(PEOPLE), min_size=0, max_size=2, unique=True))
            if draw(st.integers(0, 3)) and people:
                people = people[:1]
            shifts += [
                Shift(week=w.index, layer=layer, person=p, start=w.start, end=w.end) for p in people
            ]
    first, last = weeks[0].start, weeks[-1].end
    total = int((last - first).total_seconds() // 60)
    overrides = []
    for i in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, total - 1))
        b = draw(st.integers(a + 1, min(total, a + 4 * 24 * 60)))
        overrides.append(
            Override(
                id=f"o{i}",
                layer=draw(st.sampled_from((Layer.PRIMARY, Layer.SECONDARY))),
                person=draw(st.sampled_from(PEOPLE)),
                start=(first.astimezone(UTC) + a * MINUTE),
                end=(first.astimezone(UTC) + b * MINUTE),
            )
        )
    sp = SchedulePlan(
        name="team",
        timezone=s.timezone,
        start=start,
        weeks=len(weeks),
        shifts=tuple(shifts),
        overrides=tuple(overrides),
    )
    # The plan knows everyone an override may name (a plan file must, since b11d352).
    return s, Plan(schedules=(sp,), people={p: Person(name=p) for p in PEOPLE})


def scan(sp: SchedulePlan, layer: Layer, t: datetime) -> tuple[str, ...]:
    for o in reversed(sp.overrides):
        if o.layer is layer and o.start <= t < o.end:
            return (o.person,)
    return tuple(sorted(s.person for s in sp.shifts if s.layer is layer and s.start <= t < s.end))


@given(plans(), st.data())
def test_on_call_who_and_h101_agree_with_a_minute_scan(
    case: tuple[Schedule, Plan], data: st.DataObject
) -> None:
    s, plan = case
    sp = plan.schedules[0]
    zone = ZoneInfo(s.timezone)
    weeks = expand(s, sp.start, sp.weeks).weeks
    first, last = weeks[0].start.astimezone(UTC), weeks[-1].end.astimezone(UTC)
    minutes = int((last - first).total_seconds() // 60)
    expected: list[str] = []
    for layer in (Layer.PRIMARY, Layer.SECONDARY):
        held = [scan(sp, layer, first + k * MINUTE) for k in range(minutes)]
        # on_call at a sample of minutes, and at every minute where the holder changes.
        changes = [k for k in range(1, minutes) if held[k] != held[k - 1]]
        sample = {0, minutes - 1, *changes, *(c - 1 for c in changes)}
        sample |= set(data.draw(st.lists(st.integers(0, minutes - 1), max_size=20)))
        for k in sorted(sample):
            t = first + k * MINUTE
            assert plan.on_call(t, layer=layer) == (held[k][0] if held[k] else None), t
        # who: until = the first later minute with another holder.
        k = data.draw(st.integers(0, minutes - 1))
        h = holding(sp, layer, first + k * MINUTE)
        if len(held[k]) == 1:
            end = next((j for j in range(k, minutes) if held[j] != held[k]), minutes)
            assert h.person == held[k][0]
            assert h.until == first + end * MINUTE
        # The gaps and double bookings, as the validator must name them.
        k = 0
        while k < minutes:
            if len(held[k]) == 1:
                k += 1
                continue
            j = k
            while j < minutes and held[j] == held[k]:
                j += 1
            a, b = (first + k * MINUTE).astimezone(zone), (first + j * MINUTE).astimezone(zone)
            what = (
                f"nobody holds {layer.value}"
                if not held[k]
                else f"{' and '.join(held[k])} all hold {layer.value}"
            )
            expected.append(f"team: {what} from {stamp(a)} – {stamp(b)}; exactly one is required")
            k = j
    found = [f.message for f in check_intervals([s], plan) if f.code == "H101"]
    assert sorted(found) == sorted(expected)
