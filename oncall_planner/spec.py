"""The schedule format: what people write in ``schedules/*.yaml``.

These pydantic models are the contract between users' files and the library. They are frozen,
reject unknown keys, and every field carries a description that feeds ``oncall-planner schema``
and ``docs/schedule-format.md``. Nothing here turns wall-clock times into instants: that is
``expand``'s job.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from oncall_planner.durations import VALID_FORMS, format_duration, parse_duration

__all__ = [
    "LAYER_TARGETS",
    "MAX_DATE",
    "MAX_LEVEL",
    "MAX_WEEK_COUNT",
    "MAX_ZONE_NAME_CHARS",
    "MIN_DATE",
    "Compensation",
    "Contact",
    "EscalationLevel",
    "HealthMetrics",
    "Holiday",
    "Member",
    "MemberHistory",
    "Participants",
    "Schedule",
    "ScheduleFile",
    "SeverityEscalation",
    "SeverityFile",
    "SeverityFramework",
    "SeverityLevel",
    "SiteSelector",
    "TimeOff",
    "Weekday",
    "Window",
    "WindowSpan",
    "WorkingHours",
]

#: Escalation targets that name a layer the planner fills.
LAYER_TARGETS = {"on-call-primary": "primary", "on-call-secondary": "secondary"}

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# Limits. Each is far beyond any real schedule and is checked before the work it would blow up.
#: Highest escalation level: PagerDuty allows 20 rules; E201 listed every missing level up to
#: the one given, and ``level: 99999999999`` ran for minutes and gigabytes.
MAX_LEVEL = 100
#: Largest count of weeks (history, shadow weeks done, consecutive weeks): 100 years.
MAX_WEEK_COUNT = 5200
#: Dates are kept well inside ``datetime``'s years 1–9999, so that week arithmetic around them
#: never overflows (a year-0001 date raised OverflowError), and cover any real rotation.
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(2999, 12, 31)
#: Longest time zone name: the longest IANA name has 32 characters; a 300-character one
#: reached the file system ("File name too long") instead of being reported.
MAX_ZONE_NAME_CHARS = 64


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# ---------------------------------------------------------------------------------------------
# Scalar types


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def closest_zones(name: str, n: int = 3) -> list[str]:
    """The IANA zone names closest to a misspelt one, best first."""
    names = _zone_names()
    by_lower = {z.lower(): z for z in names}
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[h] for h in hits]


def _check_zone(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected an IANA time zone name such as 'Europe/Berlin', got {value!r}")
    name = value.strip()
    if len(name) > MAX_ZONE_NAME_CHARS:
        raise ValueError(
            f"time zone name {name[:40]!r}… is {len(name)} characters long; IANA names have at "
            f"most {MAX_ZONE_NAME_CHARS}"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        close = closest_zones(name)
        hint = (
            f"; did you mean {', '.join(repr(z) for z in close)}?"
            if close
            else "; use an IANA name such as 'Europe/Berlin' or 'America/New_York'"
        )
        raise ValueError(f"unknown time zone {name!r}{hint}") from None
    if name not in _zone_names() and name != "UTC":
        # ZoneInfo accepts names such as "utc" on case-insensitive file systems only.
        raise ValueError(f"unknown time zone {name!r}")
    return name


def _wall_minutes(value: object, example: str, *, end_of_day: bool) -> int:
    """``"HH:MM"`` → minutes since midnight; ``"24:00"`` (1440) only with ``end_of_day``."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a quoted wall time "HH:MM" such as "{example}", got {value!r}')
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    also = ' (or "24:00")' if end_of_day else ""
    if not match:
        raise ValueError(f'expected a wall time "HH:MM" such as "{example}"{also}, got {value!r}')
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not end_of_day)):
        hours = "00–23 (or 24:00)" if end_of_day else "00–23"
        raise ValueError(f"{value!r} is not a time of day: hours are {hours}, minutes 00–59")
    return hour * 60 + minute


def _check_hhmm(value: object) -> time:
    if isinstance(value, time):
        return value
    minutes = _wall_minutes(value, "10:00", end_of_day=False)
    return time(minutes // 60, minutes % 60)


def _check_date(value: object) -> date:
    day: date | None = None
    if isinstance(value, date):
        bare = value.date() if isinstance(value, datetime) else value
        if not MIN_DATE <= bare <= MAX_DATE:
            raise ValueError(f"{bare} is out of range: dates run from {MIN_DATE} to {MAX_DATE}")
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value.strip()[:40])
    if day is None:
        raise ValueError(f"expected a date YYYY-MM-DD such as 2027-03-01, got {value!r}")
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"{day} is out of range: dates run from {MIN_DATE} to {MAX_DATE}")
    return day


