"""Every public function checks its arguments at the boundary (issue 10).

Natural mistakes used to fail deep inside with raw exceptions: ``plan(s, "2027-01-04", 13)``
raised ``AttributeError: 'str' object has no attribute 'weekday'``. Now each public function
accepts what a notebook user naturally passes (ISO date strings, ``str``/``Path`` paths, an org
where a schedule would do) and refuses anything else with a ``TypeError`` or ``ValueError``
naming the function, the parameter, the value given and what is accepted.

The cases below cover every function in ``oncall_planner.__all__`` and every
``oncall_planner.<package>.<function>`` named in docs/api.md; a new public function without
cases here fails :func:`test_every_public_function_has_argument_cases`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from test_validate_helpers import greedy_plan

import oncall_planner
from oncall_planner import (
    Org,
    Plan,
    Schedule,
    check,
    from_ical,
    load_org,
    load_pages,
    load_schedule,
    load_severity,
    plan,
    plan_org,
    review,
    suggest_swaps,
    synthetic_pages,
    to_ical,
)
from oncall_planner.carryover import plan_history
from oncall_planner.fairness import effective_weeks
from oncall_planner.ical import feed_history, history_plan
from oncall_planner.plans import optimality_gap
from oncall_planner.report import group_findings
from tests.conftest import ROOT, SCHEDULES

SEED = SCHEDULES / "backend-primary.yaml"
SEVERITY = SCHEDULES / "severity.yaml"


def _public_functions() -> dict[str, Callable[..., Any]]:
    """Functions in ``__all__`` and the dotted functions docs/api.md documents."""
    found: dict[str, Callable[..., Any]] = {}
    for name in oncall_planner.__all__:
        value = getattr(oncall_planner, name)
        if inspect.isfunction(value):
            found[name] = value
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for dotted in sorted(set(re.findall(r"`oncall_planner\.(\w+)\.(\w+)`", text))):
        module = __import__(f"oncall_planner.{dotted[0]}", fromlist=[dotted[1]])
        value = getattr(module, dotted[1])
        if inspect.isfunction(value):
            found[f"{dotted[0]}.{dotted[1]}"] = value
    return found


class Ctx:
    """What the cases need, built once: a schedule, an org, a plan and its file, a feed."""

    def __init__(self, tmp: Path) -> None:
        self.schedule: Schedule = load_schedule(SEED)
        self.org: Org = load_org(SCHEDULES / "org")
        self.plan: Plan = greedy_plan([self.schedule], weeks=4).annotate([self.schedule])
        self.plan_file = tmp / "plan.json"
        self.plan_file.write_text(self.plan.to_json(), "utf-8")
        self.feed = to_ical(self.plan)
        self.feed_file = tmp / "feed.ics"
        self.feed_file.write_bytes(self.feed)
        self.pages = synthetic_pages(self.plan, self.schedule, seed=1)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Ctx:
    return Ctx(tmp_path_factory.mktemp("api-args"))


D = date(2027, 1, 4)

# (function, case id, call, exception, parameter, fragment of the value, fragment of "accepted")
Case = tuple[str, str, Callable[[Ctx], object], type[Exception], str, str, str]
CASES: list[Case] = [
    # plan
    ("plan", "iso-date-typo", lambda c: plan(c.schedule, "2027-13-04", 4), ValueError,
     "start", "'2027-13-04' (str)", "ISO date string"),
    ("plan", "date-as-int", lambda c: plan(c.schedule, 20270104, 4), TypeError,
     "start", "20270104 (int)", "a date"),
    ("plan", "datetime", lambda c: plan(c.schedule, datetime(2027, 1, 4, 10), 4), TypeError,
     "start", "(datetime)", ".date()"),
    ("plan", "weeks-as-str", lambda c: plan(c.schedule, D, "13"), TypeError,
     "weeks", "'13' (str)", "(int) between 1 and 520"),
    ("plan", "weeks-float", lambda c: plan(c.schedule, D, 4.0), TypeError,
     "weeks", "4.0 (float)", "(int)"),
    ("plan", "weeks-zero", lambda c: plan(c.schedule, D, 0), ValueError,
     "weeks", "0 (int)", "between 1 and 520"),
    ("plan", "org-of-two", lambda c: plan(c.org, D, 4), TypeError,
     "schedule", "Org of api, platform", "plan_org"),
    ("plan", "a-plan", lambda c: plan(c.plan, D, 4), TypeError,
     "schedule", "Plan of backend-primary", "arguments swapped?"),
    ("plan", "missing-file", lambda c: plan("no/such.yaml", D, 4), ValueError,
     "schedule", "'no/such.yaml' (str)", "no such file"),
    ("plan", "previous", lambda c: plan(c.schedule, D, 4, previous=3), TypeError,
     "previous", "3 (int)", "a Plan or the path of a plan file"),
    ("plan", "freeze", lambda c: plan(c.schedule, D, 4, previous=c.plan, freeze_until=1),
     TypeError, "freeze_until", "1 (int)", "a date"),
    ("plan", "options", lambda c: plan(c.schedule, D, 4, options={"seed": 1}), TypeError,
     "options", "{'seed': 1} (dict)", "a PlanOptions"),
    ("plan", "history", lambda c: plan(c.schedule, D, 4, history={"alice": 3}), TypeError,
     "history", "3 (int)", "member id → MemberHistory"),
    # plan_org
    ("plan_org", "not-schedules", lambda c: plan_org(42, D, 4), TypeError,
     "org_or_schedules", "42 (int)", "a Schedule, an Org"),
    ("plan_org", "empty", lambda c: plan_org([], D, 4), ValueError,
     "org_or_schedules", "[] (list)", "the list is empty"),
    ("plan_org", "weeks", lambda c: plan_org(c.org, D, "4"), TypeError,
     "weeks", "'4' (str)", "(int)"),
    ("plan_org", "start", lambda c: plan_org(c.org, "next monday", 4), ValueError,
     "start", "'next monday' (str)", "ISO date"),
    # check
    ("check", "swapped", lambda c: check(c.plan, c.schedule), TypeError,
     "target", "Plan of backend-primary", "check(schedule, plan)"),
    ("check", "plan-is-a-schedule", lambda c: check(c.schedule, c.schedule), TypeError,
     "plan", "Schedule 'backend-primary'", "a Plan or the path of a plan file"),
    ("check", "severity", lambda c: check(c.schedule, severity=5), TypeError,
     "severity", "5 (int)", "a SeverityFramework"),
    ("check", "select", lambda c: check(c.schedule, select=[2]), TypeError,
     "select", "[2] (list)", "rule codes or prefixes"),
    ("check", "ignore", lambda c: check(c.schedule, ignore=7), TypeError,
     "ignore", "7 (int)", "rule codes or prefixes"),
    # to_ical
    ("to_ical", "unknown-schedule", lambda c: to_ical(c.plan, schedule="berlin"), ValueError,
     "schedule", "'berlin' (str)", "'backend-primary'"),
    ("to_ical", "plan", lambda c: to_ical(c.schedule), TypeError,
     "plan", "Schedule 'backend-primary'", "a Plan"),
    ("to_ical", "tz-mode", lambda c: to_ical(c.plan, tz_mode="local"), ValueError,
     "tz_mode", "'local' (str)", "one of 'utc', 'tzid'"),
    ("to_ical", "person", lambda c: to_ical(c.plan, person=3), TypeError,
     "person", "3 (int)", "a member id"),
    ("to_ical", "stamp", lambda c: to_ical(c.plan, stamp=datetime(2027, 1, 1)), ValueError,
     "stamp", "(datetime)", "time-zone-aware"),
    ("to_ical", "contacts", lambda c: to_ical(c.plan, contacts="no"), TypeError,
     "contacts", "'no' (str)", "True or False"),
    ("to_ical", "domain", lambda c: to_ical(c.plan, domain=None), TypeError,
     "domain", "None (NoneType)", "a domain"),
    ("to_ical", "previous-feed", lambda c: to_ical(c.plan, previous_feed=1.5), TypeError,
     "previous_feed", "1.5 (float)", "the feed as bytes or text"),
    # from_ical
    ("from_ical", "data", lambda c: from_ical(123), TypeError,
     "data", "123 (int)", "the feed as bytes or text"),
    ("from_ical", "missing-file", lambda c: from_ical("no/such.ics"), ValueError,
     "data", "'no/such.ics' (str)", "no such file"),
    ("from_ical", "roster", lambda c: from_ical(c.feed, roster="alice"), TypeError,
     "roster", "'alice' (str)", "a list of Members"),
    ("from_ical", "person", lambda c: from_ical(c.feed, person=1), TypeError,
     "person", "1 (int)", "a member id"),
    # loaders
    ("load_schedule", "bytes", lambda c: load_schedule(SEED.read_bytes()), TypeError,
     "source", "(bytes)", "the path of a schedule file"),
    ("load_severity", "int", lambda c: load_severity(1), TypeError,
     "source", "1 (int)", "the path of a severity file"),
    ("load_org", "int", lambda c: load_org(1), TypeError,
     "directory", "1 (int)", "a path"),
    ("load_pages", "path", lambda c: load_pages(None), TypeError,
     "path", "None (NoneType)", "the path of a page export"),
    ("load_pages", "format", lambda c: load_pages("x.csv", format="splunk"), ValueError,
     "format", "'splunk' (str)", "'pagerduty'"),
    ("load_pages", "lenient", lambda c: load_pages("x.csv", lenient="yes"), TypeError,
     "lenient", "'yes' (str)", "True or False"),
    # synthetic_pages
    ("synthetic_pages", "seed", lambda c: synthetic_pages(c.plan, c.schedule, seed="1"),
     TypeError, "seed", "'1' (str)", "(int)"),
    ("synthetic_pages", "swapped", lambda c: synthetic_pages(c.schedule, c.plan, seed=1),
     TypeError, "plan", "Schedule 'backend-primary'", "a Plan"),
    ("synthetic_pages", "start", lambda c: synthetic_pages(c.plan, c.schedule, seed=1,
     start=datetime(2027, 1, 4)), ValueError, "start", "(datetime)", "time-zone-aware"),
    ("synthetic_pages", "rate", lambda c: synthetic_pages(c.plan, c.schedule, seed=1,
     escalation_rate=1.5), ValueError, "escalation_rate", "1.5 (float)", "from 0 to 1"),
    ("synthetic_pages", "services", lambda c: synthetic_pages(c.plan, c.schedule, seed=1,
     services=0), ValueError, "services", "0 (int)", "of at least 1"),
    # review
    ("review", "plan-is-a-schedule", lambda c: review(c.pages, c.schedule, c.plan), TypeError,
     "plan_or_history", "Schedule 'backend-primary'", "a Plan or the path of a plan file"),
    ("review", "pages", lambda c: review(42, c.plan, c.schedule), TypeError,
     "pages", "42 (int)", "a PageLog"),
    ("review", "missing-pages", lambda c: review("no/pages.csv", c.plan, c.schedule),
     ValueError, "pages", "'no/pages.csv' (str)", "no such file"),
    ("review", "schedule", lambda c: review(c.pages, c.plan, 3), TypeError,
     "schedule", "3 (int)", "a Schedule, an Org"),
    ("review", "quarter", lambda c: review(c.pages, c.plan, c.schedule, "2027Q5"), ValueError,
     "period", "'2027Q5' (str)", "a quarter such as '2027Q1'"),
    ("review", "range", lambda c: review(c.pages, c.plan, c.schedule, ("2027-01-04", "soon")),
     ValueError, "period[1]", "'soon' (str)", "ISO date"),
    ("review", "severity", lambda c: review(c.pages, c.plan, c.schedule, severity=[]),
     TypeError, "severity", "[] (list)", "a SeverityFramework"),
    ("review", "recipients", lambda c: review(c.pages, c.plan, c.schedule, recipients=["a"]),
     TypeError, "recipients", "['a'] (list)", "a mapping"),
    ("review", "settings", lambda c: review(c.pages, c.plan, c.schedule, settings={}),
     TypeError, "settings", "{} (dict)", "a ReviewSettings"),
    # oncall_planner.ical, documented in docs/api.md
    ("ical.feed_history", "before", lambda c: feed_history(c.feed, c.schedule, "soon"),
     ValueError, "before", "'soon' (str)", "ISO date"),
    ("ical.feed_history", "schedule", lambda c: feed_history(c.feed, c.plan, D), TypeError,
     "schedule", "Plan of backend-primary", "a Schedule"),
    ("ical.history_plan", "data", lambda c: history_plan(None, c.schedule), TypeError,
     "data", "None (NoneType)", "the feed as bytes or text"),
    # oncall_planner.report, documented in docs/api.md
    ("report.group_findings", "not-findings", lambda c: group_findings(["E204"]), TypeError,
     "findings", "['E204'] (list)", "an iterable of Finding"),
    ("report.group_findings", "none", lambda c: group_findings(None), TypeError,
     "findings", "None (NoneType)", "a Report"),
    ("ical.history_plan", "org", lambda c: history_plan(c.feed, c.org), TypeError,
     "schedule", "Org of api, platform", "org.schedule(name)"),
    # oncall_planner.plans, documented in docs/api.md
    ("plans.optimality_gap", "objective", lambda c: optimality_gap("12", 10.0), TypeError,
     "objective", "'12' (str)", "a number or None"),
    ("plans.optimality_gap", "bound", lambda c: optimality_gap(12.0, True), TypeError,
     "bound", "True (bool)", "a number or None"),
    # carry-over and the one load count, documented in docs/api.md
    ("carryover.plan_history", "before", lambda c: plan_history(c.plan, c.schedule, "soon"),
     ValueError, "before", "'soon' (str)", "ISO date"),
    ("carryover.plan_history", "swapped", lambda c: plan_history(c.schedule, c.plan, D),
     TypeError, "previous", "Schedule 'backend-primary'", "arguments swapped?"),
    ("fairness.effective_weeks", "schedule", lambda c: effective_weeks([c.schedule]),
     TypeError, "schedule_plans", "Schedule 'backend-primary'", "an iterable of SchedulePlan"),
    ("fairness.effective_weeks", "naive",
     lambda c: effective_weeks(c.plan, until=datetime(2027, 1, 4)), ValueError,
     "until", "2027-01-04", "time-zone-aware"),
    # suggest_swaps
    ("suggest_swaps", "swapped", lambda c: suggest_swaps(c.schedule, c.plan, "alice", 0),
     TypeError, "plan", "Schedule 'backend-primary'", "a Plan"),
    ("suggest_swaps", "schedule", lambda c: suggest_swaps(c.plan, 3, "alice", 0), TypeError,
     "schedule", "3 (int)", "a Schedule"),
    ("suggest_swaps", "person", lambda c: suggest_swaps(c.plan, c.schedule, 7, 0), TypeError,
     "person", "7 (int)", "a member id"),
    ("suggest_swaps", "unknown-person", lambda c: suggest_swaps(c.plan, c.schedule, "zed", 0),
     ValueError, "person", "'zed' (str)", "a member of backend-primary"),
    ("suggest_swaps", "week-str", lambda c: suggest_swaps(c.plan, c.schedule, "alice", "1"),
     TypeError, "week", "'1' (str)", "(int) between 0 and 3"),
    ("suggest_swaps", "week-out", lambda c: suggest_swaps(c.plan, c.schedule, "alice", 4),
     ValueError, "week", "4 (int)", "between 0 and 3"),
    ("suggest_swaps", "top", lambda c: suggest_swaps(c.plan, c.schedule, "alice", 0, top=0),
     ValueError, "top", "0 (int)", "between 1 and 50"),
    ("suggest_swaps", "others", lambda c: suggest_swaps(c.plan, c.schedule, "alice", 0,
     others=c.schedule), TypeError, "others", "Schedule 'backend-primary'", "a list of Schedule"),
    ("suggest_swaps", "window-type", lambda c: suggest_swaps(c.plan, c.schedule, "alice", 0,
     window=1), TypeError, "window", "1 (int)", "a window name or None"),
    ("suggest_swaps", "window-none", lambda c: suggest_swaps(c.plan, c.schedule, "alice", 0,
     window="weekend"), ValueError, "window", "'weekend' (str)", "has no coverage windows"),
]  # fmt: skip


def test_every_public_function_has_argument_cases() -> None:
    assert set(_public_functions()) == {case[0] for case in CASES}


@pytest.mark.parametrize(
    ("func", "call", "error", "param", "given", "accepted"),
    [(c[0], c[2], c[3], c[4], c[5], c[6]) for c in CASES],
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_wrong_arguments_name_the_parameter_value_and_what_is_accepted(
    ctx: Ctx,
    func: str,
    call: Callable[[Ctx], object],
    error: type[Exception],
    param: str,
    given: str,
    accepted: str,
) -> None:
    with pytest.raises(error) as info:
        call(ctx)
    message = str(info.value)
    short = func.rsplit(".", 1)[-1]
    assert message.startswith(f"{short}(): {param} must be "), message
    assert given in message, message
    assert accepted in message, message


# -- the reproducers of issue 10, each as a regression test ------------------------------------


def test_plan_accepts_an_iso_date_string_for_start() -> None:
    # Was: AttributeError: 'str' object has no attribute 'weekday'.
    schedule = load_schedule(SEED)
    result = plan(schedule, "2027-01-04", 13)
    assert result.schedule("backend-primary").start == date(2027, 1, 4)
    assert check(schedule, result).ok


def test_plan_weeks_as_a_string_names_the_parameter() -> None:
    # Was: TypeError: '<=' not supported between instances of 'int' and 'str'.
    with pytest.raises(TypeError, match=r"plan\(\): weeks must be .*got '13' \(str\)"):
        plan(load_schedule(SEED), date(2027, 1, 4), "13")


def test_plan_with_an_org_points_to_plan_org_and_an_org_of_one_works() -> None:
    # Was: AttributeError: 'Org' object has no attribute 'handoff_day'.
    with pytest.raises(TypeError, match=r"use plan_org\(\) for an org"):
        plan(load_org(SCHEDULES / "org"), date(2027, 1, 4), 4)
    one = Org((load_schedule(SEED),))
    assert plan(one, date(2027, 1, 4), 2).schedules[0].name == "backend-primary"


def test_check_with_swapped_arguments_says_so() -> None:
    # Was: AttributeError: 'tuple' object has no attribute 'name'.
    schedule = load_schedule(SEED)
    result = greedy_plan([schedule], weeks=4)
    with pytest.raises(TypeError, match=r"the schedules come first: check\(schedule, plan\)"):
        check(result, schedule)


def test_to_ical_unknown_schedule_is_a_value_error_listing_the_plans_schedules() -> None:
    # Was: a bare KeyError('berlin').
    result = greedy_plan([load_schedule(SEED)], weeks=2)
    with pytest.raises(ValueError, match=r"schedule in the plan: 'backend-primary', got 'berlin'"):
        to_ical(result, schedule="berlin")


def test_review_accepts_a_plan_path_string(ctx: Ctx) -> None:
    # Was: AttributeError: 'str' object has no attribute 'people'.
    by_path = review(ctx.pages, str(ctx.plan_file), str(SEED), ("2027-01-04", "2027-01-31"))
    by_object = review(ctx.pages, ctx.plan, ctx.schedule, (date(2027, 1, 4), date(2027, 1, 31)))
    assert by_path.to_json() == by_object.to_json()


def test_paths_and_text_are_accepted_where_natural(ctx: Ctx) -> None:
    schedule = ctx.schedule
    assert check(str(SEED), str(ctx.plan_file)).codes() == check(schedule, ctx.plan).codes()
    assert (
        check(SEED, severity=str(SEVERITY)).codes()
        == check(schedule, severity=load_severity(SEVERITY)).codes()
    )
    # A comma-separated string of codes, as on the command line (not a sequence of letters).
    assert check(schedule, select="E204,E208").codes() == {"E204", "E208"}
    assert to_ical(str(ctx.plan_file)) == ctx.feed
    assert from_ical(ctx.feed_file, roster=schedule) == from_ical(
        ctx.feed.decode("utf-8"), roster=schedule.participants.members
    )
    assert feed_history(ctx.feed_file, str(SEED), "2027-02-01") == feed_history(
        ctx.feed, schedule, date(2027, 2, 1)
    )
    pages = synthetic_pages(str(ctx.plan_file), SEED, seed=1)
    assert pages.frame.equals(ctx.pages.frame)
