"""The ``oncall-planner`` command line: the only module that reads argv, prints or exits.

Each subcommand lives in its own module with ``register(subparsers)``; the module's ``run``
function returns an exit code: 0 success, 1 errors in the input or findings, 2 usage errors,
130 when interrupted (Ctrl-C) — then "interrupted" is printed and nothing is written.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
import typing
from collections.abc import Sequence

from oncall_planner import __version__
from oncall_planner._args import ArgumentTypeError, ArgumentValueError
from oncall_planner.errors import InputError, OncallPlannerError

__all__ = ["COMMANDS", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (
    "check",
    "plan",
    "schema",
    "review",
    "ical",
    "serve",
    "pages",
    "who",
    "override",
    "swap",
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: 128 + SIGINT, as shells report a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command line argparse rejects, with the (sub)parser that rejected it."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors come back to :func:`main` instead of exiting.

    :func:`main` then prints the usage of the subcommand being used, with "did you mean"
    suggestions for misspelt options and commands (``--wekks`` → ``--weeks``).
    """

    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(self, message)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings]


def _subcommand_parser(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> argparse.ArgumentParser:
    """The innermost (sub)parser named by ``argv`` (``pages synth`` → the synth parser)."""
    current = parser
    for token in argv:
        subs = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            break
        chosen = subs[0].choices.get(token)
        if isinstance(chosen, argparse.ArgumentParser):
            current = chosen
    return current


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _unknown_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """Options in ``argv`` that ``parser`` does not know, each with a suggestion."""
    known = _options(parser)
    found = []
    for token in argv:
        if token == "--":
            break
        if not token.startswith("-") or token == "-" or re.fullmatch(r"-\d.*", token):
            continue
        name = token.split("=", 1)[0]
        # argparse accepts unique prefixes (--wee for --weeks).
        if name in known or [k for k in known if k.startswith(name) and name.startswith("--")]:
            continue
        found.append(name + _did_you_mean(name, known))
    return found


def _usage_error(root: argparse.ArgumentParser, error: UsageError, argv: Sequence[str]) -> int:
    """Print the subcommand's usage and the error, with suggestions; return 2."""
    parser = error.parser
    if parser is root:
        parser = _subcommand_parser(root, argv)
    message = error.message
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    unknown = _unknown_options(parser, argv)
    if choice:
        choices = re.findall(r"'([^']*)'", choice[2])
        message += _did_you_mean(choice[1], choices)
    elif unknown:
        # A misspelt option also leaves its value behind, and a required option unset:
        # the misspelling is the error to report.
        message = f"unrecognized option{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = Parser(
        prog="oncall-planner",
        description="Plan, check and export on-call rotations.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"oncall_planner.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    Ctrl-C anywhere (while parsing, loading, solving, rendering or serving) ends the command
    with "interrupted" on stderr and exit code 130; outputs are written only once the work is
    done, and their writing is not interrupted half-way (``_common.emit``).
    """
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("oncall-planner: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except UsageError as e:
        return _usage_error(parser, e, argv)
    try:
        code: int = args.run(args)
    except (ArgumentTypeError, ArgumentValueError) as e:
        # The subcommands check their arguments first; this is the library's own check of
        # what a subcommand passed it, shown as a message rather than a traceback.
        print(f"oncall-planner: {e}", file=sys.stderr)
        return EXIT_FINDINGS
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
    except BrokenPipeError:
        return EXIT_OK
    return code
