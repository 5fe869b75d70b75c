"""Rules over real time (H101–H107): the effective roster of plans with overrides.

The week-based hard rules (``validate.hard``) read whole weeks: a weekly shift that overrides
hand entirely to one person counts as that person's week (``roster.weekly_view``). What
overrides do to *part* of a week is judged here, on the effective roster, to the minute:

- H101: every instant of the horizon has exactly one person on each paged layer;
- H102: nobody holds two layers of one schedule at one instant;
- H103: stints counting override time stay within ``max_consecutive_weeks`` (the H003 count:
  the weeks a stint of unbroken on-call time touches, plus the weeks just before the plan);
- H104: nobody is given paged override time before their shadow period ends;
- H106: nobody holds a layer during their time off (to the hour, in their own zone);
- H107: nobody holds layers in two schedules at one instant.

In a plan with coverage windows, H102, H106 and H107 judge every occurrence (not only the
time overrides touch): the week rules cannot tell two windows of one week apart.

Schedules whose plan has overrides or coverage windows are checked here: without either, the
effective roster is the weekly shifts and H001–H008 are exact. A plan with windows is always
checked, overrides or not: its shifts are occurrences, and only real time says whether they
tile the horizon (H101; with ``coverage: partial`` only the windows' own instants need a
holder) and whether a run of weeks counting any window is too long (H103). A finding caused by
an override that records the code as ``accepted`` (``override --force``) is reported as info.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, time, timedelta

from oncall_planner.expand import (
    Problem,
    expand,
    local_instant,
    member_zone,
    window_occurrences,
)
from oncall_planner.loader import source_of
from oncall_planner.plans import PAGED_LAYERS, Layer, Override, Plan, SchedulePlan
from oncall_planner.report import Finding, Severity
from oncall_planner.roster import (
    EffectiveShift,
    effective_shifts,
    partly_overridden,
    states,
    weekly_view,
)
from oncall_planner.rules import rule
from oncall_planner.spec import MemberHistory, Schedule
from oncall_planner.validate._common import member_path, stamp
from oncall_planner.validate.hard import run_before_start

__all__ = ["INTERVAL_CHECKS", "check_intervals", "check_plan_alone"]


@dataclasses.dataclass
class _Item:
    """One schedule with overrides, indexed for the interval rules."""

    schedule: Schedule
    plan: SchedulePlan
    problem: Problem
    pieces: list[EffectiveShift]
    weekly: SchedulePlan
    partly: set[tuple[int, Layer]]
    overrides: dict[str, Override]

    def accounted(self, p: EffectiveShift) -> bool:
        """True if a whole-week rule sees this piece: it lies in a weekly shift of its person."""
        return _accounted(self.weekly, p)

    @property
    def windowed(self) -> bool:
        """True for a plan with coverage windows: its shifts are occurrences."""
        return _windowed(self.plan)

    def seen_whole(self, p: EffectiveShift) -> bool:
        """True if a week rule (H002, H007) judges this piece as part of a whole weekly shift.

        Never in a plan with windows: there the instants decide (one role per person at any
        instant, so apac primary and emea secondary in one week is fine), and H102/H107 judge
        every occurrence by real time.
        """
        return not self.windowed and self.accounted(p)

    def in_untouched_week(self, p: EffectiveShift) -> bool:
        """True if the piece lies in a weekly shift of its person that no override cuts (H006
        judges those whole weeks). Never in a plan with windows: H106 judges every occurrence
        against time off to the minute."""
        if self.windowed:
            return False
        return any(
            s.layer is p.layer
            and s.person == p.person
            and (s.week, s.layer) not in self.partly
            and s.start <= p.start
            and p.end <= s.end
            for s in self.weekly.shifts
        )


def _accounted(weekly: SchedulePlan, p: EffectiveShift) -> bool:
    return any(
        s.layer is p.layer and s.person == p.person and s.start <= p.start and p.end <= s.end
        for s in weekly.shifts
    )


def _span(a: datetime, b: datetime) -> str:
    return f"{stamp(a)} – {stamp(b)}"


def _accept(finding: Finding, overrides: Sequence[Override]) -> Finding:
    """Info instead of an error when an override involved records the code as accepted."""
    accepted = [o.id for o in overrides if finding.code in o.accepted]
    if not accepted:
        return finding
    return dataclasses.replace(
        finding,
        severity=Severity.INFO,
        message=f"accepted ({', '.join(accepted)}): {finding.message}",
    )


def _involved(item: _Item, *pieces: EffectiveShift) -> list[Override]:
    return [item.overrides[p.override] for p in pieces if p.override is not None]


# ---------------------------------------------------------------------------------------------


def _windowed(sp: SchedulePlan) -> bool:
    """True if the plan's shifts are window occurrences (or the plan lists windows)."""
    return bool(sp.windows) or any(s.window is not None for s in sp.shifts)


