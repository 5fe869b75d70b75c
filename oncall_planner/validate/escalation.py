"""Escalation-policy checks (E201–E212), alone and against a plan.

Timing follows PagerDuty, GoAlert and Grafana OnCall: each level's timeout is how long *that*
level has before the next is paged, so level k is paged at the **sum** of the earlier levels'
timeouts. The seed policy (5, 10, 15, 0 minutes) pages level 3 at 15 minutes and level 4
(vp-engineering) at 30 minutes, although "timeout: 0" on level 4 reads as "immediately".
(Opsgenie counts delays from alert creation instead; policies written for it need converting.)

A level may apply only to some severities (``severities: [SEV1]``): each severity then has its
own path, the levels that apply to it, timed by their own timeouts alone. E206 checks each
severity's path against what the severity framework asks of it; the other checks read the
policy as written, every level in order.

Targets resolve to a layer of the schedule (``on-call-primary``, ``on-call-secondary``), a
contact (by key), or another schedule of the org (whoever is primary there). Severity demands
(``escalation: [{target: cto, within: 0}]``) match a target by name or a contact by ``role``.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Literal

from oncall_planner.loader import source_of
from oncall_planner.plans import Layer
from oncall_planner.report import Finding
from oncall_planner.spec import LAYER_TARGETS, Schedule, SeverityFramework, SeverityLevel
from oncall_planner.validate._common import (
    ScheduleView,
    YamlPath,
    at,
    human_duration,
    stamp,
    week_list,
)
from oncall_planner.validate.schedule import recurrence_text, recurring_runs

__all__ = [
    "Step",
    "Target",
    "check_policy",
    "check_policy_against_plan",
    "contacts_in_rotation",
    "exhaust_time",
    "resolve_target",
    "steps",
]

_POLICY: YamlPath = ("schedule", "escalation_policy")
#: PagerDuty's smallest escalation delay; a shorter wait pages two levels at once.
MIN_TIMEOUT = timedelta(minutes=1)


@dataclass(frozen=True)
class Target:
    """What one escalation target name resolves to.

    Attributes:
        name: The target as written.
        kind: ``layer``, ``contact``, ``schedule`` or ``unresolved``.
        layer: The layer, for ``layer`` targets.
        role: The contact's role, for ``contact`` targets that have one.
    """

    name: str
    kind: Literal["layer", "contact", "schedule", "unresolved"]
    layer: Layer | None = None
    role: str | None = None

    def answers(self, demand: str) -> bool:
        """True if this target satisfies a severity demand for ``demand`` (name or role)."""
        return self.kind != "unresolved" and demand in (self.name, self.role)


@dataclass(frozen=True)
class Step:
    """One escalation level, resolved and timed.

    Attributes:
        index: Position of the level in the file (for YAML paths).
        level: The level number as written.
        targets: The resolved targets.
        timeout: How long this level has before the next one is paged.
        paged_at: When this level is paged, counted from the alert (sum of earlier timeouts).
    """

    index: int
    level: int
    targets: tuple[Target, ...]
    timeout: timedelta
    paged_at: timedelta
    severities: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """``level 3 (engineering-manager)``, or ``level 2 (cto; SEV1 only)``."""
        names = ", ".join(t.name for t in self.targets) or "no target"
        if self.severities is not None:
            names += f"; {', '.join(self.severities)} only"
        return f"level {self.level} ({names})"

    @property
    def path(self) -> YamlPath:
        """The YAML path of the level's entry."""
        return (*_POLICY, self.index)


def resolve_target(name: str, schedule: Schedule, schedule_names: Sequence[str] = ()) -> Target:
    """Resolve an escalation target: a layer, a contact key, or another schedule's name."""
    if name in LAYER_TARGETS:
        return Target(name, "layer", layer=Layer(LAYER_TARGETS[name]))
    contact = schedule.contacts.get(name)
    if contact is not None:
        return Target(name, "contact", role=contact.role)
    if name in schedule_names and name != schedule.name:
        return Target(name, "schedule")
    return Target(name, "unresolved")


