"""RFC 5545 content lines, written by hand for speed and byte-for-byte control.

icalendar 7.3 needs about 2.3 s to build and serialise 10,000 events (measured on this machine),
so the exporter writes content lines itself. The rules below reproduce icalendar's own output
exactly (property order, TEXT escaping, folding), so ``Calendar.from_ical(feed).to_ical()`` gives
the feed back byte for byte; a test holds the two together.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["CRLF", "fold", "format_local", "format_utc", "text"]

CRLF = "\r\n"
_LIMIT = 75


def text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11): backslash, ``;``, ``,`` and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def fold(line: str) -> str:
    """Fold a content line into physical lines shorter than 75 octets.

    Octets are counted, not characters, and a line is only ever broken between two characters,
    so a UTF-8 sequence is never split. Like icalendar, a backslash escape is never split
    either: some clients read a lone trailing backslash as the end of the value.
    """
    if len(line) < _LIMIT and line.isascii():
        return line
    data = line.encode("utf-8")
    parts: list[bytes] = []
    i, n = 0, len(data)
    while n - i >= _LIMIT:
        cut = i + _LIMIT - 1
        while data[cut] & 0xC0 == 0x80:  # never cut inside a UTF-8 sequence
            cut -= 1
        if cut - i > 1 and data[cut - 1] in b"\\^":
            cut -= 1
        parts.append(data[i:cut])
        i = cut
    parts.append(data[i:])
    return "\r\n ".join(p.decode("utf-8") for p in parts)


def format_utc(dt: datetime) -> str:
    """``20270104T100000Z`` (the instant in UTC)."""
    t = dt.astimezone(UTC)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}Z"


def format_local(dt: datetime) -> str:
    """``20270104T100000`` (the wall time, without zone)."""
    return f"{dt.year:04d}{dt.month:02d}{dt.day:02d}T{dt.hour:02d}{dt.minute:02d}{dt.second:02d}"
