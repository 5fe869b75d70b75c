"""iCalendar feed → actual on-call shifts, matched to members.

Reads the feeds on-call products publish (research/ical.md §3): one VEVENT per shift, times in
UTC or with a TZID, and the person in one of several places:

============== ======================================================= ======================
Product        SUMMARY                                                 Also
============== ======================================================= ======================
oncall-planner ``On-call primary: Alice Martin (backend-primary)``     ``X-ONCALL-*``
PagerDuty      ``On Call - Alice Martin - Backend Primary``            ``ATTENDEE:email``
Grafana OnCall ``alice`` or ``backend-primary: alice``                 STATUS:CANCELLED kept
GoAlert        ``Alice Martin On-Call (GoAlert: Backend)``             personal feeds: nobody
LinkedIn       ``backend primary shift: Alice Martin``                 ATTENDEE, DESCRIPTION
============== ======================================================= ======================

People are matched to a roster by member id, email (ATTENDEE, DESCRIPTION) or display name,
case- and accent-normalisation aside; an unmatched person keeps the raw name. Cancelled events
(Grafana keeps removed shifts as ``STATUS:CANCELLED``) and LinkedIn vacation/unavailable events
are not shifts and are skipped.

Overrides: paging tools publish their final schedule, so an override arrives as a partial
shift with the pieces of the interrupted week around it (Grafana OnCall marks it
``PRIORITY:1``). ``feed_history`` counts those pieces as lived, and ``history_plan`` turns
them into ``SchedulePlan.overrides`` over weekly shifts rather than whole weeks.

Coverage windows: our feeds of a schedule with windows carry ``X-ONCALL-WINDOW`` on each
occurrence's event. Those events are refused with an L008 finding naming the window: history is
counted per week, and an occurrence is part of a week, so reading one as a shift would count a
five-day window as five weeks. Windows are not imported; history for such a schedule comes from
its members' ``history``.

A malformed feed raises :class:`~oncall_planner.errors.FeedError` whose findings (code L008)
carry the line of the offending content line: icalendar reports no line numbers, so a small
pre-scan keeps them.
"""

from __future__ import annotations

import bisect
import gc
import html
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from oncall_planner import _args
from oncall_planner.durations import MAX_DURATION
from oncall_planner.errors import FeedError
from oncall_planner.expand import week_starts
from oncall_planner.ical import _lines
from oncall_planner.plans import Layer, Override, Person, Plan, SchedulePlan, Shift, SolveInfo
from oncall_planner.report import Finding
from oncall_planner.roster import _override_id
from oncall_planner.rules import rule
from oncall_planner.spec import MAX_DATE, MIN_DATE, Member, MemberHistory, Schedule

if TYPE_CHECKING:
    from oncall_planner.loader import Org

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_FEED_EVENTS",
    "MAX_PARAMETER_CHARS",
    "MAX_SUMMARY_CHARS",
    "ROLES",
    "FeedShift",
    "FeedSource",
    "feed_history",
    "from_ical",
    "history_plan",
]

#: Larger feeds are refused (a year of hourly shifts for 100 people is about 40 MB).
MAX_FEED_BYTES = 64 * 1024 * 1024
#: Most events read from one feed: ten years of daily shifts for 50 people is 182,500.
MAX_FEED_EVENTS = 200_000
#: Longest property parameter (a TZID such as "(UTC+01:00) Amsterdam, Berlin, Bern, Rome,
#: Stockholm, Vienna" has 60 characters); a 5,000-character TZID reached the file system.
MAX_PARAMETER_CHARS = 256
#: Longest SUMMARY read for names: a title is a line; matching its shapes on a 10,000-character
#: one took a second (the patterns backtrack on repeated " (").
MAX_SUMMARY_CHARS = 1000
#: Event properties that RFC 5545 allows once; a second DTEND made icalendar hand back a list.
_ONCE = frozenset({"DTSTART", "DTEND", "DURATION", "UID", "SUMMARY", "STATUS", "RRULE"})

_LAYERS = {layer.value: layer for layer in Layer}
#: LinkedIn oncall roles (``{team} {role} shift: {name}``) and what each is here. ``None``: the
#: event is not an on-call shift and is skipped (a manager is an escalation contact, not the
#: rotation). A role not listed is refused (L008) rather than guessed at.
ROLES: dict[str, Layer | None] = {
    "primary": Layer.PRIMARY,
    "secondary": Layer.SECONDARY,
    "shadow": Layer.SHADOW,
    "manager": None,
    "vacation": None,
    "unavailable": None,
    "holiday": None,
    "off": None,
}
_ORDER = {layer: layer.order for layer in Layer}
_CALENDAR_KEEP = ("VERSION", "PRODID", "X-WR-TIMEZONE", "X-WR-CALNAME", "NAME")
#: Event properties icalendar parses (times need its TZID and VTIMEZONE handling).
_EVENT_PARSED = frozenset({"DTSTART", "DTEND", "DURATION", "ATTENDEE", "RRULE"})
#: TEXT properties the pre-scan reads itself: icalendar takes about 30 µs per content line,
#: most of a 10,000-shift import, and guesses types for X- properties.
_EVENT_TEXTS = frozenset(
    {"UID", "SUMMARY", "DESCRIPTION", "STATUS", "X-ONCALL-LAYER", "X-ONCALL-PERSON",
     "X-ONCALL-SCHEDULE", "PRIORITY", "X-ONCALL-OVERRIDE", "X-ONCALL-WINDOW"}
)  # fmt: skip
_COMPONENTS_KEPT = frozenset({"VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"})
_CONTENT_LINE = re.compile(
    r'^(?P<name>[A-Za-z0-9-]+)(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:'
)
# An address starts where a run of address characters starts: without the look-behind, a
# 40 kB DESCRIPTION without "@" was scanned from every position (quadratic, 8 s).
_LOGICAL_END = re.compile(r"\n(?![ \t])")
_FOLD = re.compile(r"\n[ \t]")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LAYER_WORD = re.compile(r"\b(primary|secondary|shadow)\b", re.IGNORECASE)

