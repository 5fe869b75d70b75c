"""Fuzzing in the suite: hostile schedules and feeds through the public loaders and the CLI.

The property, for every input the strategies of ``oncall_planner.testing`` make: the library
answers with a result or with its own error (an ``OncallPlannerError``), every finding of an
input error is located (a line, where the input has lines), and it answers within the
deadline. ``make test`` runs the ``ci`` profile (a few dozen examples each); ``make fuzz``
runs thousands (``HYPOTHESIS_PROFILE=fuzz``, counts in docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall_planner import ScheduleError, check, load_pages, load_schedule
from oncall_planner.cli import main
from oncall_planner.errors import FeedError, InputError, OncallPlannerError, PagesFileError
from oncall_planner.ical import feed_history, from_ical, history_plan
from oncall_planner.spec import Schedule
from oncall_planner.testing import (
    hostile_feeds,
    hostile_page_exports,
    hostile_schedule_texts,
    page_exports,
    schedules_with_feeds,
    schedules_with_plans,
)

# Generous for a loaded CI machine; what it catches is minutes (quadratic parsing, alias bombs,
# building 10**11 escalation levels), not milliseconds.
BOUNDED = settings(
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FEED_SCHEDULE = """schedule:
  name: backend
  timezone: Europe/Berlin
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    members:
      - {id: alice, name: Alice Martin, email: alice@example.com}
      - {id: bob, name: Bob Okafor}
"""


@cache
def _feed_schedule() -> Schedule:
    return load_schedule(FEED_SCHEDULE)


def _assert_located(error: InputError, *, lines: bool = True) -> None:
    assert error.findings, "an input error must say what is wrong"
    for finding in error.findings:
        assert finding.code.startswith("L"), finding
        if lines:
            assert finding.line is not None and finding.line >= 1, finding.format()


@BOUNDED
@given(hostile_schedule_texts())
def test_hostile_schedules_get_located_errors(text: str) -> None:
    try:
        schedule = load_schedule(text)
    except ScheduleError as e:
        _assert_located(e)
        return
    # Whatever loads must also check without an exception of its own.
    check(schedule)


@BOUNDED
@given(hostile_schedule_texts())
def test_check_cli_in_process_never_shows_a_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path)])
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if code == 1 and err.getvalue().startswith(str(path)):
        # Every located line names the file and a line number.
        for line in err.getvalue().splitlines():
            if line.startswith(str(path)):
                assert line[len(str(path))] == ":" and line[len(str(path)) + 1].isdigit(), line


@BOUNDED
@given(hostile_feeds())
def test_hostile_feeds_get_located_errors(data: bytes) -> None:
    try:
        from_ical(data, _feed_schedule().participants.members, source="feed.ics")
    except FeedError as e:
        # Only the size cap is about the whole file; everything else names a line.
        _assert_located(e, lines=not any(f.code == "L006" for f in e.findings))
        return
    for run in (
        lambda: feed_history(data, _feed_schedule(), date(2028, 1, 1), source="feed.ics"),
        lambda: history_plan(data, _feed_schedule(), source="feed.ics"),
    ):
        with contextlib.suppress(OncallPlannerError):
            run()


@BOUNDED
@given(schedules_with_plans())
def test_valid_plans_pass_the_validator(pair: tuple[Schedule, object]) -> None:
    schedule, plan = pair
    report = check(schedule, plan)  # type: ignore[arg-type]
    assert not report.errors, [f.format() for f in report.errors]


@BOUNDED
@given(schedules_with_feeds(), st.booleans())
def test_valid_feeds_read_back_and_give_history(pair: tuple[Schedule, bytes], ours: bool) -> None:
    schedule, feed = pair
    shifts = from_ical(feed, schedule.participants.members)
    assert shifts and all(s.matched for s in shifts)
    history = feed_history(feed, schedule, date(2030, 1, 1))
    assert set(history) <= {m.id for m in schedule.participants.members}
    if ours:
        plan = history_plan(feed, schedule)
        assert plan.schedules[0].name == schedule.name


@BOUNDED
@given(page_exports())
def test_valid_page_exports_load(pair: tuple[str, str]) -> None:
    suffix, text = pair
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"pages{suffix}"
        path.write_text(text, encoding="utf-8")
        log = load_pages(path)
    rows = text.count("\n") - 1 if suffix == ".csv" else json.loads(text)["count"]
    assert len(log.frame) == rows


def test_the_strategies_say_when_hypothesis_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "hypothesis", None)  # what "not installed" looks like
    monkeypatch.delitem(sys.modules, "oncall_planner.testing")
    with pytest.raises(ImportError, match=r"oncall_planner\.testing needs Hypothesis"):
        importlib.import_module("oncall_planner.testing")


@BOUNDED
@given(hostile_page_exports(), st.booleans())
def test_hostile_page_exports_get_located_errors(pair: tuple[str, str], lenient: bool) -> None:
    # Year-0001 times (pandas OutOfBoundsDatetime), 10 MB fields (_csv.Error), Grafana labels
    # of the wrong type (TypeError) and deep JSON (RecursionError) all used to escape.
    suffix, text = pair
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"pages{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_pages(path, lenient=lenient)
        except PagesFileError as e:
            assert e.findings, "an input error must say what is wrong"
            for finding in e.findings:
                assert finding.code.startswith("L"), finding.format()
                assert finding.file == str(path), finding.format()
                # Located: a line of the file, or the record (row[3].labels) it is about.
                assert finding.line is not None or finding.path, finding.format()
