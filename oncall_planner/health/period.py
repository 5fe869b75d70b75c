"""The review period: a quarter (``2027Q1``) or a range of local days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall_planner.expand import local_instant

__all__ = ["Period"]

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True)
class Period:
    """Local days ``start`` (inclusive) to ``end`` (exclusive), read in the schedule's zone.

    Attributes:
        start: The first day of the period.
        end: The day after the last day.
        label: ``2027Q1``, or ``2027-01-01..2027-03-31`` for a custom range.
    """

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def quarter(cls, text: str) -> Period:
        """``"2027Q1"`` (also ``2027-Q1``, ``2027q1``) → January 1 to April 1, 2027.

        Raises:
            ValueError: The text is not a quarter.
        """
        match = _QUARTER.match(text)
        if not match:
            raise ValueError(f"expected a quarter such as 2027Q1, got {text!r}")
        year, q = int(match[1]), int(match[2])
        start = date(year, 3 * q - 2, 1)
        end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
        return cls(start, end, f"{year}Q{q}")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """The days ``first`` to ``last``, both inclusive (as ``--from``/``--to`` read)."""
        return cls(first, last + timedelta(days=1), f"{first.isoformat()}..{last.isoformat()}")

    @classmethod
    def of(cls, value: Period | str | tuple[date, date]) -> Period:
        """A period from a quarter string, a ``(first, last)`` pair of days, or a period."""
        if isinstance(value, Period):
            return value
        if isinstance(value, str):
            return cls.quarter(value)
        first, last = value
        return cls.between(first, last)

    @property
    def days(self) -> int:
        """Number of local days."""
        return (self.end - self.start).days

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period's first and end instants (local midnight), in UTC."""
        return (
            local_instant(self.start, time(0), zone).astimezone(UTC),
            local_instant(self.end, time(0), zone).astimezone(UTC),
        )