# SUMMARY shapes, most specific first. Groups: name, schedule, layer (each optional).
_SUMMARIES = (
    # oncall-planner, schedule feed and personal feed
    re.compile(r"^On-call (?P<layer>primary|secondary|shadow): (?P<name>.+) \((?P<schedule>.+)\)$"),
    re.compile(
        r"^\[(?P<schedule>.+)/(?P<layer>primary|secondary|shadow)\] On-call \w+: (?P<name>.+)$"
    ),
    # PagerDuty
    re.compile(r"^On Call - (?P<name>.+?) - (?P<schedule>.+)$"),
    # GoAlert: full-schedule feed names the user; a personal feed does not
    re.compile(r"^(?P<name>.+?) On-Call \([^:()]+: (?P<schedule>.+)\)(?: Begins\*)?$"),
    re.compile(r"^On-Call \([^:()]+: (?P<schedule>.+)\)(?: Begins\*)?$"),
    # LinkedIn oncall: "{team} {role} shift: {full name}"
    re.compile(r"^(?P<schedule>.+) (?P<role>[a-z-]+) shift: (?P<name>.+)$"),
    # Grafana OnCall personal feed "{schedule}: {user}", then a bare "[L1] user" or "user"
    re.compile(r"^(?:\[L\d+\]\s*)?(?P<schedule>[^:]+): (?P<name>[^:]+)$"),
    re.compile(r"^(?:\[L\d+\]\s*)?(?P<name>.+)$"),
)  # fmt: skip


class FeedShift(BaseModel):
    """One shift read from a feed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person: str = Field(
        min_length=1, description="Member id when matched to the roster, else the raw name."
    )
    matched: bool = Field(description="True when `person` is a member id of the roster.")
    layer: Layer | None = Field(description="primary/secondary/shadow when the feed says so.")
    start: AwareDatetime = Field(description="Start of the shift.")
    end: AwareDatetime = Field(description="End of the shift.")
    schedule: str | None = Field(default=None, description="Schedule name, if the feed says.")
    uid: str = Field(description="The event's UID (empty when the event has none).")
    summary: str = Field(default="", description="The event's SUMMARY, as written.")
    priority: int = Field(
        default=0,
        description="The event's PRIORITY (0 when absent). Where events of one layer overlap, "
        "the higher one holds the time: Grafana OnCall writes 1 for overrides, 0 for rotations.",
    )
    override: str | None = Field(
        default=None, description="The override id of our own feeds (X-ONCALL-OVERRIDE)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> FeedShift:
        if self.end <= self.start:
            raise ValueError("a shift must end after it starts")
        return self

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True if ``[start, end)`` overlaps the shift."""
        return self.start < end and start < self.end

    @property
    def hours(self) -> float:
        """Length in real (UTC) hours."""
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600


# ---------------------------------------------------------------------------------------------
# Pre-scan: syntax with line numbers, and the text handed to icalendar


@dataclass
class _Located:
    """Where a VEVENT and its properties are (1-based physical lines)."""

    begin: int
    props: dict[str, int] = field(default_factory=dict)
    #: TEXT properties read by the pre-scan (first occurrence, unescaped).
    texts: dict[str, str] = field(default_factory=dict)
    #: The properties icalendar would parse, as written: (name, ";PARAM=…" text, value).
    raw: list[tuple[str, str, str]] = field(default_factory=list)


def _finding(message: str, source: str | None, line: int | None, path: str = "") -> Finding:
    return rule("L008").finding(message, file=source, line=line, path=path)


