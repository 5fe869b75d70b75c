"""Hand-built plans for the iCal tests (the planner is not needed to make a feed)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from oncall_planner.expand import expand
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift, SolveInfo
from oncall_planner.spec import Schedule

#: Names that exercise escaping and folding: accents, emoji, commas, semicolons, backslash.
TRICKY = "Zoë Ünal-Łukasz, Jr.; \\ 🚨 «pager» 日本語"

MEMBERS = (
    ("alice", "Alice Martin", "alice@example.com"),
    ("bob", "Bob Okafor", "bob@example.com"),
    ("carol", "Carol Nguyen", "carol@example.com"),
    ("dan", TRICKY, "dan@example.com"),
)


def schedule_yaml(
    name: str = "berlin-sre",
    zone: str = "Europe/Berlin",
    *,
    handoff: str = "10:00",
    day: str = "monday",
    members: tuple[tuple[str, str, str], ...] = MEMBERS,
) -> str:
    """A schedule with primary + secondary escalation and two contacts."""
    roster = "\n".join(
        f'      - {{id: {i}, name: "{n.replace(chr(92), chr(92) * 2)}", email: {e}}}'
        for i, n, e in members
    )
    return f"""schedule:
  name: "{name}"
  timezone: "{zone}"
  handoff_time: "{handoff}"
  handoff_day: "{day}"
  participants:
    min_rotation_size: 3
    max_consecutive_weeks: 2
    members:
{roster}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5_minutes}}
    - {{level: 2, target: on-call-secondary, timeout: 10_minutes}}
    - {{level: 3, target: engineering-manager, timeout: 15_minutes}}
    - {{level: 4, target: vp-engineering, timeout: 0}}
  contacts:
    engineering-manager: {{name: "Grace Hopper", email: grace@example.com}}
    vp-engineering: {{name: "Vera Petrova", email: vera@example.com}}
"""


def make_schedule(name: str = "berlin-sre", zone: str = "Europe/Berlin", **kw: object) -> Schedule:
    """Load :func:`schedule_yaml` (a newline makes ``load_schedule`` read it as text)."""
    return load_schedule(schedule_yaml(name, zone, **kw))  # type: ignore[arg-type]


def round_robin(
    schedule: Schedule,
    start: date,
    weeks: int,
    *,
    offset: int = 0,
    order: list[str] | None = None,
) -> Plan:
    """Primary = member k, secondary = member k+1, over ``expand``'s weeks; annotated."""
    problem = expand(schedule, start, weeks)
    ids = order or [m.id for m in problem.members]
    shifts = []
    for w in problem.weeks:
        k = w.index + offset
        shifts.append(Shift(week=w.index, layer=Layer.PRIMARY, person=ids[k % len(ids)],
                            start=w.start, end=w.end))  # fmt: skip
        shifts.append(Shift(week=w.index, layer=Layer.SECONDARY,
                            person=ids[(k + 1) % len(ids)], start=w.start, end=w.end))  # fmt: skip
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=weeks,
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,), solve=SolveInfo(status="MANUAL")).annotate([schedule])


def replace_person(plan: Plan, week: int, layer: Layer, person: str) -> Plan:
    """A copy of a one-schedule plan with one shift handed to someone else."""
    sp = plan.schedules[0]
    shifts = tuple(
        s.model_copy(update={"person": person}) if (s.week, s.layer) == (week, layer) else s
        for s in sp.shifts
    )
    return plan.model_copy(update={"schedules": (sp.model_copy(update={"shifts": shifts}),)})


def test_round_robin_is_contiguous_and_covers_both_layers() -> None:
    plan = round_robin(make_schedule(), date(2027, 3, 1), 6)
    sp = plan.schedules[0]
    assert len(sp.shifts) == 12
    primaries = [s for s in sp.shifts if s.layer is Layer.PRIMARY]
    assert all(a.end == b.start for a, b in itertools.pairwise(primaries))
    assert primaries[0].start.astimezone(UTC) == datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert all(s.person != t.person for s, t in zip(primaries, sp.shifts[1::2], strict=True))
