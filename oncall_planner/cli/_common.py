"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oncall_planner._io import write_atomic

__all__ = ["codes", "emit", "usage_error"]


def codes(value: str) -> list[str]:
    """``"E2,H003"`` → ``["E2", "H003"]`` (for --select/--ignore)."""
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output`` ("-" is stdout)."""
    if output and output != "-":
        write_atomic(Path(output), text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """Print a usage error and return exit code 2."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return 2