ZoneName = Annotated[
    str,
    BeforeValidator(_check_zone),
    WithJsonSchema({"type": "string", "description": "IANA time zone, e.g. Europe/Berlin"}),
]
Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": f"a duration: {VALID_FORMS}"},
                {"const": 0},
            ]
        }
    ),
]
WallTime = Annotated[
    time,
    BeforeValidator(_check_hhmm),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}),
]


def _check_clock(value: object) -> int:
    """``"HH:MM"`` with 24:00 allowed → minutes since midnight, 0..1440."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    # A bare number is refused as for handoff_time: `start: 8` is not 00:08.
    return _wall_minutes(value, "08:00", end_of_day=True)


def format_clock(minutes: int) -> str:
    """Minutes since midnight as ``HH:MM`` (1440 is ``24:00``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


#: A wall time of day in minutes since midnight, 0..1440: unlike WallTime it may be "24:00"
#: (the end of a day), which a window's end needs.
ClockTime = Annotated[
    int,
    BeforeValidator(_check_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}),
]


Day = Annotated[
    date,
    BeforeValidator(_check_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def _check_share(value: object) -> float:
    """``25%``, ``"25 %"`` or a fraction such as 0.25 → 0.25."""
    given = value
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(f"expected a share such as '25%' or 0.25, got {given!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a share such as '25%' or 0.25, got {given!r}")
    if not 0 < value <= 1:
        raise ValueError(f"a share must be above 0 % and at most 100 %, got {given!r}")
    return float(value)


Share = Annotated[
    float,
    BeforeValidator(_check_share),
    PlainSerializer(lambda x: f"{x * 100:g}%", return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            ],
            "description": "a share of the time, e.g. '25%' or 0.25",
        }
    ),
]


class Weekday(StrEnum):
    """A day of the week, written in any case (``monday``, ``Monday``, ``MONDAY``)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Monday is 0, as in :meth:`datetime.date.weekday`."""
        return list(Weekday).index(self)

    @classmethod
    def _missing_(cls, value: object) -> Weekday | None:
        if isinstance(value, str):
            lowered = value.strip().lower()
            for day in cls:
                if day.value == lowered or day.value[:3] == lowered:
                    return day
        return None


# ---------------------------------------------------------------------------------------------
# Members


class TimeOff(_Model):
    """Days a member cannot be on call, inclusive at both ends, in the member's time zone."""

    start: Day = Field(description="First day off (YYYY-MM-DD).")
    end: Day | None = Field(
        default=None, description="Last day off, inclusive; defaults to `start` (a single day)."
    )
    reason: str | None = Field(default=None, description="Why, for humans (vacation, conference).")

    @model_validator(mode="before")
    @classmethod
    def _single_date(cls, data: Any) -> Any:
        # "time_off: [2027-02-01]" is one day off.
        if isinstance(data, date | str):
            return {"start": data}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> TimeOff:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"time off ends ({self.end}) before it starts ({self.start}); swap start and end"
            )
        return self

    @property
    def last_day(self) -> date:
        """The last day off (``end``, or ``start`` for a single day)."""
        return self.end or self.start


class MemberHistory(_Model):
    """On-call carry-over from earlier quarters, so fairness spans more than one plan."""

    primary_weeks: float = Field(
        default=0,
        ge=0,
        le=MAX_WEEK_COUNT,
        description="Primary weeks served before; fractions count (a 48 h cover is 0.286).",
    )
    secondary_weeks: float = Field(
        default=0,
        ge=0,
        le=MAX_WEEK_COUNT,
        description="Secondary weeks served before; fractions count.",
    )
    last_on_call: Day | None = Field(
        default=None, description="Start date of the member's last week on call (any layer)."
    )
    last_stint_weeks: int = Field(
        default=1,
        ge=1,
        le=MAX_WEEK_COUNT,
        description="How many consecutive weeks ended with `last_on_call` (for the "
        "consecutive-week limit across plans).",
    )
    shadow_weeks_done: int = Field(
        default=0,
        ge=0,
        description="Shadow weeks served before (e.g. read from a feed); a new engineer "
        "has done the larger of this and the member's `shadow_weeks_done`.",
    )


