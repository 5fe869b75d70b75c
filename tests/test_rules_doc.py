"""docs/rules.md is generated from the rule catalogue and must stay in sync with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from oncall_planner.rules import RULES, render_markdown

ROOT = Path(__file__).resolve().parent.parent
RULES_DOC = ROOT / "docs" / "rules.md"


def test_rules_doc_equals_the_renderer_output() -> None:
    expected = render_markdown() + "\n"  # `python -m oncall_planner.rules` prints a newline
    assert RULES_DOC.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `python -m oncall_planner.rules > docs/rules.md`"
    )


def test_the_documented_command_produces_the_file() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "oncall_planner.rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == RULES_DOC.read_text(encoding="utf-8")


def test_every_code_has_a_row() -> None:
    text = RULES_DOC.read_text(encoding="utf-8")
    for code in RULES:
        assert f"| `{code}` |" in text
