"""Hypothesis strategies for property tests of tools built on oncall_planner.

Bots, dashboards and CI checks that read schedules, plans, feeds or page exports can be tested
against realistic inputs, and against hostile ones::

    from hypothesis import given
    from oncall_planner.testing import plans

    @given(plans())
    def test_my_bot_names_someone_every_week(plan):
        assert all(my_bot_message(plan, week) for week in range(plan.schedules[0].weeks))

Valid strategies build inputs that are valid by construction, without the solver:

============================ ==================================================================
``schedules()``              a :class:`~oncall_planner.spec.Schedule` that ``check`` passes
``schedule_texts()``         its YAML text, as ``load_schedule`` reads it
``orgs()``                   an :class:`~oncall_planner.loader.Org` of schedules sharing people
``schedules_with_plans()``   ``(schedule, plan)``: a round-robin plan the validator accepts
``plans()``                  the plan alone
``schedules_with_feeds()``   ``(schedule, feed bytes)``: the plan as an iCalendar feed
``feeds()``                  the feed alone
``page_exports()``           ``(suffix, text)``: a CSV or Grafana OnCall export ``load_pages`` reads
============================ ==================================================================

``schedules(windows=True)`` (and ``schedules_with_plans``/``plans`` with ``windows=True``) draw
schedules with coverage windows instead: follow-the-sun, weekday/weekend, day/night or a
business-hours layer (:data:`WINDOW_LAYOUTS`), and plans with one shift per occurrence.

Hostile strategies build what an attacker or a broken exporter would send; the library must
answer them with its own errors (:class:`~oncall_planner.errors.OncallPlannerError`), located,
and quickly:

============================ ==================================================================
``hostile_schedule_texts()`` deep nesting, every YAML tag, extreme numbers, control characters,
                             long strings, aliases, and random edits of valid files
``hostile_feeds()``          duplicated and over-long properties, far dates, long folded
                             values, broken structure, random edits of valid feeds
``hostile_page_exports()``   far timestamps, long fields, wrong JSON types, deep nesting,
                             random edits of valid exports
============================ ==================================================================

This module needs Hypothesis (``pip install hypothesis``); importing it without raises an
ImportError that says so.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - the test suite always has Hypothesis
    raise ImportError(
        "oncall_planner.testing needs Hypothesis: pip install hypothesis "
        "(or install oncall-planner with its [dev] extra)"
    ) from e

from oncall_planner.expand import expand, week_starts
from oncall_planner.loader import Org, dump_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift, SolveInfo
from oncall_planner.spec import Schedule

__all__ = [
    "TEST_ZONES",
    "WINDOW_LAYOUTS",
    "feeds",
    "hostile_feeds",
    "hostile_page_exports",
    "hostile_schedule_texts",
    "orgs",
    "page_exports",
    "plans",
    "schedule_texts",
    "schedules",
    "schedules_with_feeds",
    "schedules_with_plans",
]

#: Zones drawn for schedules and members: no DST, both hemispheres' DST, and a half-hour offset.
TEST_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_NAMES = (
    "Alice Martin", "Bob Okafor", "Carol Nguyen", "Dan Kowalski", "Erin Müller", "Frank Li",
    "Grace Hopper", "Hiro Tanaka", "Ines García", "José Ramírez", "Kemal Aydın", "Lena Šimić",
)  # fmt: skip
_FIRST = date(2027, 1, 1)


# ---------------------------------------------------------------------------------------------
# Valid inputs


def _slug(name: str) -> str:
    return name.split()[0].lower().encode("ascii", "ignore").decode() or "member"


#: Window layouts :func:`schedules` draws with ``windows=True``; each tiles the week all year
#: (or, business hours, covers part of it on purpose), and gives each window its own people.
WINDOW_LAYOUTS = ("follow-the-sun", "weekday-weekend", "day-night", "business-hours")


def _windows(
    draw: st.DrawFn, members: list[dict[str, Any]], zone: str
) -> tuple[list[dict[str, Any]], str]:
    """Windows for ``members`` (their ``site`` is set in place) and the coverage."""
    layout = draw(st.sampled_from(WINDOW_LAYOUTS))
    if layout == "follow-the-sun" and len(members) < 6:
        layout = "day-night"
    if layout == "business-hours":
        return [{"name": "office", "days": "mon-fri", "start": "09:00", "end": "17:00"}], "partial"
    if layout == "follow-the-sun":
        sites = ("apac", "emea", "amer")
        for i, m in enumerate(members):
            m["site"] = sites[i % 3]
        # Defined in UTC, three 8-hour windows tile every day of the year.
        hours = (("00:00", "08:00"), ("08:00", "16:00"), ("16:00", "24:00"))
        windows: list[dict[str, Any]] = [
            {"name": site, "days": "daily", "start": a, "end": b, "timezone": "UTC",
             "members": {"site": site}}
            for site, (a, b) in zip(sites, hours, strict=True)
        ]  # fmt: skip
        return windows, "full"
    half = len(members) // 2
    first = sorted(m["id"] for m in members[:half])
    second = sorted(m["id"] for m in members[half:])
    if layout == "weekday-weekend":
        windows = [
            {"name": "weekday", "span": {"from": "mon 09:00", "to": "fri 18:00"}, "members": first},
            {"name": "weekend", "span": {"from": "fri 18:00", "to": "mon 09:00"},
             "members": second, "weight": 1.5},
        ]  # fmt: skip
        return windows, "full"
    # Day and night in one zone tile every day, a 23- or 25-hour day included.
    windows = [
        {"name": "day", "days": "daily", "start": "08:00", "end": "20:00", "timezone": zone,
         "members": first},
        {"name": "night", "days": "daily", "start": "20:00", "end": "08:00", "timezone": zone,
         "members": second},
    ]  # fmt: skip
    return windows, "full"


@st.composite
def schedules(
    draw: st.DrawFn, *, min_members: int = 4, max_members: int = 8, windows: bool = False
) -> Schedule:
    """A schedule that loads and that ``check(schedule)`` finds no error in.

    Args:
        min_members: Fewest members (at least 4, so that a two-layer round robin never puts
            anyone on call two weeks running).
        max_members: Most members (at most 12).
        windows: Give the schedule coverage windows (one of :data:`WINDOW_LAYOUTS`, each window
            with its own people, primary layer only), so that :func:`schedules_with_plans`
            builds plans with one shift per occurrence.
    """
    if not 4 <= min_members <= max_members <= len(_NAMES):
        raise ValueError(
            f"min_members and max_members must satisfy 4 <= min <= max <= {len(_NAMES)}, "
            f"got {min_members} and {max_members}"
        )
    if not isinstance(windows, bool):
        raise TypeError(f"windows must be True or False, got {windows!r}")
    names = draw(
        st.lists(st.sampled_from(_NAMES), min_size=min_members, max_size=max_members, unique=True)
    )
    members = [
        {
            "id": _slug(n),
            "name": n,
            "email": f"{_slug(n)}@example.com",
            "timezone": draw(st.sampled_from(TEST_ZONES)),
        }
        for n in names
    ]
    policy: list[dict[str, Any]] = [{"level": 1, "target": "on-call-primary", "timeout": "5m"}]
    if not windows and draw(st.booleans()):
        policy.append({"level": 2, "target": "on-call-secondary", "timeout": "10m"})
    policy.append({"level": len(policy) + 1, "target": "manager", "timeout": 0})
    zone = draw(st.sampled_from(TEST_ZONES))
    extra: dict[str, Any] = {}
    smallest_pool = len(members)
    if windows:
        window_list, coverage = _windows(draw, members, zone)
        extra = {"windows": window_list, "coverage": coverage}
        if coverage == "partial":
            # Outside business hours the first level must still reach someone (E209).
            policy = [{"level": 1, "target": ["on-call-primary", "manager"], "timeout": "5m"}]
        pools = [
            w["members"] if isinstance(w.get("members"), list)
            else [m for m in members if m.get("site") == w["members"]["site"]]
            if "members" in w else members
            for w in window_list
        ]  # fmt: skip
        smallest_pool = min(len(p) for p in pools)
    data = {
        "name": draw(st.sampled_from(("backend", "payments", "data-platform", "search"))),
        "timezone": zone,
        "handoff_time": draw(st.sampled_from(("09:00", "10:00", "11:00", "14:00"))),
        "handoff_day": draw(st.sampled_from(_DAYS)),
        "participants": {
            "min_rotation_size": draw(st.integers(2, smallest_pool)),
            "max_consecutive_weeks": draw(st.integers(1, 2)),
            "members": members,
        },
        "escalation_policy": policy,
        "contacts": {"manager": {"name": "Morgan Reyes", "email": "morgan@example.com"}},
        **extra,
    }
    return Schedule.model_validate(data)


def schedule_texts(**kwargs: Any) -> st.SearchStrategy[str]:
    """The YAML text of :func:`schedules` (keyword arguments are passed on)."""
    return schedules(**kwargs).map(dump_schedule)


@st.composite
def orgs(draw: st.DrawFn, *, max_schedules: int = 3) -> Org:
    """An org of 1..``max_schedules`` schedules with distinct names (people may be shared)."""
    count = draw(st.integers(1, max_schedules))
    found: dict[str, Schedule] = {}
    for _ in range(count):
        schedule = draw(schedules())
        found.setdefault(schedule.name, schedule)
    return Org(tuple(found.values()))


def _round_robin(schedule: Schedule, start: date, weeks: int, turn: int) -> Plan:
    """Primary ``(k + turn) % n``, secondary half the roster later: nobody on call twice in a
    row, nobody in two roles, every week covered. With windows, each window's own people take
    turns, one shift per occurrence."""
    members = [m.id for m in schedule.participants.members]
    n = len(members)
    bounds = week_starts(schedule, start, weeks)
    shifts = []
    for window in schedule.windows:
        pool = [m.id for m in schedule.window_members(window)]
        for week in expand(schedule, start, weeks, window=window).weeks:
            person = pool[(week.index + turn) % len(pool)]
            shifts += [
                Shift(week=week.index, layer=Layer.PRIMARY, person=person, window=window.name,
                      start=a, end=b)
                for a, b in week.intervals
            ]  # fmt: skip
    for k in range(0 if schedule.windows else weeks):
        shifts.append(
            Shift(
                week=k,
                layer=Layer.PRIMARY,
                person=members[(k + turn) % n],
                start=bounds[k],
                end=bounds[k + 1],
            )
        )
        if schedule.uses_secondary:
            shifts.append(
                Shift(
                    week=k,
                    layer=Layer.SECONDARY,
                    person=members[(k + turn + n // 2) % n],
                    start=bounds[k],
                    end=bounds[k + 1],
                )
            )
    part = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=weeks,
        shifts=tuple(shifts),
    )
    return Plan(schedules=(part,), solve=SolveInfo(status="FEASIBLE")).annotate([schedule])


@st.composite
def schedules_with_plans(
    draw: st.DrawFn, *, max_weeks: int = 13, windows: bool = False
) -> tuple[Schedule, Plan]:
    """A schedule and a plan of it that the validator accepts (no solver involved); with
    ``windows``, a schedule with coverage windows (see :func:`schedules`)."""
    schedule = draw(schedules(windows=windows))
    start = draw(st.dates(_FIRST, _FIRST + timedelta(days=730)))
    weeks = draw(st.integers(1, max_weeks))
    turn = draw(st.integers(0, len(schedule.participants.members) - 1))
    return schedule, _round_robin(schedule, start, weeks, turn)


def plans(*, max_weeks: int = 13, windows: bool = False) -> st.SearchStrategy[Plan]:
    """A valid plan of a valid schedule (see :func:`schedules_with_plans`)."""
    return schedules_with_plans(max_weeks=max_weeks, windows=windows).map(lambda pair: pair[1])


@st.composite
def schedules_with_feeds(draw: st.DrawFn) -> tuple[Schedule, bytes]:
    """A schedule and an iCalendar feed of a valid plan of it (UTC or TZID times)."""
    from oncall_planner.ical import to_ical

    schedule, plan = draw(schedules_with_plans())
    return schedule, to_ical(plan, tz_mode=draw(st.sampled_from(("utc", "tzid"))))


def feeds() -> st.SearchStrategy[bytes]:
    """A feed of a valid plan (see :func:`schedules_with_feeds`)."""
    return schedules_with_feeds().map(lambda pair: pair[1])


_CSV_HEADER = (
    "page_id,incident_id,paged_at,recipient,acknowledged_at,resolved_at,severity,service,channel"
)


@st.composite
def _page_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    for i in range(draw(st.integers(1, 20))):
        paged = draw(st.datetimes(min_value=_dt(_FIRST), max_value=_dt(_FIRST + timedelta(400))))
        ack = paged + timedelta(seconds=draw(st.integers(0, 3600)))
        resolved = ack + timedelta(seconds=draw(st.integers(0, 86400)))
        rows.append(
            {
                "id": f"p{i}",
                "paged_at": paged.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "recipient": _slug(draw(st.sampled_from(_NAMES))),
                "ack": ack.strftime("%Y-%m-%dT%H:%M:%SZ") if draw(st.booleans()) else "",
                "resolved": resolved.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "severity": draw(st.sampled_from(("SEV1", "SEV2", "SEV3", "SEV4"))),
            }
        )
    return rows


def _dt(day: date) -> Any:
    from datetime import datetime

    return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - Hypothesis wants naive bounds


def _as_csv(rows: list[dict[str, str]]) -> str:
    lines = [_CSV_HEADER]
    for r in rows:
        lines.append(
            f"{r['id']},{r['id']},{r['paged_at']},{r['recipient']},{r['ack']},"
            f"{r['resolved'] if r['ack'] else ''},{r['severity']},api,push"
        )
    return "\n".join(lines) + "\n"


def _as_grafana(rows: list[dict[str, str]]) -> str:
    results = [
        {
            "id": r["id"],
            "alerts_count": 1,
            "created_at": r["paged_at"],
            "acknowledged_at": r["ack"] or None,
            "acknowledged_by": r["recipient"] if r["ack"] else None,
            "resolved_at": r["resolved"],
            "resolved_by": r["recipient"],
            "labels": [{"key": {"name": "severity"}, "value": {"name": r["severity"]}}],
        }
        for r in rows
    ]
    return json.dumps({"count": len(results), "results": results}, indent=1)


@st.composite
def page_exports(draw: st.DrawFn) -> tuple[str, str]:
    """``(suffix, text)``: a page export ``load_pages`` reads once written to a file with
    that suffix (``.csv`` canonical columns, or ``.json`` Grafana OnCall alert groups)."""
    rows = draw(_page_rows())
    if draw(st.booleans()):
        return ".csv", _as_csv(rows)
    return ".json", _as_grafana(rows)


# ---------------------------------------------------------------------------------------------
# Hostile inputs


def _mutated(
    text: st.SearchStrategy[str], alphabet: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Random edits of a valid text: insert, delete, duplicate or replace a slice."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        out = draw(text)
        for _ in range(draw(st.integers(1, 4))):
            if not out:
                break
            i = draw(st.integers(0, len(out) - 1))
            j = draw(st.integers(i, min(len(out), i + 200)))
            how = draw(st.sampled_from(("insert", "delete", "duplicate", "replace")))
            if how == "insert":
                out = out[:i] + "".join(draw(st.lists(alphabet, max_size=20))) + out[i:]
            elif how == "delete":
                out = out[:i] + out[j:]
            elif how == "duplicate":
                out = out[:j] + out[i:j] * draw(st.integers(2, 50)) + out[j:]
            else:
                out = out[:i] + "".join(draw(st.lists(alphabet, min_size=1, max_size=20))) + out[j:]
        return out

    return build()


_YAML_ALPHABET = st.sampled_from(
    [*list("[]{}:,-?&*!|>'\"%@`#\t\n \\"), "\x01", "\x7f", "\u2028", "\ufeff", "é", "10:00", "0"]
)
_TAGS = (
    "!!bool", "!!int", "!!float", "!!str", "!!null", "!!timestamp", "!!binary", "!!map",
    "!!seq", "!!set", "!!omap", "!!pairs", "!!merge", "!!python/object/apply:os.system",
    "!!python/name:os.system", "!secret", "!", "!<tag:yaml.org,2002:int>",
)  # fmt: skip
_EXTREME_NUMBERS = (
    "99999999999", "99999999999999999999", "-1", "0", "1e400", "-1e400", ".nan", ".inf",
    "0x7fffffffffffffff", "1_000_000_000_000", "9" * 5000, "1.5", "1:00:00:00",
)  # fmt: skip
_EXTREME_DURATIONS = (
    "P99999999999W", "99999999999999999999_weeks", "1e308_seconds", "PT9999999999999999H",
    "9" * 400 + "_minutes", "0.0000001s", "P", "PT", "-5m",
)  # fmt: skip
_SCALAR_SLOTS = (
    "level: 2", "timeout: 10_minutes", "shadow_period: 2_weeks", "min_rotation_size: 4",
    "max_consecutive_weeks: 2", "capacity: 0.5", "primary_weeks: 5", 'timezone: "UTC"',
    'handoff_time: "10:00"', 'handoff_day: "monday"', "last_on_call: 2026-12-21",
)  # fmt: skip
_BASE_SCHEDULE = """schedule:
  name: "team"
  timezone: "UTC"
  handoff_time: "10:00"
  handoff_day: "monday"
  participants:
    min_rotation_size: 4
    max_consecutive_weeks: 2
    shadow_period: 2_weeks
    members:
      - {id: a, name: "A", capacity: 0.5, history: {primary_weeks: 5, last_on_call: 2026-12-21}}
      - {id: b, name: "B", timezone: "Europe/Berlin", time_off: [2027-01-18]}
      - {id: c, name: "C"}
      - {id: d, name: "D"}
  escalation_policy:
    - level: 1
      target: on-call-primary
      timeout: 5_minutes
    - level: 2
      target: on-call-secondary
      timeout: 10_minutes
