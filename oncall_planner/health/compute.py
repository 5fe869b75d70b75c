"""The quarterly review's numbers: every metric of ``docs/review.md``, vectorised.

No Python loop runs per page: pages are matched to shifts with one ``merge_asof`` per
(layer, schedule) track, time buckets come from one ``tz_convert`` per time zone, and every
per-person and per-shift count is a ``bincount`` or a ``groupby``. Loops run over shifts and
people only (hundreds), which keeps a million pages within a few seconds.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from oncall_planner import fairness
from oncall_planner.expand import window_occurrences
from oncall_planner.health.pages import PageLog, load_pages
from oncall_planner.health.period import Period
from oncall_planner.loader import Org
from oncall_planner.plans import Layer, Plan
from oncall_planner.report import Finding, Report, matches_code
from oncall_planner.roster import effective_shifts, handoffs
from oncall_planner.rules import rule
from oncall_planner.spec import Schedule, SeverityFramework, SeverityLevel
from oncall_planner.windows import night_hours

__all__ = [
    "BUCKETS",
    "DEFAULT_SEVERITY",
    "Settings",
    "bucket_codes",
    "compute",
    "format_response_time",
    "mtta_seconds",
    "mttr_seconds",
]

#: Time-of-day buckets, in code order (0, 1, 2).
BUCKETS = ("business", "off_hours", "sleep")

_NS_PER_S = 1_000_000_000
_HOUR_NS = 3600 * _NS_PER_S
_DAY_NS = 24 * _HOUR_NS


def _default_severity() -> SeverityFramework:
    def level(code: str, name: str, response: timedelta) -> SeverityLevel:
        return SeverityLevel(
            level=code, name=name, response_time=response, update_cadence=timedelta(hours=1)
        )

    return SeverityFramework(
        name="default",
        levels=(
            level("SEV1", "Critical", timedelta(minutes=5)),
            level("SEV2", "Major", timedelta(minutes=15)),
            level("SEV3", "Moderate", timedelta(hours=1)),
            level("SEV4", "Low", timedelta(days=1)),
        ),
    )


#: The severity framework of DOMAIN.md §1, used when none is given.
DEFAULT_SEVERITY = _default_severity()


@dataclass(frozen=True)
class Settings:
    """The thresholds a review applies (defaults follow the SRE book and PagerDuty).

    Attributes:
        merge_window_s: Pages to one person this close together are one interruption.
        incident_budget: Incidents allowed per 12-hour period.
        budget_share: Share of 12-hour periods over budget that raises R302.
        outlier_factor: Multiple of the team mean that marks an outlier (R303).
        on_call_share: Largest on-call share before P103.
        rest_after_h: A sleep-hour SEV1 this long or longer earns post-incident rest.
        trend_days: Trailing window of the pages-per-day trend.
    """

    merge_window_s: float = 60.0
    incident_budget: int = 2
    budget_share: float = 1 / 3
    outlier_factor: float = 2.0
    on_call_share: float = 0.25
    rest_after_h: float = 2.0
    trend_days: int = 21


# ---------------------------------------------------------------------------------------------
# Small helpers


def _ns(series: pd.Series) -> np.ndarray:
    """Aware datetimes → int64 nanoseconds since the epoch (NaT → INT64 min)."""
    values: np.ndarray = (
        series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view("int64")
    )
    return values


def _instant(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / _NS_PER_S, tz=UTC)


def _group_stat(codes: np.ndarray, values: np.ndarray, n: int, q: float) -> np.ndarray:
    """Per-group quantile ``q`` of ``values`` (NaN where a group has no value)."""
    out = np.full(n, np.nan)
    ok = ~np.isnan(values)
    if ok.any():
        s = pd.Series(values[ok]).groupby(codes[ok]).quantile(q)
        out[s.index.to_numpy()] = s.to_numpy()
    return out


def _union_hours(intervals: list[tuple[int, int]]) -> float:
    """Hours covered by the union of ``[start, end)`` intervals (ns)."""
    total, cur_start, cur_end = 0, None, None
    for a, b in sorted(intervals):
        if cur_end is None or a > cur_end:
            if cur_end is not None and cur_start is not None:
                total += cur_end - cur_start
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    if cur_end is not None and cur_start is not None:
        total += cur_end - cur_start
    return total / _HOUR_NS


def _severity_codes(values: pd.Series, framework: SeverityFramework) -> np.ndarray:
    """Map export labels to the index of the framework's level (-1 when unknown).

    Accepts the code (``sev1``), the name (``critical``) and Opsgenie-style ``P1``.
    """
    table: dict[str, int] = {}
    for i, lvl in enumerate(framework.levels):
        table[lvl.level.lower()] = i
        table[lvl.name.lower()] = i
        table[f"p{i + 1}"] = i
    codes, uniques = pd.factorize(values)
    mapped = np.array([table.get(str(u).strip().lower(), -1) for u in uniques] + [-1])
    result: np.ndarray = mapped[codes].astype(np.int64)
    return result


def bucket_codes(hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Index into :data:`BUCKETS` of each local time: sleep 22:00–08:00 every day, off-hours
    evenings from 18:00 and weekends, business the rest."""
    sleep = (hour >= 22) | (hour < 8)
    off = ~sleep & ((weekday >= 5) | (hour >= 18))
    codes: np.ndarray = np.where(sleep, 2, np.where(off, 1, 0))
    return codes


