"""Plans: who holds which layer in which week, and the versioned plan file format.

The plan file (``oncall-planner/plan@1``) is read by other tools, so its keys are fixed::

    {"format": "oncall-planner/plan@1",
     "schedules": [{"name": "backend-primary", "timezone": "UTC", "start": "2027-01-04",
                    "weeks": 13,
                    **(
                        {"escalation": [lvl.model_dump(exclude_none=True) for lvl in sp.escalation]}
                        if sp.escalation
                        else {}
                    ),
                    **(
                        {"contacts": {k: c.model_dump(exclude_none=True)
                                      for k, c in sorted(sp.contacts.items())}}
                        if sp.contacts
                        else {}
                    ),
                    "shifts": [{"week": 0, "layer": "primary", "person": "alice",
                                "start": "2027-01-04T10:00:00+00:00",
                                "end": "2027-01-11T10:00:00+00:00"}]}],
     "solve": {"status": "OPTIMAL", "objective": 0, "bound": 0, "wall_s": 0.01, "seed": 0},
     "created": "2026-11-30T09:15:00Z", "revised": "2026-12-14T08:00:00Z"}

``created`` (when the plan was first made) and ``revised`` (when a re-plan made this revision)
are optional: older plan@1 files without them stay readable. Feeds take DTSTAMP from them.

Shift times are written with the schedule's local UTC offset and read back into the schedule's
zone, so a plan survives a JSON round trip unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from oncall_planner._io import parse_json
from oncall_planner._yaml import read_yaml
from oncall_planner.errors import PlanFileError
from oncall_planner.rules import rule
from oncall_planner.spec import Schedule, Window

if TYPE_CHECKING:
    from oncall_planner.roster import EffectiveShift
    from oncall_planner.solver.swap import SwapOption

__all__ = [
    "PAGED_LAYERS",
    "PLAN_FORMAT",
    "ComponentSolve",
    "Layer",
    "Override",
    "Person",
    "PersonFairness",
    "Plan",
    "PlanLevel",
    "SchedulePlan",
    "Shift",
    "ShiftChange",
    "SolveInfo",
    "made_at",
    "merge_plans",
    "optimality_gap",
]

PLAN_FORMAT = "oncall-planner/plan@1"


class Layer(StrEnum):
    """A rotation layer. Primary is paged first, secondary second; shadow is never paged."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SHADOW = "shadow"

    @property
    def order(self) -> int:
        """0 for primary, 1 for secondary, 2 for shadow."""
        return list(Layer).index(self)


#: The layers that carry the pager and that escalation levels page (shadow never does).
PAGED_LAYERS = (Layer.PRIMARY, Layer.SECONDARY)


class _Model(BaseModel):
    # Built on first use: `check` without a plan never pays for the plan models.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Shift(_Model):
    """One person on one layer for one week."""

    week: int = Field(ge=0, description="Week index, 0 = the first week of the plan.")
    layer: Layer = Field(description="primary, secondary or shadow.")
    person: str = Field(min_length=1, description="Member id.")
    start: AwareDatetime = Field(
        description="Handoff that starts the shift (aware); for a window, the occurrence's start."
    )
    end: AwareDatetime = Field(
        description="Handoff that ends the shift (aware); for a window, the occurrence's end."
    )
    window: str | None = Field(
        default=None,
        description="The coverage window this shift is an occurrence of (optional: absent in "
        "schedules without windows, whose shifts are whole weeks).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before it starts ({self.start})")
        return self

    def sort_key(self) -> tuple[int, int, float, str, str]:
        """Week, then layer order, then (windows) occurrence start and window, then person."""
        if self.window is None:
            return (self.week, self.layer.order, 0.0, "", self.person)
        return (self.week, self.layer.order, self.start.timestamp(), self.window, self.person)


