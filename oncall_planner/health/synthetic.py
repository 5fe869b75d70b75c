"""A seeded generator of realistic page events, for demos, docs, tests and benchmarks.

Structure it reproduces: incidents arrive more often in business hours than in the evening or at
night; a few "noisy" services raise most incidents and re-notify in bursts; a few bad days bring
storms of incidents; the primary on call is paged first and the secondary when the primary does
not acknowledge within the level-1 timeout; a small share of pages reaches someone off rotation.
Everything is drawn with numpy from one seed, vectorised, so a million pages take about a second.
"""

from __future__ import annotations

import os
from datetime import datetime

import numpy as np
import pandas as pd

from oncall_planner import _args
from oncall_planner.health.compute import bucket_codes
from oncall_planner.health.pages import CANONICAL_COLUMNS, PageLog
from oncall_planner.loader import Org
from oncall_planner.plans import Layer, Plan
from oncall_planner.roster import effective_shifts
from oncall_planner.spec import Schedule

__all__ = ["synthetic_pages"]

_NS = 1_000_000_000
_HOUR = 3600 * _NS
# Relative incident rates by time of day (business, off-hours, sleep).
_RATE = np.array([3.0, 1.2, 0.5])
_SEVERITIES = np.array(["SEV1", "SEV2", "SEV3", "SEV4"], dtype=object)
_CHANNELS = np.array(["push", "phone", "sms", "email"], dtype=object)


def _ns_of(seconds: np.ndarray) -> np.ndarray:
    """Durations in seconds → int64 nanoseconds, rounded to whole seconds."""
    out: np.ndarray = np.round(seconds).astype(np.int64) * _NS
    return out


def _layer_lookup(plan: Plan, name: str, layer: Layer) -> tuple[np.ndarray, np.ndarray, list[str]]:
    # Whoever holds the layer at each instant: weekly shifts cut by overrides.
    shifts = effective_shifts(plan.schedule(name), layer=layer)
    starts = np.array([int(s.start.timestamp() * _NS) for s in shifts], dtype=np.int64)
    ends = np.array([int(s.end.timestamp() * _NS) for s in shifts], dtype=np.int64)
    return starts, ends, [s.person for s in shifts]


def _who(times: np.ndarray, lookup: tuple[np.ndarray, np.ndarray, list[str]]) -> np.ndarray:
    starts, ends, people = lookup
    out = np.full(len(times), "", dtype=object)
    if len(starts) == 0:
        return out
    k = np.searchsorted(starts, times, side="right") - 1
    ok = (k >= 0) & (times < ends[np.clip(k, 0, None)])
    out[ok] = np.asarray(people, dtype=object)[k[ok]]
    return out


