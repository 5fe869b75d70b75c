"""Errors raised in a planning process come back as the same error in the caller.

``plan`` solves in a child process and an org's components in worker processes; what they
raise travels through a pipe as data (``_outcome.capture``) and is raised again
(``_outcome.restore``), here through pickle as the pipe and the process pool send it.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from oncall_planner import errors
from oncall_planner._outcome import capture, restore
from oncall_planner.report import Finding, Severity


def _across(work: Callable[[], object]) -> object:
    return restore(pickle.loads(pickle.dumps(capture(work))), "a test process")


def _raise(error: BaseException) -> Callable[[], object]:
    def work() -> object:
        raise error

    return work


FINDING = Finding("E202", Severity.ERROR, "unknown target 'on-call-secnodary'", file="t.yaml")


def test_a_result_comes_back() -> None:
    assert _across(lambda: {"plan": [1, 2]}) == {"plan": [1, 2]}


def test_an_infeasible_plan_keeps_its_conflicts_and_codes() -> None:
    with pytest.raises(errors.InfeasibleError) as caught:
        _across(_raise(errors.InfeasibleError(["week 3: nobody can be primary"], ["H001"])))
    assert caught.value.conflicts == ("week 3: nobody can be primary",)
    assert caught.value.codes == ("H001",)


def test_a_timeout_keeps_its_limit() -> None:
    with pytest.raises(errors.SolverTimeoutError) as caught:
        _across(_raise(errors.SolverTimeoutError(7.5)))
    assert caught.value.time_limit_s == 7.5


@pytest.mark.parametrize("cls", [errors.RejectedScheduleError, errors.ScheduleError])
def test_input_errors_keep_their_class_and_findings(cls: type[errors.InputError]) -> None:
    with pytest.raises(cls) as caught:
        _across(_raise(cls([FINDING])))
    assert type(caught.value) is cls
    assert caught.value.findings == (FINDING,)


def test_other_errors_keep_their_message() -> None:
    with pytest.raises(errors.PlanningError, match="no schedules"):
        _across(_raise(errors.PlanningError("no schedules")))
    with pytest.raises(ValueError, match="weeks must be between 1 and 520"):
        _across(_raise(ValueError("weeks must be between 1 and 520")))
    with pytest.raises(RuntimeError, match=r"internal error in a test process: KeyError: 'x'"):
        _across(_raise(KeyError("x")))
