"""The validator: solver-free checks of schedules, plans and escalation policies.

``check`` is the front door. It never imports ortools: every hard rule of the planner has a
checker here with the same code, and the planner's plans are re-checked by it.
"""

from __future__ import annotations

from collections.abc import Sequence

from oncall_planner.loader import Org
from oncall_planner.plans import Plan
from oncall_planner.report import Report, matches_code
from oncall_planner.spec import Schedule, SeverityFramework
from oncall_planner.validate.schedule import check_schedule

__all__ = ["check"]


def _schedules(target: Schedule | Org | Sequence[Schedule]) -> tuple[Schedule, ...]:
    if isinstance(target, Schedule):
        return (target,)
    if isinstance(target, Org):
        return target.schedules
    return tuple(target)


def check(
    target: Schedule | Org | Sequence[Schedule],
    plan: Plan | None = None,
    severity: SeverityFramework | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> Report:
    """Check schedules (and, given one, a plan) against the rule catalogue.

    Args:
        target: A schedule, an org, or several schedules checked together.
        plan: A plan of those schedules, to check the hard rules and plan quality on.
        severity: A severity framework to check escalation policies against.
        select: Only report codes starting with one of these (e.g. ``["E2", "H"]``).
        ignore: Do not report codes starting with one of these.

    Returns:
        A report; call ``report.raise_for_errors()`` to raise on errors.
    """
    schedules = _schedules(target)
    findings = []
    for schedule in schedules:
        for finding in check_schedule(schedule):
            if not matches_code(finding.code, schedule.ignore):
                findings.append(finding)
    return Report(tuple(findings)).filter(select, ignore)
