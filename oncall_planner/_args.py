"""Argument checks at the public boundary of the Python API.

A notebook user passes what is natural: ``"2027-01-04"`` for a date, a ``str`` or ``Path`` for a
file, an org where a schedule would do. Each public function turns such values into the types
it works with here, at its top, and refuses anything else with a ``TypeError`` (wrong kind of
value) or ``ValueError`` (right kind, wrong value) whose message names the function, the
parameter, the value given and what is accepted::

    plan(): weeks must be a whole number of weeks (int) from 1 to 520, got '13' (str)

Without these checks, ``plan(s, "2027-01-04", 13)`` failed deep inside with
``AttributeError: 'str' object has no attribute 'weekday'``.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from oncall_planner.health.pages import PageLog
    from oncall_planner.health.period import Period
    from oncall_planner.loader import Org
    from oncall_planner.plans import Plan
    from oncall_planner.solver.options import PlanOptions
    from oncall_planner.spec import Member, MemberHistory, Schedule, SeverityFramework

__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
    "bad_value",
    "bool_arg",
    "codes_arg",
    "date_arg",
    "describe",
    "feed_arg",
    "instant_arg",
    "int_arg",
    "mapping_arg",
    "number_arg",
    "path_arg",
    "period_arg",
    "plan_arg",
    "plan_args",
    "review_args",
    "roster_arg",
    "schedule_arg",
    "schedules_arg",
    "severity_arg",
    "source_arg",
    "str_arg",
    "swap_hint",
    "wrong_type",
]

_PATH = "str or pathlib.Path"
_T = TypeVar("_T")


class ArgumentTypeError(TypeError):
    """A public function was given a value of the wrong kind."""


class ArgumentValueError(ValueError):
    """A public function was given a value of the right kind that it cannot use."""


def describe(value: object) -> str:
    """``'13' (str)``: the value as given, shortened, with its type."""
    name = _short(value)
    if name is not None:
        return name
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _short(value: object) -> str | None:
    """The library's own objects by name: their repr runs to thousands of characters."""
    from oncall_planner.loader import Org
    from oncall_planner.plans import Plan
    from oncall_planner.spec import Schedule

    if isinstance(value, Schedule):
        return f"Schedule {value.name!r}"
    if isinstance(value, Org):
        return f"Org of {', '.join(s.name for s in value)}"
    if isinstance(value, Plan):
        return f"Plan of {', '.join(sp.name for sp in value.schedules)}"
    return None


def swap_hint(value: object) -> str:
    """A reminder when the value is one of the library's own objects in the wrong place."""
    return "; arguments swapped?" if _short(value) is not None else ""


def wrong_type(func: str, param: str, value: object, accepted: str, hint: str = "") -> TypeError:
    """``plan(): start must be <accepted>, got <value> (<type>)<hint>``."""
    return ArgumentTypeError(f"{func}(): {param} must be {accepted}, got {describe(value)}{hint}")


def bad_value(func: str, param: str, value: object, accepted: str, hint: str = "") -> ValueError:
    """As :func:`wrong_type`, for a value of the right type that is not valid."""
    return ArgumentValueError(f"{func}(): {param} must be {accepted}, got {describe(value)}{hint}")


def _is_path_text(value: str) -> bool:
    return bool(value.strip()) and "\n" not in value and len(value) < 4096


def _existing(func: str, param: str, value: object, accepted: str) -> Path | None:
    """``value`` as the path of an existing file or folder; None if it is no path at all."""
    if isinstance(value, os.PathLike) or (isinstance(value, str) and _is_path_text(value)):
        path = Path(value)
        if not path.exists():
            raise bad_value(func, param, value, accepted, f"; no such file or folder: {path}")
        return path
    return None


# -- scalars -----------------------------------------------------------------------------------


def date_arg(func: str, param: str, value: object) -> date:
    """A ``date``, or an ISO date string ``YYYY-MM-DD``."""
    accepted = "a date or an ISO date string such as '2027-01-04'"
    if isinstance(value, datetime):
        raise wrong_type(func, param, value, accepted, "; pass its .date()")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise bad_value(func, param, value, accepted) from None
    raise wrong_type(func, param, value, accepted)


def instant_arg(func: str, param: str, value: object) -> datetime:
    """A time-zone-aware ``datetime``, or an ISO string with an offset."""
    accepted = "a time-zone-aware datetime or an ISO string such as '2027-01-04T10:00+01:00'"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise bad_value(func, param, value, accepted) from None
        value_dt = parsed
    elif isinstance(value, datetime):
        value_dt = value
    else:
        raise wrong_type(func, param, value, accepted)
    if value_dt.tzinfo is None or value_dt.utcoffset() is None:
        raise bad_value(func, param, value, accepted, "; it has no time zone")
    return value_dt


