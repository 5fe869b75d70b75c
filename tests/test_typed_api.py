"""The public signatures say what the functions accept at run time (issue 10).

``plan(s, "2027-01-04", 13)`` works since the arguments are checked at the boundary, but the
signatures said ``start: date``, so ``mypy --strict`` flagged every notebook-style call.
tests/typed_usage.py calls each function the way a notebook does (ISO strings, ``str`` paths);
it must type-check cleanly and run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from oncall_planner import Plan, QuarterlyReview, check
from tests.conftest import ROOT
from tests.typed_usage import usage

USAGE = Path(__file__).resolve().parent / "typed_usage.py"

# What the annotations must still refuse: a negative control, so the check can fail.
_WRONG = """
from oncall_planner import plan
plan("schedules/backend-primary.yaml", 20270104, 13)
"""


def test_notebook_style_calls_type_check_under_mypy_strict(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong_usage.py"
    wrong.write_text(_WRONG, "utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(USAGE), str(wrong)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    # typed_usage.py is clean; the int given as a date is the one error.
    assert [Path(e.split(":")[0]).name for e in errors] == [wrong.name], out.stdout + out.stderr
    assert 'Argument 2 to "plan" has incompatible type "int"; expected "date | str"' in errors[0]


def test_notebook_style_calls_run(tmp_path: Path) -> None:
    replanned, org_plan, rv, history_feed = usage(tmp_path)
    assert isinstance(replanned, Plan) and isinstance(org_plan, Plan)
    assert isinstance(rv, QuarterlyReview)
    assert history_feed.startswith(b"BEGIN:VCALENDAR")
    # Every plan made here is re-checked by the validator.
    schedule = ROOT / "schedules" / "backend-primary.yaml"
    assert not check(schedule, replanned).errors
    assert not check(ROOT / "schedules" / "org", org_plan).errors