class WorkingHours(_Model):
    """A member's local working hours, for the handoff-outside-working-hours hint."""

    start: WallTime = Field(default=time(8, 0), description="Start of the working day, HH:MM.")
    end: WallTime = Field(default=time(18, 0), description="End of the working day, HH:MM.")

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"working hours end ({self.end:%H:%M}) before they start")
        return self


class Member(_Model):
    """A person in the rotation."""

    id: str = Field(
        description="Unique slug (lowercase letters, digits, '.', '_', '-'); the same id in two "
        "schedules of an org is the same person."
    )
    name: str = Field(min_length=1, description="Display name, as it appears in calendars.")
    email: str | None = Field(default=None, description="Email, used to match calendar feeds.")
    timezone: ZoneName | None = Field(
        default=None, description="The member's IANA time zone; defaults to the schedule's."
    )
    capacity: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Part-time share (0 < capacity ≤ 1): a 0.5 member gets half a fair share.",
    )
    new_engineer: bool = Field(
        default=False,
        description="A new engineer shadows for `shadow_period` before going primary or "
        "secondary. Existing members are trained unless marked.",
    )
    shadow_weeks_done: int = Field(
        default=0,
        ge=0,
        le=MAX_WEEK_COUNT,
        description="Shadow weeks a new engineer has already done.",
    )
    time_off: tuple[TimeOff, ...] = Field(default=(), description="Days off (inclusive ranges).")
    history: MemberHistory = Field(
        default_factory=MemberHistory, description="Carry-over from earlier quarters."
    )
    avoid_weeks: tuple[Day, ...] = Field(
        default=(), description="Dates whose on-call week the member would rather not take."
    )
    prefer_weeks: tuple[Day, ...] = Field(
        default=(), description="Dates whose on-call week the member would like to take."
    )
    working_hours: WorkingHours | None = Field(
        default=None, description="Local working hours; default 08:00–18:00 business hours."
    )
    max_on_call_share: Share | None = Field(
        default=None,
        description="Most of the plan's weeks this person may be on call (primary or "
        "secondary), across every schedule of the org, e.g. '25%'; a hard rule when set (H010).",
    )
    site: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Where the member works (e.g. 'emea'); windows select members by site "
        "(`members: {site: emea}`).",
    )
    max_night_hours: float | None = Field(
        default=None,
        ge=0,
        le=168,
        description="Most hours per rotation week this person may be on call (primary or "
        "secondary) between 22:00 and 08:00 in their own zone; a hard rule when set (H012).",
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"member id {value!r} is not a slug: use lowercase letters, digits, "
                "'.', '_' or '-', starting with a letter or digit (e.g. 'alice-smith')"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"{value!r} is not an email address (name@example.com)")
        return value


class Participants(_Model):
    """Who is in the rotation and the rules on rotation size."""

    min_rotation_size: int = Field(
        default=2, ge=1, description="Fewest trained members the rotation may have."
    )
    max_consecutive_weeks: int = Field(
        default=1,
        ge=1,
        le=MAX_WEEK_COUNT,
        description="Most weeks in a row anyone is on call (primary or secondary).",
    )
    shadow_period: Duration = Field(
        default=timedelta(0),
        description="How long new engineers shadow before going primary, in whole weeks.",
    )
    max_on_call_share: Share | None = Field(
        default=None,
        description="Most of the plan's weeks any member may be on call (primary or "
        "secondary), across every schedule of the org, e.g. '25%' (Google SRE's ceiling); a "
        "hard rule when set (H010). A member's own setting wins when it is lower.",
    )
    min_rest: Duration | None = Field(
        default=None,
        description="Least time off the pager between two of one person's on-call stretches "
        "in different windows, e.g. '11h' (the EU working-time rule); a hard rule when set "
        "(H011). Occurrences of one window that touch across a handoff are one stretch.",
    )
    members: tuple[Member, ...] = Field(default=(), description="The roster.")

    @field_validator("shadow_period")
    @classmethod
    def _whole_weeks(cls, value: timedelta) -> timedelta:
        if value % timedelta(weeks=1):
            raise ValueError(
                f"shadow_period must be whole weeks (the rotation is weekly), got "
                f"{format_duration(value)}; e.g. '2_weeks'"
            )
        return value

    @field_validator("members")
    @classmethod
    def _unique_ids(cls, members: tuple[Member, ...]) -> tuple[Member, ...]:
        seen: set[str] = set()
        for member in members:
            if member.id in seen:
                raise ValueError(f"duplicate member id {member.id!r}: ids must be unique")
            seen.add(member.id)
        return members

    @property
    def shadow_weeks(self) -> int:
        """``shadow_period`` as a number of weeks."""
        return self.shadow_period // timedelta(weeks=1)


