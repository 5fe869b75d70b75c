"""The ``oncall-planner`` command line: the only module that reads argv, prints or exits.

Each subcommand lives in its own module with ``register(subparsers)``; the module's ``run``
function returns an exit code: 0 success, 1 errors in the input or findings, 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from oncall_planner import __version__
from oncall_planner.errors import InputError, OncallPlannerError

__all__ = ["COMMANDS", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("check", "plan", "schema", "review", "ical", "serve", "who", "override")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="oncall-planner",
        description="Plan, check and export on-call rotations.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"oncall_planner.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except InputError as e:
        for finding in e.findings:
            print(finding.format(), file=sys.stderr)
        return EXIT_FINDINGS
    except OncallPlannerError as e:
        print(f"oncall-planner: {e}", file=sys.stderr)
        return EXIT_FINDINGS
    except OSError as e:
        # A file that cannot be read or written (permissions, a full disk) is the user's to fix.
        where = f": {e.filename}" if e.filename else ""
        print(f"oncall-planner: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code
