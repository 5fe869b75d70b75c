"""Plan → iCalendar feed: one VEVENT per shift, byte-identical for identical plans.

What each choice prevents (research/ical.md §6 is the checklist the tests follow):

- UIDs come from (schedule, layer, week start) and a domain. A random or time-based UID makes
  every refresh look like new events: duplicates for importers, lost reminders for subscribers.
- DTSTAMP equals LAST-MODIFIED and is the time the plan records it was made (``Plan.created``,
  or ``Plan.revised`` for a re-plan), never "now" at export: "now" would claim that every shift
  changed on every export, and the bytes would never repeat. A plan file without a recorded time
  (older plan@1 files, hand-made plans) falls back to midnight UTC of its start date.
- With a previous plan (or the previous feed), a shift whose content changed keeps its UID and
  gets SEQUENCE + 1 and a later LAST-MODIFIED, so Google and Outlook apply the update; unchanged
  shifts are copied byte for byte from the previous feed.
- ``utc`` mode writes every time as ``…Z``. ``tzid`` mode writes ``TZID=<IANA name>`` and one
  VTIMEZONE per zone (``vtimezone``), except for instants whose local wall time is ambiguous
  (the repeated hour after a fall-back change): libical and ical.js read those as the second
  occurrence while RFC 5545 says the first, so they are written in UTC. A zone whose offset
  changes follow no yearly rule (Africa/Casablanca, Africa/El_Aaiun: Ramadan) has no VTIMEZONE
  every client reads right, so all its times are written in UTC too.
- ``TRANSP:TRANSPARENT`` and ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``: being on call is not "busy"
  (Outlook otherwise blocks the whole week, target/goalert#3475).
- ``METHOD:PUBLISH`` as GoAlert, Google and Outlook exports set it, with the ORGANIZER RFC 5546
  requires of a published event (``mailto:oncall-planner@<domain>``) and no ATTENDEE (PUBLISH
  forbids it): the person is named in SUMMARY, DESCRIPTION and ``X-ONCALL-PERSON``.
- A personal feed's UIDs name the person (``…-primary-20270104.alice.personal@domain``), so no UID
  is shared between a schedule feed and a personal feed: a client that merges subscribed
  calendars by UID never sees one UID with two SUMMARYs or SEQUENCEs. A shift reassigned from
  Kai to Lea leaves Kai's feed and is a new event in Lea's.
- A feed with no shift (a person with nothing planned) still holds one component, a VTIMEZONE
  of the schedule's zone, since RFC 5545's grammar needs at least one.
- A plan with overrides is written as its effective roster (``roster.effective_shifts``): an
  override is its own event (``<schedule>-<layer>-override-<id>``, ``X-ONCALL-OVERRIDE``) and
  the weekly event it interrupts is split into pieces named by the shift's UID plus
  ``-from<UTC start>`` (:func:`piece_uid`). A plan without overrides is written shift by
  shift, byte for byte as before.
- A schedule with coverage windows has one event per occurrence (a plan's shift): the UID
  names the window and the occurrence's UTC start (``support-primary-emea-20270315T0800Z@…``),
  so re-exporting gives the same bytes and a re-plan that keeps an occurrence keeps its UID;
  SUMMARY names the window (``On-call primary (emea): Ana (support)``), DESCRIPTION its shape,
  and ``X-ONCALL-WINDOW`` carries it. A calendar then shows the real blocks, not whole weeks.
- An event of the previous feed that this revision no longer holds is published once with
  ``STATUS:CANCELLED`` and SEQUENCE + 1 (as Grafana OnCall does), so calendars that merge by
  UID drop it; the revision after leaves it out.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oncall_planner import _args
from oncall_planner.errors import FeedError
from oncall_planner.ical._lines import CRLF, fold, format_local, format_utc, text
from oncall_planner.ical.vtimezone import VTimezoneError, build_vtimezone
from oncall_planner.plans import Layer, Plan, PlanLevel, SchedulePlan, Shift
from oncall_planner.roster import EffectiveShift, effective_shifts, handoffs, horizon
from oncall_planner.rules import rule

__all__ = [
    "DEFAULT_DOMAIN",
    "PRODID",
    "TzMode",
    "event_uid",
    "feed_name",
    "piece_uid",
    "safe_name",
    "to_ical",
]

TzMode = Literal["utc", "tzid"]

#: UIDs end in ``@<domain>``; set your own (RFC 5545 §3.8.4.7 recommends a domain you own).
DEFAULT_DOMAIN = "oncall-planner.invalid"
PRODID = "-//oncall-planner//On-call feed//EN"

_UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def safe_name(name: str) -> str:
    """``name`` if it is a safe file and UID component, else a slug plus a short hash.

    The hash keeps two names that slug alike ("On call!" and "On call?") apart.
    """
    if _SAFE.match(name) and len(name) <= 100:
        return name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "x"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def event_uid(
    schedule: str, shift: Shift, domain: str = DEFAULT_DOMAIN, *, personal: bool = False
) -> str:
    """The stable UID of a shift: schedule, layer and the local date of the week start.

    An occurrence of a coverage window is named by schedule, layer, window and its start in
    UTC (``support-primary-emea-20270315T0800Z@…``): one UID per occurrence.

    A shadow shift also names its person, since two new engineers may shadow in one week.
    In a personal feed (``personal=True``) the UID ends in ``.<person>.personal``: it is the
    person's event, distinct from the schedule feed's event of the same week.
    """
    if shift.window is not None:
        # One event per occurrence: the window and the occurrence's start (UTC, to the minute)
        # name it. Not the week index: a re-plan from a later date renumbers the weeks, and an
        # occurrence it keeps must keep its UID.
        when = _stamp_minute(shift.start)
        uid = f"{safe_name(schedule)}-{shift.layer.value}-{safe_name(shift.window)}-{when}"
    else:
        day = shift.start.strftime("%Y%m%d")
        uid = f"{safe_name(schedule)}-{shift.layer.value}-{day}"
    if shift.layer is Layer.SHADOW:
        uid += f"-{safe_name(shift.person)}"
    if personal:
        uid += f".{safe_name(shift.person)}.personal"
    return f"{uid}@{domain}"


def feed_name(plan: Plan, schedule: str | None, person: str | None) -> str:
    """The calendar's display name (``NAME`` and ``X-WR-CALNAME``)."""
    if person is not None:
        who = plan.display_name(person)
        return f"On-call: {who}" + (f" ({schedule})" if schedule else "")
    if schedule is not None:
        return f"On-call: {schedule}"
    return "On-call: " + ", ".join(sorted(sp.name for sp in plan.schedules))