def _first_of(*keys: np.ndarray) -> np.ndarray:
    """True at the first occurrence of each combination of non-negative integer keys."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for k in keys:
        combined = combined * (int(k.max(initial=0)) + 1) + k
    first: np.ndarray = ~pd.Series(combined).duplicated().to_numpy()
    return first


def mtta_seconds(
    paged_ns: np.ndarray,
    ack_ns: np.ndarray,
    has_ack: np.ndarray,
    incident: np.ndarray,
    responder: np.ndarray,
) -> np.ndarray:
    """Time to acknowledge: the one definition every MTTA of a review uses (docs/review.md).

    Per incident and responder, from the first page to the responder to the incident's
    acknowledgement, as PagerDuty's analytics define it. A responder first paged at or after
    the acknowledgement (a responder added later, a re-notification, an escalation that
    crossed the ack) waited for nothing: that incident gives them no MTTA, rather than an
    MTTA of 0 that would pull their median down. For the team, pass one responder for
    everyone (zeros): the incident's MTTA runs from its first page.

    Args:
        paged_ns: Page times (ns), in time order.
        ack_ns: The incident's acknowledgement per page (ns; any value where ``has_ack`` is
            false).
        has_ack: Whether the incident was acknowledged.
        incident: Incident code per page (non-negative integers).
        responder: Responder code per page (non-negative integers).

    Returns:
        Per page: the MTTA in seconds on the responder's first page of each incident when it
        came before the acknowledgement, NaN on every other page. A median over the non-NaN
        values is a median over (incident, responder) pairs.
    """
    return _first_page_to(paged_ns, ack_ns, has_ack, incident, responder)


def mttr_seconds(
    paged_ns: np.ndarray,
    resolved_ns: np.ndarray,
    has_resolved: np.ndarray,
    incident: np.ndarray,
    responder: np.ndarray,
) -> np.ndarray:
    """Time to resolve: the one definition every MTTR of a review uses (docs/review.md).

    As :func:`mtta_seconds`, to the incident's resolution: per incident and responder, from
    the first page to the responder to the resolution. Later pages of the same incident
    (re-notifications, escalations, pages after the acknowledgement) add nothing, so a
    person's median is over their incidents, not over how often they were paged for them. A
    responder first paged at or after the resolution gives no MTTR. For the team, pass zeros
    as ``responder``: the incident's MTTR runs from its first page.

    Returns:
        Per page: the MTTR in seconds on the responder's first page of each incident when it
        came before the resolution, NaN on every other page.
    """
    return _first_page_to(paged_ns, resolved_ns, has_resolved, incident, responder)


def _first_page_to(
    paged_ns: np.ndarray,
    until_ns: np.ndarray,
    has_until: np.ndarray,
    incident: np.ndarray,
    responder: np.ndarray,
) -> np.ndarray:
    """Seconds from each responder's first page of each incident to ``until`` (else NaN)."""
    out = np.full(len(paged_ns), np.nan)
    if len(paged_ns) == 0:
        return out
    waited = _first_of(responder, incident) & has_until & (paged_ns < until_ns)
    out[waited] = (until_ns[waited] - paged_ns[waited]) / _NS_PER_S
    return out


def format_response_time(seconds: float | None) -> str:
    """MTTA, MTTR and response targets as every table and finding prints them.

    Always minutes with one decimal (``1.3 min``, ``7.5 min``, ``1440.0 min``), so that a
    column never mixes ``78 s`` with ``2.0 min``; "–" when there is no value.
    """
    if seconds is None or math.isnan(seconds):
        return "–"
    return f"{seconds / 60:.1f} min"


# ---------------------------------------------------------------------------------------------
# Inputs


def _people(
    schedules: tuple[Schedule, ...], plan: Plan
) -> tuple[dict[str, str], dict[str, str], dict[str, str], set[str]]:
    """Member id → name, id → zone name, alias (lower case) → id, and the trained members.

    ``schedules`` come sorted by name, so the first schedule naming a member wins.
    """
    names: dict[str, str] = {}
    zones: dict[str, str] = {}
    aliases: dict[str, str] = {}
    trained: set[str] = set()
    for s in schedules:
        for m in sorted(s.participants.members, key=lambda m: m.id):
            names.setdefault(m.id, m.name)
            zones.setdefault(m.id, m.timezone or s.timezone)
            if not m.new_engineer:
                trained.add(m.id)
            for alias in (m.id, m.name, m.email):
                if alias:
                    aliases.setdefault(alias.strip().lower(), m.id)
    for pid, person in sorted(plan.people.items()):
        names.setdefault(pid, person.name)
        if person.timezone:
            zones.setdefault(pid, person.timezone)
        for alias in (pid, person.name, person.email):
            if alias:
                aliases.setdefault(alias.strip().lower(), pid)
    return names, zones, aliases, trained


def _week_of(bounds: list[int], instant: int) -> int:
    """Index of the plan week holding ``instant`` (ns), given the handoffs (ns)."""
    k = bisect.bisect_right(bounds, instant) - 1
    return min(max(k, 0), max(len(bounds) - 2, 0))


def _stipend_weeks(bounds: list[int], a: int, b: int) -> float:
    """Weeks held over ``[a, b)`` (ns): its hours in each plan week over that week's hours.

    A whole week is one stipend week whether DST makes it 167 h or 169 h; part of a week
    (an override, a shift cut by the period) is its share of that week, 48 h of a 168 h week
    2/7. Time outside the plan's weeks counts hours ÷ 168.
    """
    total = 0.0
    week = 168 * _HOUR_NS
    covered = 0
    for lo, hi in itertools.pairwise(bounds):
        x, y = max(a, lo), min(b, hi)
        if x < y:
            total += (y - x) / (hi - lo)
            covered += y - x
    return total + ((b - a) - covered) / week


