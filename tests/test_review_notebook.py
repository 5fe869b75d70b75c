"""docs/quarterly-review.ipynb runs end to end, reviews a plan the planner made, and is
committed without outputs."""

from __future__ import annotations

import json
from datetime import date

import nbformat
from nbclient import NotebookClient

from oncall_planner import PlanOptions, check, load_schedule, plan
from tests.conftest import ROOT, SCHEDULES

NOTEBOOK = ROOT / "docs" / "quarterly-review.ipynb"

# Run after the notebook's own cells: what the kernel planned, what check says of it, and
# which shifts the review counted.
_PROBE = """
import json as _json
_report = check(schedule, rotation)
_planned = {(s.week, s.layer.value, s.person) for s in rotation.schedules[0].shifts}
_reviewed = {(int(r.week), str(r.layer), str(r.person)) for r in rv.per_shift.itertuples()}
print("PROBE " + _json.dumps({
    "errors": [f.format() for f in _report.errors],
    "status": rotation.solve.status,
    "shifts": sorted(_planned),
    "reviewed_subset": _reviewed <= _planned,
    "reviewed": len(_reviewed),
}))
"""


def test_notebook_is_committed_with_outputs_stripped() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs_and_reviews_a_plan_that_passes_check() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    # The "python3" kernel is the venv's ipykernel; run from the repository root, as a reader
    # opening docs/ from a checkout with `jupyter lab` at the root would.
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 5  # the five charts
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert any("On-call review 2027Q1" in o["data"]["text/html"] for o in html)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "R301 warning" in text and "KiB" in text
    # The notebook's plan was made by the planner, keeps every hard rule (it used to be a
    # hand-made round-robin with 3 H006 errors: bob primary during his time off), and is the
    # plan the review counted.
    probe = json.loads(text.split("PROBE ", 1)[1].splitlines()[0])
    assert probe["errors"] == []
    assert "0 errors" in text  # the notebook shows the check to its reader too
    assert probe["status"] == "OPTIMAL"
    assert probe["reviewed_subset"] and probe["reviewed"] == len(probe["shifts"])
    # The same call in this process gives the same shifts: the planner is deterministic.
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    again = plan(schedule, date(2026, 12, 28), 14, options=PlanOptions(workers=1, seed=0))
    assert not check(schedule, again).errors
    expected = sorted([s.week, s.layer.value, s.person] for s in again.schedules[0].shifts)
    assert probe["shifts"] == expected