def synthetic_pages(
    plan: Plan | str | os.PathLike[str],
    schedule: Schedule | Org | str | os.PathLike[str],
    *,
    seed: int,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    incidents_per_week: float = 3.0,
    services: int = 8,
    noisy_services: int = 2,
    storms: int = 3,
    escalation_rate: float = 0.12,
    off_rotation_rate: float = 0.02,
) -> PageLog:
    """Generate page events for the shifts of a plan.

    Args:
        plan: Who is on call (primary pages first, secondary on escalation); a plan or the
            path of a plan file.
        schedule: The schedule (or org, or the path of either) of the plan: zones, members,
            level-1 timeout.
        seed: The random seed; the same arguments give the same pages.
        start: First instant (default: the plan's first shift start).
        end: End instant (default: the plan's last shift end).
        incidents_per_week: Mean incidents per schedule per week, before storms.
        services: Number of services raising incidents.
        noisy_services: How many of them are noisy (5× the incidents, re-notify in bursts).
        storms: Bad days per schedule: six hours at ten times the usual rate (at least four
            incidents each).
        escalation_rate: Share of incidents the primary misses, paging the secondary.
        off_rotation_rate: Share of pages that go to a member who is not on call.

    Returns:
        A page log (recipients are member ids).

    Raises:
        TypeError: An argument of the wrong kind (the message names it and what is accepted).
        ValueError: A count or share out of range, or a naive ``start``/``end``.
    """
    f = "synthetic_pages"
    plan = _args.plan_arg(f, "plan", plan)
    target = _args.schedules_arg(f, "schedule", schedule)
    seed = _args.int_arg(f, "seed", seed, lo=0, what="a random seed")
    start = None if start is None else _args.instant_arg(f, "start", start)
    end = None if end is None else _args.instant_arg(f, "end", end)
    incidents_per_week = _args.number_arg(
        f, "incidents_per_week", incidents_per_week, lo=0, what="a mean number of incidents"
    )
    services = _args.int_arg(f, "services", services, lo=1, what="a number of services")
    noisy_services = _args.int_arg(f, "noisy_services", noisy_services, lo=0, what="a count")
    storms = _args.int_arg(f, "storms", storms, lo=0, what="a number of storm days")
    escalation_rate = _args.number_arg(
        f, "escalation_rate", escalation_rate, lo=0, hi=1, what="a share"
    )
    off_rotation_rate = _args.number_arg(
        f, "off_rotation_rate", off_rotation_rate, lo=0, hi=1, what="a share"
    )
    rng = np.random.default_rng(seed)
    schedules = tuple(target.schedules) if isinstance(target, Org) else (target,)
    names = {s.name: s for s in schedules}
    svc_names = np.array([f"svc-{i:02d}" for i in range(services)], dtype=object)
    weights = np.ones(services)
    weights[: min(noisy_services, services)] = 5.0
    weights /= weights.sum()
    frames: list[pd.DataFrame] = []
    for sp in sorted(plan.schedules, key=lambda sp: sp.name):
        sched = names.get(sp.name, schedules[0])
        primary = _layer_lookup(plan, sp.name, Layer.PRIMARY)
        secondary = _layer_lookup(plan, sp.name, Layer.SECONDARY)
        if len(primary[0]) == 0:
            continue
        lo = int(start.timestamp() * _NS) if start else int(primary[0].min())
        hi = int(end.timestamp() * _NS) if end else int(primary[1].max())
        if hi <= lo:
            continue
        weeks = (hi - lo) / (168 * _HOUR)
        # Thinning: draw at the peak rate, keep each candidate with rate(t) / peak.
        mean_rate = incidents_per_week * weeks / float(_RATE @ np.array([50, 48, 70]) / 168)
        n_cand = rng.poisson(mean_rate * _RATE.max())
        # Whole seconds, as exports have them.
        cand = np.sort(rng.integers(lo // _NS, hi // _NS, size=n_cand)) * _NS
        local = pd.DatetimeIndex(cand.astype("datetime64[ns]")).tz_localize("UTC")
        local = local.tz_convert(sched.timezone)
        hour, wday = local.hour.to_numpy(), local.day_of_week.to_numpy()
        rate = _RATE[bucket_codes(hour, wday)]
        t_inc = cand[rng.random(n_cand) < rate / _RATE.max()]
        # Storms: a few six-hour windows at ten times the business-hour rate.
        storm_parts = [t_inc]
        for s0 in rng.integers(lo, max(lo + 1, hi - 6 * _HOUR), size=storms):
            k = rng.poisson(max(4.0, 10 * incidents_per_week / 168 * 6))
            storm_parts.append((s0 + rng.integers(0, 6 * _HOUR, size=k)) // _NS * _NS)
        t_inc = np.sort(np.concatenate(storm_parts))
        n_inc = len(t_inc)
        svc_idx = rng.choice(services, size=n_inc, p=weights)
        noisy = svc_idx < noisy_services
        sev = _SEVERITIES[rng.choice(4, size=n_inc, p=[0.03, 0.12, 0.45, 0.40])]
        ack_s = rng.lognormal(np.log(180), 0.8, size=n_inc)
        fix_s = rng.lognormal(np.log(1800), 1.0, size=n_inc) * np.where(sev == "SEV1", 3.0, 1.0)
        escalated = rng.random(n_inc) < escalation_rate
        level1 = float(
            next(
                (lv.timeout.total_seconds() for lv in sched.escalation_policy if lv.level == 1),
                300.0,
            )
        )
        # Pages per incident: the primary's first page, re-notifications of noisy services in
        # a burst (one every ~2 minutes), and the secondary's page on escalation.
        repeats = np.where(noisy, rng.poisson(1.5, size=n_inc), rng.poisson(0.2, size=n_inc))
        inc_ids = np.array([f"{sp.name}-{seed}-{i:07d}" for i in range(n_inc)], dtype=object)
        first_ack = t_inc + _ns_of(np.where(escalated, level1 + ack_s, ack_s))
        resolved = first_ack + _ns_of(fix_s)
        rep_inc = np.repeat(np.arange(n_inc), repeats)
        # 1, 2, … within each incident's burst.
        rep_off = np.arange(len(rep_inc)) - np.repeat(np.cumsum(repeats) - repeats, repeats) + 1
        t_rep = (
            t_inc[rep_inc]
            + np.asarray(rep_off, dtype=np.int64) * rng.integers(60, 180, size=len(rep_inc)) * _NS
        )
        esc_inc = np.flatnonzero(escalated)
        t_esc = t_inc[esc_inc] + int(level1 * _NS)
        inc_all = np.concatenate([np.arange(n_inc), rep_inc, esc_inc])
        t_all = np.concatenate([t_inc, t_rep, t_esc]).astype(np.int64)
        who = np.concatenate(
            [
                _who(t_inc, primary),
                _who(t_rep, primary),
                _who(t_esc, secondary if len(secondary[0]) else primary),
            ]
        )
        members = sorted(m.id for m in sched.participants.members)
        stray = rng.random(len(who)) < off_rotation_rate
        who[stray] = np.asarray(members, dtype=object)[rng.integers(0, len(members), stray.sum())]
        keep = (who != "") & (t_all >= lo) & (t_all < hi)
        m = int(keep.sum())
        inc_k = inc_all[keep]
        # Every page carries its incident's times: re-notifications of a noisy service may
        # come after the acknowledgement (they give no MTTA), but the incident is not
        # resolved while it still pages.
        last_page = np.zeros(n_inc, dtype=np.int64)
        np.maximum.at(last_page, inc_k, t_all[keep])
        resolved = np.maximum(resolved, last_page)
        frames.append(
            pd.DataFrame(
                {
                    "incident_id": inc_ids[inc_k],
                    "paged_at": t_all[keep],
                    "recipient": who[keep],
                    "acknowledged_at": first_ack[inc_k],
                    "resolved_at": resolved[inc_k],
                    "severity": sev[inc_k],
                    "service": svc_names[svc_idx[inc_k]],
                    "channel": _CHANNELS[rng.choice(4, size=m, p=[0.7, 0.15, 0.1, 0.05])],
                }
            )
        )
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: [] for c in CANONICAL_COLUMNS if c != "page_id"})
    )
    frame = frame.sort_values(["paged_at", "incident_id", "recipient"], kind="stable")
    frame = frame.reset_index(drop=True)
    for c in ("paged_at", "acknowledged_at", "resolved_at"):
        frame[c] = pd.to_datetime(frame[c].to_numpy(dtype=np.int64), unit="ns", utc=True)
    frame.insert(0, "page_id", [f"p{seed}-{i:07d}" for i in range(len(frame))])
    return PageLog.from_frame(frame)