def steps(
    schedule: Schedule, schedule_names: Sequence[str] = (), severity: str | None = None
) -> list[Step]:
    """The policy's levels in paging order, each with the time it is paged.

    Levels are ordered by their number (file order breaks ties). Level k is paged at the sum of
    the timeouts of the levels before it. With ``severity``, only the levels that apply to it
    (``severities`` unset or naming it) are on the path, and only their timeouts count.
    """
    order = sorted(enumerate(schedule.escalation_policy), key=lambda e: (e[1].level, e[0]))
    found = []
    elapsed = timedelta(0)
    for index, lvl in order:
        if severity is not None and not lvl.applies_to(severity):
            continue
        targets = tuple(resolve_target(t, schedule, schedule_names) for t in lvl.targets)
        found.append(Step(index, lvl.level, targets, lvl.timeout, elapsed, lvl.severities))
        elapsed += lvl.timeout
    return found


def severity_paths(
    schedule: Schedule,
    schedule_names: Sequence[str] = (),
    severity: SeverityFramework | None = None,
) -> list[tuple[tuple[str, ...], list[Step]]]:
    """The distinct paths through the policy, each with the severities that take it.

    Without severity-restricted levels there is one path, every level, for every severity
    (``()``). Otherwise each severity of the framework (or, without one, each severity a level
    names, and "other severities" for the rest) takes the levels that apply to it; severities
    taking the same levels share a path.
    """
    named = sorted({s for lvl in schedule.escalation_policy for s in lvl.severities or ()})
    if not named:
        return [((), steps(schedule, schedule_names))]
    if severity is not None:
        labels = [s.level for s in severity.levels]
    else:
        labels = [*named, "other severities"]
    found: dict[tuple[int, ...], tuple[list[str], list[Step]]] = {}
    for label in labels:
        path = steps(schedule, schedule_names, label)
        key = tuple(step.index for step in path)
        found.setdefault(key, ([], path))[0].append(label)
    return [(tuple(names), path) for names, path in found.values()]


def _per_path(
    paths: Sequence[tuple[tuple[str, ...], list[Step]]],
    check: Callable[[list[Step]], Iterable[Finding]],
) -> list[Finding]:
    """``check`` on every path; a finding of only some paths names their severities."""
    found: dict[Finding, list[str]] = {}
    for labels, path in paths:
        for f in check(path):
            found.setdefault(f, []).extend(labels)
    every = sum(len(labels) for labels, _ in paths)
    return [
        f if len(labels) == every else replace(f, message=f"{f.message} (for {', '.join(labels)})")
        for f, labels in found.items()
    ]


def exhaust_time(schedule: Schedule) -> timedelta:
    """When the policy runs out: the sum of every level's timeout."""
    return sum((lvl.timeout for lvl in schedule.escalation_policy), timedelta(0))


def _target_path(step: Step, position: int) -> YamlPath:
    if len(step.targets) > 1:
        return (*step.path, "target", position)
    return (*step.path, "target")


# ---------------------------------------------------------------------------------------------
# The policy alone


def _no_policy(schedule: Schedule) -> Iterator[Finding]:
    if not schedule.escalation_policy:
        yield source_of(schedule).finding(
            "E212",
            ("schedule",),
            f"schedule {schedule.name!r} has no escalation_policy: pages reach the primary only "
            "and stop there",
            key=True,
            hint="add levels for on-call-primary, on-call-secondary and a manager contact",
        )