def int_arg(
    func: str, param: str, value: object, *, lo: int | None = None, hi: int | None = None, what: str
) -> int:
    """A whole number (not a bool, not a string), within ``lo``..``hi`` when given."""
    bounds = ""
    if lo is not None and hi is not None:
        bounds = f" between {lo} and {hi}"
    elif lo is not None:
        bounds = f" of at least {lo}"
    accepted = f"{what} (int){bounds}"
    if isinstance(value, bool | str | bytes | float):
        hint = "; write the number without quotes" if isinstance(value, str) else ""
        raise wrong_type(func, param, value, accepted, hint)
    try:
        number = operator.index(value)  # type: ignore[arg-type]  # int, numpy integers
    except TypeError:
        raise wrong_type(func, param, value, accepted) from None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise bad_value(func, param, value, accepted)
    return number


def number_arg(
    func: str, param: str, value: object, *, lo: float, hi: float | None = None, what: str
) -> float:
    """A real number (int or float, not a bool) within ``lo``..``hi``."""
    accepted = f"{what} (a number) from {lo:g}" + (f" to {hi:g}" if hi is not None else " up")
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            if isinstance(value, bool | str | bytes):
                raise TypeError
            number = float(value)  # type: ignore[arg-type]  # numpy floats
        except (TypeError, ValueError):
            raise wrong_type(func, param, value, accepted) from None
    else:
        number = float(value)
    if not (lo <= number <= (hi if hi is not None else float("inf"))):
        raise bad_value(func, param, value, accepted)
    return number


def bool_arg(func: str, param: str, value: object) -> bool:
    """``True`` or ``False`` (a string ``"false"`` is truthy, so it is refused)."""
    if not isinstance(value, bool):
        raise wrong_type(func, param, value, "True or False")
    return value


def str_arg(
    func: str,
    param: str,
    value: object,
    *,
    what: str = "a string",
    choices: Sequence[str] | None = None,
) -> str:
    """A non-empty string, one of ``choices`` when given."""
    accepted = what if choices is None else "one of " + ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise wrong_type(func, param, value, accepted)
    if not value.strip() or (choices is not None and value not in choices):
        raise bad_value(func, param, value, accepted)
    return value


def codes_arg(func: str, param: str, value: object) -> tuple[str, ...]:
    """Rule codes or prefixes: a list such as ``["E2", "H003"]`` or a string ``"E2,H003"``.

    A bare string is a sequence of characters: ``select="E2"`` would otherwise have selected
    every code starting with ``E`` or ``2``.
    """
    accepted = "rule codes or prefixes, as a list such as ['E2', 'H003'] or a string 'E2,H003'"
    if isinstance(value, str):
        items: list[object] = [c for c in value.split(",") if c.strip()]
    elif isinstance(value, Sequence | set | frozenset | tuple) and not isinstance(value, bytes):
        items = list(value)
    else:
        raise wrong_type(func, param, value, accepted)
    if not all(isinstance(c, str) and c.strip() for c in items):
        raise wrong_type(func, param, value, accepted)
    return tuple(str(c).strip().upper() for c in items)


def mapping_arg(func: str, param: str, value: object, *, what: str) -> Mapping[Any, Any]:
    """A mapping (``dict``) with string keys."""
    accepted = f"a mapping of {what}"
    if not isinstance(value, Mapping):
        raise wrong_type(func, param, value, accepted)
    bad = next((k for k in value if not isinstance(k, str)), None)
    if bad is not None:
        raise wrong_type(func, param, value, accepted, f"; key {describe(bad)} is not a string")
    return value


# -- files and the library's own types ---------------------------------------------------------


def path_arg(
    func: str,
    param: str,
    value: object,
    *,
    what: str = "a path (" + _PATH + ")",
    exists: bool = False,
) -> Path:
    """A ``str`` or ``os.PathLike`` naming a file or folder (that exists, with ``exists``)."""
    if exists:
        found = _existing(func, param, value, what)
        if found is not None:
            return found
    if isinstance(value, os.PathLike):
        return Path(value)
    if isinstance(value, str):
        if not _is_path_text(value):
            raise bad_value(func, param, value, what)
        return Path(value)
    raise wrong_type(func, param, value, what)