def _window_spans(
    item: _Item, first: datetime, last: datetime
) -> list[tuple[str, datetime, datetime]]:
    """(window, start, end) of every occurrence of the schedule's windows over the horizon."""
    return sorted(
        (
            (w.name, a, b)
            for w in item.schedule.windows
            for a, b in window_occurrences(item.schedule, w, first, last)
        ),
        key=lambda it: (it[1], it[0]),
    )


def check_coverage(items: Sequence[_Item], **_: object) -> Iterator[Finding]:
    """H101: exactly one person on each paged layer at every instant of the horizon.

    With ``coverage: partial`` (the plan's), only the instants some window covers need a
    holder: nobody between windows is the point of a business-hours layer (R306 in reviews
    counts the pages that fall there). Two holders at once are an error everywhere.
    """
    for item in items:
        schedule = item.schedule
        first, last = item.problem.weeks[0].start, item.problem.weeks[-1].end
        layers = [Layer.PRIMARY] + ([Layer.SECONDARY] if schedule.uses_secondary else [])
        zone = schedule.zone
        partial = _windowed(item.plan) and item.plan.coverage == "partial"
        spans = _window_spans(item, first, last) if partial else []
        for layer in layers:
            pieces = [p for p in item.pieces if p.layer is layer]
            runs = [r for r in states(pieces, first, last) if len(r[0]) != 1]
            for people, a, b in runs:
                parts: list[tuple[str | None, datetime, datetime]]
                if not people and partial:
                    # Only the parts of the gap that a window covers are missing a holder.
                    parts = [
                        (name, max(a, x), min(b, y)) for name, x, y in spans if x < b and a < y
                    ]
                else:
                    parts = [(None, a, b)]
                for window, x, y in parts:
                    when = _span(x.astimezone(zone), y.astimezone(zone))
                    what = (
                        f"nobody holds {layer.value}"
                        if not people
                        else f"{' and '.join(people)} all hold {layer.value}"
                    )
                    inside = f" in window {window}" if window else ""
                    yield source_of(schedule).finding(
                        "H101",
                        ("schedule", "name"),
                        f"{schedule.name}: {what}{inside} from {when}; exactly one is required",
                        hint="add an override for the gap, or remove one of the overlapping ones"
                        if not _windowed(item.plan)
                        else "give the window's occurrence to its holder of the week, or add an "
                        "override for the gap",
                    )


def _overlaps(
    pieces: Sequence[tuple[_Item, EffectiveShift]],
) -> Iterator[tuple[_Item, EffectiveShift, _Item, EffectiveShift, datetime, datetime]]:
    """Pairs of one person's pieces that overlap, with the overlap."""
    ordered = sorted(pieces, key=lambda ip: ip[1].sort_key())
    for i, (ia, a) in enumerate(ordered):
        for ib, b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            yield ia, a, ib, b, max(a.start, b.start), min(a.end, b.end)


def check_two_layers(items: Sequence[_Item], **_: object) -> Iterator[Finding]:
    """H102: nobody holds two layers of one schedule at one instant."""
    for item in items:
        by_person: dict[str, list[tuple[_Item, EffectiveShift]]] = {}
        for p in item.pieces:
            by_person.setdefault(p.person, []).append((item, p))
        for person, pieces in sorted(by_person.items()):
            for _ia, a, _ib, b, x, y in _overlaps(pieces):
                if a.layer is b.layer or (item.seen_whole(a) and item.seen_whole(b)):
                    continue
                finding = source_of(item.schedule).finding(
                    "H102",
                    member_path(item.schedule, person),
                    f"{item.schedule.name}: {person} holds {a.layer.value} ({a.source}) and "
                    f"{b.layer.value} ({b.source}) at once from {_span(x, y)}",
                    hint="give one of the layers to someone else for that time",
                )
                yield _accept(finding, _involved(item, a, b))


