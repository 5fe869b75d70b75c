"""Durations as people write them in schedule files.

The seed schedule writes ``2_weeks``, ``5_minutes`` and a bare ``0``; people also write
``90s``, ``15m``, ``1h``, ``2 weeks``, ``1h30m`` and ISO-8601 ``PT5M`` / ``P2W``. Everything
becomes a :class:`datetime.timedelta`.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["MAX_DURATION", "format_duration", "parse_duration"]

#: Longest duration accepted: 5,200 weeks (about 100 years). Escalation timeouts are minutes
#: and shadow periods weeks; "P99999999999W" overflowed ``timedelta`` with a traceback.
MAX_DURATION = timedelta(weeks=5200)
_MAX_SECONDS = MAX_DURATION.total_seconds()

_UNIT_SECONDS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip

# "2_weeks", "2 weeks", "1h30m", "90s", "1.5h"
_PART = re.compile(r"(\d+(?:\.\d+)?)[ _]?([a-z]+)")
_HUMAN = re.compile(r"^(?:\d+(?:\.\d+)?[ _]?[a-z]+[ _]?)+$")
# ISO 8601: P[nW] or P[nD][T[nH][nM][nS]]
_ISO = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)

VALID_FORMS = "'5_minutes', '2 weeks', '90s', '15m', '1h', '1h30m', 'PT5M', 'P2W' or 0"


def parse_duration(value: object) -> timedelta:
    """Parse a duration written in a schedule file.

    Args:
        value: A string such as ``"5_minutes"`` or ``"PT5M"``, a ``timedelta``, or the
            integer ``0``. Other bare numbers are rejected because their unit is a guess.

    Returns:
        The duration.

    Raises:
        ValueError: The value is not a duration; the message lists the valid forms.
    """
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise ValueError("a duration cannot be negative")
        return _bounded(value, value)
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as {VALID_FORMS}, got {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return timedelta(0)
        raise ValueError(
            f"a bare number has no unit: write {value!r} with one, e.g. '{value}_minutes'"
        )
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as {VALID_FORMS}, got {value!r}")
    text = value.strip()
    if text == "0":
        return timedelta(0)
    iso = _ISO.match(text.upper())
    if iso and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        seconds = (
            parts.get("w", 0) * 604800
            + parts.get("d", 0) * 86400
            + parts.get("h", 0) * 3600
            + parts.get("m", 0) * 60
            + parts.get("s", 0)
        )
        return _bounded(seconds, value)
    lowered = text.lower()
    if _HUMAN.match(lowered):
        total = 0.0
        for number, unit in _PART.findall(lowered):
            if unit not in _UNIT_SECONDS:
                raise ValueError(
                    f"unknown unit {unit!r} in duration {value!r}; "
                    "use seconds, minutes, hours, days or weeks"
                )
            total += float(number) * _UNIT_SECONDS[unit]
        return _bounded(total, value)
    raise ValueError(f"expected a duration such as {VALID_FORMS}, got {value!r}")


def _bounded(amount: float | timedelta, given: object) -> timedelta:
    """``amount`` (seconds or a timedelta) as a timedelta, refused past :data:`MAX_DURATION`.

    Checked on the float, before ``timedelta`` is built: that is where the overflow happened.
    """
    seconds = amount.total_seconds() if isinstance(amount, timedelta) else amount
    if not seconds <= _MAX_SECONDS:  # also catches inf and nan
        shown = given if not isinstance(given, str) else given[:40]
        raise ValueError(
            f"duration {shown!r} is too long: the largest accepted is "
            f"{format_duration(MAX_DURATION)} (about 100 years)"
        )
    return amount if isinstance(amount, timedelta) else timedelta(seconds=amount)


def format_duration(value: timedelta) -> str:
    """Write a duration in the ``2_weeks`` / ``5_minutes`` style, exactly.

    ``parse_duration(format_duration(d)) == d`` for every whole-second duration.
    """
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0"
    for unit, size in (("weeks", 604800), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return f"{seconds // size}_{unit}"
    return f"{seconds}_seconds"