def _unescape(value: str) -> str:
    r"""RFC 5545 TEXT: ``\n``/``\N`` is a line break, ``\x`` is ``x``."""
    if "\\" not in value:
        return value
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _scan(
    data: bytes, source: str | None, calendar: dict[str, str] | None = None
) -> tuple[str, list[_Located]]:
    """Check the content-line structure; return the text for icalendar and event locations.

    ``calendar``, when given, receives the calendar properties kept (X-WR-TIMEZONE …).
    """
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(
            [
                rule("L006").finding(
                    f"feed is {len(data)} bytes; at most {MAX_FEED_BYTES} are read", file=source
                )
            ]
        )
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad_line = data[: e.start].count(b"\n") + 1
        raise FeedError([_finding(f"not UTF-8 text: {e.reason}", source, bad_line)]) from e
    # Split into logical lines at each line end not followed by a fold, then unfold each: both
    # in C and linear (adding each continuation to a growing string was quadratic in the
    # length of a long folded DESCRIPTION).
    logical: list[tuple[int, str]] = []
    number = 1
    for chunk in _LOGICAL_END.split(decoded.replace("\r\n", "\n").replace("\r", "\n")):
        breaks = chunk.count("\n")
        if breaks:
            chunk = _FOLD.sub("", chunk)
        if chunk.strip():
            logical.append((number, chunk))
        number += breaks + 1
    findings: list[Finding] = []
    if not logical or logical[0][1].strip().upper() != "BEGIN:VCALENDAR":
        where = logical[0][0] if logical else 1
        findings.append(_finding("a feed starts with BEGIN:VCALENDAR", source, where))
        raise FeedError(findings)
    stack: list[tuple[str, int]] = []
    skipping = 0  # open components a shift does not need (VALARM …)
    events: list[_Located] = []
    kept: list[str] = []
    for number, line in logical:
        syntax = _CONTENT_LINE.match(line)
        if not syntax:
            findings.append(
                _finding(f"not a content line NAME[;PARAM=…]:VALUE: {line[:60]!r}", source, number)
            )
            continue
        name = syntax["name"].upper()
        colon = syntax.end()
        value = line[colon:].strip().upper() if name in ("BEGIN", "END") else ""
        longest = 0
        if colon - 1 - len(name) > MAX_PARAMETER_CHARS:
            longest = max(len(p) for p in line[: colon - 1].split(";")[1:])
        if longest > MAX_PARAMETER_CHARS:
            findings.append(
                _finding(
                    f"{name} has a parameter of {longest:,} characters; at most "
                    f"{MAX_PARAMETER_CHARS} are read",
                    source,
                    number,
                )
            )
            continue
        if name == "BEGIN":
            stack.append((value, number))
            skipping += value not in _COMPONENTS_KEPT
            if value == "VEVENT":
                if len(events) == MAX_FEED_EVENTS:
                    findings.append(
                        _finding(
                            f"the feed has more than {MAX_FEED_EVENTS:,} events; at most "
                            f"{MAX_FEED_EVENTS:,} are read",
                            source,
                            number,
                        )
                    )
                    raise FeedError(findings)
                events.append(_Located(number))
            if value not in _COMPONENTS_KEPT:
                continue  # VALARM and the like: nothing a shift needs
        elif name == "END":
            if value not in (v for v, _ in stack):
                findings.append(_finding(f"END:{value} without BEGIN:{value}", source, number))
                continue
            while stack[-1][0] != value:
                inner, opened = stack.pop()
                findings.append(
                    _finding(
                        f"BEGIN:{inner} is not closed before END:{value} (line {number})",
                        source,
                        opened,
                    )
                )
            stack.pop()
            skipping = sum(v not in _COMPONENTS_KEPT for v, _ in stack)
            if value not in _COMPONENTS_KEPT:
                continue
        elif skipping:
            continue
        elif len(stack) == 1 and name not in _CALENDAR_KEEP:
            # Calendar properties are not needed, and one bad one (Grafana's
            # "REFRESH-INTERVAL;VALUE=DURATION:P1H") makes icalendar reject the whole file.
            continue
        elif stack and stack[-1][0] == "VEVENT":
            if name in _ONCE and name in events[-1].props:
                findings.append(
                    _finding(
                        f"{name} appears twice in one event (also line "
                        f"{events[-1].props[name]}); RFC 5545 allows it once",
                        source,
                        number,
                        f"VEVENT[{len(events) - 1}].{name}",
                    )
                )
                continue
            if name == "SUMMARY" and len(line) - colon > MAX_SUMMARY_CHARS:
                findings.append(
                    _finding(
                        f"SUMMARY of {len(line) - colon:,} characters; at most "
                        f"{MAX_SUMMARY_CHARS:,} are read",
                        source,
                        number,
                        f"VEVENT[{len(events) - 1}].SUMMARY",
                    )
                )
                continue
            events[-1].props.setdefault(name, number)
            if name in _EVENT_TEXTS:
                events[-1].texts.setdefault(name, _unescape(line[colon:]))
            if name not in _EVENT_PARSED:
                continue
            events[-1].raw.append((name, line[len(name) : colon - 1], line[colon:]))
        elif len(stack) == 1 and calendar is not None:
            calendar.setdefault(name, _unescape(line[colon:]))
        kept.append(line)
    for value, number in stack:
        findings.append(_finding(f"BEGIN:{value} is never closed by END:{value}", source, number))
    if findings:
        raise FeedError(findings)
    return "\r\n".join(kept) + "\r\n", events


# ---------------------------------------------------------------------------------------------
# People