# ---------------------------------------------------------------------------------------------
# Escalation, contacts and the rest of the schedule


class EscalationLevel(_Model):
    """One step of the escalation policy.

    Level k is paged when the earlier levels' timeouts have all run out (PagerDuty, GoAlert
    and Grafana semantics): with timeouts 5, 10, 15 minutes, level 3 is paged at 15 minutes.
    """

    level: int = Field(ge=1, le=MAX_LEVEL, description="Position in the policy, 1 first.")
    target: str | tuple[str, ...] = Field(
        description="Who is paged: 'on-call-primary', 'on-call-secondary', a contact key, "
        "another schedule of the org, or a list of these."
    )
    timeout: Duration = Field(
        description="How long this level has to acknowledge before the next level is paged."
    )
    severities: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="Only incidents of these severities (e.g. [SEV1]) reach this level; the "
        "others skip it, and its timeout. Default: every severity.",
    )

    @property
    def targets(self) -> tuple[str, ...]:
        """The target(s) as a tuple."""
        return (self.target,) if isinstance(self.target, str) else self.target

    def applies_to(self, severity: str) -> bool:
        """True if incidents of ``severity`` reach this level."""
        return self.severities is None or severity in self.severities


class Contact(_Model):
    """A named person or group outside the rotation (a manager, a VP)."""

    name: str = Field(min_length=1, description="Display name.")
    email: str | None = Field(default=None, description="Email address.")
    phone: str | None = Field(default=None, description="Phone number.")
    role: str | None = Field(
        default=None, description="Role for the severity framework (e.g. 'vp-engineering', 'cto')."
    )


class Compensation(_Model):
    """What the team pays or gives back for carrying the pager."""

    on_call_stipend: bool = Field(default=False, description="A stipend per week on call.")
    incident_response_overtime: bool = Field(
        default=False, description="Overtime for after-hours incident work."
    )
    post_incident_time_off: bool = Field(
        default=False, description="Rest after long night-time SEV1 incidents."
    )


class HealthMetrics(_Model):
    """Page-load health settings for reviews."""

    track_pages_per_shift: bool = Field(default=True, description="Count pages per shift.")
    alert_if_pages_exceed: int = Field(
        default=5, ge=0, description="A shift with more pages than this per week is noisy."
    )
    track_mttr_per_engineer: bool = Field(default=True, description="Report MTTR per person.")
    quarterly_on_call_review: bool = Field(default=True, description="Run quarterly reviews.")


class Holiday(_Model):
    """A public holiday that weighs extra in fairness."""

    date: Day = Field(description="The holiday's date (YYYY-MM-DD), in the schedule's zone.")
    name: str = Field(default="holiday", description="What the holiday is called.")

    @model_validator(mode="before")
    @classmethod
    def _bare_date(cls, data: Any) -> Any:
        if isinstance(data, date | str):
            return {"date": data}
        return data


# ---------------------------------------------------------------------------------------------
# Coverage windows

_DAY_ABBREV = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_number(text: str, given: object) -> int:
    day = Weekday._missing_(text)
    if day is None:
        close = difflib.get_close_matches(text.strip().lower(), list(_DAY_ABBREV), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(
            f"{text!r} in {given!r} is not a weekday; {guess}use mon, tue, wed, thu, fri, sat, "
            "sun (or full names)"
        )
    return day.number


def _check_days(value: object) -> tuple[int, ...]:
    """``mon-fri``, ``sat,sun``, ``fri-mon`` (wraps), ``daily``, or a list → weekday numbers."""
    given = value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("daily", "every day", "all"):
            return tuple(range(7))
        parts: list[object] = [t for t in re.split(r"[,\s]+", text) if t]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ValueError(f"expected days such as 'mon-fri', 'sat,sun' or 'daily', got {given!r}")
    days: set[int] = set()
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool) and 0 <= part <= 6:
            days.add(part)
            continue
        if not isinstance(part, str) or not part.strip():
            raise ValueError(
                f"expected days such as 'mon-fri', 'sat,sun' or 'daily', got {given!r}"
            )
        if "-" in part:
            a_text, _, b_text = part.partition("-")
            a, b = _day_number(a_text, given), _day_number(b_text, given)
            k = a
            while True:
                days.add(k)
                if k == b:
                    break
                k = (k + 1) % 7
        else:
            days.add(_day_number(part, given))
    if not days:
        raise ValueError(f"expected at least one day, got {given!r}")
    return tuple(sorted(days))


