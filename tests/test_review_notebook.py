"""docs/quarterly-review.ipynb runs end to end and is committed without outputs."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK = ROOT / "docs" / "quarterly-review.ipynb"


def test_notebook_is_committed_with_outputs_stripped() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
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