def _object_or_file(
    func: str, param: str, value: object, kind: type[_T], what: str, read: Callable[[Path], _T]
) -> _T:
    """A ``kind``, or the path of a file that ``read`` turns into one (a plan, a severity file).

    ``what`` names both in the message: ``a Plan or the path of a plan file (str or
    pathlib.Path)``; a string that names no file is a bad value, anything else a wrong type
    (with a reminder when it is one of the library's objects in the wrong place).
    """
    if isinstance(value, kind):
        return value
    accepted = f"{what} ({_PATH})"
    path = _existing(func, param, value, accepted)
    if path is not None:
        return read(path)
    if isinstance(value, str):
        raise bad_value(func, param, value, accepted)
    raise wrong_type(func, param, value, accepted, swap_hint(value))


def plan_arg(func: str, param: str, value: object) -> Plan:
    """A :class:`Plan`, or the path of a plan file (read with ``Plan.read``)."""
    from oncall_planner.plans import Plan

    return _object_or_file(func, param, value, Plan, "a Plan or the path of a plan file", Plan.read)


def _load_target(value: str | os.PathLike[str]) -> Schedule | Org:
    from oncall_planner.loader import load_org, load_schedule

    path = Path(value)
    return load_org(path) if path.is_dir() else load_schedule(path)


def schedule_arg(func: str, param: str, value: object, *, org_to: str = "") -> Schedule:
    """One :class:`Schedule`, or the path of a schedule file.

    An org of exactly one schedule is that schedule; a larger org is refused with a pointer to
    ``org_to`` (the function that takes orgs), e.g. ``plan(org, ...)`` → ``plan_org``.
    """
    from oncall_planner.loader import Org
    from oncall_planner.spec import Schedule

    accepted = f"a Schedule or the path of a schedule file ({_PATH})"
    found: object = value
    path = _existing(func, param, value, accepted)
    if path is not None:
        found = _load_target(path)
    if isinstance(found, Org):
        if len(found) == 1:
            return found.schedules[0]
        names = ", ".join(s.name for s in found)
        other = f"use {org_to}() for an org, or " if org_to else ""
        raise wrong_type(
            func,
            param,
            value,
            accepted,
            f"; that org has {len(found)} schedules ({names}): {other}pick one with "
            "org.schedule(name)",
        )
    if isinstance(found, Schedule):
        return found
    if isinstance(value, str):
        raise bad_value(func, param, value, accepted)
    raise wrong_type(func, param, value, accepted, swap_hint(value))


def schedules_arg(func: str, param: str, value: object) -> Schedule | Org:
    """A :class:`Schedule`, an :class:`Org`, several schedules, or a schedule file or org folder.

    Several schedules come back as one org.
    """
    from oncall_planner.loader import Org
    from oncall_planner.spec import Schedule

    accepted = (
        "a Schedule, an Org, a list of Schedules, or the path of a schedule file or org folder "
        f"({_PATH})"
    )
    if isinstance(value, Schedule | Org):
        return value
    path = _existing(func, param, value, accepted)
    if path is not None:
        return _load_target(path)
    if isinstance(value, str):
        raise bad_value(func, param, value, accepted)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        items = list(value)
        if items and all(isinstance(s, Schedule) for s in items):
            return Org(tuple(items))
        if not items:
            raise bad_value(func, param, value, accepted, "; the list is empty")
    raise wrong_type(func, param, value, accepted, swap_hint(value))


def severity_arg(func: str, param: str, value: object) -> SeverityFramework:
    """A :class:`SeverityFramework`, or the path of a severity file."""
    from oncall_planner.loader import load_severity
    from oncall_planner.spec import SeverityFramework

    what = "a SeverityFramework or the path of a severity file"
    return _object_or_file(func, param, value, SeverityFramework, what, load_severity)


def feed_arg(func: str, param: str, value: object) -> tuple[bytes, str | None]:
    """An iCalendar feed as ``bytes``, as text, or the path of a ``.ics`` file.

    Returns the feed's bytes and, for a path, the file name (for findings).
    """
    accepted = f"the feed as bytes or text, or the path of an .ics file ({_PATH})"
    if isinstance(value, bytes | bytearray):
        return bytes(value), None
    if isinstance(value, str) and "BEGIN:VCALENDAR" in value.upper():
        return value.encode("utf-8"), None
    path = _existing(func, param, value, accepted)
    if path is not None:
        if path.is_dir():
            raise bad_value(func, param, value, accepted, "; that is a folder")
        return path.read_bytes(), str(path)
    if isinstance(value, str):
        raise bad_value(func, param, value, accepted)
    raise wrong_type(func, param, value, accepted)