def check_stints(
    items: Sequence[_Item],
    *,
    previous: Plan | None = None,
    history: Mapping[str, MemberHistory] | None = None,
    **_: object,
) -> Iterator[Finding]:
    """H103: stints counting override time stay within ``max_consecutive_weeks``."""
    for item in items:
        schedule, problem = item.schedule, item.problem
        limit = schedule.participants.max_consecutive_weeks
        members = {m.id: m for m in schedule.participants.members}
        weekly_weeks: dict[str, set[int]] = {}
        for s in item.weekly.shifts:
            if s.layer in PAGED_LAYERS:
                weekly_weeks.setdefault(s.person, set()).add(s.week)
        by_person: dict[str, list[EffectiveShift]] = {}
        for p in item.pieces:
            if p.layer in PAGED_LAYERS:
                by_person.setdefault(p.person, []).append(p)
        if _windowed(item.plan):
            yield from _window_stints(item, by_person, weekly_weeks, previous, history)
            continue
        for person, pieces in sorted(by_person.items()):
            pieces.sort(key=EffectiveShift.sort_key)
            stints: list[list[EffectiveShift]] = []
            for p in pieces:
                if stints and p.start <= max(q.end for q in stints[-1]):
                    stints[-1].append(p)
                else:
                    stints.append([p])
            for stint in stints:
                a = min(p.start for p in stint)
                b = max(p.end for p in stint)
                touched = [w.index for w in problem.weeks if w.overlaps(a, b)]
                member = members.get(person)
                carried = 0
                if member is not None and a <= problem.weeks[0].start:
                    carried = run_before_start(problem, member, previous, history)
                count = len(touched) + carried
                # A stint of whole weekly shifts only is H003's to report.
                if count <= limit or set(touched) <= weekly_weeks.get(person, set()):
                    continue
                before = f", {carried} of them before week 0" if carried else ""
                weeks = (
                    f"week {touched[0]}"
                    if len(touched) == 1
                    else f"weeks {touched[0]}–{touched[-1]}"
                )
                finding = source_of(schedule).finding(
                    "H103",
                    ("schedule", "participants", "max_consecutive_weeks"),
                    f"{schedule.name}: {person} is on call without a break from {_span(a, b)}, "
                    f"{count} weeks in a row counting override time ({weeks}{before}); "
                    f"max_consecutive_weeks is {limit}",
                    hint="let someone else cover, or end the override earlier",
                )
                yield _accept(finding, _involved(item, *stint))


def _window_stints(
    item: _Item,
    by_person: Mapping[str, list[EffectiveShift]],
    weekly_weeks: Mapping[str, set[int]],
    previous: Plan | None,
    history: Mapping[str, MemberHistory] | None,
) -> Iterator[Finding]:
    """H103 for a plan with windows: a person is on call in a week when they hold any of its
    paged time (any window, override time included; a week counts once), and a stint is a run
    of such weeks. A run made of the person's own weekly holds only is H003's to report."""
    schedule, problem = item.schedule, item.problem
    limit = schedule.participants.max_consecutive_weeks
    members = {m.id: m for m in schedule.participants.members}
    for person, pieces in sorted(by_person.items()):
        weeks = sorted(
            {w.index for w in problem.weeks for p in pieces if w.overlaps(p.start, p.end)}
        )
        runs: list[list[int]] = []
        for k in weeks:
            if runs and runs[-1][-1] == k - 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            member = members.get(person)
            carried = 0
            if member is not None and run[0] == 0:
                carried = run_before_start(problem, member, previous, history)
            count = len(run) + carried
            if count <= limit or set(run) <= weekly_weeks.get(person, set()):
                continue
            inside = [
                p
                for p in pieces
                if problem.weeks[run[0]].start < p.end and p.start < problem.weeks[run[-1]].end
            ]
            a, b = min(p.start for p in inside), max(p.end for p in inside)
            before = f", {carried} of them before week 0" if carried else ""
            label = f"week {run[0]}" if len(run) == 1 else f"weeks {run[0]}–{run[-1]}"
            finding = source_of(schedule).finding(
                "H103",
                ("schedule", "participants", "max_consecutive_weeks"),
                f"{schedule.name}: {person} is on call in {count} weeks in a row counting "
                f"override time ({label}{before}, from {_span(a, b)}); max_consecutive_weeks "
                f"is {limit}",
                hint="let someone else cover, or end the override earlier",
            )
            yield _accept(finding, _involved(item, *inside))