class Override(_Model):
    """One person holding one layer for a stretch of real time, laid over the weekly shifts.

    Later overrides (further down the schedule's ``overrides`` list) win over earlier ones, so an
    override of an override works and removing one restores what was under it.
    """

    id: str = Field(min_length=1, description="Stable id, unique in the schedule.")
    layer: Layer = Field(description="primary, secondary or shadow.")
    person: str = Field(min_length=1, description="Member id who holds the layer instead.")
    start: AwareDatetime = Field(description="When the override starts (aware, whole minute).")
    end: AwareDatetime = Field(description="When it ends (aware, whole minute, after start).")
    replaces: str | None = Field(
        default=None,
        description="Who held the layer under it when it was made (None: nobody, or several; "
        "over coverage windows, the holders it spans in time order, 'sid, bea').",
    )
    reason: str | None = Field(default=None, description="Why (free text).")
    created: AwareDatetime | None = Field(default=None, description="When it was recorded.")
    accepted: tuple[str, ...] = Field(
        default=(), description="Rule codes it breaks that were accepted with --force (optional)."
    )

    @model_validator(mode="after")
    def _minutes(self) -> Override:
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.second or value.microsecond:
                raise ValueError(f"override {name} {value.isoformat()} is not a whole minute")
        if self.end <= self.start:
            raise ValueError(
                f"override ends ({self.end.isoformat()}) at or before it starts "
                f"({self.start.isoformat()})"
            )
        return self

    def to_data(self) -> dict[str, Any]:
        """The override as JSON-ready data with the fixed key order of the file format."""
        return {
            "id": self.id,
            "layer": self.layer.value,
            "person": self.person,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "replaces": self.replaces,
            "reason": self.reason,
            "created": self.created.isoformat() if self.created else None,
            **({"accepted": list(self.accepted)} if self.accepted else {}),
        }


class PersonFairness(_Model):
    """One member's load in a plan against the fair share the planner aimed at."""

    person: str = Field(description="Member id.")
    primary_weeks: int = Field(ge=0, description="Primary weeks in this plan.")
    secondary_weeks: int = Field(ge=0, description="Secondary weeks in this plan.")
    shadow_weeks: int = Field(ge=0, description="Shadow weeks in this plan.")
    holiday_weeks: int = Field(ge=0, description="Primary or secondary weeks holding a holiday.")
    load: float = Field(
        ge=0, description="primary_weight × primary + secondary_weight × secondary weeks."
    )
    fair_share: float = Field(
        ge=0,
        description="The load the planner aimed at: the plan's load shared by capacity × "
        "available weeks, corrected for history already served.",
    )
    capacity: float = Field(gt=0, le=1, description="The member's part-time share.")
    holiday_burden: float = Field(
        default=0.0,
        ge=0,
        description="Holidays carried in this schedule: the share of each holiday's local day "
        "inside the person's primary or secondary shifts, summed.",
    )
    org_primary_weeks: int | None = Field(
        default=None, ge=0, description="Primary weeks across every schedule of the plan."
    )
    org_secondary_weeks: int | None = Field(
        default=None, ge=0, description="Secondary weeks across every schedule of the plan."
    )
    org_load: float | None = Field(
        default=None, ge=0, description="The person's load across every schedule of the plan."
    )
    org_fair_share: float | None = Field(
        default=None,
        ge=0,
        description="The person's one fair share across the org, split among their schedules "
        "(fair_share is this schedule's part).",
    )