def _levels_contiguous(schedule: Schedule) -> Iterator[Finding]:
    src = source_of(schedule)
    numbers = [lvl.level for lvl in schedule.escalation_policy]
    first_seen: dict[int, int] = {}
    for i, n in enumerate(numbers):
        path = (*_POLICY, i, "level")
        if n in first_seen:
            yield src.finding(
                "E201",
                path,
                f"level {n} appears twice (also escalation_policy[{first_seen[n]}])",
                hint="number the levels 1, 2, 3, … in paging order",
            )
            continue
        first_seen[n] = i
        if i > 0 and n < numbers[i - 1]:
            yield src.finding(
                "E201",
                path,
                f"level {n} is listed after level {numbers[i - 1]}",
                hint="list the levels in paging order, 1 first",
            )
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if missing:
        # Point at the level just after the first hole.
        after = min((n for n in numbers if n > missing[0]), default=numbers[-1])
        where = numbers.index(after)
        shown = ", ".join(str(m) for m in missing)
        yield src.finding(
            "E201",
            (*_POLICY, where, "level"),
            f"level{'s' if len(missing) > 1 else ''} {shown} missing: the levels are "
            f"{', '.join(str(n) for n in sorted(set(numbers)))}",
            hint="number the levels 1..n without gaps",
        )


