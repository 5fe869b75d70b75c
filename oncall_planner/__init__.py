"""oncall_planner: plan, check and export on-call rotations.

One front door: every public name is importable from here. Names load lazily (PEP 562) so that
``import oncall_planner`` stays fast; ortools, pandas and matplotlib load only when a planner or
review function is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name → module that defines it.
_EXPORTS: dict[str, str] = {
    "CheckFailedError": "oncall_planner.errors",
    "FeedError": "oncall_planner.errors",
    "EffectiveShift": "oncall_planner.roster",
    "Finding": "oncall_planner.report",
    "InfeasibleError": "oncall_planner.errors",
    "InputError": "oncall_planner.errors",
    "Layer": "oncall_planner.plans",
    "Member": "oncall_planner.spec",
    "OncallPlannerError": "oncall_planner.errors",
    "Org": "oncall_planner.loader",
    "Override": "oncall_planner.plans",
    "PageEvent": "oncall_planner.health",
    "PageLog": "oncall_planner.health",
    "PagesFileError": "oncall_planner.errors",
    "Period": "oncall_planner.health",
    "Plan": "oncall_planner.plans",
    "PlanFileError": "oncall_planner.errors",
    "PlanOptions": "oncall_planner.solver",
    "PlanningError": "oncall_planner.errors",
    "Problem": "oncall_planner.expand",
    "QuarterlyReview": "oncall_planner.health",
    "RULES": "oncall_planner.rules",
    "RejectedScheduleError": "oncall_planner.errors",
    "Report": "oncall_planner.report",
    "ReviewSettings": "oncall_planner.health",
    "Rule": "oncall_planner.rules",
    "Schedule": "oncall_planner.spec",
    "ScheduleError": "oncall_planner.errors",
    "SchedulePlan": "oncall_planner.plans",
    "SeverityFramework": "oncall_planner.spec",
    "Shift": "oncall_planner.plans",
    "SolveInfo": "oncall_planner.plans",
    "SolverTimeoutError": "oncall_planner.errors",
    "Week": "oncall_planner.expand",
    "check": "oncall_planner.validate",
    "from_ical": "oncall_planner.ical",
    "load_org": "oncall_planner.loader",
    "load_pages": "oncall_planner.health",
    "load_schedule": "oncall_planner.loader",
    "load_severity": "oncall_planner.loader",
    "plan": "oncall_planner.solver",
    "plan_org": "oncall_planner.solver",
    "review": "oncall_planner.health",
    "synthetic_pages": "oncall_planner.health",
    "to_ical": "oncall_planner.ical",
    "NoSwapError": "oncall_planner.errors",
    "SwapOption": "oncall_planner.solver.swap",
    "suggest_swaps": "oncall_planner.solver.swap",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from oncall_planner.errors import (
        CheckFailedError,
        FeedError,
        InfeasibleError,
        InputError,
        NoSwapError,
        OncallPlannerError,
        PagesFileError,
        PlanFileError,
        PlanningError,
        RejectedScheduleError,
        ScheduleError,
        SolverTimeoutError,
    )
    from oncall_planner.expand import Problem, Week
    from oncall_planner.health import (
        PageEvent,
        PageLog,
        Period,
        QuarterlyReview,
        ReviewSettings,
        load_pages,
        review,
        synthetic_pages,
    )
    from oncall_planner.ical import from_ical, to_ical
    from oncall_planner.loader import Org, load_org, load_schedule, load_severity
    from oncall_planner.plans import Layer, Override, Plan, SchedulePlan, Shift, SolveInfo
    from oncall_planner.report import Finding, Report
    from oncall_planner.roster import EffectiveShift
    from oncall_planner.rules import RULES, Rule
    from oncall_planner.solver import PlanOptions, plan, plan_org
    from oncall_planner.solver.swap import SwapOption, suggest_swaps
    from oncall_planner.spec import Member, Schedule, SeverityFramework
    from oncall_planner.validate import check


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'oncall_planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