"""


@st.composite
def _deep(draw: st.DrawFn) -> str:
    depth = draw(st.integers(30, 3000))
    opener = draw(st.sampled_from(("[", "{a: ", "- ", "a:\n")))
    if opener == "- ":
        return "schedule:\n" + "".join("  " * i + "-\n" for i in range(depth))
    if opener == "a:\n":
        return "".join(" " * i + "a:\n" for i in range(depth))
    closer = "]" if opener == "[" else "}"
    return "schedule: " + opener * depth + "x" + closer * draw(st.integers(0, depth))


@st.composite
def _tagged(draw: st.DrawFn) -> str:
    slot = draw(st.sampled_from(_SCALAR_SLOTS))
    key, value = slot.split(": ", 1)
    tag = draw(st.sampled_from(_TAGS))
    odd = draw(st.sampled_from(("maybe", "x", "", "2027-02-30", "!!", "[1]", "{a: 1}", value)))
    return _BASE_SCHEDULE.replace(slot, f"{key}: {tag} {odd}", 1)


@st.composite
def _extreme(draw: st.DrawFn) -> str:
    slot = draw(st.sampled_from(_SCALAR_SLOTS))
    key = slot.split(": ", 1)[0]
    pool = _EXTREME_DURATIONS if key in ("timeout", "shadow_period") else _EXTREME_NUMBERS
    value = draw(st.sampled_from((*pool, "0001-01-01", "9999-12-31", "y" * 300)))
    return _BASE_SCHEDULE.replace(slot, f"{key}: {value}", 1)


@st.composite
def _control(draw: st.DrawFn) -> str:
    char = chr(draw(st.sampled_from([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])))
    at = draw(st.integers(0, len(_BASE_SCHEDULE)))
    return _BASE_SCHEDULE[:at] + char + _BASE_SCHEDULE[at:]


@st.composite
def _long(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from((300, 10_001, 100_000, 1_000_000)))
    where = draw(st.sampled_from(('name: "team"', 'timezone: "UTC"', 'name: "A"', "id: c")))
    key = where.split(":")[0]
    return _BASE_SCHEDULE.replace(where, f'{key}: "{"x" * size}"', 1)


@st.composite
def _aliases(draw: st.DrawFn) -> str:
    fan = draw(st.integers(2, 12))
    levels = draw(st.integers(2, 12))
    lines = ['a0: &a0 ["lol"]']
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * fan)}]")
    recursive = draw(st.booleans())
    tail = "schedule: &s {name: *s}" if recursive else f"schedule: *a{levels - 1}"
    return "\n".join([*lines, tail]) + "\n"


def hostile_schedule_texts() -> st.SearchStrategy[str]:
    """Schedule texts built to break a loader: deep nesting, every YAML tag on a field,
    extreme numbers and durations, control characters, long strings, alias bombs and
    recursive aliases, and random edits of a valid schedule."""
    return st.one_of(
        _deep(),
        _tagged(),
        _extreme(),
        _control(),
        _long(),
        _aliases(),
        _mutated(st.just(_BASE_SCHEDULE), _YAML_ALPHABET),
        _mutated(schedule_texts(), _YAML_ALPHABET),
    )


_BASE_EVENT = (
    "BEGIN:VEVENT\r\nUID:u{i}@example.com\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
    "SUMMARY:On-call primary: Alice Martin (backend)\r\nEND:VEVENT\r\n"
)
_ICAL_ALPHABET = st.sampled_from(
    [*list(':;,="\\\r\n \t'), "BEGIN:", "END:", "VEVENT", "Z", "T", "\x00", "é", "\r\n "]
)


def _calendar(body: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body).encode(
        "utf-8", "surrogatepass"
    ) + b"END:VCALENDAR\r\n"


def _fold(line: str) -> str:
    parts = [line[:74]]
    rest = line[74:]
    while rest:
        parts.append(" " + rest[:73])
        rest = rest[73:]
    return "\r\n".join(parts) + "\r\n"


@st.composite
def _odd_event(draw: st.DrawFn) -> bytes:
    start, end = "20270104T100000Z", "20270111T100000Z"
    case = draw(
        st.sampled_from(
            (
                "duplicate", "long-tzid", "year-1", "year-9999", "long-description",
                "long-summary", "duration", "floating", "unclosed", "no-dtstart", "reversed",
            )
        )
    )  # fmt: skip
    event = _BASE_EVENT.format(i=0, start=start, end=end)
    if case == "duplicate":
        prop = draw(st.sampled_from(("DTSTART", "DTEND", "UID", "SUMMARY")))
        line = next(x for x in event.split("\r\n") if x.startswith(prop))
        event = event.replace("END:VEVENT", line + "\r\nEND:VEVENT")
    elif case == "long-tzid":
        tzid = "A" * draw(st.sampled_from((100, 257, 5000, 100_000)))
        event = event.replace("DTSTART:20270104T100000Z", f"DTSTART;TZID={tzid}:20270104T100000")
    elif case in ("year-1", "year-9999"):
        year = "0001" if case == "year-1" else "9999"
        event = event.replace("2027", year)
    elif case == "long-description":
        filler = draw(st.sampled_from(("a", "a@", "@b", "a.", " (", "\\n")))
        size = draw(st.sampled_from((10_000, 80_000)))
        event = event.replace(
            "END:VEVENT", _fold("DESCRIPTION:" + filler * (size // len(filler))) + "END:VEVENT"
        )
    elif case == "long-summary":
        event = event.replace(
            "SUMMARY:", "SUMMARY:On-call primary: " + " (" * draw(st.integers(600, 20_000))
        )
    elif case == "duration":
        event = event.replace(
            f"DTEND:{end}", "DURATION:" + draw(st.sampled_from(("P99999999W", "-P1D", "PT0S")))
        )
    elif case == "floating":
        event = event.replace(f"DTSTART:{start}", "DTSTART:20270104T100000")
    elif case == "unclosed":
        event = event.replace("END:VEVENT\r\n", "")
    elif case == "no-dtstart":
        event = event.replace(f"DTSTART:{start}\r\n", "")
    else:
        event = event.replace(start, "X").replace(end, start).replace("X", end)
    return _calendar(event)


@st.composite
def _many_events(draw: st.DrawFn) -> bytes:
    count = draw(st.integers(1, 2000))
    return _calendar(
        "".join(_BASE_EVENT.format(i=i, start="20270104T100000Z", end="20270111T100000Z")
                for i in range(count))
    )  # fmt: skip


@st.composite
def _mutated_feed(draw: st.DrawFn) -> bytes:
    text = draw(_mutated(feeds().map(lambda b: b.decode("utf-8")), _ICAL_ALPHABET))
    return text.encode("utf-8", "surrogatepass")


def hostile_feeds() -> st.SearchStrategy[bytes]:
    """Feeds built to break a reader: duplicated single properties, over-long TZIDs and
    SUMMARYs, year-0001 and year-9999 dates, long folded DESCRIPTIONs, huge DURATIONs,
    floating and missing times, unclosed components, many events, random bytes and random
    edits of a valid feed."""
    return st.one_of(
        _odd_event(),
        _many_events(),
        _mutated_feed(),
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: _calendar(t)),
    )


@st.composite
def _odd_pages(draw: st.DrawFn) -> tuple[str, str]:
    rows = draw(_page_rows())
    case = draw(
        st.sampled_from(("far-time", "long-field", "labels", "deep", "wrong-type", "no-rows"))
    )
    if case == "far-time":
        far = draw(st.sampled_from(("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2027-13-45")))
        rows[0]["paged_at"] = far
        return draw(st.sampled_from((".csv", ".json"))), (
            _as_csv(rows) if draw(st.booleans()) else _as_grafana(rows)
        )
    if case == "long-field":
        field = '"' + "x" * draw(st.sampled_from((200_000, 2_000_000))) + '"'
        return ".csv", _as_csv(rows).replace(",api,", f",{field},", 1)
    if case == "labels":
        data = json.loads(_as_grafana(rows))
        data["results"][0]["labels"] = draw(st.sampled_from((1, "x", [1], [{"key": 1}], None)))
        return ".json", json.dumps(data)
    if case == "deep":
        depth = draw(st.integers(100, 100_000))
        return ".json", '{"results": ' + "[" * depth + "]" * depth + "}"
    if case == "wrong-type":
        data = json.loads(_as_grafana(rows))
        key = draw(st.sampled_from(("created_at", "acknowledged_by", "id", "resolved_at")))
        data["results"][0][key] = draw(st.sampled_from((1, 1.5, True, [], {}, None)))
        return ".json", json.dumps(data)
    return ".csv", _CSV_HEADER + "\n"


def hostile_page_exports() -> st.SearchStrategy[tuple[str, str]]:
    """``(suffix, text)`` page exports built to break a loader: year-0001/9999 and impossible
    timestamps, 2 MB fields, Grafana labels of the wrong type, deeply nested JSON, values of
    the wrong JSON type, no rows, and random edits of valid exports."""
    return st.one_of(
        _odd_pages(),
        page_exports().flatmap(
            lambda pair: _mutated(st.just(pair[1]), st.sampled_from(list(',"\n\r{}[]:\\x'))).map(
                lambda text: (pair[0], text)
            )
        ),
    )