def _format_days(days: tuple[int, ...]) -> str:
    """(0, 1, 2, 3, 4) → ``mon-fri``; (5, 6) → ``sat,sun``; all seven → ``daily``."""
    if len(days) == 7:
        return "daily"
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ",".join(
        f"{_DAY_ABBREV[r[0]]}-{_DAY_ABBREV[r[-1]]}"
        if len(r) > 2
        else ",".join(_DAY_ABBREV[d] for d in r)
        for r in runs
    )


#: Weekdays of a daily window, Monday = 0 (written ``mon-fri``, ``sat,sun`` or ``daily``).
DaySet = Annotated[
    tuple[int, ...],
    BeforeValidator(_check_days),
    PlainSerializer(_format_days, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "days: 'mon-fri', 'sat,sun', 'daily'"},
                {"type": "array", "items": {"type": "string"}},
            ]
        }
    ),
]


def _check_week_time(value: object) -> int:
    """``"fri 24:00"`` → minutes since Monday 00:00 (0..10080)."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([A-Za-z]+)\s+(\S+)\s*", value)
        if match:
            day = _day_number(match[1], value)
            return day * 1440 + _check_clock(match[2])
    raise ValueError(f"expected a weekday and a wall time such as 'fri 18:00', got {value!r}")


def _format_week_time(minutes: int) -> str:
    day, rest = divmod(minutes, 1440)
    if day == 7:
        return f"sun {format_clock(1440)}"
    return f"{_DAY_ABBREV[day]} {format_clock(rest)}"


#: A time in the week as minutes since Monday 00:00 (written ``fri 18:00``; ``fri 24:00`` is
#: Saturday 00:00).
WeekTime = Annotated[
    int,
    BeforeValidator(_check_week_time),
    PlainSerializer(_format_week_time, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z]+ \d{1,2}:\d{2}$"}),
]


class WindowSpan(_Model):
    """A window that runs across days: from one weekday and time to another, every week."""

    start: WeekTime = Field(
        alias="from", description="Where the window starts: a weekday and time, 'fri 18:00'."
    )
    end: WeekTime = Field(
        alias="to",
        description="Where it ends: 'mon 09:00' (the next such moment after the start).",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> WindowSpan:
        if self.start % 10080 == self.end % 10080:
            raise ValueError(
                f"span from {_format_week_time(self.start)} to {_format_week_time(self.end)} "
                "is empty (or the whole week): a 24×7 layer needs no windows"
            )
        return self


class SiteSelector(_Model):
    """Selects the members of one or more sites."""

    site: str | tuple[str, ...] = Field(description="A site name, or a list of them.")

    @property
    def sites(self) -> tuple[str, ...]:
        """The site(s) as a tuple."""
        return (self.site,) if isinstance(self.site, str) else self.site


def _check_selector(value: object) -> object:
    """``{site: emea}`` (or a list of sites) or a list of member ids; anything else is refused
    in one sentence (pydantic's union errors named the class and a tuple)."""
    expected = "{site: NAME} (or {site: [A, B]}) or a list of member ids"
    if value is None or isinstance(value, SiteSelector):
        return value
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k != "site")
        if unknown or "site" not in value:
            raise ValueError(f"expected {expected}, got keys {sorted(map(str, value))}")
        site = value["site"]
        sites = site if isinstance(site, list | tuple) else [site]
        if not sites or not all(isinstance(x, str) and x.strip() for x in sites):
            raise ValueError(f"site must be a name or a list of names, got {site!r}")
        return SiteSelector(site=site if isinstance(site, str) else tuple(site))
    if isinstance(value, list | tuple):
        if not all(isinstance(x, str) and x.strip() for x in value):
            raise ValueError(f"expected {expected}, got {value!r}"[:300])
        return tuple(value)
    raise ValueError(f"expected {expected}, got {value!r}"[:300])