def _shift_table(
    plan: Plan,
    by_name: Mapping[str, Schedule],
    default: Schedule,
    start_ns: int,
    end_ns: int,
) -> pd.DataFrame:
    """One row per piece of the effective roster (weekly shifts cut by overrides)."""
    rows: list[dict[str, Any]] = []
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        schedule = by_name.get(sp.name, default)
        zone = ZoneInfo(sp.timezone)
        limit = schedule.health_metrics.alert_if_pages_exceed
        bounds = [int(h.timestamp() * _NS_PER_S) for h in handoffs(sp)]
        # Whoever held the layer at each instant, overrides included (docs/review.md).
        for s in effective_shifts(sp):
            a = int(s.start.timestamp() * _NS_PER_S)
            b = int(s.end.timestamp() * _NS_PER_S)
            if b <= start_ns or a >= end_ns:
                continue
            ca, cb = max(a, start_ns), min(b, end_ns)
            # A rotation week is one week even when DST makes it 167 h or 169 h: the limit
            # scales with the local wall-clock length of the part inside the period.
            wall_a = _instant(ca).astimezone(zone).replace(tzinfo=None)
            wall_b = _instant(cb).astimezone(zone).replace(tzinfo=None)
            weeks = (wall_b - wall_a) / timedelta(weeks=1)
            rows.append(
                {
                    "schedule": sp.name,
                    "week": s.week if s.week is not None else _week_of(bounds, a),
                    "layer": s.layer.value,
                    "layer_order": s.layer.order,
                    "person": s.person,
                    "start": s.start,
                    "end": s.end,
                    "override": s.override,
                    "window": s.window,
                    "start_ns": a,
                    "end_ns": b,
                    "in_start_ns": ca,
                    "in_end_ns": cb,
                    "hours": (cb - ca) / _HOUR_NS,
                    "weeks": weeks,
                    "limit": limit * weeks,
                    "stipend": _stipend_weeks(bounds, ca, cb),
                }
            )
    columns = [
        "schedule", "week", "layer", "layer_order", "person", "start", "end", "override",
        "window", "start_ns", "end_ns", "in_start_ns", "in_end_ns", "hours", "weeks", "limit",
        "stipend",
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["start_ns", "schedule", "layer_order", "person"]).reset_index(
        drop=True
    )


def _assign_shifts(
    t_ns: np.ndarray, person: np.ndarray, shifts: pd.DataFrame, person_of_shift: np.ndarray
) -> np.ndarray:
    """Index of the recipient's shift containing each page, or -1 (off rotation).

    A shift is ``[start, end)``: a page exactly at a handoff belongs to the incoming shift.
    Primary shifts win over secondary and shadow, then schedules by name.
    """
    out = np.full(len(t_ns), -1, dtype=np.int64)
    if shifts.empty or len(t_ns) == 0:
        return out
    order = np.argsort(t_ns, kind="stable")
    for (_, _), track in shifts.groupby(["layer_order", "schedule"], sort=True):
        pending = order[out[order] == -1]
        if len(pending) == 0:
            break
        left = pd.DataFrame({"t": t_ns[pending], "p": person[pending], "i": pending})
        right = pd.DataFrame(
            {
                "t": track["start_ns"].to_numpy(),
                "p": person_of_shift[track.index.to_numpy()],
                "end": track["end_ns"].to_numpy(),
                "k": track.index.to_numpy(),
            }
        ).sort_values("t", kind="stable")
        merged = pd.merge_asof(left, right, on="t", by="p", direction="backward")
        hit = merged["k"].notna().to_numpy() & (merged["t"].to_numpy() < merged["end"].to_numpy())
        out[merged["i"].to_numpy()[hit]] = merged["k"].to_numpy()[hit].astype(np.int64)
    return out


def _page_windows(shifts: pd.DataFrame, shift_idx: np.ndarray) -> pd.Series:
    """The window of each page's shift (None off rotation or without windows)."""
    if shifts.empty:
        return pd.Series([None] * len(shift_idx), dtype=object)
    windows = shifts["window"].to_numpy(dtype=object)
    return pd.Series([windows[k] if k >= 0 else None for k in shift_idx.tolist()], dtype=object)


def _window_weeks(per_shift: pd.DataFrame, plan: Plan, limits: Mapping[str, int]) -> np.ndarray:
    """Which shift each row is part of; windowed rows get the noisy-shift limit of their week.

    A row of a window-less plan is a shift of its own. The occurrences one person holds of a
    window in a week are one shift (the rotation's unit): their pages are summed and judged
    against the schedule's ``alert_if_pages_exceed`` (``limits``) scaled by the part of the
    week's occurrences (in hours, from the plan) inside the period, so a quiet week is not
    noisy because one of its days took three pages. Sets ``limit`` and ``noisy`` of those rows
    to the week's (in place). Override pieces stay shifts of their own, as without windows.
    """
    keys = np.empty(len(per_shift), dtype=object)
    keys[:] = list(range(len(per_shift)))
    if per_shift.empty or per_shift["window"].isna().all():
        return keys
    totals: dict[tuple[str, int, str, str, str], float] = {}
    for name, s in plan.all_shifts():
        if s.window is not None:
            whose = (name, s.week, s.layer.value, s.window, s.person)
            hours = (s.end.astimezone(UTC) - s.start.astimezone(UTC)).total_seconds() / 3600
            totals[whose] = totals.get(whose, 0.0) + hours
    held = per_shift[per_shift["window"].notna() & per_shift["override"].isna()]
    groups = held.groupby(["schedule", "week", "layer", "window", "person"], sort=False)
    for group, grp in groups:
        g_name, g_week, g_layer, g_window, g_person = (str(v) for v in group)
        key = (g_name, int(g_week), g_layer, g_window, g_person)
        full = totals.get(key, 0.0)
        share = min(float(grp["hours"].sum()) / full, 1.0) if full > 0 else 1.0
        limit = round(limits.get(key[0], 0) * share, 3)
        per_shift.loc[grp.index, "limit"] = limit
        per_shift.loc[grp.index, "noisy"] = int(grp["pages"].sum()) > limit
        for i in grp.index:
            keys[i] = key
    return keys


def _night_hours(on_call: pd.DataFrame, people: list[str], zone_of: list[str]) -> np.ndarray:
    """Each person's paged hours inside the period between 22:00 and 08:00 in their own zone.

    From the plan alone (the effective roster, overrides included), with the one definition
    of a night (:func:`oncall_planner.windows.night_hours`); time on two layers at once counts
    once.
    """
    out = np.zeros(len(people))
    for k, (person, zone) in enumerate(zip(people, zone_of, strict=True)):
        grp = on_call[on_call["person"] == person]
        if grp.empty:
            continue
        merged: list[list[int]] = []
        for a, b in sorted(
            zip(grp["in_start_ns"].tolist(), grp["in_end_ns"].tolist(), strict=True)
        ):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out[k] = night_hours([(_instant(a), _instant(b)) for a, b in merged], ZoneInfo(zone))
    return out


