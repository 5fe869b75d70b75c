"""Page events: one record per page (notification) to one person, and their loaders.

Every loader produces the same canonical table (:attr:`PageLog.frame`), one row per page:

============== ============================ ==================================================
column         dtype                        meaning
============== ============================ ==================================================
page_id        str                          unique id (synthesised ``row-N`` if missing)
incident_id    str                          grouping key (defaults to page_id)
paged_at       datetime64[ns, UTC]          when the notification went out
recipient      str                          member id, email or name of the person paged
acknowledged_at datetime64[ns, UTC] or NaT  first acknowledgement of the incident
resolved_at    datetime64[ns, UTC] or NaT   resolution of the incident
severity       str                          SEV1…SEV4 (or the export's label), may be ""
service        str                          service / integration, may be ""
channel        str                          phone, sms, push, email, chat or other
============== ============================ ==================================================

Sources: a generic CSV (header aliases, ISO-8601 times with offsets), PagerDuty log entries
(``notify_log_entry`` is a page; ``acknowledge_log_entry``/``resolve_log_entry`` give the
incident's times), an Opsgenie alert export (``createdAt`` + ``report.ackTime``/``closeTime`` in
milliseconds) and Grafana OnCall alert groups (``created_at``, ``acknowledged_at``,
``resolved_at``; the person is ``acknowledged_by`` or ``resolved_by``).

Limits (each refused with a located L004/L006/L007 finding, never a traceback):

- a CSV row (record) has at most :data:`MAX_ROW_CHARS` characters;
- times lie in [:data:`EARLIEST_TIME`, :data:`LATEST_TIME`) UTC;
- JSON nests at most :data:`oncall_planner._io.MAX_JSON_DEPTH` levels;
- the file is UTF-8 (a BOM is allowed).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from oncall_planner import _args
from oncall_planner._io import parse_json
from oncall_planner.errors import PagesFileError
from oncall_planner.report import Finding
from oncall_planner.rules import rule

__all__ = [
    "CANONICAL_COLUMNS",
    "EARLIEST_TIME",
    "LATEST_TIME",
    "MAX_ROW_CHARS",
    "PageEvent",
    "PageLog",
    "PagesFormat",
    "load_pages",
]

PagesFormat = Literal["auto", "csv", "pagerduty", "opsgenie", "grafana"]
_FORMATS: tuple[str, ...] = get_args(PagesFormat)

#: Columns of the canonical page table, in order.
CANONICAL_COLUMNS = (
    "page_id",
    "incident_id",
    "paged_at",
    "recipient",
    "acknowledged_at",
    "resolved_at",
    "severity",
    "service",
    "channel",
)
_TIME_COLUMNS = ("paged_at", "acknowledged_at", "resolved_at")

#: CSV header aliases (lower case, spaces and dashes as underscores) → canonical column.
_ALIASES: dict[str, tuple[str, ...]] = {
    "page_id": ("page_id", "id", "event_id", "notification_id", "log_entry_id"),
    "incident_id": ("incident_id", "incident", "alert_id", "alert_group_id", "incident_number"),
    "paged_at": ("paged_at", "notified_at", "sent_at", "created_at", "created_on", "timestamp"),
    "recipient": ("recipient", "recipient_id", "user", "user_id", "responder", "person", "email"),
    "acknowledged_at": ("acknowledged_at", "acked_at", "ack_at", "ack_time", "acknowledged"),
    "resolved_at": ("resolved_at", "closed_at", "resolve_time", "resolved"),
    "severity": ("severity", "sev", "priority", "urgency"),
    "service": ("service", "service_name", "integration", "component"),
    "channel": ("channel", "channel_type", "notification_type", "method"),
}
HEADER_ALIASES: dict[str, str] = {a: c for c, names in _ALIASES.items() for a in names}

_CHANNELS = {
    "phone": "phone",
    "voice": "phone",
    "call": "phone",
    "phone_call": "phone",
    "sms": "sms",
    "text": "sms",
    "push": "push",
    "push_notification": "push",
    "mobile": "push",
    "app": "push",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "chat": "chat",
    "slack": "chat",
    "msteams": "chat",
}

_TIME_HINT = "times are ISO-8601 with an offset, e.g. 2027-01-04T10:00:00+01:00"

#: Longest CSV row accepted, in characters. A page record is a dozen short fields (under 1 kB
#: in every export seen); Python's csv module refuses a field over 128 KiB with a bare
#: ``_csv.Error``; a 10 MB quoted field is a broken or hostile file.
MAX_ROW_CHARS = 64 * 1024
#: Earliest page time accepted: no paging tool existed before 1970 (the Unix epoch).
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
#: First page time no longer accepted. pandas keeps times in nanoseconds, which end in 2262;
#: a year-9999 time raised OutOfBoundsDatetime.
LATEST_TIME = datetime(2200, 1, 1, tzinfo=UTC)
_RANGE_HINT = "times lie between 1970-01-01 and 2199-12-31 (UTC); check the export's time column"
# An ISO-8601 time carries its offset: "Z" or "+hh:mm" / "+hhmm" / "+hh" at the end.
_HAS_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


class PageEvent(BaseModel):
    """One page to one person (for building page logs in Python)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_id: str = Field(default="", description="Unique id; synthesised when empty.")
    incident_id: str = Field(default="", description="Incident key; the page_id when empty.")
    paged_at: AwareDatetime = Field(description="When the notification went out (aware).")
    recipient: str = Field(min_length=1, description="Member id, email or name of the person.")
    acknowledged_at: AwareDatetime | None = Field(default=None, description="First ack.")
    resolved_at: AwareDatetime | None = Field(default=None, description="Resolution.")
    severity: str = Field(default="", description="SEV1…SEV4 or the source's label.")
    service: str = Field(default="", description="Service or integration.")
    channel: str = Field(default="push", description="phone, sms, push, email, chat or other.")


