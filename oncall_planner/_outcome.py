"""Results and errors that cross a process boundary as plain data.

``plan`` solves in a child process (so that Ctrl-C can kill it with everything it started) and
an org's components solve in worker processes. An exception raised there must come back as the
same error in the caller: the library's errors carry findings and conflict lists whose classes
do not all pickle through their constructors, so they travel as ``(kind, data)`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from oncall_planner import errors

__all__ = ["Outcome", "capture", "restore"]

T = TypeVar("T")

#: ``(kind, data)``: "ok" with the result, or the kind of error with what rebuilds it.
Outcome = tuple[str, Any]


def capture(work: Callable[[], T]) -> Outcome:
    """Run ``work`` and return its result or its error as data (see :func:`restore`)."""
    try:
        return "ok", work()
    except errors.InfeasibleError as e:
        return "infeasible", (e.conflicts, e.codes)
    except errors.SolverTimeoutError as e:
        return "timeout", e.time_limit_s
    except errors.InputError as e:
        # Its findings travel; the caller raises the same error class with them.
        return "input", (type(e).__name__, e.findings)
    except errors.OncallPlannerError as e:
        return "failed", str(e)
    except ValueError as e:
        return "value", str(e)
    except Exception as e:
        return "error", f"{type(e).__name__}: {e}"


def restore(outcome: Outcome, where: str) -> Any:
    """The result :func:`capture` returned, or its error raised again; ``where`` names the
    process in an internal error ("a planning worker")."""
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "infeasible":
        raise errors.InfeasibleError(value[0], value[1])
    if kind == "timeout":
        raise errors.SolverTimeoutError(value)
    if kind == "input":
        name, findings = value
        raise getattr(errors, name)(findings)
    if kind == "failed":
        raise errors.PlanningError(value)
    if kind == "value":
        raise ValueError(value)
    raise RuntimeError(f"internal error in {where}: {value}")