def check_shadow_overrides(items: Sequence[_Item], **_: object) -> Iterator[Finding]:
    """H104: nobody is given paged override time before their shadow period ends."""
    for item in items:
        members = {m.id: m for m in item.schedule.participants.members}
        for p in item.pieces:
            member = members.get(p.person)
            if p.override is None or p.layer not in PAGED_LAYERS or member is None:
                continue
            if item.accounted(p):
                continue  # a whole week handed over: H004 counts it
            need = item.problem.needs_shadow(member)
            # Shadow weeks, not shifts: a windowed shadow week has one shift per occurrence.
            done = len(
                {
                    s.week
                    for s in item.weekly.shifts
                    if s.person == p.person and s.layer is Layer.SHADOW and s.end <= p.start
                }
            )
            if done >= need:
                continue
            finding = source_of(item.schedule).finding(
                "H104",
                member_path(item.schedule, p.person, "new_engineer"),
                f"{item.schedule.name}: {p.person} holds {p.layer.value} from "
                f"{_span(p.start, p.end)} ({p.source}) after {done} of {need} shadow week(s) "
                "still needed",
                hint="new engineers shadow for shadow_period before covering a paged layer",
            )
            yield _accept(finding, _involved(item, p))


def check_time_off(items: Sequence[_Item], **_: object) -> Iterator[Finding]:
    """H106: nobody holds a layer during their time off, to the minute."""
    for item in items:
        schedule = item.schedule
        members = {m.id: m for m in schedule.participants.members}
        for p in item.pieces:
            member = members.get(p.person)
            if member is None or item.in_untouched_week(p):
                continue
            zone = member_zone(member, schedule)
            for j, t in enumerate(member.time_off):
                a = local_instant(t.start, time(0), zone)
                b = local_instant(t.last_day + timedelta(days=1), time(0), zone)
                if not p.overlaps(a, b):
                    continue
                x, y = max(p.start, a).astimezone(zone), min(p.end, b).astimezone(zone)
                finding = source_of(schedule).finding(
                    "H106",
                    member_path(schedule, p.person, "time_off", j),
                    f"{schedule.name}: {p.person} holds {p.layer.value} ({p.source}) from "
                    f"{_span(x, y)} but is on time off ({t.start}–{t.last_day})",
                    hint="let someone available cover that time",
                )
                yield _accept(finding, _involved(item, p))


def check_two_schedules(items: Sequence[_Item], **kw: object) -> Iterator[Finding]:
    """H107: nobody holds layers in two schedules at one instant."""
    others = kw.get("others", [])
    assert isinstance(others, list)
    everyone: dict[str, list[tuple[_Item, EffectiveShift]]] = {}
    for item in [*items, *others]:
        for p in item.pieces:
            everyone.setdefault(p.person, []).append((item, p))
    for person, pieces in sorted(everyone.items()):
        for ia, a, ib, b, x, y in _overlaps(pieces):
            if a.schedule == b.schedule or (ia.seen_whole(a) and ib.seen_whole(b)):
                continue
            finding = source_of(ia.schedule).finding(
                "H107",
                member_path(ia.schedule, person),
                f"{person} holds {a.layer.value} in {a.schedule} ({a.source}) and "
                f"{b.layer.value} in {b.schedule} ({b.source}) at once from {_span(x, y)}",
                hint="one person cannot answer two pagers at once",
            )
            yield _accept(finding, [*_involved(ia, a), *_involved(ib, b)])


def check_unknown_people(items: Sequence[_Item], **_: object) -> Iterator[Finding]:
    """P102 for overrides naming someone who is not a member of the schedule."""
    for item in items:
        ids = {m.id for m in item.schedule.participants.members}
        for o in item.plan.overrides:
            if o.person not in ids:
                yield source_of(item.schedule).finding(
                    "P102",
                    ("schedule", "participants", "members"),
                    f"override {o.id} puts {o.person!r} on {o.layer.value} "
                    f"({_span(o.start, o.end)}), but {o.person!r} is not a member of "
                    f"{item.schedule.name!r}",
                    key=True,
                    hint="overrides name members listed under participants.members",
                )