class SchedulePlan(_Model):
    """The shifts of one schedule."""

    name: str = Field(description="Schedule name.")
    timezone: str = Field(description="The schedule's IANA zone.")
    start: date = Field(description="The date planning started from (week 0 is on or after it).")
    weeks: int = Field(ge=1, description="Number of weeks planned.")
    shifts: tuple[Shift, ...] = Field(description="Shifts, sorted by week, layer and person.")
    escalation: tuple[PlanLevel, ...] = Field(
        default=(), description="The schedule's escalation policy (optional)."
    )
    contacts: dict[str, Person] = Field(
        default_factory=dict, description="Escalation contacts by key (optional)."
    )
    fairness: tuple[PersonFairness, ...] = Field(
        default=(), description="Per-person load against fair share, from the planner (optional)."
    )
    overrides: tuple[Override, ...] = Field(
        default=(),
        description="Overrides laid over the shifts, later ones winning (optional; see roster).",
    )
    windows: tuple[Window, ...] = Field(
        default=(),
        description="The schedule's coverage windows, copied whole from the schedule so that "
        "feeds, `who` and reviews read them from the plan alone (optional; absent without "
        "windows).",
    )
    coverage: Literal["full", "partial"] = Field(
        default="full",
        description="'partial' when the windows leave gaps on purpose (written only then).",
    )
    handoff: str | None = Field(
        default=None,
        pattern=r"^(monday|tuesday|wednesday|thursday|friday|saturday|sunday) \d{2}:\d{2}$",
        description="The weekly handoff, 'monday 09:00' in the schedule's zone. Written for "
        "schedules with windows, whose occurrences need not start at a handoff; without it the "
        "handoff is read off the first week's shift.",
    )

    @model_validator(mode="after")
    def _normalise(self) -> SchedulePlan:
        zone = ZoneInfo(self.timezone)
        shifts = tuple(
            sorted(
                (
                    s.model_copy(
                        update={"start": s.start.astimezone(zone), "end": s.end.astimezone(zone)}
                    )
                    for s in self.shifts
                ),
                key=Shift.sort_key,
            )
        )
        object.__setattr__(self, "shifts", shifts)
        if self.overrides:
            ids = [o.id for o in self.overrides]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"override ids repeat: {', '.join(repeated)}")
            # List order is meaningful (later wins): keep it, only move times into the zone.
            overrides = tuple(
                o.model_copy(
                    update={"start": o.start.astimezone(zone), "end": o.end.astimezone(zone)}
                )
                for o in self.overrides
            )
            object.__setattr__(self, "overrides", overrides)
        return self

    def shifts_of(self, person: str) -> tuple[Shift, ...]:
        """The person's shifts in this schedule, in week order."""
        return tuple(s for s in self.shifts if s.person == person)

    def on(self, week: int, layer: Layer, window: str | None = None) -> tuple[Shift, ...]:
        """The shifts of a week and layer (one, in a valid plan without windows); with
        ``window``, that window's occurrences in the week (one person holds them all)."""
        return tuple(
            s
            for s in self.shifts
            if s.week == week and s.layer is layer and (window is None or s.window == window)
        )

    def window_names(self) -> tuple[str, ...]:
        """The windows the plan's shifts name, in the order of ``windows`` (then by name)."""
        order = {w.name: i for i, w in enumerate(self.windows)}
        names = {s.window for s in self.shifts if s.window is not None} | set(order)
        return tuple(sorted(names, key=lambda n: (order.get(n, len(order)), n)))

    def people(self) -> tuple[str, ...]:
        """Everyone who has a shift, sorted."""
        return tuple(sorted({s.person for s in self.shifts}))


class Person(_Model):
    """Who a member id (or contact key) is, so that a plan file is self-contained for feeds."""

    name: str = Field(description="Display name.")
    email: str | None = Field(default=None, description="Email address.")
    timezone: str | None = Field(default=None, description="IANA zone, if not the schedule's.")


class PlanLevel(_Model):
    """One escalation level, copied from the schedule for feeds and reviews."""

    level: int = Field(ge=1, description="Position in the policy, 1 first.")
    targets: tuple[str, ...] = Field(description="Layers ('on-call-primary'), contacts, schedules.")
    timeout_s: float = Field(ge=0, description="Seconds before the next level is paged.")
    severities: tuple[str, ...] | None = Field(
        default=None, description="Only these severities reach the level (default: all)."
    )