@dataclass(frozen=True)
class PageLog:
    """A loaded page export.

    Attributes:
        frame: The canonical table (see the module docstring), sorted by ``paged_at`` then
            ``page_id``.
        source: The file it came from, if any.
        skipped: Bad rows skipped by a lenient load (0 otherwise).
        problems: One finding per skipped row.
    """

    frame: pd.DataFrame
    source: str | None = None
    skipped: int = 0
    problems: tuple[Finding, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def from_events(cls, events: Iterable[PageEvent]) -> PageLog:
        """A page log from :class:`PageEvent` objects."""
        rows = [e.model_dump() for e in events]
        raw = {
            c: [
                ("" if r[c] is None else r[c].isoformat() if isinstance(r[c], datetime) else r[c])
                for r in rows
            ]
            for c in CANONICAL_COLUMNS
        }
        return _build(pd.DataFrame(raw, dtype=object), {}, None, None, lenient=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PageLog:
        """Wrap a frame that already has the canonical columns (times UTC-aware)."""
        missing = [c for c in ("paged_at", "recipient") if c not in frame.columns]
        if missing:
            raise ValueError(f"page frame lacks column(s) {', '.join(missing)}")
        out = frame.copy()
        for c in CANONICAL_COLUMNS:
            if c not in out.columns:
                out[c] = pd.NaT if c in _TIME_COLUMNS else ""
        for c in _TIME_COLUMNS:
            out[c] = pd.to_datetime(out[c], utc=True).astype("datetime64[ns, UTC]")
        if (out["incident_id"] == "").any():
            out["incident_id"] = out["incident_id"].where(out["incident_id"] != "", out["page_id"])
        ordered = out[list(CANONICAL_COLUMNS)].sort_values(["paged_at", "page_id"], kind="stable")
        return cls(ordered.reset_index(drop=True))


# ---------------------------------------------------------------------------------------------
# Validation shared by every loader


def _bad(
    file: str | None,
    row: int,
    column: str,
    problem: str,
    value: object,
    line: int | None,
    hint: str,
) -> Finding:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "…'"
    return rule("L004").finding(
        f"row {row}, column {column!r}: {problem}, got {shown}",
        file=file,
        line=line,
        path=f"row[{row}].{column}",
        hint=hint,
    )


def _normalise_channel(values: pd.Series) -> pd.Series:
    uniques = pd.unique(values)
    mapping = {u: _CHANNELS.get(str(u).strip().lower().replace(" ", "_"), "other") for u in uniques}
    return values.map(mapping)


def _strip(values: pd.Series) -> pd.Series:
    """``str.strip`` of every value, computed once per distinct value."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    stripped = np.array([str(u).strip() for u in uniques], dtype=object)
    return pd.Series(stripped[codes] if len(codes) else [], index=values.index, dtype=object)


def _has_offset(text: pd.Series) -> np.ndarray:
    """True where an ISO-8601 time ends with an offset: ``Z``, ``±hh:mm``, ``±hhmm`` or ``±hh``.

    Vectorised over the bytes of the (stripped, ASCII) strings: a regex per row costs seconds
    for a million rows. Non-ASCII or very long values take the regex route.
    """
    values = text.to_numpy(dtype=object)
    # Width first: one 10 MB value would make a fixed-width array of 10 MB per row.
    if len(values) == 0 or text.str.len().max() > 64:
        return text.str.contains(_HAS_OFFSET, regex=True).to_numpy(dtype=bool)
    try:
        raw = np.asarray(values, dtype="S")
    except UnicodeEncodeError:
        raw = np.asarray([], dtype="S1")
    if len(values) == 0 or raw.shape != values.shape or raw.dtype.itemsize > 64:
        return text.str.contains(_HAS_OFFSET, regex=True).to_numpy(dtype=bool)
    width = raw.dtype.itemsize
    chars = raw.view(np.uint8).reshape(len(raw), width)
    length = (chars != 0).sum(axis=1)
    rows = np.arange(len(raw))

    def at(back: int) -> np.ndarray:
        """The character ``back`` places from the end (0 where the string is shorter)."""
        idx = length - back
        out = chars[rows, np.clip(idx, 0, width - 1)]
        return np.where(idx >= 0, out, 0)

    def digit(back: int) -> np.ndarray:
        c = at(back)
        return (c >= ord("0")) & (c <= ord("9"))

    def sign(back: int) -> np.ndarray:
        c = at(back)
        found: np.ndarray = (c == ord("+")) | (c == ord("-"))
        return found

    # The offset must follow a time of day (hh:mm…), so a bare date "2027-01-12" is no offset.
    has_time = ((chars == ord("T")) | (chars == ord(" ")) | (chars == ord("t"))).any(axis=1)
    zulu = (at(1) == ord("Z")) | (at(1) == ord("z"))
    hh_mm = sign(6) & digit(5) & digit(4) & (at(3) == ord(":")) & digit(2) & digit(1)
    hhmm = sign(5) & digit(4) & digit(3) & digit(2) & digit(1) & (at(6) != ord("-"))
    hh = sign(3) & digit(2) & digit(1) & (at(4) != ord("-")) & (at(6) == ord(":"))
    result: np.ndarray = has_time & (zulu | hh_mm | hhmm | hh)
    return result


def _parse_times(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """ISO-8601 texts as UTC times (NaT where invalid), and where they fall outside the range.

    pandas 3 parses a year-9999 time to microseconds and then fails converting it to
    nanoseconds; pandas 2 fails parsing it. Either way the range is checked first.
    """
    try:
        times = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    except (OverflowError, ValueError):  # pandas 2 raises OutOfBoundsDatetime (a ValueError)
        times = pd.Series(
            [_one_time(t) for t in text], index=text.index, dtype="datetime64[us, UTC]"
        )
    outside = ((times < EARLIEST_TIME) | (times >= LATEST_TIME)).to_numpy(
        dtype=bool
    ) & times.notna().to_numpy()
    times = times.where(~outside).astype("datetime64[ns, UTC]")
    return times, outside


def _one_time(text: object) -> object:
    """One ISO-8601 text as an aware datetime (clamped into the representable range), or NaT."""
    if not isinstance(text, str):
        return pd.NaT
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError):
        return pd.NaT
    if parsed.tzinfo is None:
        return pd.NaT
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 minus an offset
        return datetime.min.replace(tzinfo=UTC)


def _build(
    raw: pd.DataFrame,
    shown: Mapping[str, str],
    file: str | None,
    lines: Sequence[int] | None,
    *,
    lenient: bool,
    rows: Sequence[int] | None = None,
) -> PageLog:
    """Validate a table of strings with canonical column names and make the page table.

    Args:
        raw: Canonical columns holding strings ("" for missing).
        shown: Canonical column → the column name the source used (for messages).
        file: The source file.
        lines: Per row, its line in the file (CSV), or None.
        lenient: Skip bad rows instead of raising.
        rows: Per row, its 1-based row number (default 1..n).
    """
    n = len(raw)
    row_no = np.asarray(rows if rows is not None else np.arange(1, n + 1))
    line_no = np.asarray(lines) if lines is not None else None
    for c in CANONICAL_COLUMNS:
        if c not in raw.columns:
            raw[c] = ""
    raw = raw.fillna("")
    bad = np.zeros(n, dtype=bool)
    problems: list[tuple[int, Finding]] = []

    def flag(
        mask: np.ndarray, column: str, problem: str, values: pd.Series, hint: str = _TIME_HINT
    ) -> None:
        nonlocal bad
        new = mask & ~bad
        for i in np.flatnonzero(new)[: 1000 if lenient else 50]:
            problems.append(
                (
                    int(i),
                    _bad(
                        file,
                        int(row_no[i]),
                        shown.get(column, column),
                        problem,
                        values.iloc[i],
                        int(line_no[i]) if line_no is not None else None,
                        hint,
                    ),
                )
            )
        bad |= mask

    recipient = _strip(raw["recipient"])
    flag(
        (recipient == "").to_numpy(),
        "recipient",
        "no recipient",
        raw["recipient"],
        "every page names the person paged: a member id, email or name",
    )
    parsed: dict[str, pd.Series] = {}
    for c in _TIME_COLUMNS:
        text = _strip(raw[c])
        empty = (text == "").to_numpy()
        if c == "paged_at":
            flag(empty, c, "no time", raw[c])
        with_offset = _has_offset(text)
        flag(~empty & ~with_offset, c, "not an ISO-8601 time with a UTC offset", raw[c])
        times, outside = _parse_times(text.where(~empty & with_offset, None))
        flag(outside, c, "outside the accepted range of times", raw[c], _RANGE_HINT)
        flag(~empty & with_offset & times.isna().to_numpy(), c, "not a valid time", raw[c])
        parsed[c] = times
    paged = parsed["paged_at"]
    page_id = _strip(raw["page_id"])
    synth = pd.Series([f"row-{r}" for r in row_no], index=raw.index)
    page_id = page_id.where(page_id != "", synth)
    incident = _strip(raw["incident_id"])
    incident = incident.where(incident != "", page_id)
    # The times are the incident's, not the page's: a responder added after the
    # acknowledgement gets a page (a PagerDuty notify_log_entry) later than it, which is
    # legitimate. Only an incident acknowledged or resolved before its first page is wrong.
    for c, word in (("acknowledged_at", "acknowledged"), ("resolved_at", "resolved")):
        before = (parsed[c] < paged).to_numpy() & parsed[c].notna().to_numpy()
        if before.any():
            # Only the incidents of such rows need their first page (a groupby over every
            # row would cost ~2 s per million rows, for nothing in most exports).
            suspect = incident.isin(set(incident[before])).to_numpy()
            first = paged[suspect].groupby(incident[suspect].to_numpy()).transform("min")
            before[suspect] &= (parsed[c][suspect] < first).to_numpy()
        flag(
            before,
            c,
            f"{word} before the incident's first page",
            raw[c],
            "check the row's time zones",
        )
    if bad.any() and not lenient:
        found = [f for _, f in sorted(problems, key=lambda p: p[0])]
        raise PagesFileError(found)
    keep = ~bad
    frame = pd.DataFrame(
        {
            "page_id": page_id,
            "incident_id": incident,
            "paged_at": paged,
            "recipient": recipient,
            "acknowledged_at": parsed["acknowledged_at"],
            "resolved_at": parsed["resolved_at"],
            "severity": _strip(raw["severity"]),
            "service": _strip(raw["service"]),
            "channel": _normalise_channel(raw["channel"].astype(str)),
        }
    )[keep]
    frame = frame.sort_values(["paged_at", "page_id"], kind="stable").reset_index(drop=True)
    skipped_findings = tuple(f for _, f in sorted(problems, key=lambda p: p[0]))
    return PageLog(frame, file, int(bad.sum()), skipped_findings)


# ---------------------------------------------------------------------------------------------
# Generic CSV


def _canonical_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _load_csv(text: str, file: str | None, *, lenient: bool) -> PageLog:
    # A lone "\r" ends a row for pandas and the csv module but not for split("\n"): rows and
    # lines went out of step (an IndexError, or _csv.Error "new-line character seen in unquoted
    # field"). Every line ending becomes "\n" first, as an editor shows them.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header_at = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if header_at is None:
        raise PagesFileError(
            [rule("L007").finding("the file is empty: expected a CSV header", file=file, line=1)]
        )
    if len(lines[header_at]) > MAX_ROW_CHARS:
        raise PagesFileError([_too_long(file, None, header_at + 1, len(lines[header_at]))])
    header = next(csv.reader([lines[header_at]]))
    shown: dict[str, str] = {}
    positions: dict[str, int] = {}
    for pos, name in enumerate(header):
        canon = HEADER_ALIASES.get(_canonical_header(name))
        if canon is not None and canon not in positions:
            positions[canon] = pos
            shown[canon] = name.strip()
    missing = [c for c in ("paged_at", "recipient") if c not in positions]
    if missing:
        known = sorted(a for a, c in HEADER_ALIASES.items() if c in missing)
        raise PagesFileError(
            [
                rule("L004").finding(
                    f"no column for {' and '.join(missing)} in the header {header!r}",
                    file=file,
                    line=header_at + 1,
                    path="header",
                    hint=f"name the column one of: {', '.join(known)}",
                )
            ]
        )
    width = len(header)
    if any(ln.count('"') % 2 for ln in lines):
        # A quoted field spans lines: only the csv module can tell rows from lines.
        kept, line_nos, row_nos, wrong = _rows_by_csv(text, header_at, width, file)
    else:
        kept, line_nos, row_nos, wrong = _rows_by_line(lines, header_at, width, file)
    frame = _read_rows(lines[header_at], kept, list(positions.values()))
    frame.columns = [  # usecols keeps file order
        c for _, c in sorted((pos, c) for c, pos in positions.items())
    ]
    log = _build(frame, shown, file, line_nos, lenient=True, rows=row_nos)
    problems = tuple(sorted([*wrong, *log.problems], key=Finding.sort_key))
    if problems and not lenient:
        raise PagesFileError(problems)
    return PageLog(log.frame, file, log.skipped + len(wrong), problems)


def _wrong_width(file: str | None, row: int, line: int, got: int, width: int) -> Finding:
    return rule("L004").finding(
        f"row {row}: {got} fields, the header has {width}",
        file=file,
        line=line,
        path=f"row[{row}]",
        hint="quote fields that contain commas",
    )


def _too_long(file: str | None, row: int | None, line: int, size: int | None) -> Finding:
    """A row (or the header, ``row`` None) over :data:`MAX_ROW_CHARS`."""
    what = "the header" if row is None else f"row {row}"
    got = (
        f"{size:,} characters"
        if size is not None
        else f"a field over the csv module's limit of {csv.field_size_limit():,}"
    )
    return rule("L006").finding(
        f"{what} is longer than {MAX_ROW_CHARS:,} characters, got {got}",
        file=file,
        line=line,
        path="header" if row is None else f"row[{row}]",
        hint="a page record is a dozen short fields; check the quoting of the export",
    )


def _read_rows(header: str, kept: list[str], usecols: list[int]) -> pd.DataFrame:
    """The kept rows as a table of strings, one row per kept line."""

    def read(rows: list[str]) -> pd.DataFrame:
        return pd.read_csv(
            io.StringIO("\n".join([header, *rows])),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            usecols=usecols,
        )

    try:
        frame = read(kept)
        if len(frame) == len(kept):
            return frame
    except pd.errors.ParserError:
        pass
    # pandas split a stray quote differently from the csv module ('a,"b' is a pandas "EOF inside
    # string", or one row too few): give it each row as the csv module read it, quoted again.
    return read([_quoted(next(csv.reader([ln]))) if '"' in ln else ln for ln in kept])


def _quoted(record: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue()


def _rows_by_line(
    lines: list[str], header_at: int, width: int, file: str | None
) -> tuple[list[str], list[int], list[int], list[Finding]]:
    """Rows when every row is one line: count fields without parsing unquoted lines."""
    kept: list[str] = []
    line_nos: list[int] = []
    row_nos: list[int] = []
    wrong: list[Finding] = []
    row = 0
    for i in range(header_at + 1, len(lines)):
        line = lines[i]
        if not line.strip().strip(","):
            continue
        row += 1
        if len(line) > MAX_ROW_CHARS:
            wrong.append(_too_long(file, row, i + 1, len(line)))
            continue
        got = line.count(",") + 1 if '"' not in line else len(next(csv.reader([line])))
        if got != width:
            wrong.append(_wrong_width(file, row, i + 1, got, width))
            continue
        kept.append(line)
        line_nos.append(i + 1)
        row_nos.append(row)
    return kept, line_nos, row_nos, wrong


def _rows_by_csv(
    text: str, header_at: int, width: int, file: str | None
) -> tuple[list[str], list[int], list[int], list[Finding]]:
    """Rows through the csv module (quoted fields with line breaks), re-quoted one per line."""
    reader = csv.reader(io.StringIO(text))
    kept: list[str] = []
    line_nos: list[int] = []
    row_nos: list[int] = []
    wrong: list[Finding] = []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="")
    row = 0
    line = 0
    index = -1
    while True:
        start_line = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # A field over the csv module's own limit (128 KiB): the rest of the file cannot be
            # told into rows any more, so this ends the load even when lenient.
            raise PagesFileError(
                [_too_long(file, row + 1 if index >= header_at else None, start_line, None)]
            ) from e
        index += 1
        line = reader.line_num
        if index <= header_at or not any(f.strip() for f in record):
            continue
        row += 1
        size = sum(map(len, record)) + len(record) - 1
        if size > MAX_ROW_CHARS:
            wrong.append(_too_long(file, row, start_line, size))
            continue
        if len(record) != width:
            wrong.append(_wrong_width(file, row, start_line, len(record), width))
            continue
        out.seek(0)
        out.truncate()
        # Line breaks inside a field become spaces so that the row stays on one line.
        writer.writerow([f.replace("\r", " ").replace("\n", " ") for f in record])
        kept.append(out.getvalue())
        line_nos.append(start_line)
        row_nos.append(row)
    return kept, line_nos, row_nos, wrong


# ---------------------------------------------------------------------------------------------
# JSON exports


def _get(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _records(data: Any, key: str, file: str | None, fmt: str) -> list[Any]:
    """The export's records: the list itself, or the list under ``key``.

    Raises:
        PagesFileError: Neither (the file is some other export, or not one at all).
    """
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return list(data[key])
    raise PagesFileError(
        [
            rule("L004").finding(
                f"expected a {fmt} export: a list, or an object with a {key!r} list",
                file=file,
                path=key if isinstance(data, dict) else "",
                hint="check --pages-format (format=), or leave it to 'auto'",
            )
        ]
    )


def _pagerduty(data: Any, file: str | None, *, lenient: bool) -> PageLog:
    entries = _records(data, "log_entries", file, "PagerDuty")
    acks: dict[str, str] = {}
    resolves: dict[str, str] = {}
    for e in entries:
        kind, inc, at = (
            _get(e, "type"),
            _text(_get(e, "incident", "id")),
            _text(_get(e, "created_at")),
        )
        # The first acknowledgement and the last resolution of each incident.
        if kind == "acknowledge_log_entry" and inc and (inc not in acks or at < acks[inc]):
            acks[inc] = at
        if kind == "resolve_log_entry" and inc and (inc not in resolves or at > resolves[inc]):
            resolves[inc] = at
    cols: dict[str, list[str]] = {c: [] for c in CANONICAL_COLUMNS}
    rows: list[int] = []
    for i, e in enumerate(entries, start=1):
        if _get(e, "type") != "notify_log_entry":
            continue
        user = _get(e, "user") or {}
        inc = _text(_get(e, "incident", "id"))
        cols["page_id"].append(_text(_get(e, "id")))
        cols["incident_id"].append(inc)
        cols["paged_at"].append(_text(_get(e, "created_at")))
        cols["recipient"].append(
            _text(_get(user, "email") or _get(user, "summary") or _get(user, "id"))
        )
        cols["acknowledged_at"].append(acks.get(inc, ""))
        cols["resolved_at"].append(resolves.get(inc, ""))
        cols["severity"].append(
            _text(_get(e, "incident", "priority", "summary") or _get(e, "incident", "urgency"))
        )
        cols["service"].append(_text(_get(e, "service", "summary")))
        cols["channel"].append(_text(_get(e, "channel", "type")))
        rows.append(i)
    shown = {
        "paged_at": "created_at",
        "recipient": "user",
        "acknowledged_at": "acknowledge_log_entry.created_at",
        "resolved_at": "resolve_log_entry.created_at",
    }
    return _build(pd.DataFrame(cols, dtype=object), shown, file, None, lenient=lenient, rows=rows)


_OPSGENIE_PRIORITY = {"P1": "SEV1", "P2": "SEV2", "P3": "SEV3", "P4": "SEV4", "P5": "SEV4"}


def _plus_ms(created: str, ms: Any) -> str:
    """``createdAt + ms`` as ISO text ("" if either is missing or invalid)."""
    if created == "" or ms is None or isinstance(ms, bool):
        return ""
    try:
        base = datetime.fromisoformat(created.replace("Z", "+00:00"))
        return (base + pd.Timedelta(milliseconds=float(ms)).to_pytimedelta()).isoformat()
    except (ValueError, TypeError, OverflowError):  # ackTime 1e400, or past year 9999
        return "invalid"


def _opsgenie(data: Any, file: str | None, *, lenient: bool) -> PageLog:
    alerts = _records(data, "data", file, "Opsgenie")
    cols: dict[str, list[str]] = {c: [] for c in CANONICAL_COLUMNS}
    for a in alerts:
        created = _text(_get(a, "createdAt"))
        report = _get(a, "report") or {}
        cols["page_id"].append(_text(_get(a, "id")))
        cols["incident_id"].append(_text(_get(a, "id")))
        cols["paged_at"].append(created)
        cols["recipient"].append(
            _text(_get(report, "acknowledgedBy") or _get(a, "owner") or _get(report, "closedBy"))
        )
        # Opsgenie reports ackTime/closeTime in milliseconds after createdAt.
        cols["acknowledged_at"].append(_plus_ms(created, _get(report, "ackTime")))
        cols["resolved_at"].append(_plus_ms(created, _get(report, "closeTime")))
        prio = _text(_get(a, "priority")).upper()
        cols["severity"].append(_OPSGENIE_PRIORITY.get(prio, prio))
        cols["service"].append(
            _text(_get(a, "details", "service") or _get(a, "entity") or _get(a, "source"))
        )
        cols["channel"].append("other")
    shown = {
        "paged_at": "createdAt",
        "recipient": "report.acknowledgedBy",
        "acknowledged_at": "report.ackTime",
        "resolved_at": "report.closeTime",
    }
    return _build(pd.DataFrame(cols, dtype=object), shown, file, None, lenient=lenient)


def _grafana_label(group: Any, name: str) -> str:
    labels = _get(group, "labels")  # a list: _grafana_shape refused anything else
    for label in labels if isinstance(labels, list) else []:
        if _get(label, "key", "name") == name:
            return _text(_get(label, "value", "name"))
    return ""


def _grafana_shape(group: Any, row: int, file: str | None) -> Finding | None:
    """A finding when a group's fields have the wrong JSON type (``labels: 5`` was a TypeError)."""
    if not isinstance(group, dict):
        return rule("L004").finding(
            f"row {row}: an alert group is a JSON object, got {type(group).__name__}",
            file=file,
            path=f"row[{row}]",
        )
    labels = group.get("labels")
    if labels is not None and not isinstance(labels, list):
        shown = repr(labels) if len(repr(labels)) <= 60 else repr(labels)[:57] + "…"
        return rule("L004").finding(
            f"row {row}, column 'labels': expected a list of {{key, value}} objects, got {shown}",
            file=file,
            path=f"row[{row}].labels",
            hint='e.g. "labels": [{"key": {"name": "severity"}, "value": {"name": "SEV2"}}]',
        )
    return None


def _grafana(data: Any, file: str | None, *, lenient: bool) -> PageLog:
    groups = _records(data, "results", file, "Grafana OnCall")
    cols: dict[str, list[str]] = {c: [] for c in CANONICAL_COLUMNS}
    rows: list[int] = []
    wrong: list[Finding] = []
    for i, g in enumerate(groups, start=1):
        problem = _grafana_shape(g, i, file)
        if problem is not None:
            wrong.append(problem)
            continue
        cols["page_id"].append(_text(_get(g, "id")))
        cols["incident_id"].append(_text(_get(g, "id")))
        # Grafana exposes no per-user notification time: the group's creation stands in.
        cols["paged_at"].append(_text(_get(g, "created_at")))
        cols["recipient"].append(_text(_get(g, "acknowledged_by") or _get(g, "resolved_by")))
        cols["acknowledged_at"].append(_text(_get(g, "acknowledged_at")))
        cols["resolved_at"].append(_text(_get(g, "resolved_at")))
        cols["severity"].append(_grafana_label(g, "severity"))
        cols["service"].append(_grafana_label(g, "service") or _text(_get(g, "integration_id")))
        cols["channel"].append("other")
        rows.append(i)
    shown = {"paged_at": "created_at", "recipient": "acknowledged_by"}
    frame = pd.DataFrame(cols, dtype=object)
    if not wrong:
        return _build(frame, shown, file, None, lenient=lenient, rows=rows)
    # Load the well-shaped groups too, and report both kinds of problem together, by row.
    log = _build(frame, shown, file, None, lenient=True, rows=rows)
    problems = tuple(sorted([*wrong, *log.problems], key=_row_of))
    if not lenient:
        raise PagesFileError(problems)
    return PageLog(log.frame, file, log.skipped + len(wrong), problems)


def _row_of(finding: Finding) -> int:
    """The row number in a finding's path ``row[N]…`` (0 without one)."""
    m = re.match(r"row\[(\d+)\]", finding.path or "")
    return int(m[1]) if m else 0


def _detect_json(data: Any) -> str | None:
    if isinstance(data, dict):
        if "log_entries" in data:
            return "pagerduty"
        if "results" in data:
            return "grafana"
        if "data" in data:
            return "opsgenie"
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        first = data[0]
        if str(first.get("type", "")).endswith("_log_entry"):
            return "pagerduty"
        if "createdAt" in first or "tinyId" in first:
            return "opsgenie"
        if "created_at" in first and ("alerts_count" in first or "acknowledged_by" in first):
            return "grafana"
    return None


def load_pages(
    path: str | os.PathLike[str],
    *,
    format: PagesFormat = "auto",
    lenient: bool = False,
) -> PageLog:
    """Load a page export into the canonical page table.

    Args:
        path: A ``.csv`` file, or a ``.json`` export from PagerDuty (log entries), Opsgenie
            (alerts) or Grafana OnCall (alert groups).
        format: The source; ``auto`` guesses from the extension and the JSON shape.
        lenient: Skip bad rows (counted in :attr:`PageLog.skipped`) instead of raising.

    Returns:
        The pages, sorted by ``paged_at``.

    Raises:
        PagesFileError: The file cannot be read, has an unknown shape, or (unless ``lenient``)
            has bad rows; each finding names the file, the row and the column.
    """
    p = _args.path_arg(
        "load_pages", "path", path, what="the path of a page export (str or pathlib.Path)"
    )
    _args.str_arg("load_pages", "format", format, choices=_FORMATS)
    _args.bool_arg("load_pages", "lenient", lenient)
    file = str(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise PagesFileError(
            [rule("L007").finding(f"cannot read page export: {e.strerror or e}", file=file)]
        ) from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1]
        raise PagesFileError(
            [
                rule("L007").finding(
                    f"not UTF-8 text: byte 0x{bad.hex()} cannot be decoded ({e.reason})",
                    file=file,
                    line=data.count(b"\n", 0, e.start) + 1,
                    column=e.start - data.rfind(b"\n", 0, e.start),
                    hint="export or save the file as UTF-8",
                )
            ]
        ) from e
    fmt = format
    if fmt == "auto" and p.suffix.lower() != ".json" and not text.lstrip().startswith(("{", "[")):
        fmt = "csv"
    if fmt == "csv":
        return _load_csv(text, file, lenient=lenient)
    data = parse_json(text, source=file, error=PagesFileError)
    if fmt == "auto":
        detected = _detect_json(data)
        if detected is None:
            raise PagesFileError(
                [
                    rule("L004").finding(
                        "cannot tell which export this is",
                        file=file,
                        hint="expected PagerDuty 'log_entries', Opsgenie 'data' or Grafana "
                        "OnCall 'results'; or pass format=",
                    )
                ]
            )
        fmt = detected  # type: ignore[assignment]
    loaders = {"pagerduty": _pagerduty, "opsgenie": _opsgenie, "grafana": _grafana}
    return loaders[fmt](data, file, lenient=lenient)