#: Interval rule code → its checker (P102 for override people rides along).
INTERVAL_CHECKS: dict[str, Callable[..., Iterator[Finding]]] = {
    "H101": check_coverage,
    "H102": check_two_layers,
    "H103": check_stints,
    "H104": check_shadow_overrides,
    "H106": check_time_off,
    "H107": check_two_schedules,
    "P102": check_unknown_people,
}


def _item(schedule: Schedule, sp: SchedulePlan) -> _Item:
    return _Item(
        schedule=schedule,
        plan=sp,
        problem=expand(schedule, sp.start, sp.weeks),
        pieces=effective_shifts(sp),
        weekly=weekly_view(sp),
        partly=partly_overridden(sp),
        overrides={o.id: o for o in sp.overrides},
    )


def check_intervals(
    schedules: Sequence[Schedule],
    plan: Plan,
    *,
    previous: Plan | None = None,
    history: Mapping[str, MemberHistory] | None = None,
) -> list[Finding]:
    """Check the effective roster of every schedule whose plan has overrides.

    Args:
        schedules: The schedules the plan is for (plan entries for others are skipped).
        plan: The plan.
        previous: The plan it re-plans, for stints running into week 0.
        history: Carry-over per member id, overriding the members' ``history``.

    Returns:
        The findings, sorted by file, line and code.
    """
    by_name = {s.name: s for s in schedules}
    pairs = [
        (by_name[sp.name], sp)
        for sp in sorted(plan.schedules, key=lambda sp: sp.name)
        if sp.name in by_name
    ]

    def judged(sp: SchedulePlan) -> bool:
        return bool(sp.overrides) or _windowed(sp)

    if not any(judged(sp) for _, sp in pairs):
        return []
    items = [_item(schedule, sp) for schedule, sp in pairs if judged(sp)]
    others = [_item(schedule, sp) for schedule, sp in pairs if not judged(sp)]
    findings = [
        f
        for checker in INTERVAL_CHECKS.values()
        for f in checker(items, previous=previous, history=history, others=others)
    ]
    return sorted(dict.fromkeys(findings), key=Finding.sort_key)


def check_plan_alone(plan: Plan, *, file: str | None = None) -> list[Finding]:
    """H102 and H107 from the plan file alone, for ``override`` without schedule files.

    The other interval rules need the schedules (members, time off, limits, the policy).
    """
    weekly = {sp.name: weekly_view(sp) for sp in plan.schedules}
    windowed = {sp.name for sp in plan.schedules if _windowed(sp)}
    overrides = {o.id: o for sp in plan.schedules for o in sp.overrides}
    by_person: dict[str, list[EffectiveShift]] = {}
    for sp in plan.schedules:
        for p in effective_shifts(sp):
            by_person.setdefault(p.person, []).append(p)
    findings: list[Finding] = []
    for person, pieces in sorted(by_person.items()):
        pieces.sort(key=EffectiveShift.sort_key)
        for i, a in enumerate(pieces):
            for b in pieces[i + 1 :]:
                if b.start >= a.end:
                    break
                same = a.schedule == b.schedule
                if (same and a.layer is b.layer) or (
                    a.schedule not in windowed
                    and b.schedule not in windowed
                    and _accounted(weekly[a.schedule], a)
                    and _accounted(weekly[b.schedule], b)
                ):
                    continue
                x, y = max(a.start, b.start), min(a.end, b.end)
                code = "H102" if same else "H107"
                where = f"{a.schedule}: " if same else ""
                other = "" if same else f" in {b.schedule}"
                finding = rule(code).finding(
                    f"{where}{person} holds {a.layer.value}"
                    f"{'' if same else f' in {a.schedule}'} ({a.source}) and {b.layer.value}"
                    f"{other} ({b.source}) at once from {_span(x, y)}",
                    file=file,
                    hint="give one of the layers to someone else for that time",
                )
                involved = [overrides[q.override] for q in (a, b) if q.override in overrides]
                findings.append(_accept(finding, involved))
    return findings
