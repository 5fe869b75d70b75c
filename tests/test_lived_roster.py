"""Everything downstream uses the effective roster: reviews, fairness, carry-over (issue 11).

Each expected number is computed here from the override's own times, independently of the
library: an override of ``[a, b)`` moves exactly ``b - a`` of real time (UTC difference, so a
night across a DST change is 23 h, not the 24 h the wall clock shows).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall_planner.carryover import plan_history, run_before_start
from oncall_planner.expand import expand
from oncall_planner.fairness import balance_score, effective_weeks, on_call_weeks
from oncall_planner.health import PageEvent, PageLog, review, synthetic_pages
from oncall_planner.loader import load_schedule
from oncall_planner.plans import Layer, Plan, SchedulePlan, Shift
from oncall_planner.spec import Schedule
from oncall_planner.validate import check
from oncall_planner.validate._common import views
from oncall_planner.validate.hard import check_hard
from oncall_planner.validate.plan import loads, schedule_balance

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2027, 3, 1)  # Berlin moves to CEST on Sunday 2027-03-28 (week 3 is 167 h)

YAML = """\
schedule:
  name: team
  timezone: {zone}
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    min_rotation_size: 2
    max_consecutive_weeks: 2
    members:
      - {{id: ann, name: Ann}}
      - {{id: ben, name: Ben}}
      - {{id: cat, name: Cat}}
      - {{id: dan, name: Dan}}
      - {{id: eve, name: Eve}}
  escalation_policy:
    - {{level: 1, target: on-call-primary, timeout: 5_minutes}}
    - {{level: 2, target: on-call-secondary, timeout: 5_minutes}}