# ---------------------------------------------------------------------------------------------
# Event text


def _minutes(seconds: float) -> str:
    if seconds <= 0:
        return "at once"
    if seconds < 60:
        return f"after {seconds:g} s"
    minutes = seconds / 60
    return f"after {minutes:g} min"


def _paged(sp: SchedulePlan, level: PlanLevel) -> str:
    """When ``level`` is paged, per path: ``after 5 min`` or ``after 5 min for SEV1; at once
    for other severities`` when severity-restricted levels make the paths differ."""
    named = sorted({n for lvl in sp.escalation for n in lvl.severities or ()})
    times: dict[float, list[str]] = {}
    for severity in [*named, None]:
        if level.severities is not None and severity not in level.severities:
            continue
        reached = 0.0
        for lvl in sp.escalation:
            if lvl is level:
                break
            if lvl.severities is None or severity in lvl.severities:
                reached += lvl.timeout_s
        times.setdefault(reached, []).append(severity or "other severities")
    if len(times) == 1:
        return _minutes(next(iter(times)))
    return "; ".join(f"{_minutes(t)} for {', '.join(who)}" for t, who in times.items())


def _only(level: PlanLevel) -> str:
    return f" ({', '.join(level.severities)} only)" if level.severities else ""


@dataclass(frozen=True)
class _Event:
    """An event's text without its revision state, and where the state lines go."""

    uid: str
    head: str  # BEGIN … DTEND
    uid_line: str
    middle: str  # DESCRIPTION
    tail: str  # STATUS … END

    @property
    def body(self) -> str:
        """The text that decides whether a shift changed (revision lines left out)."""
        return self.head + self.uid_line + self.middle + self.tail

    def render(self, sequence: int, modified: datetime) -> str:
        stamp = format_utc(modified)
        return (
            f"{self.head}DTSTAMP:{stamp}{CRLF}{self.uid_line}SEQUENCE:{sequence}{CRLF}"
            f"{self.middle}LAST-MODIFIED:{stamp}{CRLF}{self.tail}"
        )


def _ambiguous(dt: datetime, zone: ZoneInfo) -> bool:
    """True if the instant's local wall time happens twice (the repeated hour of a fall-back)."""
    local = dt.astimezone(zone)
    return local.replace(fold=1).utcoffset() != local.replace(fold=0).utcoffset()