def _norm(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


class _Roster:
    def __init__(self, members: Iterable[Member] | None) -> None:
        self.index: dict[str, str] = {}
        for m in sorted(members or (), key=lambda m: m.id):
            for key in (m.id, m.name, m.email):
                if key:
                    self.index.setdefault(_norm(key), m.id)

    def match(self, candidates: Sequence[str]) -> str | None:
        for c in candidates:
            hit = self.index.get(_norm(c))
            if hit is not None:
                return hit
        return None


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _attendees(event: Any) -> list[tuple[str, str]]:
    """(address, common name) of each ATTENDEE; LinkedIn oncall puts the person there."""
    raw = event.get("ATTENDEE")
    if raw is None:
        return []
    found: list[tuple[str, str]] = []
    for a in raw if isinstance(raw, list) else [raw]:
        address = re.sub(r"^mailto:", "", str(a), flags=re.IGNORECASE).strip()
        cn = a.params.get("CN") if hasattr(a, "params") else None
        found.append((address, str(cn or "")))
    return found


# ---------------------------------------------------------------------------------------------
# Times


def _zone_of(calendar: Any) -> ZoneInfo | None:
    name = _text(calendar, "X-WR-TIMEZONE").strip()
    if not name:
        return None
    if len(name) > MAX_PARAMETER_CHARS:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _instant(value: date | datetime, default_zone: ZoneInfo | None) -> datetime | None:
    """An aware datetime, or None for a floating time with no zone to read it in."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value
        return value.replace(tzinfo=default_zone) if default_zone else None
    return datetime.combine(value, time(0), tzinfo=default_zone or UTC)


@dataclass
class _Context:
    source: str | None
    where: _Located | None
    index: int
    findings: list[Finding]

    def fail(self, message: str, prop: str | None = None) -> None:
        line = None
        if self.where is not None:
            line = self.where.props.get(prop, self.where.begin) if prop else self.where.begin
        path = f"VEVENT[{self.index}]" + (f".{prop}" if prop else "")
        self.findings.append(_finding(message, self.source, line, path))


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _read_time(prop: Any, name: str, ctx: _Context, zone: ZoneInfo | None) -> datetime | None:
    """DTSTART or DTEND as an aware datetime; a finding and None when it has no zone."""
    given = prop.dt
    if isinstance(given, date) and not MIN_DATE <= _day(given) <= MAX_DATE:
        # Year-0001 dates overflowed in reviews and made plans falsely infeasible.
        ctx.fail(f"{name} {given.isoformat()} is out of range: {MIN_DATE} to {MAX_DATE}", name)
        return None
    value = _instant(given, zone)
    if value is None:
        tzid = prop.params.get("TZID")
        why = f"unknown TZID {tzid!r}" if tzid else "a floating time (no Z, TZID or X-WR-TIMEZONE)"
        ctx.fail(f"{name} is {why}", name)
    return value


def _times(event: Any, ctx: _Context, zone: ZoneInfo | None) -> tuple[datetime, datetime] | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        ctx.fail("the event has no DTSTART")
        return None
    start = _read_time(start_prop, "DTSTART", ctx, zone)
    if start is None:
        return None
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = _read_time(end_prop, "DTEND", ctx, zone)
        if end is None:
            return None
    elif event.get("DURATION") is not None:
        length = event.get("DURATION").dt
        if not isinstance(length, timedelta) or abs(length) > MAX_DURATION:
            ctx.fail(
                f"DURATION {length} is out of range: at most {MAX_DURATION.days} days", "DURATION"
            )
            return None
        end = start + length
    elif not isinstance(start_prop.dt, datetime):
        end = start + timedelta(days=1)  # an all-day event lasts its day (RFC 5545 §3.6.1)
    else:
        ctx.fail("the event has neither DTEND nor DURATION", "DTSTART")
        return None
    if end.astimezone(UTC) <= start.astimezone(UTC):
        ctx.fail(f"the event ends ({end.isoformat()}) before it starts", "DTEND")
        return None
    return start, end


# ---------------------------------------------------------------------------------------------
# Events


def _summary_parts(summary: str) -> dict[str, str]:
    # GoAlert renders its feed with Go's html/template: "Finn O&#39;Connor",
    # "Storefront &amp; Checkout". Character references are decoded before matching.
    decoded = html.unescape(summary.strip()) if "&" in summary else summary.strip()
    for pattern in _SUMMARIES:
        m = pattern.match(decoded)
        if m:
            return {k: v.strip() for k, v in m.groupdict().items() if v}
    return {}


def _layer_of(texts: dict[str, str], parts: dict[str, str], summary: str) -> Layer | None:
    explicit = texts.get("X-ONCALL-LAYER", "").strip().lower() or parts.get("layer", "").lower()
    if explicit in _LAYERS:
        return _LAYERS[explicit]
    role = parts.get("role", "").lower()
    if role:
        return ROLES.get(role)  # the role decides; never the words of the team's name
    m = _LAYER_WORD.search(summary)
    return _LAYERS[m.group(1).lower()] if m else None


def _shift(
    event: Any,
    ctx: _Context,
    roster: _Roster,
    zone: ZoneInfo | None,
    owner: str | None,
) -> FeedShift | None:
    texts = ctx.where.texts if ctx.where is not None else {}
    for prop, error in event.errors:
        ctx.fail(f"{prop} cannot be read: {error}", prop)
        return None
    if texts.get("STATUS", "").upper() == "CANCELLED":
        return None
    if event.get("RRULE") is not None:
        ctx.fail("recurring events (RRULE) are not read: export one event per shift", "RRULE")
        return None
    window = texts.get("X-ONCALL-WINDOW", "")
    if not window and ctx.where is None and event.get("X-ONCALL-WINDOW") is not None:
        window = str(event.get("X-ONCALL-WINDOW"))
    if window.strip():
        # A window's occurrence is part of a week, and history counts whole weeks: reading it
        # as one would count each occurrence as a week. Refused rather than guessed at.
        ctx.fail(
            f"the event is an occurrence of coverage window {window.strip()!r}: feeds of "
            "schedules with windows are not imported (history is kept per week, not per "
            "window); give history in the schedule's members instead",
            "X-ONCALL-WINDOW",
        )
        return None
    summary = texts.get("SUMMARY", "")
    parts = _summary_parts(summary)
    role = parts.get("role", "").lower()
    if role and role not in ROLES:
        known = ", ".join(sorted(r for r, layer in ROLES.items() if layer is not None))
        skipped = ", ".join(sorted(r for r, layer in ROLES.items() if layer is None))
        ctx.fail(
            f"unknown role {role!r} in SUMMARY {summary!r}: on-call roles are {known}; "
            f"{skipped} are not on-call and skipped",
            "SUMMARY",
        )
        return None
    if role and ROLES[role] is None:
        return None
    times = _times(event, ctx, zone)
    if times is None:
        return None
    description = texts.get("DESCRIPTION", "")
    attendees = _attendees(event)
    addresses = [a for a, _ in attendees]
    names = [n for _, n in attendees]
    own = texts.get("X-ONCALL-PERSON", "")
    in_summary = parts.get("name", "")
    described = [*_EMAIL.findall(description), description.split("\n", 1)[0]]
    # Match on the most reliable key first (our id, then email), but name an unmatched person
    # by the name a human would recognise.
    candidates = [own, *addresses, *names, in_summary, *described, owner or ""]
    member = roster.match([c.strip() for c in candidates if c and c.strip()])
    raw = [own, in_summary, *names, *addresses, owner or ""]
    person = member or next((c for c in raw if c and c.strip()), "")
    if not person:
        ctx.fail("the event names no person (SUMMARY, ATTENDEE, X-ONCALL-PERSON)", "SUMMARY")
        return None
    schedule = texts.get("X-ONCALL-SCHEDULE", "") or parts.get("schedule") or None
    priority = texts.get("PRIORITY", "").strip()
    if priority and not priority.isdigit():
        ctx.fail(f"PRIORITY {priority!r} is not a number 0-9", "PRIORITY")
        return None
    return FeedShift(
        priority=int(priority or 0),
        override=texts.get("X-ONCALL-OVERRIDE", "").strip() or None,
        person=person.strip(),
        matched=member is not None,
        layer=_layer_of(texts, parts, summary),
        start=times[0],
        end=times[1],
        schedule=schedule,
        uid=texts.get("UID", ""),
        summary=summary,
    )


class _Prop:
    """A DTSTART or DTEND read by the pre-scan, shaped like icalendar's (``.dt``, ``.params``)."""

    __slots__ = ("dt", "params")

    def __init__(self, dt: date | datetime, params: dict[str, str]) -> None:
        self.dt = dt
        self.params = params


class _Address(str):
    """An ATTENDEE read by the pre-scan, shaped like icalendar's ``vCalAddress``."""

    params: dict[str, str]


class _Event:
    """A VEVENT read by the pre-scan, shaped like icalendar's (``.get``, ``.errors``)."""

    __slots__ = ("errors", "props")

    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props
        self.errors: list[tuple[str, str]] = []

    def get(self, name: str, default: Any = None) -> Any:
        return self.props.get(name, default)


def _read_events(located: Sequence[_Located]) -> list[Any] | None:
    """The events, when every time in them has a common shape (UTC, an IANA TZID, a DATE).

    icalendar needs about 30 µs per content line; reading these shapes here took a
    20,000-event feed from seconds to well under one. Anything else (floating times,
    VTIMEZONE-only TZIDs, DURATION, odd parameters) returns None and icalendar reads the feed.
    """
    out: list[Any] = []
    for event in located:
        props: dict[str, Any] = {}
        attendees: list[_Address] = []
        for name, param_text, value in event.raw:
            params = _lines.parse_params(param_text)
            if params is None:
                return None
            if name in ("DTSTART", "DTEND"):
                when = _lines.parse_time(value, params)
                if when is None:
                    return None
                props[name] = _Prop(when, params)
            elif name == "ATTENDEE":
                address = _Address(value)
                address.params = params
                attendees.append(address)
            elif name == "RRULE":
                props[name] = value
            else:
                return None  # DURATION: icalendar's reading of it stands
        if attendees:
            props["ATTENDEE"] = attendees[0] if len(attendees) == 1 else attendees
        out.append(_Event(props))
    return out


def from_ical(
    data: bytes | str | os.PathLike[str],
    roster: Iterable[Member] | Schedule | Org | None = None,
    *,
    person: str | None = None,
    source: str | None = None,
) -> list[FeedShift]:
    """Read the shifts of an on-call feed.

    Args:
        data: The feed (UTF-8 iCalendar bytes or text, or the path of an ``.ics`` file).
        roster: Members to match people against (by id, email or name), or a schedule or
            org whose members they are.
        person: Whose feed this is, for personal feeds that name nobody in their events
            (GoAlert). Used only when an event names no one.
        source: The file name shown in findings.

    Returns:
        The shifts, sorted by start, schedule, layer and person.

    Raises:
        FeedError: The feed is malformed, or an event cannot be read as a shift; every problem
            is a finding with code L008 and the line of the offending content line.
    """
    data, path = _args.feed_arg("from_ical", "data", data)
    roster = _args.roster_arg("from_ical", "roster", roster)
    if person is not None:
        _args.str_arg("from_ical", "person", person, what="None or a member id")
    if source is not None:
        _args.str_arg("from_ical", "source", source, what="None or a file name")
    source = source or path
    # Automatic garbage collection rescans the growing heap while 100,000 small objects are
    # made (a fifth of a 20,000-event import); nothing here makes reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _from_ical(data, roster, person, source)
    finally:
        if collecting:
            gc.enable()


def _from_ical(
    data: bytes,
    roster: Iterable[Member] | None,
    person: str | None,
    source: str | None,
) -> list[FeedShift]:
    calendar_props: dict[str, str] = {}
    text, located = _scan(data, source, calendar_props)
    events: list[Any] | None = _read_events(located)
    if events is not None:
        zone = _zone_of(calendar_props)
    else:
        from icalendar import Calendar

        try:
            calendar = Calendar.from_ical(text)
        except (ValueError, OSError, RecursionError, KeyError, TypeError) as e:
            # icalendar's own failures on hostile input (a very deep or very long value) are
            # not all ValueError; the pre-scan above has already located structural problems.
            raise FeedError([_finding(f"not an iCalendar feed: {e}", source, 1)]) from e
        zone = _zone_of(calendar)
        events = list(calendar.walk("VEVENT"))
    members = _Roster(roster)
    findings: list[Finding] = []
    shifts: list[FeedShift] = []
    for i, event in enumerate(events):
        where = located[i] if len(located) == len(events) else None
        found = _shift(event, _Context(source, where, i, findings), members, zone, person)
        if found is not None:
            shifts.append(found)
    if findings:
        raise FeedError(findings)
    return sorted(
        shifts,
        key=lambda s: (
            s.start.astimezone(UTC),
            s.schedule or "",
            _ORDER[s.layer] if s.layer else 0,
            s.person,
            s.uid,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Carry-over and history plans


#: One feed to read: its bytes, its file name (for findings) and whose feed it is (or None).
FeedSource = tuple[bytes, str | None, str | None]


def _members_shifts(
    data: bytes, schedule: Schedule, source: str | None, person: str | None = None
) -> list[FeedShift]:
    """The feed's shifts of the schedule's members.

    When some events name this schedule (our own feeds, a feed of a whole org), only those
    count: a person in two schedules must not have one schedule's weeks counted in the other.
    Feeds of other products name their own schedules, and then every matched shift counts.
    """
    members = schedule.participants.members
    mine = [s for s in from_ical(data, members, person=person, source=source) if s.matched]
    named = [s for s in mine if s.schedule == schedule.name]
    return named or mine


def _cut(s: FeedShift, holes: Sequence[tuple[datetime, datetime]]) -> list[FeedShift]:
    """``s`` without the (sorted, UTC) stretches ``holes``."""
    pieces: list[FeedShift] = []
    start = s.start.astimezone(UTC)
    end = s.end.astimezone(UTC)
    for a, b in holes:
        if b <= start or a >= end:
            continue
        if a > start:
            pieces.append(s.model_copy(update={"start": start, "end": a}))
        start = max(start, b)
    if start < end:
        pieces.append(s.model_copy(update={"start": start, "end": end}))
    return pieces


def _effective(shifts: Sequence[FeedShift]) -> list[FeedShift]:
    """The feed's shifts as they were lived: where events of one paged layer overlap, the one
    of higher PRIORITY holds the time and the others are cut around it.

    Grafana OnCall's feeds hold a rotation's event and, over it, the override's (PRIORITY 1);
    PagerDuty, GoAlert and LinkedIn write the final schedule, already cut, and pass unchanged.
    Events of equal priority that overlap stay as they are (a double booking). Shadows are
    never cut: two people may shadow at once.
    """
    out = [s for s in shifts if s.layer is Layer.SHADOW]
    for layer in (Layer.PRIMARY, Layer.SECONDARY):
        mine = [s for s in shifts if (s.layer or Layer.PRIMARY) is layer]
        if len({s.priority for s in mine}) <= 1:
            out.extend(mine)
            continue
        # For each priority, the union of the time held by higher ones: sorted, disjoint.
        above: dict[int, list[tuple[datetime, datetime]]] = {}
        for level in {s.priority for s in mine}:
            spans = sorted(
                (h.start.astimezone(UTC), h.end.astimezone(UTC)) for h in mine if h.priority > level
            )
            union: list[tuple[datetime, datetime]] = []
            for a, b in spans:
                if union and a <= union[-1][1]:
                    union[-1] = (union[-1][0], max(union[-1][1], b))
                else:
                    union.append((a, b))
            above[level] = union
        for s in mine:
            union = above[s.priority]
            start, end = s.start.astimezone(UTC), s.end.astimezone(UTC)
            i = max(0, bisect.bisect_right(union, (start, start)) - 1)
            holes = []
            while i < len(union) and union[i][0] < end:
                if union[i][1] > start:
                    holes.append(union[i])
                i += 1
            out.extend(_cut(s, holes) if holes else [s])
    return sorted(
        out,
        key=lambda s: (s.start.astimezone(UTC), s.layer.order if s.layer else 0, s.person, s.uid),
    )


def _feeds(data: bytes | Sequence[FeedSource], source: str | None) -> list[FeedSource]:
    if isinstance(data, bytes | bytearray):
        return [(bytes(data), source, None)]
    return list(data)


def feed_history(
    data: bytes | str | os.PathLike[str],
    schedule: Schedule | str | os.PathLike[str],
    before: date | str,
    *,
    source: str | None = None,
    person: str | None = None,
) -> dict[str, MemberHistory]:
    """On-call carry-over of the schedule's members from a feed of their actual shifts.

    Only shifts that start before ``before`` (a local date in the schedule's zone) count, and
    when some events name this schedule, only those.
    A shift without a layer counts as primary (a one-layer feed, e.g. one PagerDuty schedule).
    Overrides count as lived: where an override event (Grafana OnCall's PRIORITY 1) lies over
    a rotation's event, its hours are the coverer's and are taken off the covered person's, so
    the planner repays a cover. Shadow shifts are not on call: they count only as
    ``shadow_weeks_done``, so a new engineer who shadowed last quarter does not shadow again.
    It is :func:`history_plan` read by :func:`oncall_planner.carryover.plan_history`: weeks are
    real hours ÷ 168 to three decimals (a whole week across a DST change is one week), and
    ``last_on_call`` is the start of the last handoff week on call.

    Args:
        data: The feed.
        schedule: The schedule whose members are matched (by id, email or name).
        before: Shifts starting on or after this date are ignored.
        source: The feed's file name, shown in findings.
        person: Whose feed this is (member id, email or name), for personal feeds whose events
            name nobody (GoAlert).

    Returns:
        Member id → history, for every member with at least one counted or shadow shift,
        sorted by id.

    Raises:
        FeedError: The feed cannot be read.
    """
    data, path = _args.feed_arg("feed_history", "data", data)
    schedule = _args.schedule_arg("feed_history", "schedule", schedule)
    before = _args.date_arg("feed_history", "before", before)
    source = source or path
    # One definition of carry-over: the feed as a plan of what was lived (overrides
    # included), read as any previous plan is (hours ÷ 168, a DST week is one week).
    from oncall_planner.carryover import plan_history

    try:
        lived = history_plan(data, schedule, source=source, person=person)
    except FeedError as e:
        if any(f.message.startswith("no shift in the feed matches") for f in e.findings):
            return {}
        raise
    return plan_history(lived, schedule, before)


def _handoffs(schedule: Schedule, first: datetime, last: datetime) -> list[datetime]:
    """Handoff instants from the one at or before ``first`` to the one at or after ``last``."""
    # Start a week early, so that the first handoff is before ``first``, and run a week past
    # ``last``; then trim to the bounding handoffs.
    day = first.astimezone(schedule.zone).date() - timedelta(days=7)
    bounds = week_starts(schedule, day, (last - first).days // 7 + 3)
    lo = max(k for k, b in enumerate(bounds) if b <= first)
    hi = min(k for k, b in enumerate(bounds) if b >= last)
    return bounds[lo : hi + 1]


def history_plan(
    data: bytes | str | os.PathLike[str] | Sequence[FeedSource],
    schedule: Schedule | str | os.PathLike[str],
    *,
    source: str | None = None,
    person: str | None = None,
) -> Plan:
    """The feed's actual shifts as a plan of ``schedule``, for reviews of what really happened.

    Week 0 is the handoff week holding the earliest shift. A shift that spans whole handoff
    weeks is split into one shift per week. Shifts that do not align with handoffs (an
    override, the pieces around it, a daily rotation) become the plan's effective roster: in
    each handoff week of a paged layer, the person holding most of the week's hours (among
    the events of lowest PRIORITY) gets the weekly shift (over the week's covered stretch),
    and every other person's stretch becomes an override (``SchedulePlan.overrides``, id
    from ``X-ONCALL-OVERRIDE`` in our own feeds), so ``plan.on_call`` and reviews see who
    really held the layer. Overlapping events are
    first resolved by PRIORITY (Grafana OnCall's overrides). Shadow shifts and shifts not on
    whole minutes are kept whole with the index of the week they start in. A shift without a
    layer becomes primary. People not on the roster are left out.

    ``source`` (the feed's file name) is shown in findings; ``person`` says whose feed it is,
    for personal feeds whose events name nobody (GoAlert). ``data`` may also be several feeds,
    each ``(bytes, source, person)`` (one personal feed per member): their shifts are read
    together.

    Raises:
        FeedError: A feed cannot be read, or no shift matches a member.
    """
    if not (isinstance(data, list | tuple) and data and isinstance(data[0], tuple)):
        data, path = _args.feed_arg("history_plan", "data", data)
        source = source or path
    schedule = _args.schedule_arg("history_plan", "schedule", schedule)
    feeds = _feeds(data, source)
    shifts = [
        s
        for feed, name, whose in feeds
        for s in _members_shifts(feed, schedule, name, person if whose is None else whose)
    ]
    if not shifts:
        where = source if len(feeds) != 1 else feeds[0][1]
        raise FeedError(
            [_finding(f"no shift in the feed matches a member of {schedule.name!r}", where, None)]
        )
    shifts = _effective(shifts)
    zone = schedule.zone
    first = min(s.start for s in shifts)
    bounds = _handoffs(schedule, first, max(s.end for s in shifts))
    index = {b.astimezone(UTC): k for k, b in enumerate(bounds)}
    out: list[Shift] = []
    partial: dict[Layer, list[FeedShift]] = {}
    for s in shifts:
        layer = s.layer or Layer.PRIMARY
        a, b = index.get(s.start.astimezone(UTC)), index.get(s.end.astimezone(UTC))
        if a is not None and b is not None:
            out.extend(
                Shift(week=k, layer=layer, person=s.person, start=bounds[k], end=bounds[k + 1])
                for k in range(a, b)
            )
            continue
        if layer is not Layer.SHADOW and _whole_minutes(s):
            partial.setdefault(layer, []).append(s)
            continue
        week = (
            max(k for k, bound in enumerate(bounds) if bound <= s.start)
            if s.start >= bounds[0]
            else 0
        )
        out.append(Shift(week=week, layer=layer, person=s.person, start=s.start, end=s.end))
    overrides: list[Override] = []
    for layer in Layer:
        if layer in partial:
            _lay_over(schedule.name, layer, partial[layer], bounds, out, overrides)
    people = {
        m.id: Person(name=m.name, email=m.email, timezone=m.timezone)
        for m in schedule.participants.members
        if any(o.person == m.id for o in overrides)
    }
    plan = Plan(
        schedules=(
            SchedulePlan(
                name=schedule.name,
                timezone=schedule.timezone,
                start=bounds[0].astimezone(zone).date(),
                weeks=max(1, len(bounds) - 1),
                shifts=tuple(out),
                overrides=tuple(overrides),
            ),
        ),
        people=people,
        solve=SolveInfo(status="IMPORTED"),
    )
    return plan.annotate([schedule])


def _whole_minutes(s: FeedShift) -> bool:
    return not (s.start.second or s.start.microsecond or s.end.second or s.end.microsecond)


def _seconds(a: datetime, b: datetime) -> float:
    return (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds()


def _lay_over(
    schedule: str,
    layer: Layer,
    parts: Sequence[FeedShift],
    bounds: Sequence[datetime],
    out: list[Shift],
    overrides: list[Override],
) -> None:
    """Weekly shifts and overrides of one layer from the feed's pieces that miss handoffs.

    In each handoff week without a whole-week shift, the person of the lowest PRIORITY (the
    rotation, in Grafana OnCall's feeds) holding most of the pieces' hours (ties: the
    earliest) holds the weekly shift, over the stretch the pieces cover; the part of a piece
    in weeks someone else holds is an override (an override event of our own feeds, whole),
    so the effective roster is the feed's.
    """
    owner: dict[int, str] = {}
    for s in out:
        if s.layer is layer:
            owner.setdefault(s.week, s.person)
    instants = [b.astimezone(UTC) for b in bounds]

    def weeks_of(p: FeedShift) -> range:
        # The handoff weeks the piece overlaps, by bisection (a 10,000-shift feed stays fast).
        first = max(0, bisect.bisect_right(instants, p.start.astimezone(UTC)) - 1)
        last = bisect.bisect_left(instants, p.end.astimezone(UTC))
        return range(first, min(last, len(bounds) - 1))

    by_week: dict[int, list[FeedShift]] = {}
    for p in parts:
        for k in weeks_of(p):
            by_week.setdefault(k, []).append(p)
    for k in sorted(by_week):
        lo, hi = bounds[k], bounds[k + 1]
        inside = [(p, max(p.start, lo), min(p.end, hi)) for p in by_week[k] if p.overlaps(lo, hi)]
        if not inside or k in owner:
            continue
        hours: dict[str, float] = {}
        earliest: dict[str, datetime] = {}
        rank: dict[str, int] = {}
        for p, a, b in inside:
            hours[p.person] = hours.get(p.person, 0.0) + _seconds(a, b)
            earliest[p.person] = min(earliest.get(p.person, a), a, key=lambda t: t.astimezone(UTC))
            rank[p.person] = min(rank.get(p.person, p.priority), p.priority)
        # A rotation's event (lowest PRIORITY) holds the week before an override's does.
        who = min(hours, key=lambda m: (rank[m], -hours[m], earliest[m].astimezone(UTC), m))
        start = min((a for _, a, _ in inside), key=lambda t: t.astimezone(UTC))
        end = max((b for _, _, b in inside), key=lambda t: t.astimezone(UTC))
        out.append(Shift(week=k, layer=layer, person=who, start=start, end=end))
        owner[k] = who
    taken: set[str] = set()
    for p in sorted(parts, key=lambda p: (p.priority, p.start.astimezone(UTC), p.person)):
        weeks = [k for k in weeks_of(p) if p.overlaps(bounds[k], bounds[k + 1])]
        stretches: list[tuple[datetime, datetime, set[str]]] = []
        if p.override:
            # Our own feed's override event: the override as it was made, whole.
            under = {owner[k] for k in weeks if k in owner and owner[k] != p.person}
            if under or any(owner.get(k) != p.person for k in weeks):
                stretches.append((p.start, p.end, under))
        else:
            # Only the part in weeks someone else holds (a shift an hour off the handoffs
            # overrides that hour, not the weeks its holder holds anyway).
            for k in weeks:
                held = owner.get(k)
                if held == p.person:
                    continue
                a, b = max(p.start, bounds[k]), min(p.end, bounds[k + 1])
                if stretches and stretches[-1][1] == a:
                    stretches[-1] = (stretches[-1][0], b, stretches[-1][2] | {held or ""})
                else:
                    stretches.append((a, b, {held or ""}))
        for a, b, under in stretches:
            under.discard("")
            oid = p.override if p.override and p.override not in taken else None
            if oid is None:
                oid = _override_id(schedule, layer, p.person, a, b, taken)
            taken.add(oid)
            overrides.append(
                Override(
                    id=oid,
                    layer=layer,
                    person=p.person,
                    start=a,
                    end=b,
                    replaces=under.pop() if len(under) == 1 else None,
                )
            )
