"""The validator: solver-free checks of schedules, plans and escalation policies.

``check`` is the front door. It never imports ortools: every hard rule of the planner has a
checker here with the same code (``validate.hard``), and the planner's plans are re-checked by
it. The rule modules:

- ``validate.schedule``: H005, S101–S109 and H011 within one window, from the schedule file
  alone (windows over the plan's horizon, or 53 weeks from today without a plan);
- ``validate.escalation``: E201–E208 and E212 from the policy alone, E209–E211 against a plan;
- ``validate.plan``: P101–P107, plan quality;
- ``validate.hard``: H001–H008, the planner's hard rules;
- ``validate.intervals``: H101–H107, the same rules over real time for plans with overrides.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from oncall_planner import _args
from oncall_planner.loader import Org, source_of
from oncall_planner.plans import Plan
from oncall_planner.report import Finding, Report, Severity, matches_code
from oncall_planner.spec import Schedule, SeverityFramework
from oncall_planner.validate._common import views
from oncall_planner.validate.escalation import (
    check_policy,
    check_policy_against_plan,
    contacts_in_rotation,
)
from oncall_planner.validate.hard import check_hard
from oncall_planner.validate.intervals import check_intervals
from oncall_planner.validate.plan import check_plan, unknown_schedules
from oncall_planner.validate.schedule import (
    HORIZON_WEEKS,
    available_rotation_size,
    check_schedule,
)

__all__ = ["check", "refusals"]


def _schedules(target: Schedule | Org | Sequence[Schedule]) -> tuple[Schedule, ...]:
    if isinstance(target, Schedule):
        return (target,)
    if isinstance(target, Org):
        return target.schedules
    return tuple(target)


def _apply_schedule_ignores(
    findings: Iterable[Finding], schedules: Sequence[Schedule]
) -> list[Finding]:
    """Drop findings about a schedule whose ``ignore:`` list names their code.

    A finding is about the schedule whose file it points into. Schedules built in Python have
    no file; their findings obey the codes every such schedule ignores.
    """
    by_file: dict[str | None, list[tuple[str, ...]]] = {}
    for s in schedules:
        by_file.setdefault(source_of(s).file, []).append(s.ignore)
    ignores: dict[str | None, set[str]] = {
        file: set.intersection(*(set(codes) for codes in lists)) for file, lists in by_file.items()
    }
    return [f for f in findings if not matches_code(f.code, ignores.get(f.file, ()))]


def check(
    target: Schedule | Org | Sequence[Schedule] | str | os.PathLike[str],
    plan: Plan | str | os.PathLike[str] | None = None,
    severity: SeverityFramework | str | os.PathLike[str] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> Report:
    """Check schedules (and, given one, a plan) against the rule catalogue.

    Args:
        target: A schedule, an org, or several schedules checked together (one org); or the
            path of a schedule file or org folder.
        plan: A plan (or the path of a plan file) of those schedules: the hard rules (H001–H008), plan quality
            (P101–P107) and the escalation policies against it (E209–E211) are checked too.
            Coverage windows (S108, and H011 inside one window) are checked over the plan's
            horizon; without a plan, over 53 weeks from today's date (UTC), so that every DST
            change of a year is seen.
        severity: A severity framework to check escalation policies against (E205, E206);
            defaults to the org's own ``severity_framework:`` file, if any.
        select: Only report codes starting with one of these (e.g. ``["E2", "H"]`` or
            ``"E2,H"``).
        ignore: Do not report codes starting with one of these.

    Returns:
        A report, sorted by file and line; call ``report.raise_for_errors()`` to raise on
        errors.

    Raises:
        TypeError: An argument of the wrong kind, e.g. ``check(plan, schedule)`` (swapped).
        ValueError: A path that does not exist, or a blank code.

    Example:
        >>> from oncall_planner import check, load_schedule
        >>> report = check(load_schedule("schedules/backend-primary.yaml"), select=["E204"])
        >>> [f.message for f in report][2]
        'level 3 (engineering-manager) is paged at 15 minutes: the sum of the earlier timeouts (5 + 10 minutes)'
    """  # noqa: E501
    if isinstance(target, Plan):
        raise _args.wrong_type(
            "check",
            "target",
            target,
            "a Schedule, an Org, a list of Schedules, or a schedule file or org folder",
            "; the schedules come first: check(schedule, plan)",
        )
    target = _args.schedules_arg("check", "target", target)
    if plan is not None:
        plan = _args.plan_arg("check", "plan", plan)
    if severity is not None:
        severity = _args.severity_arg("check", "severity", severity)
    select = None if select is None else _args.codes_arg("check", "select", select)
    ignore = None if ignore is None else _args.codes_arg("check", "ignore", ignore)
    schedules = _schedules(target)
    if severity is None and isinstance(target, Org):
        severity = target.severity
    names = sorted(s.name for s in schedules)
    findings: list[Finding] = []
    # Windows are checked over the plan's horizon, or a year from today without a plan.
    horizons = {sp.name: (sp.start, sp.weeks) for sp in plan.schedules} if plan else {}
    today = datetime.now(UTC).date()
    for schedule in schedules:
        start, weeks = horizons.get(schedule.name, (today, HORIZON_WEEKS))
        findings += check_schedule(schedule, start=start, weeks=weeks)
        findings += check_policy(
            schedule, schedule_names=names, severity=severity, with_plan=plan is not None
        )
    if plan is None:
        findings += contacts_in_rotation(schedules)
    else:
        findings += unknown_schedules(plan, names)
        planned = views(schedules, plan)
        findings += check_plan(planned)
        by_name = {v.schedule.name: v for v in planned}
        by_email = {
            m.email.lower(): m.id
            for s in schedules
            for m in s.participants.members
            if m.email is not None
        }
        for view in planned:
            findings += check_policy_against_plan(
                view, by_name, schedule_names=names, by_email=by_email
            )
        findings += check_hard(schedules, plan)
        # H005 over the plan's horizon: weeks with fewer available members than the minimum.
        findings += [
            f
            for view in planned
            for f in available_rotation_size(view.problem)
            if f.severity is not Severity.ERROR
        ]
        # Each window's pool over the plan's horizon (time off counted against its
        # occurrences): thin weeks are warnings, a pool away the whole horizon an error.
        findings += [
            f
            for view in planned
            for problem in view.window_problems().values()
            for f in available_rotation_size(problem)
        ]
        findings += check_intervals(schedules, plan)
    # H005 is both a schedule rule and a hard rule: report each finding once.
    unique = list(dict.fromkeys(findings))
    return Report(tuple(_apply_schedule_ignores(unique, schedules))).filter(select, ignore)


def refusals(
    target: Schedule | Org | Sequence[Schedule], ignore: Sequence[str] = ()
) -> list[Finding]:
    """The errors that stop the planner: every error-level finding of :func:`check` on the
    schedules alone, except the hard rules (the planner explains those itself, with the weeks
    and people involved) and the codes in ``ignore`` (prefixes work). A window whose own
    occurrences leave less than ``min_rest`` (H011 from the schedule alone) is refused too.

    ``plan`` runs this first, so that it never plans what ``check`` rejects (a misspelt
    escalation target gave a plan without a secondary: issue 9).
    """
    report = check(target, ignore=list(ignore) or None)
    return [
        f
        for f in report
        if f.severity is Severity.ERROR and (not f.code.startswith("H") or _intrinsic(f))
    ]


def _intrinsic(finding: Finding) -> bool:
    """A hard-rule finding no plan can avoid, which the planner cannot explain by weeks and
    people: a window whose own occurrences leave less than ``min_rest`` (H011 at the schedule
    level; between occurrences of one window the solver's rest rule does not look)."""
    return finding.code == "H011" and finding.path.endswith("participants.min_rest")