def _vtimezones(
    plan: Plan, schedule: str | None, person: str | None
) -> tuple[dict[str, str], frozenset[str]]:
    """The VTIMEZONE of each zone the feed writes with TZID, and the zones that have none.

    Each VTIMEZONE is verified at every instant the feed may write in its zone.
    """
    instants: dict[str, list[datetime]] = {}
    for sp, start, end in _spans(plan, schedule, person):
        if sp.timezone in _UTC_NAMES:
            continue
        zone = ZoneInfo(sp.timezone)
        for dt in (start, end):
            if not _ambiguous(dt, zone):
                instants.setdefault(sp.timezone, []).append(dt)
    built: dict[str, str] = {}
    without: set[str] = set()
    for tzid in sorted(instants):
        try:
            built[tzid] = build_vtimezone(tzid, instants[tzid])
        except VTimezoneError:
            without.add(tzid)
    return built, frozenset(without)


class _Writer:
    """Renders the events of one feed, caching what shifts share (10,000 shifts in < 1 s)."""

    def __init__(
        self,
        plan: Plan,
        *,
        personal: bool,
        tzid: bool,
        domain: str,
        contacts: bool,
        utc_zones: frozenset[str] = frozenset(),
    ):
        self.plan = plan
        #: Zones written in UTC although ``tzid`` is set (no VTIMEZONE describes them).
        self.utc_zones = utc_zones
        self.personal = personal
        self.tzid = tzid
        self.domain = domain
        self.contacts = contacts
        #: Zone name → the instants written with its TZID (the VTIMEZONE must cover them).
        self.zoned: dict[str, list[datetime]] = {}
        self._when: dict[tuple[datetime, str], str] = {}
        self._times: dict[tuple[str, datetime, str], tuple[str, bool]] = {}
        self._policy: dict[tuple[str, Layer], str] = {}
        self._tails: dict[tuple[str, Layer, str, str | None], str] = {}
        #: RFC 5546 §3.2.1: a PUBLISHed event has an ORGANIZER (the publisher, not a person).
        self.organizer = fold(f"ORGANIZER;CN=oncall-planner:mailto:oncall-planner@{domain}")

    def when(self, dt: datetime, zone: ZoneInfo) -> str:
        """``Mon 2027-01-04 10:00 CET`` (strftime's %a would depend on the locale)."""
        key = (dt, zone.key)
        found = self._when.get(key)
        if found is None:
            t = dt.astimezone(zone)
            found = (
                f"{_WEEKDAYS[t.weekday()]} {t.year:04d}-{t.month:02d}-{t.day:02d} "
                f"{t.hour:02d}:{t.minute:02d} {t.tzname()}"
            )
            self._when[key] = found
        return found

    def time_line(self, name: str, dt: datetime, zone: ZoneInfo) -> str:
        """``DTSTART…`` in UTC, or with the zone's TZID (recorded for its VTIMEZONE)."""
        key = (name, dt, zone.key)
        found = self._times.get(key)
        if found is None:
            found = (f"{name}:{format_utc(dt)}", False)
            if self.tzid and zone.key not in _UTC_NAMES and zone.key not in self.utc_zones:
                local = dt.astimezone(zone)
                # The repeated hour of a fall-back change: clients disagree, so write UTC.
                if not _ambiguous(dt, zone):
                    found = (fold(f"{name};TZID={zone.key}:{format_local(local)}"), True)
            self._times[key] = found
        if found[1]:
            self.zoned.setdefault(zone.key, []).append(dt)
        return found[0]

    def _target(self, target: str, sp: SchedulePlan) -> str:
        if target.startswith("on-call-"):
            return f"{sp.name} {target.removeprefix('on-call-')}"
        contact = sp.contacts.get(target)
        if contact is None:
            return target
        if self.contacts and contact.email:
            return f"{contact.name} <{contact.email}> ({target})"
        return f"{contact.name} ({target})"

    def policy(self, sp: SchedulePlan, layer: Layer) -> str:
        """The DESCRIPTION lines about escalation, the same for every shift of a layer."""
        key = (sp.name, layer)
        found = self._policy.get(key)
        if found is not None:
            return found
        lines: list[str] = []
        if layer is Layer.SHADOW:
            lines.append("Shadow shift: not paged.")
        elif sp.escalation:
            own = [
                f"escalation level {lvl.level}, paged {_paged(sp, lvl)}" + _only(lvl)
                for lvl in sp.escalation
                if f"on-call-{layer.value}" in lvl.targets
            ]
            lines.append(
                ("This shift is " + "; ".join(own) + ".")
                if own
                else "The escalation policy does not page this layer."
            )
        if sp.escalation:
            lines.append("Escalation policy:")
            for lvl in sp.escalation:
                who = ", ".join(self._target(t, sp) for t in lvl.targets)
                lines.append(f"{lvl.level}. {who}: paged {_paged(sp, lvl)}{_only(lvl)}")
        found = "".join("\n" + line for line in lines)
        self._policy[key] = found
        return found

    def description(
        self, sp: SchedulePlan, shift: Shift, zone: ZoneInfo, name: str, note: str = ""
    ) -> str:
        """Who, the handoffs in the schedule's zone (and the person's), escalation, contacts."""
        role = (
            "shadows the primary" if shift.layer is Layer.SHADOW else f"is on call as {shift.layer}"
        )
        if shift.window is not None:
            shape = next((w.shape for w in sp.windows if w.name == shift.window), None)
            text_ = (
                f"{name} {role} for {sp.name}, window {shift.window}"
                + (f" ({shape})" if shape else "")
                + "."
                f"\nFrom: {self.when(shift.start, zone)} ({sp.timezone})"
                f"\nTo: {self.when(shift.end, zone)} ({sp.timezone})"
            )
        else:
            text_ = (
                f"{name} {role} for {sp.name}."
                f"\nHandoff in: {self.when(shift.start, zone)} ({sp.timezone})"
                f"\nHandoff out: {self.when(shift.end, zone)} ({sp.timezone})"
            )
        info = self.plan.people.get(shift.person)
        if info is not None and info.timezone and info.timezone != sp.timezone:
            own = ZoneInfo(info.timezone)
            text_ += (
                f"\nFor {name} ({info.timezone}): "
                f"{self.when(shift.start, own)} to {self.when(shift.end, own)}"
            )
        return text_ + note + self.policy(sp, shift.layer)

    def tail(self, sp: SchedulePlan, shift: Shift, override: str | None = None) -> str:
        if override is not None:
            # An override's event names its id, so a feed read back gives the same override.
            return self.tail(sp, shift).replace(
                f"END:VEVENT{CRLF}",
                f"{fold('X-ONCALL-OVERRIDE:' + text(override))}{CRLF}END:VEVENT{CRLF}",
            )
        key = (sp.name, shift.layer, shift.person, shift.window)
        found = self._tails.get(key)
        if found is None:
            window = (
                f"{fold('X-ONCALL-WINDOW:' + text(shift.window))}{CRLF}"
                if shift.window is not None
                else ""
            )
            found = (
                f"{self.organizer}{CRLF}"
                f"STATUS:CONFIRMED{CRLF}TRANSP:TRANSPARENT{CRLF}"
                f"X-MICROSOFT-CDO-BUSYSTATUS:FREE{CRLF}"
                f"{fold('X-ONCALL-LAYER:' + shift.layer.value)}{CRLF}"
                f"{fold('X-ONCALL-PERSON:' + text(shift.person))}{CRLF}"
                f"{fold('X-ONCALL-SCHEDULE:' + text(sp.name))}{CRLF}"
                f"{window}"
                f"END:VEVENT{CRLF}"
            )
            self._tails[key] = found
        return found

    def event(
        self,
        sp: SchedulePlan,
        shift: Shift,
        zone: ZoneInfo,
        *,
        uid: str | None = None,
        note: str = "",
        override: str | None = None,
    ) -> _Event:
        """The event of one shift (or of one effective piece: ``uid``, ``note``, ``override``)."""
        name = self.plan.display_name(shift.person)
        layer = shift.layer.value
        if shift.window is not None:
            # "On-call primary (emea): Ana (support)": the window is what the block is.
            layer = f"{layer} ({shift.window})"
        summary = (
            f"[{sp.name}/{layer}] On-call {layer}: {name}"
            if self.personal
            else f"On-call {layer}: {name} ({sp.name})"
        )
        start = self.time_line("DTSTART", shift.start, zone)
        end = self.time_line("DTEND", shift.end, zone)
        if uid is None:
            uid = event_uid(sp.name, shift, self.domain, personal=self.personal)
        description = self.description(sp, shift, zone, name, note)
        return _Event(
            uid=uid,
            head=(
                f"BEGIN:VEVENT{CRLF}{fold('SUMMARY:' + text(summary))}{CRLF}"
                f"{start}{CRLF}{end}{CRLF}"
            ),
            uid_line=f"{fold('UID:' + text(uid))}{CRLF}",
            middle=f"{fold('DESCRIPTION:' + text(description))}{CRLF}",
            tail=self.tail(sp, shift, override),
        )


