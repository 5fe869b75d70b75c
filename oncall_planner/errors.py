"""Every exception oncall_planner raises.

The tree::

    OncallPlannerError                 base class; the CLI catches it and shows no traceback
    ├── InputError (ValueError)        a file or text given by the user is wrong; .findings
    │   ├── ScheduleError              a schedule or severity file (YAML syntax, schema, limits)
    │   ├── PlanFileError              a plan file (JSON/YAML) is malformed or names unknown people
    │   ├── PagesFileError             a page-events export has bad rows
    │   ├── FeedError                  an iCalendar feed cannot be read
    │   └── RejectedScheduleError      plan refused: check finds errors in the schedules
    ├── PlanningError                  no plan could be produced
    │   ├── InfeasibleError            proven impossible; .conflicts says which rules, people, weeks
    │   ├── SolverTimeoutError         the time limit ran out before any plan was found
    │   └── NoSwapError                no option frees a person's week (swap); says why
    └── CheckFailedError               only from Report.raise_for_errors(); .findings

Messages say what is wrong, where (``schedules/team.yaml:14:7 schedule.participants.members[2]
.timezone``), what was given, and what would be valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncall_planner.report import Finding

__all__ = [
    "CheckFailedError",
    "FeedError",
    "InfeasibleError",
    "InputError",
    "NoSwapError",
    "OncallPlannerError",
    "PagesFileError",
    "PlanFileError",
    "PlanningError",
    "RejectedScheduleError",
    "ScheduleError",
    "SolverTimeoutError",
]


class OncallPlannerError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(OncallPlannerError, ValueError):
    """Something the user wrote is wrong.

    Attributes:
        findings: Every problem found, each with file, line, column, field path and hint.
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings: tuple[Finding, ...] = tuple(findings)
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f.format() for f in self.findings]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(lines)


class ScheduleError(InputError):
    """A schedule or severity file could not be loaded."""


class PlanFileError(InputError):
    """A plan file could not be read, or does not match its schedules."""


class PagesFileError(InputError):
    """A page-events export has rows that cannot be read.

    Attributes:
        skipped: With lenient loading, how many bad rows were skipped (0 otherwise).
    """


class FeedError(InputError):
    """An iCalendar feed could not be read."""


class RejectedScheduleError(InputError):
    """The planner refuses schedules that ``check`` rejects; ``findings`` are the errors.

    Pass their codes as ``ignore=`` (``--ignore CODE`` on the command line) to plan anyway.
    """

    def _text(self) -> str:
        codes = ", ".join(sorted({f.code for f in self.findings}))
        return (
            f"{super()._text()}\nthe planner refuses schedules that check rejects; fix them or "
            f"ignore the codes ({codes}) to plan anyway"
        )


class PlanningError(OncallPlannerError):
    """No plan could be produced."""


class InfeasibleError(PlanningError):
    """The rules, time off and roster admit no plan at all.

    Attributes:
        conflicts: One sentence per conflict, naming the rule code, the people and the weeks.
        codes: The rule codes involved.
    """

    def __init__(self, conflicts: Sequence[str], codes: Sequence[str] = ()) -> None:
        self.conflicts: tuple[str, ...] = tuple(conflicts)
        self.codes: tuple[str, ...] = tuple(codes)
        body = "\n".join(f"  - {c}" for c in self.conflicts)
        super().__init__(f"no rotation satisfies every rule:\n{body}")


class SolverTimeoutError(PlanningError):
    """The solver's time limit ran out before it found any plan (not a proof of infeasibility).

    Attributes:
        time_limit_s: The limit that ran out.
    """

    def __init__(self, time_limit_s: float) -> None:
        self.time_limit_s = time_limit_s
        super().__init__(
            f"no plan found within the time limit of {time_limit_s:g} s; this does not mean "
            "none exists: raise --time-limit, plan fewer weeks, or plan schedules separately"
        )


class CheckFailedError(OncallPlannerError):
    """Raised by :meth:`Report.raise_for_errors` when a report holds errors.

    Attributes:
        findings: The errors (and warnings, when strict).
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings: tuple[Finding, ...] = tuple(findings)
        super().__init__("\n".join(f.format() for f in self.findings))


class NoSwapError(PlanningError):
    """No cover, swap or chain frees the person's week without breaking a rule; says why."""
