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
    "Window": "oncall_planner.spec",
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
    # ``X as X`` marks an explicit re-export: ``mypy --strict`` (no implicit re-export) then
    # accepts ``from oncall_planner import plan`` in users' code.
    from oncall_planner.errors import CheckFailedError as CheckFailedError
    from oncall_planner.errors import FeedError as FeedError
    from oncall_planner.errors import InfeasibleError as InfeasibleError
    from oncall_planner.errors import InputError as InputError
    from oncall_planner.errors import NoSwapError as NoSwapError
    from oncall_planner.errors import OncallPlannerError as OncallPlannerError
    from oncall_planner.errors import PagesFileError as PagesFileError
    from oncall_planner.errors import PlanFileError as PlanFileError
    from oncall_planner.errors import PlanningError as PlanningError
    from oncall_planner.errors import RejectedScheduleError as RejectedScheduleError
    from oncall_planner.errors import ScheduleError as ScheduleError
    from oncall_planner.errors import SolverTimeoutError as SolverTimeoutError
    from oncall_planner.expand import Problem as Problem
    from oncall_planner.expand import Week as Week
    from oncall_planner.health import PageEvent as PageEvent
    from oncall_planner.health import PageLog as PageLog
    from oncall_planner.health import Period as Period
    from oncall_planner.health import QuarterlyReview as QuarterlyReview
    from oncall_planner.health import ReviewSettings as ReviewSettings
    from oncall_planner.health import load_pages as load_pages
    from oncall_planner.health import review as review
    from oncall_planner.health import synthetic_pages as synthetic_pages
    from oncall_planner.ical import from_ical as from_ical
    from oncall_planner.ical import to_ical as to_ical
    from oncall_planner.loader import Org as Org
    from oncall_planner.loader import load_org as load_org
    from oncall_planner.loader import load_schedule as load_schedule
    from oncall_planner.loader import load_severity as load_severity
    from oncall_planner.plans import Layer as Layer
    from oncall_planner.plans import Override as Override
    from oncall_planner.plans import Plan as Plan
    from oncall_planner.plans import SchedulePlan as SchedulePlan
    from oncall_planner.plans import Shift as Shift
    from oncall_planner.plans import SolveInfo as SolveInfo
    from oncall_planner.report import Finding as Finding
    from oncall_planner.report import Report as Report
    from oncall_planner.roster import EffectiveShift as EffectiveShift
    from oncall_planner.rules import RULES as RULES
    from oncall_planner.rules import Rule as Rule
    from oncall_planner.solver import PlanOptions as PlanOptions
    from oncall_planner.solver import plan as plan
    from oncall_planner.solver import plan_org as plan_org
    from oncall_planner.solver.swap import SwapOption as SwapOption
    from oncall_planner.solver.swap import suggest_swaps as suggest_swaps
    from oncall_planner.spec import Member as Member
    from oncall_planner.spec import Schedule as Schedule
    from oncall_planner.spec import SeverityFramework as SeverityFramework
    from oncall_planner.spec import Window as Window
    from oncall_planner.validate import check as check


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'oncall_planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