# ---------------------------------------------------------------------------------------------
# Revision state carried over from the previous feed


@dataclass(frozen=True)
class _Prior:
    body: str
    sequence: int
    modified: datetime
    text: str
    cancelled: bool = False
    end: datetime | None = None


def _prior_end(line: str) -> datetime | None:
    """A previous event's DTEND (``DTEND:…Z`` or ``DTEND;TZID=…:…``); None if not ours."""
    head, _, value = line.partition(":")
    try:
        if head == "DTEND":
            return _utc_stamp(value)
        if head.startswith("DTEND;TZID="):
            local = datetime.strptime(value.strip(), "%Y%m%dT%H%M%S")  # noqa: DTZ007
            return local.replace(tzinfo=ZoneInfo(head.removeprefix("DTEND;TZID=")))
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return None
    return None


def _cancellations(
    plan: Plan,
    schedule: str | None,
    prior: Mapping[str, _Prior],
    seen: set[str],
    stamp: datetime | None,
) -> list[str]:
    """The previous feed's events this revision removed, published once as CANCELLED.

    As Grafana OnCall does: a subscribed calendar that merges by UID drops an event only when
    told. An event already CANCELLED in the previous feed is not published again, and one that
    ended before the plan's first handoff is history a later plan no longer holds, not removed.
    """
    chosen = [
        sp for sp in plan.schedules if (schedule is None or sp.name == schedule) and sp.shifts
    ]
    if not prior or not chosen:
        return []
    first = min(horizon(sp)[0] for sp in chosen)
    base = max(_base_stamp(plan, sp, stamp) for sp in chosen)
    out: list[str] = []
    for uid in sorted(prior):
        before = prior[uid]
        if uid in seen or before.cancelled or (before.end is not None and before.end <= first):
            continue
        when = format_utc(max(base, before.modified + timedelta(seconds=1)))
        lines = []
        for line in before.text.split(CRLF):
            key = line.partition(":")[0]
            if key == "STATUS":
                line = "STATUS:CANCELLED"
            elif key == "SEQUENCE":
                line = f"SEQUENCE:{before.sequence + 1}"
            elif key in ("DTSTAMP", "LAST-MODIFIED"):
                line = f"{key}:{when}"
            lines.append(line)
        out.append(CRLF.join(lines))
    return out