def _window_names(plan: Plan, schedules: tuple[Schedule, ...]) -> tuple[str, ...]:
    """The windows of the reviewed schedules' plans, in plan order (empty: no windows)."""
    names = {s.name for s in schedules}
    found: dict[str, None] = {}
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        if sp.name in names or len(schedules) == 1:
            found.update(dict.fromkeys(sp.window_names()))
    return tuple(found)


def _per_window(
    pages: pd.DataFrame, new: np.ndarray, bucket: np.ndarray, windows: tuple[str, ...]
) -> pd.DataFrame:
    """Pages, interruptions and sleep-hour pages per window (empty without windows)."""
    columns = ["window", "pages", "interruptions", "sleep_pages"]
    if not windows:
        return pd.DataFrame(columns=columns)
    held = pages["window"].to_numpy(dtype=object)
    rows = []
    for name in windows:
        mask = held == name
        rows.append(
            {
                "window": name,
                "pages": int(mask.sum()),
                "interruptions": int((mask & new).sum()),
                "sleep_pages": int((mask & (bucket == 2)).sum()),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _outside_coverage(
    schedules: tuple[Schedule, ...],
    plan: Plan,
    shifts: pd.DataFrame,
    shift_idx: np.ndarray,
    t: np.ndarray,
    start: datetime,
    end: datetime,
) -> list[tuple[str, list[int]]]:
    """Per ``coverage: partial`` schedule, the pages (ns) at instants none of its windows
    covers, leaving out pages answered on a shift of another schedule."""
    out: list[tuple[str, list[int]]] = []
    planned = {sp.name: sp for sp in plan.schedules}
    for schedule in schedules:
        sp = planned.get(schedule.name)
        coverage = sp.coverage if sp is not None and sp.windows else schedule.coverage
        if not schedule.windows or coverage != "partial":
            continue
        spans = sorted(
            (int(a.timestamp() * _NS_PER_S), int(b.timestamp() * _NS_PER_S))
            for w in schedule.windows
            for a, b in window_occurrences(schedule, w, start, end)
        )
        starts = [a for a, _ in spans]
        ends = (
            np.maximum.accumulate(np.array([b for _, b in spans], dtype=np.int64))
            if spans
            else np.zeros(0, dtype=np.int64)
        )
        elsewhere = shifts["schedule"].to_numpy(dtype=object)
        found = []
        for i, instant in enumerate(t.tolist()):
            k = bisect.bisect_right(starts, instant) - 1
            if k >= 0 and instant < ends[k]:
                continue
            if shift_idx[i] >= 0 and elsewhere[shift_idx[i]] != schedule.name:
                continue
            found.append(int(instant))
        if found:
            out.append((schedule.name, found))
    return out


def _pages_outside_coverage(
    outside: list[tuple[str, list[int]]], zone: ZoneInfo, source: str | None
) -> list[Finding]:
    """R306: pages at instants no window of a ``coverage: partial`` schedule covers."""
    out = []
    for name, instants in outside:
        shown = ", ".join(f"{_instant(x).astimezone(zone):%Y-%m-%d %H:%M %Z}" for x in instants[:3])
        more = f" and {len(instants) - 3} more" if len(instants) > 3 else ""
        out.append(
            rule("R306").finding(
                f"{name}: {len(instants)} page(s) arrived while none of its windows was "
                f"covered (coverage: partial): {shown}{more}",
                file=source,
                path=f"{name}.coverage",
                hint="route those pages to a 24×7 layer, or widen the windows",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# The computation


def compute(
    pages: PageLog | pd.DataFrame | str | os.PathLike[str],
    plan: Plan,
    schedule: Schedule | Org,
    period: Period | str | tuple[Any, Any] = "2027Q1",
    *,
    severity: SeverityFramework | None = None,
    recipients: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Every table and team figure of a review (see :func:`oncall_planner.review`)."""
    cfg = settings or Settings()
    if isinstance(pages, PageLog):
        log = pages
    elif isinstance(pages, pd.DataFrame):
        log = PageLog.from_frame(pages)
    else:
        log = load_pages(pages)
    org = schedule if isinstance(schedule, Org) else Org((schedule,))
    schedules = org.schedules  # sorted by name
    framework = severity or org.severity or DEFAULT_SEVERITY
    per = Period.of(period)
    main = schedules[0]
    by_name = {s.name: s for s in schedules}
    main_zone = main.zone
    start_utc, end_utc = per.bounds(main_zone)
    start_ns = int(start_utc.timestamp() * _NS_PER_S)
    end_ns = int(end_utc.timestamp() * _NS_PER_S)
    period_hours = (end_ns - start_ns) / _HOUR_NS

    names, zones, aliases, trained = _people(schedules, plan)
    for raw_name, pid in (recipients or {}).items():
        aliases[raw_name.strip().lower()] = pid

    # -- pages in the period ----------------------------------------------------------------
    frame = log.frame
    t_all = _ns(frame["paged_at"])
    inside = (t_all >= start_ns) & (t_all < end_ns)
    frame = frame.loc[inside].reset_index(drop=True)
    t = t_all[inside]
    if len(t) > 1 and (np.diff(t) < 0).any():
        # Loaders sort by (paged_at, page_id); a frame built by hand may not be.
        frame = frame.sort_values(["paged_at", "page_id"], kind="stable").reset_index(drop=True)
        t = _ns(frame["paged_at"])
    n = len(frame)
    rcode, runiq = pd.factorize(frame["recipient"])
    resolved_names = [aliases.get(str(u).strip().lower(), str(u)) for u in runiq]

    shifts = _shift_table(plan, by_name, main, start_ns, end_ns)
    team = sorted(
        trained
        | {p for p, lay in zip(shifts["person"], shifts["layer"], strict=True) if lay != "shadow"}
    )
    people = sorted(set(team) | set(resolved_names) | set(shifts["person"]))
    index = {p: i for i, p in enumerate(people)}
    npeople = len(people)
    pcode = np.array([index[p] for p in resolved_names], dtype=np.int64)[rcode]
    person_name = pd.Categorical.from_codes(pcode, categories=pd.Index(people))
    shift_pcode = np.array([index[p] for p in shifts["person"]], dtype=np.int64)
    shift_idx = _assign_shifts(t, pcode, shifts, shift_pcode)
    on_rotation = shift_idx >= 0

    # -- local time of each page, in the recipient's zone ------------------------------------
    zone_of = [zones.get(p, main.timezone) for p in people]
    hour = np.zeros(n, dtype=np.int64)
    weekday = np.zeros(n, dtype=np.int64)
    zone_names = sorted(set(zone_of))
    zone_code = np.array([zone_names.index(z) for z in zone_of], dtype=np.int64)
    page_zone = zone_code[pcode] if n else np.zeros(0, dtype=np.int64)
    for k, zname in enumerate(zone_names):
        mask = page_zone == k
        if not mask.any():
            continue
        local = frame.loc[mask, "paged_at"].dt.tz_convert(zname)
        hour[mask] = local.dt.hour.to_numpy()
        weekday[mask] = local.dt.day_of_week.to_numpy()
    bucket = bucket_codes(hour, weekday)

    # -- interruptions: non-email pages, one person's pages ≤ 60 s apart count once ----------
    email = (frame["channel"] == "email").to_numpy()
    order = np.lexsort((t, pcode))
    new = np.zeros(n, dtype=bool)
    if n:
        po, to, eo = pcode[order], t[order], email[order]
        ne_idx = np.flatnonzero(~eo)
        p_ne, t_ne = po[ne_idx], to[ne_idx]
        first = np.ones(len(ne_idx), dtype=bool)
        if len(ne_idx) > 1:
            first[1:] = (p_ne[1:] != p_ne[:-1]) | (
                (t_ne[1:] - t_ne[:-1]) > int(cfg.merge_window_s * _NS_PER_S)
            )
        new[order[ne_idx[first]]] = True

    # -- response times ----------------------------------------------------------------------
    ack = _ns(frame["acknowledged_at"])
    res = _ns(frame["resolved_at"])
    has_ack = frame["acknowledged_at"].notna().to_numpy()
    has_res = frame["resolved_at"].notna().to_numpy()
    sev_code = _severity_codes(frame["severity"], framework)
    levels = [lvl.level for lvl in framework.levels]
    # Unknown severities are the last category, "".
    sev = pd.Categorical.from_codes(
        np.where(sev_code < 0, len(levels), sev_code), categories=pd.Index([*levels, ""])
    )
    inc_code, inc_uniques = pd.factorize(frame["incident_id"])
    inc_code = inc_code.astype(np.int64)
    # One MTTA definition for people and the team (the team is one responder).
    mtta = mtta_seconds(t, ack, has_ack, inc_code, pcode)
    mtta_incident = mtta_seconds(t, ack, has_ack, inc_code, np.zeros(n, dtype=np.int64))
    # MTTR likewise: per incident and responder, from their first page to the resolution.
    mttr = mttr_seconds(t, res, has_res, inc_code, pcode)
    mttr_incident = mttr_seconds(t, res, has_res, inc_code, np.zeros(n, dtype=np.int64))

    # -- day index in the schedule's zone (trend and weeks are team-level) ---------------------
    local_main = frame["paged_at"].dt.tz_convert(main_zone).dt.tz_localize(None)
    day = (
        local_main.to_numpy("datetime64[ns]").astype("datetime64[D]")
        - np.datetime64(per.start, "D")
    ).astype(np.int64)

    pages = pd.DataFrame(
        {
            "page_id": frame["page_id"],
            "incident_id": frame["incident_id"],
            "paged_at": frame["paged_at"],
            "person": person_name,
            "recipient": frame["recipient"],
            "severity": sev,
            "service": frame["service"],
            "channel": frame["channel"],
            "hour": hour,
            "weekday": weekday,
            "bucket": pd.Categorical.from_codes(bucket, categories=pd.Index(BUCKETS)),
            "interruption": new,
            "shift": shift_idx,
            # The window of the shift the page was answered in (None: no windows, off
            # rotation, or an override in a coverage gap).
            "window": _page_windows(shifts, shift_idx),
            "day": day,
            "mtta_s": mtta,
            "mttr_s": mttr,
        }
    )

    # -- per shift -----------------------------------------------------------------------------
    nshift = len(shifts)
    sidx = shift_idx[on_rotation]
    shift_pages = np.bincount(sidx, minlength=nshift)
    shift_sleep = np.bincount(sidx[bucket[on_rotation] == 2], minlength=nshift)
    shift_intr = np.bincount(sidx[new[on_rotation]], minlength=nshift)
    inc_on = inc_code[on_rotation]
    shift_inc = np.bincount(sidx[_first_of(sidx, inc_on)], minlength=nshift)
    # 12-hour periods counted from each shift's start (the SRE book's shift is 12 hours).
    s_start = shifts["start_ns"].to_numpy(dtype=np.int64)
    block = (t[on_rotation] - s_start[sidx]) // (12 * _HOUR_NS)
    firsts_b = _first_of(sidx, block, inc_on)
    per_block = pd.Series(1, index=pd.MultiIndex.from_arrays([sidx[firsts_b], block[firsts_b]]))
    per_block = per_block.groupby(level=[0, 1]).size()
    over = per_block[per_block > cfg.incident_budget]
    shift_over = np.bincount(
        over.index.get_level_values(0).to_numpy(dtype=np.int64), minlength=nshift
    )
    in_a = shifts["in_start_ns"].to_numpy(dtype=np.int64)
    in_b = shifts["in_end_ns"].to_numpy(dtype=np.int64)
    twelve = 12 * _HOUR_NS
    n_blocks = -((s_start - in_b) // twelve) - (in_a - s_start) // twelve
    per_shift = pd.DataFrame(
        {
            "schedule": shifts["schedule"],
            "week": shifts["week"],
            "layer": shifts["layer"],
            "person": shifts["person"],
            "start": shifts["start"],
            "end": shifts["end"],
            "override": shifts["override"],
            "window": shifts["window"],
            "hours": shifts["hours"].round(3),
            "pages": shift_pages,
            "incidents": shift_inc,
            "interruptions": shift_intr,
            "sleep_pages": shift_sleep,
            "limit": shifts["limit"].round(3),
            "noisy": shift_pages > shifts["limit"].to_numpy(),
            "periods_12h": n_blocks.astype(np.int64),
            "periods_over_budget": shift_over,
        }
    )
    shift_key = _window_weeks(
        per_shift,
        plan,
        {
            sp.name: by_name.get(sp.name, main).health_metrics.alert_if_pages_exceed
            for sp in plan.schedules
        },
    )

    # -- per person ----------------------------------------------------------------------------
    def count(mask: np.ndarray | None = None) -> np.ndarray:
        codes = pcode if mask is None else pcode[mask]
        return np.bincount(codes, minlength=npeople)

    # Each person's first page of each incident (pages are in time order).
    first_pi = _first_of(pcode, inc_code) if n else np.zeros(0, dtype=bool)
    person_incidents = np.bincount(pcode[first_pi], minlength=npeople)

    on_call = shifts[shifts["layer"] != Layer.SHADOW.value]
    hours = np.zeros(npeople)
    n_shifts = np.zeros(npeople, dtype=np.int64)
    n_shadow = np.zeros(npeople, dtype=np.int64)
    stipend = np.zeros(npeople)
    for p, grp in on_call.groupby("person"):
        k = index[str(p)]
        hours[k] = _union_hours(
            list(zip(grp["in_start_ns"].tolist(), grp["in_end_ns"].tolist(), strict=True))
        )
        # A weekly shift cut by an override is still one shift; each override is one more.
        n_shifts[k] = len(
            set(
                zip(
                    grp["schedule"],
                    grp["layer"],
                    grp["week"],
                    grp["override"].fillna(""),
                    strict=True,
                )
            )
        )
        # Stipend weeks by effective time: each piece's share of its week inside the period.
        stipend[k] = float(grp["stipend"].sum())
    for p, grp in shifts[shifts["layer"] == Layer.SHADOW.value].groupby("person"):
        n_shadow[index[str(p)]] = len(grp)
    night = _night_hours(on_call, people, zone_of)

    # Compensation: each person's first page of each incident.
    firsts = pd.DataFrame(
        {
            "p": pcode[first_pi],
            "b": bucket[first_pi],
            "r": mttr[first_pi],
            "sev": sev_code[first_pi],
        }
    )
    after = firsts[(firsts["b"] != 0) & firsts["r"].notna()]
    after_hours = np.bincount(
        after["p"].to_numpy(), weights=after["r"].clip(lower=0).to_numpy() / 3600, minlength=npeople
    )
    rest = firsts[
        (firsts["sev"] == 0) & (firsts["b"] == 2) & (firsts["r"] >= cfg.rest_after_h * 3600)
    ]
    rest_owed = np.bincount(rest["p"].to_numpy(), minlength=npeople)

    per_person = pd.DataFrame(
        {
            "name": [names.get(p, p) for p in people],
            "timezone": zone_of,
            "in_team": [p in team for p in people],
            "shifts": n_shifts,
            "shadow_shifts": n_shadow,
            "on_call_hours": hours.round(3),
            "on_call_share": (hours / period_hours).round(4),
            "pages": count(),
            "interruptions": count(new),
            "incidents": person_incidents,
            "business_pages": count(bucket == 0),
            "off_hours_pages": count(bucket == 1),
            "sleep_pages": count(bucket == 2),
            "sleep_interruptions": count(new & (bucket == 2)),
            "off_rotation_pages": count(~on_rotation),
            "mtta_median_s": _group_stat(pcode, mtta, npeople, 0.5),
            "mtta_p90_s": _group_stat(pcode, mtta, npeople, 0.9),
            "mttr_median_s": _group_stat(pcode, mttr, npeople, 0.5),
            "mttr_p90_s": _group_stat(pcode, mttr, npeople, 0.9),
            "stipend_weeks": stipend.round(3),
            "after_hours_incident_hours": after_hours.round(3),
            "rest_owed": rest_owed,
            "night_hours": night.round(3),
        },
        index=pd.Index(people, name="person"),
    )

    # -- per day, per week, trend --------------------------------------------------------------
    ndays = per.days
    dates = pd.date_range(per.start, periods=ndays, freq="D").date
    per_day = pd.DataFrame(
        {
            "date": dates,
            "pages": np.bincount(day, minlength=ndays)[:ndays],
            "interruptions": np.bincount(day[new], minlength=ndays)[:ndays],
            "business_pages": np.bincount(day[bucket == 0], minlength=ndays)[:ndays],
            "off_hours_pages": np.bincount(day[bucket == 1], minlength=ndays)[:ndays],
            "sleep_pages": np.bincount(day[bucket == 2], minlength=ndays)[:ndays],
        }
    )
    per_day["trailing_mean"] = (
        per_day["pages"].rolling(cfg.trend_days, min_periods=1).mean().round(4)
    )
    # Weeks start on Monday (ISO weeks) in the schedule's zone.
    monday = np.array([d - timedelta(days=d.weekday()) for d in dates])
    per_week = (
        per_day.assign(week_start=monday)
        .groupby("week_start", sort=True)[
            ["pages", "interruptions", "business_pages", "off_hours_pages", "sleep_pages"]
        ]
        .sum()
    )
    week_no = (day + per.start.weekday()) // 7  # 0 = the ISO week holding the first day
    first_wi = _first_of(week_no, inc_code) if n else np.zeros(0, dtype=bool)
    per_week["incidents"] = np.bincount(week_no[first_wi], minlength=len(per_week))[: len(per_week)]
    per_week["off_rotation_pages"] = np.bincount(week_no[~on_rotation], minlength=len(per_week))[
        : len(per_week)
    ]
    per_week = per_week.reset_index()

    # -- incidents -----------------------------------------------------------------------------
    g = pd.DataFrame(
        {
            "i": inc_code,
            "t": frame["paged_at"],
            "ack": frame["acknowledged_at"],
            "res": frame["resolved_at"],
            "p": pcode,
            "sev": sev_code,
            "svc": frame["service"],
            "b": bucket,
        }
    )
    grouped = g.groupby("i", sort=True)
    incidents = pd.DataFrame(
        {
            "incident_id": np.asarray(inc_uniques)[grouped.size().index.to_numpy()],
            "first_paged_at": grouped["t"].min(),
            "pages": grouped.size(),
            "people": grouped["p"].nunique(),
            "acknowledged_at": grouped["ack"].min(),
            "resolved_at": grouped["res"].max(),
            "severity": pd.Categorical.from_codes(
                np.where(grouped["sev"].first() < 0, len(levels), grouped["sev"].first()),
                categories=pd.Index([*levels, ""]),
            ),
            "service": grouped["svc"].first(),
            "bucket": pd.Categorical.from_codes(
                grouped["b"].first().to_numpy(dtype=np.int64), categories=pd.Index(BUCKETS)
            )
            if n
            else pd.Categorical([], categories=list(BUCKETS)),
        }
    )
    # Incident codes number incidents in order of their first page, as the groups are sorted.
    incidents["mtta_s"] = mtta_incident[_first_of(inc_code)] if n else np.zeros(0)
    incidents["mttr_s"] = mttr_incident[_first_of(inc_code)] if n else np.zeros(0)
    # Codes number incidents in order of their first page (pages are in time order).
    incidents = incidents.reset_index(drop=True)

    # -- team figures and fairness ---------------------------------------------------------------
    team_rows = per_person.loc[team] if team else per_person.iloc[0:0]

    def stats(column: str) -> dict[str, Any]:
        values = [float(x) for x in team_rows[column]]
        loads = dict(zip(team_rows.index, values, strict=True))
        return {
            "gini": round(fairness.gini(values), 4),
            "cv": round(fairness.coefficient_of_variation(values), 4),
            "max_over_mean": round(fairness.max_over_mean(values), 4),
            "balance": round(fairness.balance_score(values), 4),
            "mean": round(sum(values) / len(values), 4) if values else 0.0,
            "outliers": fairness.outliers(loads, cfg.outlier_factor),
        }

    fair = {c: stats(c) for c in ("pages", "sleep_pages", "interruptions", "on_call_hours")}
    # The balance of on-call time is the plan's balance score (fairness.balance_loads): time over
    # capacity, counted once per person, so a review and `check` (P105) agree on one number.
    capacity = fairness.org_capacity(schedules)
    fair["on_call_hours"]["balance"] = round(
        fairness.balance_score(
            [float(h) / capacity.get(str(p), 1.0) for p, h in team_rows["on_call_hours"].items()]
        ),
        4,
    )
    total_periods = int(per_shift.loc[per_shift["layer"] != "shadow", "periods_12h"].sum())
    over_periods = int(per_shift.loc[per_shift["layer"] != "shadow", "periods_over_budget"].sum())
    team_summary: dict[str, Any] = {
        "pages": int(n),
        "incidents": len(incidents),
        "interruptions": int(new.sum()),
        # A holder's week of a window is one shift, however many occurrences it has.
        "noisy_shifts": len(set(shift_key[per_shift["noisy"].to_numpy(dtype=bool)].tolist())),
        "shifts": len(set(shift_key.tolist())),
        "gini": fair["pages"]["gini"],
        "balance": fair["on_call_hours"]["balance"],
        "business_pages": int((bucket == 0).sum()),
        "off_hours_pages": int((bucket == 1).sum()),
        "sleep_pages": int((bucket == 2).sum()),
        "off_rotation_pages": int((~on_rotation).sum()),
        "periods_12h": total_periods,
        "periods_over_budget": over_periods,
        "mtta_median_s": _nan_none(
            float(np.nanmedian(mtta_incident)) if (~np.isnan(mtta_incident)).any() else math.nan
        ),
        "mttr_median_s": _nan_none(
            float(np.nanmedian(mttr_incident)) if (~np.isnan(mttr_incident)).any() else math.nan
        ),
        "members": team,
        "fairness": fair,
        "trailing_mean_last": float(per_day["trailing_mean"].iloc[-1]) if ndays else 0.0,
        "skipped_rows": log.skipped,
    }

    windows = _window_names(plan, schedules)
    per_window = _per_window(pages, new, bucket, windows)
    outside = _outside_coverage(schedules, plan, shifts, shift_idx, t, start_utc, end_utc)
    findings = _findings(
        per_shift, per_person, team_summary, pages, framework, cfg, log.source, schedules
    )
    findings += [
        f
        for f in _pages_outside_coverage(outside, main_zone, log.source)
        if not matches_code(f.code, {c for s in schedules for c in s.ignore})
    ]
    return {
        "period": per,
        "schedules": tuple(s.name for s in schedules),
        "zone": main.timezone,
        "team": team_summary,
        "per_person": per_person,
        "per_shift": per_shift,
        "per_week": per_week,
        "per_day": per_day,
        "incidents": incidents,
        "pages": pages,
        "findings": Report(tuple(findings)),
        "settings": cfg,
        "limits": {s.name: s.health_metrics.alert_if_pages_exceed for s in schedules},
        "compensation": {s.name: s.compensation.model_dump() for s in schedules},
        "windows": windows,
        "per_window": per_window,
    }


def _nan_none(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 3)


# ---------------------------------------------------------------------------------------------
# Health findings: one function per rule


def _noisy_shifts(per_shift: pd.DataFrame, source: str | None) -> list[Finding]:
    out = []
    # A holder's week of a window is one shift: one finding for its occurrences together.
    held = per_shift["window"].notna() & per_shift["override"].isna()
    held_rows = set(per_shift.index[held].tolist())
    seen: set[tuple[Any, ...]] = set()
    for row in per_shift[per_shift["noisy"]].itertuples():
        value = float(row.limit)  # type: ignore[arg-type]
        limit = f"{round(value, 1):g} for this shift"
        if value != round(value):
            # A shift cut by the period's edges gets a share of the weekly limit.
            limit += " (the weekly limit, scaled to the part of the shift inside the period)"
        layer, pages, start, end, path = row.layer, row.pages, row.start, row.end, ""
        if row.Index in held_rows:
            key = (row.schedule, row.week, row.layer, row.window, row.person)
            if key in seen:
                continue
            seen.add(key)
            same = per_shift[
                held
                & (per_shift["schedule"] == row.schedule)
                & (per_shift["week"] == row.week)
                & (per_shift["layer"] == row.layer)
                & (per_shift["window"] == row.window)
                & (per_shift["person"] == row.person)
            ]
            layer = f"{row.layer} ({row.window})"
            pages, start, end = same["pages"].sum(), same["start"].min(), same["end"].max()
            path = f".{row.window}"
        out.append(
            rule("R301").finding(
                f"{row.schedule} week {row.week} {layer} ({row.person}, "
                f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}): {pages} pages, "
                f"more than {limit}",
                file=source,
                path=f"{row.schedule}.week[{row.week}].{row.layer}{path}",
                hint="find the noisiest services in the incidents table and fix or demote "
                "their alerts",
            )
        )
    return out


def _incident_budget(team: dict[str, Any], cfg: Settings, source: str | None) -> list[Finding]:
    total, over = team["periods_12h"], team["periods_over_budget"]
    if total == 0 or over / total < cfg.budget_share:
        return []
    return [
        rule("R302").finding(
            f"{over} of {total} 12-hour on-call periods ({over / total:.0%}) had more than "
            f"{cfg.incident_budget} incidents",
            file=source,
            path="team",
            hint="the SRE book's budget is 2 incidents per 12-hour shift; cut alert noise or "
            "split the rotation",
        )
    ]


def _page_outliers(
    team: dict[str, Any], per_person: pd.DataFrame, source: str | None
) -> list[Finding]:
    out = []
    for column, what in (("pages", "pages"), ("sleep_pages", "sleep-hour pages")):
        stats = team["fairness"][column]
        for p in stats["outliers"]:
            out.append(
                rule("R303").finding(
                    f"{p} received {per_person.at[p, column]!s} {what}, "
                    f"{per_person.at[p, column] / stats['mean']:.1f}× the team mean of "
                    f"{stats['mean']:.1f}",
                    file=source,
                    path=f"per_person.{p}.{column}",
                    hint="rebalance the rotation or look at what pages this person",
                )
            )
    return out


def _mtta_above_target(
    pages: pd.DataFrame, framework: SeverityFramework, source: str | None
) -> list[Finding]:
    targets = {lvl.level: lvl.response_time.total_seconds() for lvl in framework.levels}
    levels = [lvl.level for lvl in framework.levels]
    sev_code = pages["severity"].cat.codes.to_numpy(np.int64)
    acked = pages["mtta_s"].notna().to_numpy() & (sev_code < len(levels))
    if not acked.any():
        return []
    people = pages["person"].cat.categories
    key = pages["person"].cat.codes.to_numpy(np.int64)[acked] * len(levels) + sev_code[acked]
    medians = pd.Series(pages["mtta_s"].to_numpy()[acked]).groupby(key, sort=True).median()
    out = []
    for k, median in zip(medians.index.to_numpy(), medians.to_numpy(), strict=True):
        person = str(people[int(k) // len(levels)])
        sev = levels[int(k) % len(levels)]
        target = targets.get(sev)
        if target is not None and median > target:
            out.append(
                rule("R304").finding(
                    f"{person}'s median time to acknowledge {sev} incidents (from their first "
                    f"page of each) is {format_response_time(median)}, above the {sev} target of "
                    f"{format_response_time(target)}",
                    file=source,
                    path=f"per_person.{person}.mtta_median_s",
                    hint="check the person's notification rules and the escalation timeouts",
                )
            )
    return out


def _off_rotation(per_person: pd.DataFrame, source: str | None) -> list[Finding]:
    out = []
    for person, row in per_person[per_person["off_rotation_pages"] > 0].iterrows():
        out.append(
            rule("R305").finding(
                f"{row['off_rotation_pages']} page(s) went to {person} while not on call",
                file=source,
                path=f"per_person.{person}.off_rotation_pages",
                hint="route pages through the schedule, or add the person to the plan",
            )
        )
    return out


def _on_call_share(per_person: pd.DataFrame, cfg: Settings, period: str) -> list[Finding]:
    out = []
    for person, row in per_person[per_person["on_call_share"] > cfg.on_call_share].iterrows():
        out.append(
            rule("P103").finding(
                f"{person} was on call {row['on_call_share']:.0%} of {period} "
                f"({row['on_call_hours']:g} h), above {cfg.on_call_share:.0%}",
                path=f"per_person.{person}.on_call_hours",
                hint="the SRE book caps on-call at 25 % of an engineer's time",
            )
        )
    return out


def _findings(
    per_shift: pd.DataFrame,
    per_person: pd.DataFrame,
    team: dict[str, Any],
    pages: pd.DataFrame,
    framework: SeverityFramework,
    cfg: Settings,
    source: str | None,
    schedules: tuple[Schedule, ...],
) -> list[Finding]:
    ignored = {code for s in schedules for code in s.ignore}
    found = [
        *_noisy_shifts(per_shift, source),
        *_incident_budget(team, cfg, source),
        *_page_outliers(team, per_person, source),
        *_mtta_above_target(pages, framework, source),
        *_off_rotation(per_person, source),
        *_on_call_share(per_person, cfg, "the period"),
    ]
    return [f for f in found if not matches_code(f.code, ignored)]