class Window(_Model):
    """A coverage window: a weekly rotation of its own over part of each week.

    Either a *daily* window (``days`` with ``start`` and ``end``; an end before the start
    crosses midnight, ``24:00`` is the end of the day) or a *span* window (``span: {from, to}``,
    across days). Wall times are in the window's ``timezone`` (default: the schedule's). In
    every rotation week one person holds each paged layer of the window for all of its
    occurrences in that week.
    """

    name: str = Field(description="Window name (a slug), unique in the schedule.")
    description: str | None = Field(default=None, description="What the window covers.")
    days: DaySet | None = Field(
        default=None, description="Days of a daily window: 'mon-fri', 'sat,sun', 'daily'."
    )
    start: ClockTime | None = Field(
        default=None, description='Start of a daily window, "HH:MM" (quote it in YAML).'
    )
    end: ClockTime | None = Field(
        default=None,
        description='End of a daily window, "HH:MM"; before the start crosses midnight, '
        '"24:00" is the end of the day.',
    )
    span: WindowSpan | None = Field(
        default=None, description="A window across days: {from: 'fri 18:00', to: 'mon 09:00'}."
    )
    timezone: ZoneName | None = Field(
        default=None, description="IANA zone of the window's wall times; default the schedule's."
    )
    members: Annotated[SiteSelector | tuple[str, ...] | None, BeforeValidator(_check_selector)] = (
        Field(
            default=None,
            description="Who may hold the window: {site: emea} or a list of member ids; default "
            "every member.",
        )
    )
    weight: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description="How much an hour of this window weighs in fair load (e.g. 1.5 for weekends).",
    )

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"window name {value!r} is not a slug: use lowercase letters, digits, "
                "'.', '_' or '-' (e.g. 'emea')"
            )
        return value

    @model_validator(mode="after")
    def _one_shape(self) -> Window:
        daily = (self.days, self.start, self.end)
        if self.span is not None:
            if any(v is not None for v in daily):
                raise ValueError(
                    f"window {self.name!r} has both 'span' and days/start/end: use one shape"
                )
            return self
        missing = [k for k, v in zip(("days", "start", "end"), daily, strict=True) if v is None]
        if missing:
            raise ValueError(
                f"window {self.name!r} needs {', '.join(missing)} (a daily window: days, start "
                "and end) or a 'span: {from, to}'"
            )
        assert self.start is not None and self.end is not None
        if self.start >= 1440:
            raise ValueError(f"window {self.name!r} starts at 24:00: start at 00:00 instead")
        if self.start == self.end % 1440:
            raise ValueError(
                f"window {self.name!r} starts and ends at {format_clock(self.start)}: a whole "
                "day is start '00:00', end '24:00'; longer stretches are a 'span'"
            )
        return self

    def selects(self, member: Member) -> bool:
        """True if the member may hold this window."""
        if self.members is None:
            return True
        if isinstance(self.members, SiteSelector):
            return member.site is not None and member.site in self.members.sites
        return member.id in self.members

    def shape(self) -> str:
        """``mon-fri 08:00–16:00 Europe/Berlin`` or ``fri 18:00 → mon 09:00``, for messages."""
        zone = f" {self.timezone}" if self.timezone else ""
        if self.span is not None:
            return (
                f"{_format_week_time(self.span.start)} → {_format_week_time(self.span.end)}{zone}"
            )
        assert self.days is not None and self.start is not None and self.end is not None
        hours = f"{format_clock(self.start)}–{format_clock(self.end)}"
        return f"{_format_days(self.days)} {hours}{zone}"


