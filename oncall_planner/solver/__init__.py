"""The CP-SAT rotation planner (the only package that imports ortools).

``plan`` plans one schedule, ``plan_org`` several at once; ``PlanOptions`` holds the settings.
Modules: ``instance`` (facts, no ortools), ``model`` (variables and the builder),
``constraints`` (one class per hard rule), ``objective`` (soft goals and their weights),
``greedy`` (the starting hint), ``explain`` (infeasibility in words), ``api``.
"""

from __future__ import annotations

from oncall_planner.solver.api import plan, plan_org
from oncall_planner.solver.options import PlanOptions

__all__ = ["PlanOptions", "plan", "plan_org"]
