"""``oncall-planner schema``: the JSON Schema of schedule (or severity) files."""

from __future__ import annotations

import argparse
import json
from typing import Any

from oncall_planner.cli._common import emit

__all__ = ["json_schema", "register"]


def json_schema(kind: str = "schedule") -> dict[str, Any]:
    """The JSON Schema of a schedule file (or, with ``kind="severity"``, a severity file)."""
    from oncall_planner.spec import ScheduleFile, SeverityFile

    model = ScheduleFile if kind == "schedule" else SeverityFile
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"oncall-planner {kind} file"
    return schema


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``schema`` subcommand."""
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of schedule files (for editors)",
        description="Print the JSON Schema of schedule files, for yaml-language-server: add "
        "'# yaml-language-server: $schema=PATH' at the top of a schedule file.",
    )
    p.add_argument("--kind", choices=("schedule", "severity"), default="schedule")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    emit(json.dumps(json_schema(args.kind), indent=2, ensure_ascii=False), args.output)
    return 0
