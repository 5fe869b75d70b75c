"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from oncall_planner._io import write_atomic

__all__ = ["codes", "emit", "usage_error", "writing"]


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


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Write several outputs as one step: a Ctrl-C during it takes effect after it.

    ``oncall-planner ical`` writes a dozen feeds; stopped half-way, subscribers would see
    some feeds of the new plan and some of the old. Each file is atomic (``write_atomic``);
    this makes the set of them so. The interrupt is raised again when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, defer)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
