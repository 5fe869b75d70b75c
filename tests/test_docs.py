"""Docs are part of the feature: every ```python block in README.md and docs/*.md runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [p for p in DOCS if python_blocks(p)], ids=lambda p: p.name)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One namespace per file, so later blocks may use names from earlier ones; run from the
    # repository root so relative paths such as schedules/... work as a reader would type them.
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ONCALL_PLANNER_DOCS_TMP", str(tmp_path))
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for number, block in enumerate(python_blocks(path), start=1):
        code = compile(block, f"{path.name}[block {number}]", "exec")
        exec(code, namespace)


def test_readme_shows_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in text
    assert "make test" in text


def test_docs_links_resolve() -> None:
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
    assert os.path.isdir(ROOT / "docs")


def test_schedule_format_documents_every_field() -> None:
    from pydantic import BaseModel

    from oncall_planner import spec

    text = (ROOT / "docs" / "schedule-format.md").read_text(encoding="utf-8")
    models = [
        v
        for v in vars(spec).values()
        if isinstance(v, type)
        and issubclass(v, BaseModel)
        and v.__module__ == spec.__name__
        and not v.__name__.startswith("_")
        and not v.__name__.endswith("File")
    ]
    assert len(models) >= 12
    for model in models:
        assert f"### {model.__name__}" in text, model.__name__
        for field, info in model.model_fields.items():
            assert f"| `{field}` |" in text, f"{model.__name__}.{field} is not documented"
            assert info.description and info.description in text