def optimality_gap(objective: float | None, bound: float | None) -> float | None:
    """``(objective − bound) / objective``, the one definition of the gap used everywhere.

    0 for a proven plan (bound ≥ objective, which includes objective 0); None when either
    figure is unknown (the greedy fallback has no bound).
    """
    from oncall_planner._args import wrong_type

    for param, value in (("objective", objective), ("bound", bound)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise wrong_type("optimality_gap", param, value, "a number or None")
    if objective is None or bound is None:
        return None
    if bound >= objective or objective <= 0:
        return 0.0
    return (objective - bound) / objective


class ComponentSolve(_Model):
    """How one independent part of an org (schedules linked by shared people) was solved."""

    schedules: tuple[str, ...] = Field(description="The schedules of this component, sorted.")
    status: Literal["OPTIMAL", "FEASIBLE"] = Field(
        description="OPTIMAL only when the bound proves the objective."
    )
    objective: float | None = Field(default=None, description="Objective value.")
    bound: float | None = Field(default=None, description="Best proven bound.")
    gap: float | None = Field(default=None, description="(objective − bound) / objective.")
    wall_s: float | None = Field(default=None, description="Wall time of this component.")


class ShiftChange(_Model):
    """A shift of the previous plan given to someone else (or to nobody) in a re-plan."""

    schedule: str = Field(description="Schedule name.")
    week: int = Field(description="Week index in the new plan.")
    layer: Layer = Field(description="The layer.")
    start: AwareDatetime = Field(description="When the shift starts.")
    before: str | None = Field(description="Who held it in the previous plan.")
    after: str | None = Field(description="Who holds it now.")
    reason: str = Field(description="Why it changed, in words.")
    window: str | None = Field(
        default=None,
        description="The coverage window whose week changed (schedules with windows only; "
        "start is then the week's first occurrence).",
    )


class SolveInfo(_Model):
    """How the plan was made."""

    status: Literal["OPTIMAL", "FEASIBLE", "MANUAL", "IMPORTED"] = Field(
        description="OPTIMAL or FEASIBLE from the solver; MANUAL or IMPORTED otherwise."
    )
    objective: float | None = Field(default=None, description="Objective value.")
    bound: float | None = Field(default=None, description="Best proven bound.")
    wall_s: float | None = Field(default=None, description="Solve wall time in seconds.")
    seed: int | None = Field(default=None, description="Random seed.")
    workers: int | None = Field(default=None, description="Solver workers used.")
    ortools_version: str | None = Field(default=None, description="OR-Tools version.")
    gap: float | None = Field(
        default=None, description="(objective − bound) / objective (see optimality_gap)."
    )
    components: tuple[ComponentSolve, ...] | None = Field(
        default=None,
        description="Per independent component of an org, when it has more than one.",
    )
    changes: tuple[ShiftChange, ...] | None = Field(
        default=None, description="In a re-plan: the previous plan's shifts that changed, and why."
    )


class Plan(_Model):
    """A plan for one or more schedules."""

    format: Literal["oncall-planner/plan@1"] = Field(
        default="oncall-planner/plan@1", description="File format and version."
    )
    schedules: tuple[SchedulePlan, ...] = Field(description="One entry per schedule.")
    solve: SolveInfo | None = Field(default=None, description="Solve information.")
    people: dict[str, Person] = Field(
        default_factory=dict, description="Member id → name, email, zone (optional)."
    )
    created: AwareDatetime | None = Field(
        default=None,
        description="When the plan was first made (UTC); feeds use it as DTSTAMP. Plan files "
        "written before it was recorded have none.",
    )
    revised: AwareDatetime | None = Field(
        default=None,
        description="When this revision was made (UTC), for a plan re-planned from a previous "
        "one; feeds use it for changed shifts.",
    )

    @field_validator("created", "revised")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(microsecond=0)

    @property
    def made(self) -> datetime | None:
        """When this revision of the plan was made: ``revised``, else ``created``."""
        return self.revised or self.created

    @model_validator(mode="after")
    def _override_people(self) -> Plan:
        # An override names someone the plan knows: in `people` or holding a shift somewhere.
        overrides = [(sp.name, o) for sp in self.schedules for o in sp.overrides]
        if not overrides:
            return self
        known = set(self.people) | {s.person for sp in self.schedules for s in sp.shifts}
        for name, o in overrides:
            if o.person not in known:
                raise ValueError(
                    f"override {o.id} in {name} names {o.person!r}, who is neither in the "
                    "plan's people nor on any shift; add them to 'people'"
                )
        return self

    def annotate(self, schedules: Iterable[Schedule]) -> Plan:
        """A copy carrying names, emails, escalation levels and contacts from the schedules.

        The plan file then holds what calendar feeds and reviews show, without the YAML.
        """
        by_name = {s.name: s for s in schedules}
        people = dict(self.people)
        updated = []
        for sp in self.schedules:
            schedule = by_name.get(sp.name)
            if schedule is None:
                updated.append(sp)
                continue
            for m in schedule.participants.members:
                people.setdefault(m.id, Person(name=m.name, email=m.email, timezone=m.timezone))
            updated.append(
                sp.model_copy(
                    update={
                        "escalation": tuple(
                            PlanLevel(
                                level=lvl.level,
                                targets=lvl.targets,
                                timeout_s=lvl.timeout.total_seconds(),
                                severities=lvl.severities,
                            )
                            for lvl in schedule.escalation_policy
                        ),
                        "contacts": {
                            k: Person(name=c.name, email=c.email)
                            for k, c in sorted(schedule.contacts.items())
                        },
                        "windows": schedule.windows,
                        "handoff": (
                            f"{schedule.handoff_day.value} {schedule.handoff_time:%H:%M}"
                            if schedule.windows
                            else sp.handoff
                        ),
                        "coverage": schedule.coverage if schedule.windows else "full",
                    }
                )
            )
        return self.model_copy(
            update={"schedules": tuple(updated), "people": dict(sorted(people.items()))}
        )

    def display_name(self, person: str) -> str:
        """The person's name if the plan knows it, else the id."""
        info = self.people.get(person)
        return info.name if info else person

    def schedule(self, name: str) -> SchedulePlan:
        """The plan of the schedule called ``name``.

        Raises:
            KeyError: The plan has no such schedule.
        """
        for sp in self.schedules:
            if sp.name == name:
                return sp
        raise KeyError(name)

    def all_shifts(self) -> Iterator[tuple[str, Shift]]:
        """Every shift with its schedule name."""
        for sp in self.schedules:
            for s in sp.shifts:
                yield sp.name, s

    def person_ids(self) -> tuple[str, ...]:
        """Everyone with a shift in any schedule, sorted."""
        return tuple(sorted({s.person for _, s in self.all_shifts()}))

    # -- the effective roster (weekly shifts with overrides laid over; see roster) ----------

    def on_call(
        self, at: datetime, schedule: str | None = None, layer: Layer | str = Layer.PRIMARY
    ) -> str | None:
        """Who holds ``layer`` of ``schedule`` at the instant ``at``, overrides included.

        ``schedule`` may be None when the plan has one schedule. None means nobody.

        Raises:
            ValueError: ``at`` is naive, or the schedule or layer is unknown.
        """
        from oncall_planner.roster import on_call

        return on_call(self, at, schedule, layer)

    def effective_shifts(
        self,
        schedule: str | None = None,
        layer: Layer | str | None = None,
        person: str | None = None,
    ) -> list[EffectiveShift]:
        """The effective intervals (schedule, layer, person, start, end, source), by start."""
        from oncall_planner.roster import plan_effective_shifts

        return plan_effective_shifts(self, schedule, layer, person)

    def with_override(
        self,
        schedule: str | None,
        layer: Layer | str,
        person: str,
        start: datetime,
        end: datetime,
        **options: Any,
    ) -> Plan:
        """A copy with one more override; see :func:`oncall_planner.roster.with_override`."""
        from oncall_planner.roster import with_override

        return with_override(self, schedule, layer, person, start, end, **options)

    def with_swap(self, option: SwapOption, *, created: datetime | None = None) -> Plan:
        """A copy with a swap option applied; see :func:`oncall_planner.solver.swap.with_swap`."""
        from oncall_planner.solver.swap import with_swap

        return with_swap(self, option, created=created)

    # -- serialisation ------------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """The plan as JSON-ready data with the fixed key order of the file format."""
        data: dict[str, Any] = {
            "format": self.format,
            "schedules": [
                {
                    "name": sp.name,
                    "timezone": sp.timezone,
                    "start": sp.start.isoformat(),
                    "weeks": sp.weeks,
                    **(
                        {"escalation": [lvl.model_dump(exclude_none=True) for lvl in sp.escalation]}
                        if sp.escalation
                        else {}
                    ),
                    **(
                        {
                            "contacts": {
                                k: c.model_dump(exclude_none=True)
                                for k, c in sorted(sp.contacts.items())
                            }
                        }
                        if sp.contacts
                        else {}
                    ),
                    **({"fairness": [f.model_dump() for f in sp.fairness]} if sp.fairness else {}),
                    **(
                        {
                            "windows": [
                                w.model_dump(mode="json", by_alias=True, exclude_none=True)
                                for w in sp.windows
                            ]
                        }
                        if sp.windows
                        else {}
                    ),
                    **({"coverage": sp.coverage} if sp.coverage != "full" else {}),
                    **({"handoff": sp.handoff} if sp.handoff else {}),
                    "shifts": [
                        {
                            "week": s.week,
                            "layer": s.layer.value,
                            "person": s.person,
                            **({"window": s.window} if s.window is not None else {}),
                            "start": s.start.isoformat(),
                            "end": s.end.isoformat(),
                        }
                        for s in sp.shifts
                    ],
                    **({"overrides": [o.to_data() for o in sp.overrides]} if sp.overrides else {}),
                }
                for sp in sorted(self.schedules, key=lambda sp: sp.name)
            ],
        }
        if self.solve is not None:
            data["solve"] = self.solve.model_dump(mode="json", exclude_none=True)
        if self.people:
            data["people"] = {
                k: p.model_dump(exclude_none=True) for k, p in sorted(self.people.items())
            }
        for key, when in (("created", self.created), ("revised", self.revised)):
            if when is not None:
                data[key] = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The plan file as JSON text (deterministic: same plan, same bytes)."""
        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False) + "\n"

    def to_yaml(self) -> str:
        """The plan file as YAML text."""
        return yaml.safe_dump(self.to_data(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_data(cls, data: object, *, source: str | None = None) -> Plan:
        """Build a plan from parsed JSON/YAML data.

        Raises:
            PlanFileError: The data is not a plan file; every problem is listed.
        """
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise PlanFileError(
                [
                    rule("L004").finding(
                        f"not a plan file: 'format' is {got!r}, expected {PLAN_FORMAT!r}",
                        file=source,
                        path="format",
                    )
                ]
            )
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise PlanFileError(
                [
                    rule("L004").finding(
                        err["msg"],
                        file=source,
                        path=".".join(str(p) for p in err["loc"]),
                        hint=f"got {err.get('input')!r}"[:200],
                    )
                    for err in e.errors()
                ]
            ) from e

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None) -> Plan:
        """Read a plan from JSON text.

        Raises:
            PlanFileError: Not JSON, or not a valid plan.
        """
        data = parse_json(text, source=source, error=PlanFileError)
        return cls.from_data(data, source=source)

    @classmethod
    def from_yaml(cls, text: str, *, source: str | None = None) -> Plan:
        """Read a plan from YAML text.

        Raises:
            PlanFileError: Not YAML, or not a valid plan.
        """
        # The same safe, capped reader as schedules: no alias bombs, duplicate keys reported.
        located = read_yaml(text, file=source)
        if located.problems:
            raise PlanFileError(located.problems)
        data = located.data
        return cls.from_data(data, source=source)

    @classmethod
    def read(cls, path: str | Path) -> Plan:
        """Read a plan file (``.json``, or ``.yaml``/``.yml``).

        Raises:
            PlanFileError: The file is missing, unreadable or not a plan.
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise PlanFileError(
                [rule("L007").finding(f"cannot read plan file: {e}", file=str(p))]
            ) from e
        if p.suffix.lower() in (".yaml", ".yml"):
            return cls.from_yaml(text, source=str(p))
        return cls.from_json(text, source=str(p))


def made_at(when: datetime | None = None) -> datetime:
    """When a plan is made: ``when`` if given, else ``SOURCE_DATE_EPOCH`` if set, else now (UTC).

    ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) pins the time, so that planning the same
    input twice writes the same bytes.

    Raises:
        TypeError: ``when`` is not a datetime.
        ValueError: ``when`` is naive, or ``SOURCE_DATE_EPOCH`` is not a whole number.
    """
    if when is not None:
        if not isinstance(when, datetime):
            raise TypeError(
                f"created must be a timezone-aware datetime (e.g. datetime.now(UTC)), got "
                f"{type(when).__name__} {when!r}"
            )
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(
                f"created must be a timezone-aware datetime (e.g. datetime.now(UTC)), got {when!r}"
            )
        return when.astimezone(UTC).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}")
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def merge_plans(plans: Iterable[Plan]) -> Plan:
    """One plan holding the schedules and people of several (schedule names must not repeat)."""
    schedules: list[SchedulePlan] = []
    people: dict[str, Person] = {}
    created: list[datetime] = []
    revised: list[datetime] = []
    for p in plans:
        schedules.extend(p.schedules)
        for pid, info in p.people.items():
            people.setdefault(pid, info)
        created.extend([p.created] if p.created else [])
        revised.extend([p.revised] if p.revised else [])
    return Plan(
        schedules=tuple(schedules),
        people=dict(sorted(people.items())),
        created=min(created, default=None),
        revised=max(revised, default=None),
    )