def _utc_stamp(value: str) -> datetime:
    """``20270104T100000Z`` → an aware UTC datetime (strptime is ten times slower)."""
    v = value.strip()
    if len(v) != 16 or v[8] != "T" or v[15] != "Z":
        raise ValueError(f"not a UTC date-time: {value!r}")
    return datetime(
        int(v[0:4]), int(v[4:6]), int(v[6:8]), int(v[9:11]), int(v[11:13]), int(v[13:15]),
        tzinfo=UTC,
    )  # fmt: skip


def _prior_events(feed: str) -> dict[str, _Prior]:
    """UID → the previous feed's event (its text, body, SEQUENCE and LAST-MODIFIED).

    Events this exporter did not write (no SEQUENCE or LAST-MODIFIED) are left out: they
    cannot be carried over byte for byte, so their shifts are treated as new.

    Raises:
        FeedError: A SEQUENCE or LAST-MODIFIED cannot be read (L008, with its line).
    """
    found: dict[str, _Prior] = {}
    chunks = feed.split("BEGIN:VEVENT\r\n")
    line_no = chunks[0].count(CRLF) + 1  # the line of the chunk's BEGIN:VEVENT
    for index, chunk in enumerate(chunks[1:]):
        inner = chunk.split("END:VEVENT\r\n", 1)[0]
        body = ["BEGIN:VEVENT\r\n"]
        uid_parts: list[str] = []
        in_uid = False
        sequence: int | None = None
        modified: datetime | None = None
        cancelled = False
        end: datetime | None = None
        for offset, line in enumerate(inner.split(CRLF)[:-1], start=1):
            if in_uid and line[:1] == " ":
                uid_parts.append(line[1:])
            else:
                in_uid = False
                name = line.partition(":")[0]
                if name in ("SEQUENCE", "LAST-MODIFIED"):
                    try:
                        if name == "SEQUENCE":
                            sequence = int(line[9:])
                        else:
                            modified = _utc_stamp(line[14:])
                    except ValueError as e:
                        raise _unreadable(line, line_no + offset, f"VEVENT[{index}].{name}") from e
                    continue
                if name == "DTSTAMP":
                    continue
                if name == "STATUS":
                    cancelled = line[7:].strip().upper() == "CANCELLED"
                elif name.startswith("DTEND"):
                    end = _prior_end(line)
                if name == "UID":
                    uid_parts, in_uid = [line[4:]], True
            body.append(line)
            body.append(CRLF)
        line_no += chunk.count(CRLF) + 1
        if not uid_parts or sequence is None or modified is None:
            continue
        body.append("END:VEVENT\r\n")
        uid = "".join(uid_parts).replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
        text_ = "BEGIN:VEVENT\r\n" + inner + "END:VEVENT\r\n"
        found[uid] = _Prior("".join(body), sequence, modified, text_, cancelled, end)
    return found