class Schedule(_Model):
    """One on-call schedule (one rotation with its escalation policy)."""

    name: str = Field(min_length=1, description="Schedule name, unique within an org.")
    description: str | None = Field(default=None, description="What the rotation covers.")
    timezone: ZoneName = Field(description="IANA time zone of handoffs and holidays.")
    rotation_type: Literal["weekly"] = Field(
        default="weekly", description="Rotation length; only 'weekly' is supported."
    )
    handoff_time: WallTime = Field(
        description='Local wall time of the handoff, "HH:MM" (quote it in YAML).'
    )
    handoff_day: Weekday = Field(description="Weekday of the handoff, in any case.")
    participants: Participants = Field(description="Roster and rotation-size rules.")
    escalation_policy: tuple[EscalationLevel, ...] = Field(
        default=(), description="Who is paged, in order, and after how long."
    )
    contacts: dict[str, Contact] = Field(
        default_factory=dict, description="Named escalation targets outside the rotation."
    )
    compensation: Compensation = Field(
        default_factory=Compensation, description="Compensation policy."
    )
    health_metrics: HealthMetrics = Field(
        default_factory=HealthMetrics, description="Page-load health settings."
    )
    holidays: tuple[Holiday, ...] = Field(default=(), description="Holidays weighing extra.")
    ignore: tuple[str, ...] = Field(
        default=(), description="Rule codes (or prefixes) not to report for this schedule."
    )
    windows: tuple[Window, ...] = Field(
        default=(),
        description="Coverage windows: parts of each week, each a weekly rotation of its own "
        "(follow-the-sun, weekday/weekend). Default: one person holds each layer all week.",
    )
    coverage: Literal["full", "partial"] = Field(
        default="full",
        description="'full': the windows tile the week, every instant covered exactly once "
        "(S108); 'partial': gaps are allowed (a business-hours layer) and reviews report pages "
        "outside coverage.",
    )

    @field_validator("windows")
    @classmethod
    def _unique_windows(cls, windows: tuple[Window, ...]) -> tuple[Window, ...]:
        seen: set[str] = set()
        for w in windows:
            if w.name in seen:
                raise ValueError(f"duplicate window name {w.name!r}: names must be unique")
            seen.add(w.name)
        return windows

    @field_validator("handoff_day", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        if isinstance(value, str) and Weekday._missing_(value) is None:
            days = [d.value for d in Weekday]
            close = difflib.get_close_matches(value.strip().lower(), days, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"{value!r} is not a weekday; {guess}use one of {', '.join(days)}")
        return Weekday(value) if isinstance(value, str) else value

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def uses_secondary(self) -> bool:
        """True when the escalation policy pages the secondary layer."""
        return any("on-call-secondary" in lvl.targets for lvl in self.escalation_policy)

    def window(self, name: str) -> Window:
        """The window called ``name``.

        Raises:
            KeyError: No such window.
        """
        for w in self.windows:
            if w.name == name:
                return w
        raise KeyError(name)

    def window_members(self, window: Window | None) -> tuple[Member, ...]:
        """The members who may hold a window (everyone for None), sorted by id."""
        members = sorted(self.participants.members, key=lambda m: m.id)
        return tuple(m for m in members if window is None or window.selects(m))

    def member(self, member_id: str) -> Member:
        """The member with this id.

        Raises:
            KeyError: No such member.
        """
        for m in self.participants.members:
            if m.id == member_id:
                return m
        raise KeyError(member_id)


class ScheduleFile(_Model):
    """The top level of a schedule file: one ``schedule:`` key."""

    schedule: Schedule = Field(description="The schedule.")


# ---------------------------------------------------------------------------------------------
# Severity framework


class SeverityEscalation(_Model):
    """Someone a severity must reach, and by when."""

    target: str = Field(description="Role or contact, e.g. 'vp-engineering', 'cto'.")
    within: Duration = Field(
        default=timedelta(0), description="Reached within this long of the page; 0 = immediately."
    )


class SeverityLevel(_Model):
    """One severity level (SEV1–SEV4)."""

    level: str = Field(description="Short code, e.g. 'SEV1'.")
    name: str = Field(description="Name, e.g. 'Critical'.")
    criteria: str = Field(default="", description="When this severity applies.")
    response_time: Duration = Field(description="Time to first response (acknowledgement).")
    update_cadence: Duration = Field(description="How often status updates go out.")
    escalation: tuple[SeverityEscalation, ...] = Field(
        default=(), description="Who must be reached and by when."
    )
    notes: str | None = Field(default=None, description="Free text (e.g. 'next standup').")


class SeverityFramework(_Model):
    """The incident severity framework a policy is checked against."""

    name: str = Field(default="default", description="Name of the framework.")
    levels: tuple[SeverityLevel, ...] = Field(min_length=1, description="Severities, worst first.")

    @field_validator("levels")
    @classmethod
    def _unique(cls, levels: tuple[SeverityLevel, ...]) -> tuple[SeverityLevel, ...]:
        names = [s.level for s in levels]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate severity level(s): {', '.join(dupes)}")
        return levels

    @property
    def fastest(self) -> SeverityLevel:
        """The severity with the shortest response time."""
        return min(self.levels, key=lambda s: s.response_time)


class SeverityFile(_Model):
    """The top level of a severity file: one ``severity_framework:`` key."""

    severity_framework: SeverityFramework = Field(description="The framework.")