def plan_args(
    func: str,
    start: object,
    weeks: object,
    previous: object,
    freeze_until: object,
    options: object,
    history: object,
) -> tuple[
    date, int, Plan | None, date | None, PlanOptions | None, Mapping[str, MemberHistory] | None
]:
    """The arguments ``plan`` and ``plan_org`` share, checked and converted."""
    from oncall_planner.solver.api import MAX_WEEKS
    from oncall_planner.solver.options import PlanOptions
    from oncall_planner.spec import MemberHistory

    day = date_arg(func, "start", start)
    n = int_arg(func, "weeks", weeks, lo=1, hi=MAX_WEEKS, what="a number of weeks")
    before = None if previous is None else plan_arg(func, "previous", previous)
    freeze = None if freeze_until is None else date_arg(func, "freeze_until", freeze_until)
    if options is not None and not isinstance(options, PlanOptions):
        raise wrong_type(func, "options", options, "a PlanOptions or None")
    carried: Mapping[str, MemberHistory] | None = None
    if history is not None:
        accepted = "a mapping of member id → MemberHistory"
        given = mapping_arg(func, "history", history, what="member id → MemberHistory")
        for value in given.values():
            if not isinstance(value, MemberHistory):
                raise wrong_type(func, "history", history, accepted, f"; {describe(value)}")
        carried = given
    return day, n, before, freeze, options, carried


def review_args(
    pages: object,
    plan: object,
    schedule: object,
    period: object,
    severity: object,
    recipients: object,
    settings: object,
) -> tuple[PageLog | pd.DataFrame | Path, Plan, Schedule | Org, Period, SeverityFramework | None]:
    """``review``'s arguments, checked and converted (pages, plan, schedule, period, severity)."""
    import pandas as pd

    from oncall_planner.health.compute import Settings
    from oncall_planner.health.pages import PageLog

    if not isinstance(pages, PageLog | pd.DataFrame):
        accepted = (
            "a PageLog, a DataFrame of pages, or the path of a page export (str or pathlib.Path)"
        )
        if not isinstance(pages, str | os.PathLike):
            raise wrong_type("review", "pages", pages, accepted, swap_hint(pages))
        pages = path_arg("review", "pages", pages, what=accepted, exists=True)
    the_plan = plan_arg("review", "plan_or_history", plan)
    target = schedules_arg("review", "schedule", schedule)
    the_period = period_arg("review", "period", period)
    framework = None if severity is None else severity_arg("review", "severity", severity)
    if recipients is not None:
        given = mapping_arg("review", "recipients", recipients, what="export name → member id")
        if not all(isinstance(v, str) for v in given.values()):
            raise wrong_type(
                "review", "recipients", recipients, "a mapping of export name → member id (str)"
            )
    if settings is not None and not isinstance(settings, Settings):
        raise wrong_type("review", "settings", settings, "a ReviewSettings or None")
    return pages, the_plan, target, the_period, framework


def period_arg(func: str, param: str, period: object) -> Period:
    """A :class:`Period`, a quarter string, or a ``(first_day, last_day)`` pair."""
    from oncall_planner.health.period import Period

    accepted = (
        "a quarter such as '2027Q1', a (first_day, last_day) pair of dates or ISO date "
        "strings, or a Period"
    )
    if isinstance(period, Period):
        return period
    if isinstance(period, str):
        try:
            return Period.quarter(period)
        except ValueError:
            raise bad_value(func, param, period, accepted) from None
    if isinstance(period, tuple | list) and len(period) == 2:
        first = date_arg(func, f"{param}[0]", period[0])
        last = date_arg(func, f"{param}[1]", period[1])
        if last < first:
            raise bad_value(func, param, period, accepted, "; it ends before it starts")
        return Period.between(first, last)
    raise wrong_type(func, param, period, accepted)


def roster_arg(func: str, param: str, roster: object) -> list[Member] | None:
    """Members to match against: members, or a schedule or org whose members they are."""
    from oncall_planner.loader import Org
    from oncall_planner.spec import Member, Schedule

    if roster is None:
        return None
    if isinstance(roster, Schedule):
        return list(roster.participants.members)
    if isinstance(roster, Org):
        return [m for s in roster for m in s.participants.members]
    accepted = "None, a Schedule, an Org, or a list of Members"
    if isinstance(roster, str | bytes) or not isinstance(roster, Iterable):
        raise wrong_type(func, param, roster, accepted)
    members = list(roster)
    bad = next((m for m in members if not isinstance(m, Member)), None)
    if bad is not None:
        raise wrong_type(func, param, roster, accepted, f"; {describe(bad)}")
    return members


def source_arg(func: str, source: object, kind: str) -> None:
    """A path or YAML text (``load_schedule``, ``load_severity``)."""
    if not isinstance(source, str | os.PathLike):
        raise wrong_type(
            func,
            "source",
            source,
            f"the path of a {kind} file (str or pathlib.Path) or its YAML text",
        )