def _unreadable(line: str, line_no: int, path: str) -> FeedError:
    name, _, value = line.partition(":")
    return FeedError(
        [
            rule("L008").finding(
                f"the previous feed's {name} cannot be read: {value[:40]!r}",
                line=line_no,
                path=path,
                hint="it is the feed this exporter wrote last time: restore it, or delete it "
                "to write the feed afresh",
            )
        ]
    )


def _base_stamp(plan: Plan, sp: SchedulePlan, stamp: datetime | None) -> datetime:
    """The revision's DTSTAMP: ``stamp``, else when the plan was made, else its start date."""
    if stamp is not None:
        if stamp.tzinfo is None:
            raise ValueError("stamp must be timezone-aware")
        return stamp.astimezone(UTC).replace(microsecond=0)
    made = plan.made
    if made is not None:
        return made.astimezone(UTC).replace(microsecond=0)
    return datetime.combine(sp.start, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class _Item:
    """One event to write: a weekly shift, or a piece of the effective roster."""

    sp: SchedulePlan
    shift: Shift  # the piece's layer, person and times (for an override: its own week index)
    uid: str | None = None  # None: the shift's own UID (event_uid)
    note: str = ""
    override: str | None = None


def _stamp_minute(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def piece_uid(
    schedule: str,
    piece: EffectiveShift,
    whole: tuple[datetime, datetime],
    domain: str = DEFAULT_DOMAIN,
    *,
    shift: Shift | None = None,
    personal: bool = False,
) -> str:
    """The stable UID of one piece of a schedule's effective roster.

    A piece of a weekly shift that is the whole shift keeps the shift's UID (:func:`event_uid`);
    a part of it (an override covers the rest) is the shift's UID plus ``-from<UTC start>``
    (``…-primary-20270104-from20270106T1700Z@…``). An override's piece is
    ``<schedule>-<layer>-override-<id>``, plus ``-from<UTC start>`` when a later override cuts
    it. ``whole`` is the shift's (or override's) own start and end.
    """
    if piece.override is None:
        if shift is None:
            raise ValueError("shift: a piece of a weekly shift needs its shift")
        if (piece.start, piece.end) == whole:
            return event_uid(schedule, shift, domain, personal=personal)
        base = event_uid(schedule, shift, domain).rsplit("@", 1)[0]
    else:
        base = f"{safe_name(schedule)}-{piece.layer.value}-override-{safe_name(piece.override)}"
    if (piece.start, piece.end) != whole:
        base += f"-from{_stamp_minute(piece.start)}"
    if personal:
        base += f".{safe_name(piece.person)}.personal"
    return f"{base}@{domain}"


def _effective_items(
    sp: SchedulePlan, person: str | None, writer: _Writer, zone: ZoneInfo
) -> Iterator[_Item]:
    """The events of a schedule with overrides: its effective pieces, by start."""
    shifts = {(s.week, s.layer, s.person): s for s in reversed(sp.shifts) if s.window is None}
    occurrences: dict[tuple[int, Layer, str, str], list[Shift]] = {}
    for s in sp.shifts:
        if s.window is not None:
            occurrences.setdefault((s.week, s.layer, s.person, s.window), []).append(s)
    overrides = {o.id: o for o in sp.overrides}
    bounds = handoffs(sp)
    for piece in effective_shifts(sp, person=person):
        if piece.override is None:
            assert piece.week is not None
            if piece.window is not None:
                # The occurrence the piece is (part of).
                shift = next(
                    s
                    for s in occurrences[(piece.week, piece.layer, piece.person, piece.window)]
                    if s.start <= piece.start < s.end
                )
            else:
                shift = shifts[(piece.week, piece.layer, piece.person)]
            whole = (shift.start, shift.end)
            uid = piece_uid(
                sp.name, piece, whole, writer.domain, shift=shift, personal=writer.personal
            )
            note = (
                ""
                if (piece.start, piece.end) == whole
                else f"\nPart of the {piece.layer} shift from {writer.when(shift.start, zone)} "
                f"to {writer.when(shift.end, zone)}: overrides hold the rest."
            )
            yield _Item(
                sp, shift.model_copy(update={"start": piece.start, "end": piece.end}), uid, note
            )
            continue
        o = overrides[piece.override]
        whole = (o.start, o.end)
        uid = piece_uid(sp.name, piece, whole, writer.domain, personal=writer.personal)
        week = max(0, bisect.bisect_right(bounds, piece.start) - 1)
        # Over several windows' holders, ``replaces`` lists them: "ana, ben".
        covers = (
            " for " + ", ".join(writer.plan.display_name(r) for r in o.replaces.split(", "))
            if o.replaces
            else ""
        )
        note = f"\nOverride {o.id}{covers}" + (f": {o.reason}" if o.reason else "") + "."
        if (piece.start, piece.end) != whole:
            note += (
                f" The override runs from {writer.when(o.start, zone)} to "
                f"{writer.when(o.end, zone)}; a later override holds the rest."
            )
        shift = Shift(
            week=week,
            layer=piece.layer,
            person=piece.person,
            start=piece.start,
            end=piece.end,
            window=piece.window,
        )
        yield _Item(sp, shift, uid, note, o.id)


def _spans(
    plan: Plan, schedule: str | None, person: str | None
) -> Iterator[tuple[SchedulePlan, datetime, datetime]]:
    """The start and end of every event the feed writes (for its VTIMEZONEs)."""
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        if schedule is not None and sp.name != schedule:
            continue
        if sp.overrides:
            for piece in effective_shifts(sp, person=person):
                yield sp, piece.start, piece.end
            continue
        for shift in sp.shifts:
            if person is None or shift.person == person:
                yield sp, shift.start, shift.end


def _selected(
    plan: Plan, schedule: str | None, person: str | None, writer: _Writer
) -> Iterator[_Item]:
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        if schedule is not None and sp.name != schedule:
            continue
        if sp.overrides:
            # The effective roster; a plan without overrides is written shift by shift, as ever.
            yield from _effective_items(sp, person, writer, ZoneInfo(sp.timezone))
            continue
        for shift in sp.shifts:
            if person is None or shift.person == person:
                yield _Item(sp, shift)


def to_ical(
    plan: Plan | str | os.PathLike[str],
    *,
    schedule: str | None = None,
    person: str | None = None,
    tz_mode: TzMode = "utc",
    previous: Plan | str | os.PathLike[str] | None = None,
    previous_feed: bytes | str | os.PathLike[str] | None = None,
    domain: str = DEFAULT_DOMAIN,
    contacts: bool = True,
    stamp: datetime | str | None = None,
) -> bytes:
    """The plan (or one schedule, or one person's shifts) as an iCalendar feed.

    Args:
        plan: The plan (or the path of a plan file); names, escalation levels and contacts
            come from ``Plan.annotate``.
        schedule: Only this schedule's shifts (all layers).
        person: Only this member's shifts, across every schedule; each SUMMARY then starts
            with ``[schedule/layer]``.
        tz_mode: ``"utc"`` writes every time in UTC; ``"tzid"`` writes local times with
            ``TZID`` and one VTIMEZONE per zone.
        previous: The plan the subscribers saw before. A shift whose event changed keeps its
            UID and gets a higher SEQUENCE and a later LAST-MODIFIED; unchanged shifts are
            written exactly as before.
        previous_feed: The feed the subscribers saw before (this function's earlier output).
            It carries SEQUENCE across several revisions; it wins over ``previous``.
        domain: The domain UIDs end with.
        contacts: Include contact emails in DESCRIPTION (leave them out of public feeds).
        stamp: The revision's DTSTAMP/LAST-MODIFIED; default the time the plan records it was
            made (``plan.revised``, else ``plan.created``), and for a plan that records none,
            midnight UTC of the schedule plan's start date. Changed shifts always get a stamp
            after their previous one.

    Returns:
        The feed as UTF-8 bytes with CRLF line ends and folded lines.

    Raises:
        ValueError: ``schedule`` is not in the plan, ``tz_mode`` is neither "utc" nor "tzid",
            or ``stamp`` is naive.
        TypeError: An argument of the wrong kind (the message names it and what is accepted).
        FeedError: An event of ``previous_feed`` has a SEQUENCE or LAST-MODIFIED that cannot be
            read (an L008 finding with its line).
    """
    plan = _args.plan_arg("to_ical", "plan", plan)
    if schedule is not None:
        names = [sp.name for sp in plan.schedules]
        accepted = "None or the name of a schedule in the plan: " + ", ".join(map(repr, names))
        if not isinstance(schedule, str):
            raise _args.wrong_type("to_ical", "schedule", schedule, accepted)
        if schedule not in names:
            raise _args.bad_value("to_ical", "schedule", schedule, accepted)
    if person is not None:
        _args.str_arg("to_ical", "person", person, what="None or a member id")
    tz_mode = _args.str_arg("to_ical", "tz_mode", tz_mode, choices=("utc", "tzid"))  # type: ignore[assignment]
    if previous is not None:
        previous = _args.plan_arg("to_ical", "previous", previous)
    if previous_feed is not None:
        previous_feed = _args.feed_arg("to_ical", "previous_feed", previous_feed)[0]
    _args.str_arg("to_ical", "domain", domain, what="a domain such as 'example.org'")
    _args.bool_arg("to_ical", "contacts", contacts)
    if stamp is not None:
        stamp = _args.instant_arg("to_ical", "stamp", stamp)

    prior: Mapping[str, _Prior] = {}
    if previous_feed is not None:
        prior = _prior_events(previous_feed.decode("utf-8", errors="replace"))
    elif previous is not None and (schedule is None or _has(previous, schedule)):
        # The feed subscribers got from the previous plan, exported with its own default stamp.
        earlier = to_ical(
            previous,
            schedule=schedule,
            person=person,
            tz_mode=tz_mode,
            domain=domain,
            contacts=contacts,
        )
        prior = _prior_events(earlier.decode("utf-8"))

    vtimezones, utc_zones = (
        _vtimezones(plan, schedule, person) if tz_mode == "tzid" else ({}, frozenset())
    )
    writer = _Writer(
        plan,
        personal=person is not None,
        tzid=tz_mode == "tzid",
        domain=domain,
        contacts=contacts,
        utc_zones=utc_zones,
    )
    zones_by_name = {sp.name: ZoneInfo(sp.timezone) for sp in plan.schedules}
    bodies: list[str] = []
    seen: set[str] = set()
    zones: set[str] = set()
    for item in _selected(plan, schedule, person, writer):
        sp, shift = item.sp, item.shift
        zones.add(sp.timezone)
        event = writer.event(
            sp, shift, zones_by_name[sp.name], uid=item.uid, note=item.note, override=item.override
        )
        if event.uid in seen:
            # Two shifts of one layer in one week (a plan that breaks H001): keep both events.
            event = _disambiguate(event, shift)
        seen.add(event.uid)
        base = _base_stamp(plan, sp, stamp)
        before = prior.get(event.uid)
        if before is None:
            bodies.append(event.render(0, base))
        elif before.body == event.body:
            bodies.append(before.text)
        else:
            later = max(base, before.modified + timedelta(seconds=1))
            bodies.append(event.render(before.sequence + 1, later))

    bodies.extend(_cancellations(plan, schedule, prior, seen, stamp))

    name = feed_name(plan, schedule, person)
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        fold("PRODID:" + text(PRODID)),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        fold("NAME:" + text(name)),
        fold("X-WR-CALNAME:" + text(name)),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    if len(zones) == 1:
        header.append(fold("X-WR-TIMEZONE:" + text(zones.pop())))
    parts = [CRLF.join(header) + CRLF]
    parts.extend(vtimezones[tzid] for tzid in sorted(writer.zoned))
    if not bodies and len(parts) == 1:
        # RFC 5545 §3.6: a calendar holds one or more components. A VTIMEZONE shows nothing.
        parts.append(_placeholder_zone(plan, schedule, person, stamp))
    parts.extend(bodies)
    parts.append("END:VCALENDAR" + CRLF)
    return "".join(parts).encode("utf-8")


def _placeholder_zone(
    plan: Plan, schedule: str | None, person: str | None, stamp: datetime | None
) -> str:
    """The VTIMEZONE of an empty feed: the person's zone, else the schedule's, else UTC."""
    chosen = [sp for sp in plan.schedules if schedule is None or sp.name == schedule]
    info = plan.people.get(person) if person is not None else None
    zone = (info.timezone if info and info.timezone else None) or (
        min(sp.timezone for sp in chosen) if chosen else "UTC"
    )
    when = (
        stamp
        or plan.made
        or (
            datetime.combine(min(sp.start for sp in chosen), time(0), tzinfo=UTC)
            if chosen
            else datetime(2000, 1, 1, tzinfo=UTC)
        )
    )
    return build_vtimezone(zone, [when])


def _has(plan: Plan, schedule: str) -> bool:
    return any(sp.name == schedule for sp in plan.schedules)


def _disambiguate(event: _Event, shift: Shift) -> _Event:
    uid = event.uid.replace("@", f"-{safe_name(shift.person)}@", 1)
    return _Event(uid, event.head, f"{fold('UID:' + text(uid))}{CRLF}", event.middle, event.tail)
