"""Helpers shared by the validator's rule modules: plan indexes, YAML paths, wording."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oncall_planner.expand import Problem, Week, expand
from oncall_planner.plans import PAGED_LAYERS, Layer, Plan, SchedulePlan, Shift
from oncall_planner.roster import weekly_view
from oncall_planner.spec import Schedule

__all__ = [
    "ScheduleView",
    "YamlPath",
    "at",
    "human_duration",
    "member_path",
    "plural",
    "stamp",
    "views",
    "week_list",
]

YamlPath = tuple[str | int, ...]


def human_duration(value: timedelta) -> str:
    """``0`` → ``immediately``; ``30 min`` → ``30 minutes``; ``90 min`` → ``1 hour 30 minutes``."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "immediately"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(plural(count, unit))
    return " ".join(parts)


def at(value: timedelta) -> str:
    """``at 30 minutes``, or ``immediately`` for zero (for "paged at …" sentences)."""
    text = human_duration(value)
    return text if text == "immediately" else f"at {text}"


def plural(count: int, word: str) -> str:
    """``1 week``, ``2 weeks``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def week_list(indices: Sequence[int], limit: int = 4) -> str:
    """``week 3``, ``weeks 3, 4 and 9``, ``weeks 3, 4, 9, 12 and 5 more``."""
    items = sorted(indices)
    if len(items) == 1:
        return f"week {items[0]}"
    shown = ", ".join(str(i) for i in items[:limit])
    if len(items) > limit:
        return f"weeks {shown} and {len(items) - limit} more"
    head, last = ", ".join(str(i) for i in items[:-1]), items[-1]
    return f"weeks {head} and {last}"


def stamp(instant: datetime) -> str:
    """``2027-03-08 10:00 CET`` (local wall time and zone abbreviation)."""
    return f"{instant:%Y-%m-%d %H:%M} {instant.tzname()}"


def member_path(schedule: Schedule, member_id: str, *rest: str | int) -> YamlPath:
    """The YAML path of a member's entry (or of a field under it, ``rest``), for located
    findings; the member list itself if there is no such member."""
    for i, m in enumerate(schedule.participants.members):
        if m.id == member_id:
            return ("schedule", "participants", "members", i, *rest)
    return ("schedule", "participants", "members")


@dataclass
class ScheduleView:
    """A schedule and its part of a plan, indexed once for every rule that reads it.

    Attributes:
        schedule: The schedule.
        plan: The schedule's plan.
        problem: The schedule expanded over the plan's start and weeks (the expected weeks).
        cells: (week, layer) → the people on it, sorted (for a schedule with windows: the
            people holding any of its windows that week).
    """

    schedule: Schedule
    plan: SchedulePlan
    problem: Problem
    cells: dict[tuple[int, Layer], tuple[str, ...]] = field(default_factory=dict)
    _windows: dict[str, Problem] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, schedule: Schedule, plan: SchedulePlan) -> ScheduleView:
        """Expand the schedule over the plan's horizon and index the shifts."""
        problem = expand(schedule, plan.start, plan.weeks)
        cells: dict[tuple[int, Layer], list[str]] = {}
        for s in plan.shifts:
            cells.setdefault((s.week, s.layer), []).append(s.person)
        return cls(schedule, plan, problem, {k: tuple(sorted(v)) for k, v in sorted(cells.items())})

    @property
    def weeks(self) -> tuple[Week, ...]:
        """The expected weeks of the plan."""
        return self.problem.weeks

    def window_problems(self) -> dict[str, Problem]:
        """Window name → the schedule expanded for that window over the plan's horizon (its
        weeks carry the expected occurrences); empty for a schedule without windows."""
        if self._windows is None:
            self._windows = {
                w.name: expand(self.schedule, self.plan.start, self.plan.weeks, window=w)
                for w in self.schedule.windows
            }
        return self._windows

    def on(self, week: int, layer: Layer) -> tuple[str, ...]:
        """Who holds ``layer`` in ``week`` (empty if nobody)."""
        return self.cells.get((week, layer), ())

    def on_call_shifts(self) -> list[Shift]:
        """Primary and secondary shifts, in week order."""
        return [s for s in self.plan.shifts if s.layer in PAGED_LAYERS]


def views(schedules: Sequence[Schedule], plan: Plan) -> list[ScheduleView]:
    """One view per schedule that the plan covers, in schedule-name order."""
    by_name = {sp.name: sp for sp in plan.schedules}
    # Whole weeks that overrides hand to one person count as that person's (roster).
    return [
        ScheduleView.build(s, weekly_view(by_name[s.name]))
        for s in sorted(schedules, key=lambda s: s.name)
        if s.name in by_name
    ]
