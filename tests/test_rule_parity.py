"""Every hard rule has one solver constraint and one solver-free checker with the same code."""

from __future__ import annotations

import subprocess
import sys

from oncall_planner.rules import HARD_RULES
from oncall_planner.solver.constraints import HARD_CONSTRAINTS
from oncall_planner.validate.hard import CHECKERS
from tests.conftest import ROOT


def test_solver_constraints_and_checkers_cover_the_same_codes() -> None:
    solver_codes = [c.code for c in HARD_CONSTRAINTS]
    assert len(solver_codes) == len(set(solver_codes)), "one class per rule"
    assert set(solver_codes) == set(CHECKERS) == set(HARD_RULES)


def test_each_constraint_is_its_own_named_class() -> None:
    names = [type(c).__name__ for c in HARD_CONSTRAINTS]
    assert len(set(names)) == len(names)
    assert all(type(c).__doc__ and type(c).__doc__.startswith(c.code) for c in HARD_CONSTRAINTS)


def test_the_checkers_never_import_ortools() -> None:
    code = (
        "import sys; import oncall_planner.validate.hard, oncall_planner.validate; "
        "sys.exit(1 if any(m.startswith('ortools') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0