def _targets_resolve(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    src = source_of(schedule)
    for step in plan_steps:
        if not step.targets:
            yield src.finding(
                "E202",
                (*step.path, "target"),
                f"level {step.level} has no target: it pages nobody",
                hint="name a layer (on-call-primary), a contact or another schedule",
            )
        for k, target in enumerate(step.targets):
            if target.kind != "unresolved":
                continue
            contacts = sorted(schedule.contacts)
            known = [*LAYER_TARGETS, *contacts]
            close = difflib.get_close_matches(target.name, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint += "valid targets: " + ", ".join(LAYER_TARGETS)
            hint += ", a key of contacts (" + (", ".join(contacts) or "none defined") + ")"
            hint += " or the name of another schedule of the org"
            self_ref = " (this schedule itself)" if target.name == schedule.name else ""
            yield src.finding(
                "E202",
                _target_path(step, k),
                f"level {step.level} target {target.name!r}{self_ref} is not a layer, a contact "
                "or another schedule of the org: it pages nobody",
                hint=hint,
            )


def _wait(value: timedelta) -> str:
    return "0" if value <= timedelta(0) else human_duration(value)


def _sum_text(earlier: Sequence[Step]) -> str:
    """``5 + 10 minutes`` when every timeout is whole minutes, else each one spelt out."""
    seconds = [int(s.timeout.total_seconds()) for s in earlier]
    if all(x % 60 == 0 for x in seconds):
        return " + ".join(str(x // 60) for x in seconds) + " minutes"
    return " + ".join(_wait(s.timeout) for s in earlier)


def _zero_timeouts(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    src = source_of(schedule)
    for step, nxt in pairwise(plan_steps):
        if step.timeout < MIN_TIMEOUT:
            if step.timeout <= timedelta(0):
                why = "both levels are paged at once"
            else:
                why = "less than a minute"
            yield src.finding(
                "E203",
                (*step.path, "timeout"),
                f"{step.label} waits {_wait(step.timeout)} before level {nxt.level} is paged: "
                f"{why}, so level {step.level} never gets a fair chance to acknowledge",
                hint="give every level followed by another at least 1 minute (PagerDuty's "
                "minimum); 5 minutes is common",
            )


def _reach_times(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    src = source_of(schedule)
    for k, step in enumerate(plan_steps):
        if k == 0:
            why = "when the alert fires"
        else:
            why = f"the sum of the earlier timeouts ({_sum_text(plan_steps[:k])})"
        yield src.finding(
            "E204",
            step.path,
            f"{step.label} is paged {at(step.paged_at)}: {why}",
            hint="timeouts add up (PagerDuty, GoAlert, Grafana); each is the wait after the "
            "level before",
        )


def _first_level_response(
    schedule: Schedule, plan_steps: Sequence[Step], severity: SeverityFramework | None
) -> Iterator[Finding]:
    if severity is None or len(plan_steps) < 2:
        return
    first, fastest = plan_steps[0], severity.fastest
    if first.timeout > fastest.response_time:
        yield source_of(schedule).finding(
            "E205",
            (*first.path, "timeout"),
            f"{first.label} waits {human_duration(first.timeout)} before escalating, but "
            f"{fastest.level} ({fastest.name}) expects a response within "
            f"{human_duration(fastest.response_time)}",
            hint=f"set level {first.level}'s timeout to {human_duration(fastest.response_time)} "
            f"or less so an unacknowledged {fastest.level} reaches a second person in time",
        )


def _first_reach(plan_steps: Sequence[Step], demand: str) -> Step | None:
    for step in plan_steps:
        if any(t.answers(demand) for t in step.targets):
            return step
    return None


def _within(delay: timedelta) -> str:
    text = human_duration(delay)
    return text if text == "immediately" else f"within {text}"


def _severity_level_unmet(sev: SeverityLevel, plan_steps: Sequence[Step]) -> tuple[str, str]:
    """(message, hint) for one severity's unmet demands on its own path, or ("", "")."""
    asks: list[str] = []
    gets: list[str] = []
    hints: list[str] = []
    only = f"severities: [{sev.level}]"
    for demand in sev.escalation:
        step = _first_reach(plan_steps, demand.target)
        if step is not None and step.paged_at <= demand.within:
            continue
        asks.append(f"{demand.target} {_within(demand.within)}")
        if step is None:
            gets.append(f"never reaches a {demand.target}")
            hints.append(
                f"add a contact with role: {demand.target} and a level with {only} that "
                f"targets it, so only {sev.level} incidents page {demand.target}"
            )
        else:
            gets.append(f"reaches {demand.target} only {at(step.paged_at)} (level {step.level})")
            hints.append(
                f"page {demand.target} for {sev.level} alone: a level with {only} placed "
                f"where {sev.level} is paged {_within(demand.within)} (a list target pages "
                f"several at once), rather than paging {demand.target} early for every "
                f"severity; or shorten the timeouts before level {step.level}"
            )
    if not asks:
        return "", ""
    message = (
        f"{sev.level} ({sev.name}) asks for {' and '.join(asks)}, but the policy "
        + ", and ".join(gets)
    )
    return message, "; ".join(hints)


def _severity_demands(
    schedule: Schedule, severity: SeverityFramework | None, schedule_names: Sequence[str] = ()
) -> Iterator[Finding]:
    """E206: each severity's own path (the levels that apply to it) against its demands."""
    if severity is None or not schedule.escalation_policy:
        return
    src = source_of(schedule)
    known = [s.level for s in severity.levels]
    for index, lvl in enumerate(schedule.escalation_policy):
        for k, name in enumerate(lvl.severities or ()):
            if name in known:
                continue
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            yield src.finding(
                "E206",
                (*_POLICY, index, "severities", k),
                f"level {lvl.level} applies to {name!r}, which the severity framework "
                f"{severity.name!r} does not define: no incident reaches it",
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "the framework's severities are "
                + ", ".join(known),
            )
    for sev in severity.levels:
        path = steps(schedule, schedule_names, sev.level)
        if not path:
            yield src.finding(
                "E206",
                _POLICY,
                f"{sev.level} ({sev.name}) reaches no level: every level is restricted to "
                "other severities",
                key=True,
                hint=f"add {sev.level} to a level's severities, or leave a level unrestricted",
            )
            continue
        message, hint = _severity_level_unmet(sev, path)
        if message:
            yield src.finding("E206", _POLICY, message, key=True, hint=hint)


def _backstop(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    if not plan_steps:
        return
    last = plan_steps[-1]
    if len(last.targets) != 1 or last.targets[0].kind != "layer":
        return
    name = last.targets[0].name
    earlier = next((s for s in plan_steps[:-1] if any(t.name == name for t in s.targets)), None)
    if earlier is not None:
        why = f"already paged at level {earlier.level}: nobody new backs up the policy"
    else:
        why = "one person of the rotation, with nobody behind them"
    yield source_of(schedule).finding(
        "E207",
        (*last.path, "target"),
        f"the final level {last.level} pages {name}, {why}",
        hint="end the policy with a contact (a manager) or a list of several people",
    )


def _exhaust(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    if not plan_steps:
        return
    last = plan_steps[-1]
    total = last.paged_at + last.timeout
    message = f"the policy is exhausted {at(total)} after the alert: {last.label} is the last "
    message += f"level, paged {at(last.paged_at)}"
    if last.timeout:
        message += f" and given {human_duration(last.timeout)}"
    yield source_of(schedule).finding(
        "E208",
        _POLICY,
        message + "; after that nobody new is paged",
        key=True,
        hint="make sure the last level is someone who will act (a manager, an incident commander)",
    )


def _static_repeats(schedule: Schedule, plan_steps: Sequence[Step]) -> Iterator[Finding]:
    """E211 without a plan: a level whose every target an earlier level already pages."""
    seen: dict[str, int] = {}
    for step in plan_steps:
        names = [t.name for t in step.targets if t.kind != "unresolved"]
        if names and all(n in seen for n in names):
            earlier = ", ".join(f"{n} at level {seen[n]}" for n in names)
            yield source_of(schedule).finding(
                "E211",
                (*step.path, "target"),
                f"{step.label} adds nobody new: it pages {earlier} again",
                hint="page someone not yet paged (the secondary, a manager), or drop the level",
            )
        for n in names:
            seen.setdefault(n, step.level)


def contacts_in_rotation(schedules: Sequence[Schedule]) -> list[Finding]:
    """E210 without a plan: a contact who is also a member the same policy pages on a layer.

    A contact with the email of a member of this schedule (or of a schedule the policy pages)
    holds two levels whenever that member is on call: a plan is checked moment by moment
    (``check_policy_against_plan``), but without one any week would do, so the planner refuses
    such a policy before it plans (issue 9: such plans failed ``check --plan``).
    """
    names = sorted(s.name for s in schedules)
    by_name = {s.name: s for s in schedules}
    found: list[Finding] = []
    for schedule in schedules:
        plan_steps = steps(schedule, names)
        layers = [st for st in plan_steps if any(t.kind == "layer" for t in st.targets)]
        for step in plan_steps:
            for t in step.targets:
                if t.kind != "contact" or t.name not in schedule.contacts:
                    continue
                email = schedule.contacts[t.name].email
                if not email:
                    continue
                pools = [schedule] if layers else []
                pools += [
                    by_name[u.name]
                    for st in plan_steps
                    for u in st.targets
                    if u.kind == "schedule" and u.name in by_name
                ]
                for pool in pools:
                    member = next(
                        (
                            m
                            for m in pool.participants.members
                            if m.email and m.email.lower() == email.lower()
                        ),
                        None,
                    )
                    if member is None:
                        continue
                    found.append(
                        source_of(schedule).finding(
                            "E210",
                            (*step.path, "target"),
                            f"{step.label} pages contact {t.name} ({email}), who is "
                            f"{member.id}, a member of {pool.name} paged by this policy: "
                            f"whenever {member.id} is on call there, one person holds two levels",
                            hint="name a contact outside the rotation, or drop the member",
                        )
                    )
                    break
    return found


def check_policy(
    schedule: Schedule,
    *,
    schedule_names: Sequence[str] = (),
    severity: SeverityFramework | None = None,
    with_plan: bool = False,
) -> list[Finding]:
    """Every plan-free finding about a schedule's escalation policy.

    Args:
        schedule: The schedule.
        schedule_names: Names of the org's schedules (valid targets besides layers and contacts).
        severity: The severity framework the policy must honour (E205, E206).
        with_plan: A plan will be checked too; E211 is then judged against it, moment by
            moment, instead of on the targets as written.
    """
    plan_steps = steps(schedule, schedule_names)
    # Timing, backstop and repeats depend on the levels a severity takes (``severities:``).
    paths = severity_paths(schedule, schedule_names, severity)
    fastest = steps(schedule, schedule_names, severity.fastest.level) if severity else plan_steps
    found = [
        *_no_policy(schedule),
        *_levels_contiguous(schedule),
        *_targets_resolve(schedule, plan_steps),
        *_per_path(paths, lambda path: _zero_timeouts(schedule, path)),
        *_per_path(paths, lambda path: _reach_times(schedule, path)),
        *_first_level_response(schedule, fastest, severity),
        *_severity_demands(schedule, severity, schedule_names),
        *_per_path(paths, lambda path: _backstop(schedule, path)),
        *_per_path(paths, lambda path: _exhaust(schedule, path)),
    ]
    if not with_plan:
        found += _per_path(paths, lambda path: _static_repeats(schedule, path))
    return found


# ---------------------------------------------------------------------------------------------
# The policy against a plan


@dataclass(frozen=True)
class _Timeline:
    """Who a target pages over time: segments ``[starts[k], ends[k])`` → people.

    Instants are POSIX timestamps: comparing aware datetimes of different zones costs a
    ``utcoffset()`` call per comparison, which dominated the check of a 50-schedule org.
    """

    starts: tuple[float, ...]
    ends: tuple[float, ...]
    people: tuple[frozenset[str], ...]

    def at(self, instant: float) -> frozenset[str]:
        k = bisect_right(self.starts, instant) - 1
        if k >= 0 and instant < self.ends[k]:
            return self.people[k]
        return frozenset()


def _layer_timeline(view: ScheduleView, layer: Layer) -> _Timeline:
    if view.schedule.windows:
        return _window_timeline(view, layer)
    weeks = view.weeks
    return _Timeline(
        tuple(w.start.timestamp() for w in weeks),
        tuple(w.end.timestamp() for w in weeks),
        tuple(frozenset(view.on(w.index, layer)) for w in weeks),
    )


def _window_timeline(view: ScheduleView, layer: Layer) -> _Timeline:
    """Who holds a layer of a schedule with windows, at the real times of its shifts (the
    windows' occurrences), within the plan's weeks; times nobody holds have no segment."""
    lo, hi = view.weeks[0].start.timestamp(), view.weeks[-1].end.timestamp()
    events: dict[float, list[tuple[int, str]]] = {}
    for s in view.plan.shifts:
        a, b = max(s.start.timestamp(), lo), min(s.end.timestamp(), hi)
        if s.layer is not layer or a >= b:
            continue
        events.setdefault(a, []).append((1, s.person))
        events.setdefault(b, []).append((-1, s.person))
    active: Counter[str] = Counter()
    starts: list[float] = []
    ends: list[float] = []
    people: list[frozenset[str]] = []
    for a, b in pairwise(sorted(events)):
        for sign, person in events[a]:
            active[person] += sign
        now = frozenset(p for p, n in active.items() if n > 0)
        if not now:
            continue
        if people and people[-1] == now and ends[-1] == a:
            ends[-1] = b
            continue
        starts.append(a)
        ends.append(b)
        people.append(now)
    return _Timeline(tuple(starts), tuple(ends), tuple(people))


def _empty_stretches(view: ScheduleView, layer: Layer) -> list[tuple[datetime, datetime]]:
    """UTC stretches of the plan's weeks in which nobody holds ``layer`` (windows' real times)."""
    tl = _window_timeline(view, layer)
    lo, hi = view.weeks[0].start.timestamp(), view.weeks[-1].end.timestamp()
    found = []
    at = lo
    for a, b in zip(tl.starts, tl.ends, strict=True):
        if a > at:
            found.append((at, a))
        at = max(at, b)
    if at < hi:
        found.append((at, hi))
    return [(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC)) for a, b in found]


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " h"


def _contact_person(key: str, schedule: Schedule, by_email: Mapping[str, str]) -> str:
    """A contact is the member with the same email if there is one (a manager in the rotation)."""
    email = schedule.contacts[key].email
    if email and email.lower() in by_email:
        return by_email[email.lower()]
    return f"contact:{key}"


def _timelines(
    view: ScheduleView,
    step: Step,
    others: Mapping[str, ScheduleView],
    by_email: Mapping[str, str],
) -> list[tuple[Target, _Timeline]]:
    found = []
    start, end = view.weeks[0].start.timestamp(), view.weeks[-1].end.timestamp()
    for t in step.targets:
        if t.kind == "layer" and t.layer is not None:
            found.append((t, _layer_timeline(view, t.layer)))
        elif t.kind == "contact":
            person = _contact_person(t.name, view.schedule, by_email)
            found.append((t, _Timeline((start,), (end,), (frozenset({person}),))))
        elif t.kind == "schedule" and t.name in others:
            # Another schedule as a target pages whoever is primary there at that moment.
            found.append((t, _layer_timeline(others[t.name], Layer.PRIMARY)))
    return found


def _minus(
    stretches: Sequence[tuple[datetime, datetime]], covered: Sequence[tuple[float, float]]
) -> list[tuple[datetime, datetime]]:
    """``stretches`` (UTC) without the instants of ``covered`` (timestamps, sorted)."""
    out: list[tuple[datetime, datetime]] = []
    for a_dt, b_dt in stretches:
        at, b = a_dt.timestamp(), b_dt.timestamp()
        for c0, c1 in covered:
            if c1 <= at or c0 >= b:
                continue
            if c0 > at:
                out.append((datetime.fromtimestamp(at, UTC), datetime.fromtimestamp(c0, UTC)))
            at = max(at, c1)
        if at < b:
            out.append((datetime.fromtimestamp(at, UTC), datetime.fromtimestamp(b, UTC)))
    return out


def _empty_layers(
    view: ScheduleView,
    plan_steps: Sequence[Step],
    others: Mapping[str, ScheduleView],
    by_email: Mapping[str, str],
) -> Iterator[Finding]:
    src = source_of(view.schedule)
    empty_of: dict[Layer, list[tuple[datetime, datetime]]] = {}
    for step in plan_steps:
        timelines = _timelines(view, step, others, by_email) if view.schedule.windows else []
        for k, t in enumerate(step.targets):
            if t.kind != "layer" or t.layer is None:
                continue
            if view.schedule.windows:
                # Every window's occurrences count: a gap between windows (coverage: partial,
                # or windows that do not tile) is a time this level pages nobody, unless
                # another target of the same level (a contact, a night schedule) reaches
                # someone then.
                if t.layer not in empty_of:
                    empty_of[t.layer] = _empty_stretches(view, t.layer)
                covered = sorted(
                    (a, b)
                    for other, tl in timelines
                    if other is not t
                    for a, b, people in zip(tl.starts, tl.ends, tl.people, strict=True)
                    if people
                )
                runs = recurring_runs(_minus(empty_of[t.layer], covered))
                if not runs:
                    continue
                hours = sum(r[3] for r in runs)
                shown = "; ".join(recurrence_text(at, n, dates) for at, n, dates, _ in runs[:3])
                more = f"; and {len(runs) - 3} more" if len(runs) > 3 else ""
                partial = view.schedule.coverage == "partial"
                yield src.finding(
                    "E209",
                    _target_path(step, k),
                    f"level {step.level} pages {t.name}, but {t.name} of "
                    f"{view.schedule.name} has nobody {shown}{more} ({_hours(hours)} in all): "
                    "pages at that level reach nobody then",
                    hint=(
                        "with coverage: partial, give this level a second target that reaches "
                        "someone outside the windows (a contact, another schedule), e.g. "
                        "target: [on-call-primary, night-desk]"
                        if partial
                        else f"make the windows tile the week (S108) and put someone on "
                        f"{t.layer.value} in every window, or re-plan"
                    ),
                )
                continue
            empty = [w.index for w in view.weeks if not view.on(w.index, t.layer)]
            if empty:
                first = view.weeks[empty[0]]
                yield src.finding(
                    "E209",
                    _target_path(step, k),
                    f"level {step.level} pages {t.name}, but nobody holds the {t.layer.value} "
                    f"layer in {week_list(empty)} (from {stamp(first.start)}): pages at that "
                    f"level reach nobody",
                    hint=f"put someone on {t.layer.value} in every week, or re-plan",
                )


def check_policy_against_plan(
    view: ScheduleView,
    others: Mapping[str, ScheduleView],
    *,
    schedule_names: Sequence[str] = (),
    by_email: Mapping[str, str] | None = None,
) -> list[Finding]:
    """E209–E211: does every level reach a new human at every moment of the plan?

    Args:
        view: The schedule with its plan.
        others: The org's other planned schedules by name (targets naming a schedule page its
            primary).
        schedule_names: Names of every schedule of the org.
        by_email: Lower-case email → member id, so a contact who is also a member counts as
            the same person.
    """
    paths = severity_paths(view.schedule, schedule_names)
    return _per_path(paths, lambda path: _against_plan(view, others, path, by_email))


def _against_plan(
    view: ScheduleView,
    others: Mapping[str, ScheduleView],
    plan_steps: Sequence[Step],
    by_email: Mapping[str, str] | None,
) -> list[Finding]:
    """E209–E211 for one path through the policy."""
    schedule = view.schedule
    if not plan_steps or not view.weeks:
        return []
    email_map = by_email or {}
    found = list(_empty_layers(view, plan_steps, others, email_map))
    lines = [_timelines(view, s, others, email_map) for s in plan_steps]
    # Every instant at which some level's people may change, within the plan's horizon.
    start, end = view.weeks[0].start.timestamp(), view.weeks[-1].end.timestamp()
    cuts = {start}
    for timelines in lines:
        for _, tl in timelines:
            cuts.update(x for x in tl.starts if start < x < end)
            cuts.update(x for x in tl.ends if start < x < end)
    week_starts = [w.start.timestamp() for w in view.weeks]
    # (person, earlier level position, later level position) → weeks; level position → weeks.
    doubles: dict[tuple[str, int, int], set[int]] = {}
    adds_nobody: dict[int, set[int]] = {}
    since: dict[object, float] = {}  # the first moment of each finding
    for moment in sorted(cuts):
        week = bisect_right(week_starts, moment) - 1
        paged: dict[str, int] = {}  # person → the first level position paging them
        paged_by: dict[str, set[str]] = {}  # person → target names that paged them
        for j, timelines in enumerate(lines):
            names_of: dict[str, set[str]] = {}
            for t, tl in timelines:
                for p in tl.at(moment):
                    names_of.setdefault(p, set()).add(t.name)
            people = set(names_of)
            if people and people <= set(paged):
                adds_nobody.setdefault(j, set()).add(week)
                since.setdefault(j, moment)
            for p in sorted(people):
                if p in paged and not (names_of[p] <= paged_by[p]):
                    doubles.setdefault((p, paged[p], j), set()).add(week)
                    since.setdefault((p, paged[p], j), moment)
                paged.setdefault(p, j)
                paged_by.setdefault(p, set()).update(names_of[p])
    src = source_of(schedule)
    zone = schedule.zone
    for (person, i, j), weeks in sorted(doubles.items()):
        first = datetime.fromtimestamp(since[(person, i, j)], zone)
        shown = person.removeprefix("contact:")
        found.append(
            src.finding(
                "E210",
                (*plan_steps[j].path, "target"),
                f"{shown} holds both {plan_steps[i].label} and {plan_steps[j].label} in "
                f"{week_list(sorted(weeks))} (from {stamp(first)}): escalating reaches "
                "the same person again",
                hint="give each level a different person at every moment (primary ≠ "
                "secondary; a manager outside the rotation)",
            )
        )
    for j, weeks in sorted(adds_nobody.items()):
        first = datetime.fromtimestamp(since[j], zone)
        found.append(
            src.finding(
                "E211",
                (*plan_steps[j].path, "target"),
                f"{plan_steps[j].label} adds nobody new in {week_list(sorted(weeks))} (from "
                f"{stamp(first)}): everyone it pages was already paged by an earlier level",
                hint="page someone not yet paged (the secondary, a manager), or drop the level",
            )
        )
    return found