"""

# (primary, secondary) per week.
ROWS = [
    ("ann", "cat"),
    ("ben", "dan"),
    ("eve", "ann"),
    ("cat", "ben"),
    ("dan", "eve"),
    ("ann", "cat"),
]


def load(tmp_path: Path, zone: str = "Europe/Berlin") -> Schedule:
    path = tmp_path / "team.yaml"
    path.write_text(YAML.format(zone=zone), encoding="utf-8")
    return load_schedule(path)


def make_plan(schedule: Schedule, start: date = START, rows: list[tuple[str, str]] = ROWS) -> Plan:
    weeks = expand(schedule, start, len(rows)).weeks
    shifts = [
        Shift(week=w, layer=layer, person=person, start=weeks[w].start, end=weeks[w].end)
        for w, row in enumerate(rows)
        for layer, person in zip((Layer.PRIMARY, Layer.SECONDARY), row, strict=True)
    ]
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=start,
        weeks=len(rows),
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,))


@pytest.fixture
def team(tmp_path: Path) -> Schedule:
    return load(tmp_path)


def hours(a: datetime, b: datetime) -> float:
    return (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds() / 3600


# eve covers ben's primary Wednesday evening to Friday morning of week 1 (39 h), and ann covers
# cat's primary over the night Berlin moves to summer time (20:00 CET to 20:00 CEST: 23 h).
EVE_FROM, EVE_TO = (
    datetime(2027, 3, 10, 18, 0, tzinfo=BERLIN),
    datetime(2027, 3, 12, 9, 0, tzinfo=BERLIN),
)
ANN_FROM, ANN_TO = (
    datetime(2027, 3, 27, 20, 0, tzinfo=BERLIN),
    datetime(2027, 3, 28, 20, 0, tzinfo=BERLIN),
)


def covered_plan(team: Schedule) -> Plan:
    plan = make_plan(team)
    plan = plan.with_override("team", "primary", "eve", EVE_FROM, EVE_TO, reason="ben is ill")
    return plan.with_override("team", "primary", "ann", ANN_FROM, ANN_TO, reason="cat is away")


def test_the_covered_plan_keeps_every_rule(team: Schedule) -> None:
    assert [f.code for f in check(team, make_plan(team)).errors] == []
    assert [f.code for f in check(team, covered_plan(team)).errors] == []
    assert hours(ANN_FROM, ANN_TO) == 23.0  # the wall clock says 24


# ---------------------------------------------------------------------------------------------
# Reviews


def pages() -> PageLog:
    return PageLog.from_events(
        [
            # During eve's cover, at 03:00 Berlin: a sleep-hour page to the coverer.
            PageEvent(
                page_id="night",
                paged_at=datetime(2027, 3, 11, 3, 0, tzinfo=BERLIN),
                recipient="eve",
            ),
            # ben before his cover starts, and during it (he is not on call then).
            PageEvent(
                page_id="before",
                paged_at=datetime(2027, 3, 9, 12, 0, tzinfo=BERLIN),
                recipient="ben",
            ),
            PageEvent(
                page_id="ill", paged_at=datetime(2027, 3, 11, 12, 0, tzinfo=BERLIN), recipient="ben"
            ),
            # ann's cover across the DST night, 02:30 CEST.
            PageEvent(
                page_id="dst", paged_at=datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN), recipient="ann"
            ),
        ]
    )


def test_a_review_attributes_pages_during_an_override_to_the_coverer(team: Schedule) -> None:
    period = (date(2027, 3, 1), date(2027, 3, 31))
    plain = review(pages(), make_plan(team), team, period)
    covered = review(pages(), covered_plan(team), team, period)
    pp, pp0 = covered.per_person, plain.per_person
    # Without the override eve's night page is off rotation; with it, it is her cover's.
    assert pp0.loc["eve", "off_rotation_pages"] == 1
    assert pp.loc["eve", "off_rotation_pages"] == 0
    assert pp.loc["eve", "sleep_pages"] == 1
    assert pp.loc["ann", "off_rotation_pages"] == 0 and pp0.loc["ann", "off_rotation_pages"] == 1
    # ben was not on call during his cover: that page is off rotation now, the earlier one not.
    assert pp.loc["ben", "off_rotation_pages"] == 1 and pp0.loc["ben", "off_rotation_pages"] == 0
    shifts = covered.per_shift
    cover = shifts[(shifts["person"] == "eve") & shifts["override"].notna()]
    assert len(cover) == 1
    row = cover.iloc[0]
    assert (row["pages"], row["sleep_pages"], row["week"], row["layer"]) == (1, 1, 1, "primary")
    assert row["hours"] == pytest.approx(hours(EVE_FROM, EVE_TO))
    # The pages table points at the cover's row.
    night = covered.pages.set_index("page_id").loc["night"]
    assert shifts.loc[night["shift"], "person"] == "eve"
    data = covered.to_dict()
    assert any(s["override"] is not None for s in data["shifts"])


def test_on_call_hours_and_stipend_move_by_exactly_the_overrides(team: Schedule) -> None:
    period = (date(2027, 3, 1), date(2027, 4, 30))  # holds the whole plan
    plain = review(pages(), make_plan(team), team, period).per_person
    covered = review(pages(), covered_plan(team), team, period).per_person
    eve_h, ann_h = hours(EVE_FROM, EVE_TO), hours(ANN_FROM, ANN_TO)
    delta = covered["on_call_hours"] - plain["on_call_hours"]
    assert delta["eve"] == pytest.approx(eve_h)
    assert delta["ben"] == pytest.approx(-eve_h)
    assert delta["ann"] == pytest.approx(ann_h)
    assert delta["cat"] == pytest.approx(-ann_h)
    assert delta["dan"] == 0
    # Stipend weeks: the cover's share of its week (week 3 is 167 h long across DST).
    week3 = hours(expand(team, START, 6).weeks[3].start, expand(team, START, 6).weeks[3].end)
    assert week3 == 167.0
    stipend = covered["stipend_weeks"] - plain["stipend_weeks"]
    assert stipend["eve"] == pytest.approx(eve_h / 168, abs=1e-3)
    assert stipend["ben"] == pytest.approx(-eve_h / 168, abs=1e-3)
    assert stipend["ann"] == pytest.approx(ann_h / week3, abs=1e-3)
    # A cover is one more shift for the coverer; the covered week is still one shift.
    assert covered.loc["eve", "shifts"] == plain.loc["eve", "shifts"] + 1
    assert covered.loc["ben", "shifts"] == plain.loc["ben", "shifts"]


def test_synthetic_pages_go_to_whoever_holds_the_layer(team: Schedule) -> None:
    plan = covered_plan(team)
    log = synthetic_pages(
        plan, team, seed=3, incidents_per_week=40, off_rotation_rate=0.0, escalation_rate=0.0
    )
    frame = log.frame
    inside = frame[
        (frame["paged_at"] >= EVE_FROM.astimezone(UTC))
        & (frame["paged_at"] < EVE_TO.astimezone(UTC))
    ]
    assert len(inside) > 0
    assert set(inside["recipient"]) == {"eve"}
    result = review(log, plan, team, (date(2027, 3, 1), date(2027, 4, 30)))
    assert result.team["off_rotation_pages"] == 0


# ---------------------------------------------------------------------------------------------
# One load definition: the plan's fairness summary, check (P103, P105) and the review agree


def test_summary_check_and_review_count_the_same_effective_time(tmp_path: Path) -> None:
    from oncall_planner.solver import PlanOptions, plan
    from oncall_planner.solver.instance import build_instance
    from oncall_planner.solver.summary import fairness_summary

    schedule = load(tmp_path, zone="Europe/Berlin")
    start = date(2027, 5, 3)  # no DST change in these weeks: hours ÷ 168 are weeks exactly
    options = PlanOptions(workers=1, seed=0, time_limit_s=10)
    planned = plan(schedule, start, 6, options=options)
    sp = planned.schedule("team")
    ill = sp.on(2, Layer.PRIMARY)[0]
    a, b = ill.start + timedelta(days=2), ill.start + timedelta(days=4, hours=6)
    candidates = sorted(m.id for m in schedule.participants.members if m.id != ill.person)
    coverer = next(
        p
        for p in candidates
        if not check(schedule, planned.with_override("team", "primary", p, a, b)).errors
    )
    covered = planned.with_override("team", "primary", coverer, a, b)
    moved = hours(a, b) / 168
    # The summary, recomputed on the covered plan.
    instance = build_instance([schedule], start, 6)
    rows = {
        r.person: r for r in fairness_summary(covered, instance, options).schedule("team").fairness
    }
    before = {r.person: r for r in sp.fairness}
    pw = options.primary_weight
    assert rows[coverer].load == pytest.approx(before[coverer].load + pw * moved, abs=1e-3)
    assert rows[ill.person].load == pytest.approx(before[ill.person].load - pw * moved, abs=1e-3)
    # check's loads (P105) are on-call weeks: the same effective weeks.
    every = views([schedule], covered)
    check_loads = loads(every[0], every)
    weeks = on_call_weeks(covered.schedules)
    assert check_loads == {p: pytest.approx(weeks.get(p, 0.0)) for p in check_loads}
    assert check_loads[coverer] == pytest.approx(
        loads(views([schedule], planned)[0])[coverer] + moved
    )
    # The review's on-call hours are the same time, in hours.
    result = review(PageLog.from_events([]), covered, schedule, (start, start + timedelta(weeks=7)))
    hours_of = result.per_person["on_call_hours"]
    for person, w in check_loads.items():
        assert hours_of[person] == pytest.approx(w * 168, abs=1e-3)
    # One balance: P105's score, the review's on-call balance and the summary's weeks.
    layers = effective_weeks(covered.schedules)
    summary_weeks = [sum(layers.get(p, {}).values()) for p in sorted(check_loads)]
    score = schedule_balance([schedule], covered, "team")
    assert score == pytest.approx(balance_score(summary_weeks))
    assert result.team["balance"] == pytest.approx(round(score, 4), abs=1e-4)
    # P103: the share check reports is the effective time (5 people, 2 layers: ~40 % each).
    p103 = [f.message for f in check(schedule, covered) if f.code == "P103"]
    assert len(p103) == len(check_loads)
    for message in p103:
        person = message.split(" ")[0]
        weeks_shown = f"{check_loads[person]:.1f}".rstrip("0").rstrip(".")
        assert f"({weeks_shown} of 6 weeks" in message


# ---------------------------------------------------------------------------------------------
# Carry-over


def test_a_night_cover_before_the_next_plan_extends_the_stint(team: Schedule) -> None:
    previous = make_plan(team)  # weeks 0-5 from 2027-03-01; the next plan starts 2027-04-12
    last = expand(team, START, 6).weeks[-1]
    # dan covers ann's primary the last night before the handoff (22:00 to the 10:00 handoff).
    night = previous.with_override(
        "team", "primary", "dan", last.end - timedelta(hours=12), last.end, reason="ann"
    )
    nxt = expand(team, date(2027, 4, 12), 4)
    members = {m.id: m for m in team.participants.members}
    assert run_before_start(nxt, members["dan"], make_plan(team)) == 0
    assert run_before_start(nxt, members["dan"], night) == 1
    assert run_before_start(nxt, members["ann"], night) == 0
    assert run_before_start(nxt, members["cat"], night) == 1
    # A week handed entirely to someone else is theirs.
    whole = previous.with_override("team", "primary", "ben", last.start, last.end)
    assert run_before_start(nxt, members["ann"], whole) == 0
    assert run_before_start(nxt, members["ben"], whole) == 1
    # The history read off the plan says the same.
    history = plan_history(night, team, date(2027, 4, 12))
    assert history["dan"].last_stint_weeks == 1
    assert (
        nxt.history_run_before_start(members["dan"].model_copy(update={"history": history["dan"]}))
        == 1
    )
    # H003 counts it: dan on call in weeks 0 and 1 of the next plan makes three weeks.
    rows = [("dan", "cat"), ("dan", "eve"), ("ann", "ben"), ("cat", "eve")]
    following = make_plan(team, date(2027, 4, 12), rows)
    assert "H003" not in [f.code for f in check_hard([team], following, previous=previous)]
    found = [f for f in check_hard([team], following, previous=night) if f.code == "H003"]
    assert len(found) == 1 and "dan is on call 3 weeks in a row" in found[0].message


def test_plan_history_counts_override_hours_for_the_coverer(team: Schedule) -> None:
    plain = plan_history(make_plan(team), team, date(2027, 4, 12))
    covered = plan_history(covered_plan(team), team, date(2027, 4, 12))
    assert plain["eve"].primary_weeks == 1 and plain["ben"].primary_weeks == 1
    assert covered["eve"].primary_weeks == pytest.approx(
        1 + hours(EVE_FROM, EVE_TO) / 168, abs=1e-3
    )
    assert covered["ben"].primary_weeks == pytest.approx(
        1 - hours(EVE_FROM, EVE_TO) / 168, abs=1e-3
    )
    assert covered["ann"].primary_weeks == pytest.approx(2 + 23 / 167, abs=1e-3)
    total = sum(h.primary_weeks for h in covered.values())
    assert total == pytest.approx(6)
    # Only time before the date counts.
    # Only time before week 0 of the next plan counts: a plan from Thursday 2027-03-11 starts
    # at the handoff on Monday 2027-03-15 10:00, after weeks 0 and 1.
    early = plan_history(covered_plan(team), team, date(2027, 3, 11))
    assert early["eve"].primary_weeks == pytest.approx(hours(EVE_FROM, EVE_TO) / 168, abs=1e-3)
    assert early["ben"].primary_weeks == pytest.approx(1 - hours(EVE_FROM, EVE_TO) / 168, abs=1e-3)
    assert (early["ann"].primary_weeks, early["ann"].secondary_weeks) == (1, 0)
    assert early["cat"].secondary_weeks == 1 and early["dan"].secondary_weeks == 1
    with pytest.raises(ValueError, match="no schedule 'team'"):
        plan_history(Plan(schedules=()), team, date(2027, 4, 12))


def test_a_cover_is_repaid_by_the_next_plan(team: Schedule) -> None:
    from oncall_planner.solver import PlanOptions, plan

    options = PlanOptions(workers=1, seed=0, time_limit_s=10)
    nxt = date(2027, 4, 12)
    plain = plan(team, nxt, 6, history=plan_history(make_plan(team), team, nxt), options=options)
    repaid = plan(
        team, nxt, 6, history=plan_history(covered_plan(team), team, nxt), options=options
    )
    share = {r.person: r.fair_share for r in plain.schedule("team").fairness}
    after = {r.person: r.fair_share for r in repaid.schedule("team").fairness}
    # eve covered 39 h for ben: her fair share of the next plan drops, ben's rises.
    assert after["eve"] < share["eve"]
    assert after["ben"] > share["ben"]
    assert sum(after.values()) == pytest.approx(sum(share.values()))
    carried = plan_history(covered_plan(team), team, nxt)
    assert [
        f for f in check_hard([team], repaid, history=carried) if f.severity.value == "error"
    ] == []


def test_plan_cli_takes_a_plan_file_as_history(
    team: Schedule, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from oncall_planner.cli import main

    shares = {}
    for name, earlier in (("planned", make_plan(team)), ("lived", covered_plan(team))):
        path = tmp_path / f"{name}.json"
        path.write_text(earlier.to_json(), encoding="utf-8")
        out = tmp_path / f"next-{name}.json"
        argv = ["plan", str(tmp_path / "team.yaml"), "--start", "2027-04-12", "--weeks", "6"]
        assert main([*argv, "--history", str(path), "-o", str(out)]) == 0
        capsys.readouterr()
        rows = json.loads(out.read_text(encoding="utf-8"))["schedules"][0]["fairness"]
        shares[name] = {r["person"]: r["fair_share"] for r in rows}
    assert shares["lived"]["eve"] < shares["planned"]["eve"]
    assert shares["lived"]["ben"] > shares["planned"]["ben"]
