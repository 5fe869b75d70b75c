"""Every review metric against values computed by hand on a small fixture.

The fixture (tests/data/pages/review-team.*): a Europe/Berlin schedule, handoff Monday 10:00,
members ana (Berlin), ben (New York), cem (no zone: Berlin), dia (Sydney, never on call).
Plan: primary ana, ben, cem, ana; secondary ben, cem, ana, ben for the weeks starting
March 8, 15, 22, 29 2027. The review period is March 8 – April 4 (Berlin days): 28 days, 671 h
because Berlin springs forward on March 28. Week 2 (March 22 → 29) is 167 h long.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from oncall_planner import (
    Layer,
    PageEvent,
    PageLog,
    Period,
    Plan,
    ReviewSettings,
    SchedulePlan,
    Shift,
    load_pages,
    load_schedule,
    review,
)
from oncall_planner.expand import expand
from oncall_planner.health import QuarterlyReview
from oncall_planner.spec import Schedule
from tests.conftest import DATA

PAGES = DATA / "pages"
PERIOD = Period.between(date(2027, 3, 8), date(2027, 4, 4))
PERIOD_HOURS = 28 * 24 - 1


def round_robin_plan(
    schedule: Schedule, start: date, primary: list[str], secondary: list[str] | None = None
) -> Plan:
    """A plan built by hand: ``primary[k]`` (and ``secondary[k]``) hold week k."""
    problem = expand(schedule, start, len(primary))
    shifts = []
    for w in problem.weeks:
        shifts.append(Shift(week=w.index, layer=Layer.PRIMARY, person=primary[w.index],
                            start=w.start, end=w.end))  # fmt: skip
        if secondary:
            shifts.append(Shift(week=w.index, layer=Layer.SECONDARY, person=secondary[w.index],
                                start=w.start, end=w.end))  # fmt: skip
    sp = SchedulePlan(
        name=schedule.name,
        timezone=schedule.timezone,
        start=problem.start,
        weeks=len(primary),
        shifts=tuple(shifts),
    )
    return Plan(schedules=(sp,)).annotate([schedule])


def fixture_schedule() -> Schedule:
    return load_schedule(PAGES / "review-team.yaml")


def fixture_plan(schedule: Schedule) -> Plan:
    return round_robin_plan(
        schedule,
        date(2027, 3, 8),
        ["ana", "ben", "cem", "ana", "ben"],
        ["ben", "cem", "ana", "ben", "cem"],
    )


@pytest.fixture(scope="module")
def rv() -> QuarterlyReview:
    schedule = fixture_schedule()
    return review(load_pages(PAGES / "review-team.csv"), fixture_plan(schedule), schedule, PERIOD)


def page(rv: QuarterlyReview, page_id: str) -> pd.Series:
    return rv.pages.set_index("page_id").loc[page_id]


# -- time buckets in the recipient's zone ---------------------------------------------------


def test_21_59_59_is_off_hours_and_22_00_00_is_sleep(rv: QuarterlyReview) -> None:
    assert page(rv, "p1")["bucket"] == "off_hours"  # Tuesday 21:59:59 Berlin
    assert page(rv, "p2")["bucket"] == "sleep"  # Tuesday 22:00:00 Berlin


def test_buckets_use_the_recipients_zone_not_the_schedules(rv: QuarterlyReview) -> None:
    # 10:00 in Berlin on Monday March 15 is 05:00 in New York (already on summer time).
    assert (page(rv, "p3")["hour"], page(rv, "p3")["bucket"]) == (5, "sleep")
    # 12:00 in Berlin on March 10 is 22:00 in Sydney (AEDT, +11).
    assert (page(rv, "d1")["hour"], page(rv, "d1")["bucket"]) == (22, "sleep")


def test_a_night_across_the_dst_change(rv: QuarterlyReview) -> None:
    # Sunday March 28: 01:30 CET, then 03:30 CEST one real hour later; both sleep hours.
    assert [page(rv, p)["hour"] for p in ("c1", "c2", "c3", "c4")] == [1, 3, 7, 8]
    assert [page(rv, p)["bucket"] for p in ("c1", "c2", "c3", "c4")] == [
        "sleep",
        "sleep",
        "sleep",
        "off_hours",  # 08:00 on a Sunday is off-hours, not business
    ]


def test_bucket_counts_per_person(rv: QuarterlyReview) -> None:
    pp = rv.per_person
    cols = ["business_pages", "off_hours_pages", "sleep_pages"]
    assert pp.loc["ana", cols].tolist() == [3, 1, 1]
    assert pp.loc["ben", cols].tolist() == [0, 0, 2]
    assert pp.loc["cem", cols].tolist() == [1, 2, 3]
    assert pp.loc["dia", cols].tolist() == [0, 0, 1]


# -- pages to shifts -------------------------------------------------------------------------


def test_a_page_exactly_at_a_handoff_belongs_to_the_incoming_shift(rv: QuarterlyReview) -> None:
    shifts = rv.per_shift
    p3, p4 = page(rv, "p3"), page(rv, "p4")
    # p4 at 09:59:59: ben's secondary week 0; p3 at 10:00:00: ben's primary week 1.
    assert shifts.loc[p4["shift"], ["week", "layer", "person"]].tolist() == [0, "secondary", "ben"]
    assert shifts.loc[p3["shift"], ["week", "layer", "person"]].tolist() == [1, "primary", "ben"]


def test_a_page_to_someone_off_rotation(rv: QuarterlyReview) -> None:
    assert page(rv, "d1")["shift"] == -1
    assert rv.per_person.loc["dia", "off_rotation_pages"] == 1
    assert rv.per_person["off_rotation_pages"].sum() == 1
    assert rv.team["off_rotation_pages"] == 1
    assert [f.path for f in rv.findings if f.code == "R305"] == [
        "per_person.dia.off_rotation_pages"
    ]


def test_recipients_match_by_id_email_or_name(rv: QuarterlyReview) -> None:
    # p1 names "ana", p2 "ana@example.com", p7 "Ana Weber": all the same person.
    assert {page(rv, p)["person"] for p in ("p1", "p2", "p7")} == {"ana"}
    assert rv.per_person.loc["ana", "pages"] == 5


def test_pages_per_shift_and_the_noisy_limit_across_dst(rv: QuarterlyReview) -> None:
    s = rv.per_shift
    assert s["pages"].tolist() == [5, 1, 1, 0, 6, 0, 0, 0]
    # Week 2 is 167 h but one rotation week: the limit stays 5, and 6 pages are noisy.
    week2 = s[(s["week"] == 2) & (s["layer"] == "primary")].iloc[0]
    assert (week2["hours"], week2["limit"], week2["noisy"]) == (167.0, 5.0, True)
    # Exactly 5 pages in a 168 h week is not noisy ("more than 5").
    week0 = s[(s["week"] == 0) & (s["layer"] == "primary")].iloc[0]
    assert (week0["pages"], week0["noisy"]) == (5, False)
    # Week 3 is cut by the period end (April 5 00:00): 158 h, limit 5 × 158/168.
    week3 = s[(s["week"] == 3) & (s["layer"] == "primary")].iloc[0]
    assert week3["hours"] == 158.0
    assert week3["limit"] == pytest.approx(5 * 158 / 168, abs=1e-3)
    assert rv.team["noisy_shifts"] == 1
    (noisy,) = [f for f in rv.findings if f.code == "R301"]
    assert noisy.message.endswith(": 6 pages, more than 5 for this shift")


def test_a_cut_shifts_limit_is_shown_rounded_and_explained(rv: QuarterlyReview) -> None:
    from oncall_planner.health.compute import _noisy_shifts

    s = rv.per_shift.copy()
    s["noisy"] = (s["week"] == 3) & (s["layer"] == "primary")
    (finding,) = _noisy_shifts(s, "pages.csv")
    # 5 × 158/168 = 4.702…: shown as 4.7, with the reason it is not 5.
    assert "more than 4.7 for this shift (the weekly limit, scaled to the part of the shift" in (
        finding.message
    )


def test_incidents_per_12_hour_period(rv: QuarterlyReview) -> None:
    s = rv.per_shift
    # Blocks count from each shift's start: 14 per week (167 h and the cut 158 h too).
    assert s["periods_12h"].tolist() == [14] * 8
    # cem's block of March 27 21:00 – March 28 09:00 UTC holds 4 incidents (c1–c4).
    assert s["periods_over_budget"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0]
    assert (rv.team["periods_over_budget"], rv.team["periods_12h"]) == (1, 112)
    assert "R302" not in rv.findings.codes()  # 1 of 112 is far below a third


def test_incident_budget_fires_at_the_share(rv: QuarterlyReview) -> None:
    schedule = fixture_schedule()
    plan = fixture_plan(schedule)
    pages = load_pages(PAGES / "review-team.csv")
    # One day (March 28, 23 h): cem's primary and ana's secondary, 3 blocks each → 6 periods,
    # one of them over budget: 1/6 raises R302 at a share of 1/6, not at 1/6 + ε.
    day = Period.between(date(2027, 3, 28), date(2027, 3, 28))
    at = review(pages, plan, schedule, day, settings=ReviewSettings(budget_share=1 / 6))
    assert (at.team["periods_over_budget"], at.team["periods_12h"]) == (1, 6)
    assert "R302" in at.findings.codes()
    above = review(pages, plan, schedule, day, settings=ReviewSettings(budget_share=0.17))
    assert "R302" not in above.findings.codes()


# -- interruptions -----------------------------------------------------------------------------


def test_interruptions_merge_within_60_s_and_skip_email(rv: QuarterlyReview) -> None:
    pp = rv.per_person
    # ana: p1+p2 (1 s apart) once, a1+a2 (30 s) once, p7 is email → 2.
    # ben: p4+p3 (1 s) → 1.  cem: c3+c4 (1 s) merge → 5 of 6.
    assert pp.loc[["ana", "ben", "cem", "dia"], "interruptions"].tolist() == [2, 1, 5, 1]
    assert rv.team["interruptions"] == 9


@pytest.mark.parametrize(("gap_s", "expected"), [(60, 1), (61, 2)])
def test_interruption_window_edge(gap_s: int, expected: int) -> None:
    schedule = fixture_schedule()
    t0 = pd.Timestamp("2027-03-09T12:00:00+01:00")
    log = PageLog.from_events(
        PageEvent(page_id=f"x{k}", paged_at=t0 + pd.Timedelta(seconds=k * gap_s), recipient="ana")
        for k in range(2)
    )
    rv = review(log, fixture_plan(schedule), schedule, PERIOD)
    assert rv.per_person.loc["ana", "interruptions"] == expected


# -- response times ------------------------------------------------------------------------------


def test_mtta_and_mttr_median_and_p90(rv: QuarterlyReview) -> None:
    pp = rv.per_person
    # MTTA per incident, from ana's first page of it: i1 600 s, i2 300 s, i5 60 s (a1 at
    # 14:00:00; a2 at 14:00:30 is the same incident) → median 300, p90 300 + 0.8 × 300 = 540.
    assert pp.loc["ana", "mtta_median_s"] == 300.0
    assert pp.loc["ana", "mtta_p90_s"] == pytest.approx(540.0)
    # ana's resolved pages: 10800 and 7200 s.
    assert pp.loc["ana", "mttr_median_s"] == 9000.0
    assert pp.loc["ben", "mtta_median_s"] == 121.0  # i3, from p4 at 09:59:59 (p3 is later)
    # The team: per incident from its first page: 600, 300, 60, 121, and cem's six 60 s.
    assert rv.team["mtta_median_s"] == 60.0
    assert np.isnan(pp.loc["dia", "mtta_median_s"])


def test_mtta_above_the_severity_target(rv: QuarterlyReview) -> None:
    r304 = [f for f in rv.findings if f.code == "R304"]
    # ana's SEV1 median is 450 s > 5 min; her SEV3 median (60 s) and everyone else are fine.
    assert [(f.path, "SEV1" in f.message) for f in r304] == [("per_person.ana.mtta_median_s", True)]


# -- on-call hours, compensation ---------------------------------------------------------------


def test_on_call_hours_are_a_union_and_give_the_share(rv: QuarterlyReview) -> None:
    pp = rv.per_person
    # ana: 168 (primary w0) + 167 (secondary w2, DST) + 158 (primary w3, cut) = 493 h.
    assert pp.loc["ana", "on_call_hours"] == 493.0
    assert pp.loc["ben", "on_call_hours"] == 168 + 168 + 158
    assert pp.loc["cem", "on_call_hours"] == 168 + 167
    assert pp.loc["ana", "on_call_share"] == pytest.approx(493 / PERIOD_HOURS, abs=1e-4)
    assert sorted(f.path for f in rv.findings if f.code == "P103") == [
        f"per_person.{p}.on_call_hours" for p in ("ana", "ben", "cem")
    ]


def test_overlapping_layers_count_once() -> None:
    schedule = fixture_schedule()
    # ana primary and secondary of the same week (a broken plan): 168 h, not 336 h.
    plan = round_robin_plan(schedule, date(2027, 3, 8), ["ana"], ["ana"])
    rv = review(PageLog.from_events([]), plan, schedule, PERIOD)
    assert rv.per_person.loc["ana", "on_call_hours"] == 168.0
    assert rv.per_person.loc["ana", "shifts"] == 2


def test_compensation(rv: QuarterlyReview) -> None:
    pp = rv.per_person
    # Stipend weeks: one per shift, prorated by the part inside the period.
    assert pp.loc["ana", "stipend_weeks"] == pytest.approx(2 + 158 / 168, abs=1e-3)
    assert pp.loc["cem", "stipend_weeks"] == 2.0
    # After-hours incident hours: i1 (off-hours, 3 h) + i2 (sleep, 2 h); ben's i3 0.5 h.
    assert pp.loc["ana", "after_hours_incident_hours"] == 5.0
    assert pp.loc["ben", "after_hours_incident_hours"] == pytest.approx(1801 / 3600, abs=1e-3)
    # Rest: i2 is a SEV1 paged at 22:00 (sleep) that took exactly 2 h; i1 was at 21:59:59.
    assert pp["rest_owed"].to_dict() == {"ana": 1, "ben": 0, "cem": 0, "dia": 0}


# -- fairness, trend, weeks ----------------------------------------------------------------------


def test_fairness_by_hand(rv: QuarterlyReview) -> None:
    # Pages [5, 2, 6, 1]: sorted [1, 2, 5, 6], Σ(2i − n − 1)x = −3 − 2 + 5 + 18 = 18,
    # G = 18 / (4 × 14) × 4/3 = 0.4286.
    assert rv.team["gini"] == pytest.approx(18 / 56 * 4 / 3, abs=1e-4)
    # Balance of on-call hours 493, 494, 335, 0: pairs with dia are 0.
    expected = (493 / 494 + 335 / 493 + 335 / 494) / 6
    assert rv.team["balance"] == pytest.approx(expected, abs=1e-4)
    assert rv.team["fairness"]["pages"]["outliers"] == []


def test_page_outlier(rv: QuarterlyReview) -> None:
    schedule = fixture_schedule()
    base = load_pages(PAGES / "review-team.csv").frame
    extra = pd.DataFrame(
        {
            "page_id": [f"e{k}" for k in range(9)],
            "incident_id": [f"e{k}" for k in range(9)],
            "paged_at": pd.date_range("2027-03-24T13:00:00+01:00", periods=9, freq="h"),
            "recipient": "cem",
        }
    )
    rv2 = review(
        pd.concat([base, extra], ignore_index=True), fixture_plan(schedule), schedule, PERIOD
    )
    # Nine business/off-hours pages more: cem 15 of 23, mean 5.75, 2× = 11.5 → outlier.
    assert [f.path for f in rv2.findings if f.code == "R303"] == ["per_person.cem.pages"]


@pytest.mark.parametrize("ignore", [("R30",), ("ALL",)])
def test_a_schedules_ignore_list_drops_review_findings(
    rv: QuarterlyReview, ignore: tuple[str, ...]
) -> None:
    # Prefixes and ALL read as in `check` (oncall_planner.report.matches_code).
    schedule = fixture_schedule().model_copy(update={"ignore": ignore})
    quiet = review(load_pages(PAGES / "review-team.csv"), fixture_plan(schedule), schedule, PERIOD)
    assert {f.code[:3] for f in rv.findings} >= {"R30"}
    kept = {f.code for f in rv.findings if ignore != ("ALL",) and not f.code.startswith("R30")}
    assert {f.code for f in quiet.findings} == kept


def test_trend_and_weeks(rv: QuarterlyReview) -> None:
    # Last 21 days (March 15 – April 4) hold p3, p4 and c1–c6: 8 pages.
    assert rv.per_day["trailing_mean"].iloc[-1] == pytest.approx(8 / 21, abs=1e-4)
    assert rv.per_day["trailing_mean"].iloc[0] == 0.0  # March 8: no page yet
    assert rv.per_week["week_start"].tolist() == [date(2027, 3, d) for d in (8, 15, 22, 29)]
    assert rv.per_week["pages"].tolist() == [6, 2, 6, 0]
    assert rv.per_week["incidents"].tolist() == [5, 1, 6, 0]
    assert rv.per_week["off_rotation_pages"].tolist() == [1, 0, 0, 0]


def test_incidents_table(rv: QuarterlyReview) -> None:
    inc = rv.incidents.set_index("incident_id")
    assert len(inc) == rv.team["incidents"] == 12
    assert inc.loc["i3", ["pages", "mtta_s", "mttr_s"]].tolist() == [2, 121.0, 1801.0]
    assert inc["first_paged_at"].is_monotonic_increasing


def test_pages_outside_the_period_are_ignored(rv: QuarterlyReview) -> None:
    schedule = fixture_schedule()
    # March 8 – 14 only: p1, p2, p7, d1, a1, a2 (p4 is March 15 in Berlin).
    week = review(
        load_pages(PAGES / "review-team.csv"),
        fixture_plan(schedule),
        schedule,
        Period.between(date(2027, 3, 8), date(2027, 3, 14)),
    )
    assert week.team["pages"] == 6


def test_member_order_and_input_order_do_not_matter(rv: QuarterlyReview) -> None:
    schedule = fixture_schedule()
    reordered = schedule.model_copy(
        update={
            "participants": schedule.participants.model_copy(
                update={"members": tuple(reversed(schedule.participants.members))}
            )
        }
    )
    log = load_pages(PAGES / "review-team.csv")
    frame = log.frame.iloc[::-1].reset_index(drop=True)
    other = review(PageLog(frame, source=log.source), fixture_plan(reordered), reordered, PERIOD)
    assert other.to_json() == rv.to_json()


def test_an_org_counts_overlapping_schedules_once() -> None:
    from oncall_planner import load_org
    from oncall_planner.plans import merge_plans
    from tests.conftest import SCHEDULES

    org = load_org(SCHEDULES / "org")
    api, platform = org.schedule("api"), org.schedule("platform")
    # olivia: api primary Mon Jan 4 10:00 Berlin → Jan 11, platform primary Thu Jan 7 09:00
    # New York → Jan 14: 09:00 UTC Jan 4 to 14:00 UTC Jan 14 is 245 h, not 2 × 168.
    plan = merge_plans(
        [
            round_robin_plan(api, date(2027, 1, 4), ["olivia", "quentin"]),
            round_robin_plan(platform, date(2027, 1, 4), ["olivia", "tariq"]),
        ]
    )
    t = pd.Timestamp("2027-01-08T12:00:00Z").to_pydatetime()
    log = PageLog.from_events([PageEvent(page_id="o1", paged_at=t, recipient="olivia")])
    rv = review(log, plan, org, Period.between(date(2027, 1, 4), date(2027, 1, 24)))
    assert rv.per_person.loc["olivia", "on_call_hours"] == 245.0
    assert rv.per_person.loc["olivia", "shifts"] == 2
    # Inside both shifts: the page counts once, on the schedule first by name.
    shift = rv.per_shift.loc[rv.pages["shift"].iloc[0]]
    assert (shift["schedule"], rv.per_shift["pages"].sum()) == ("api", 1)
    assert rv.schedules == ("api", "platform") and rv.zone == "Europe/Berlin"


def test_unknown_recipients_and_explicit_aliases() -> None:
    schedule = fixture_schedule()
    t = pd.Timestamp("2027-03-09T12:00:00+01:00").to_pydatetime()
    log = PageLog.from_events(
        [
            PageEvent(page_id="u1", paged_at=t, recipient="Ana W."),
            PageEvent(page_id="u2", paged_at=t, recipient="grace@example.com"),
        ]
    )
    plain = review(log, fixture_plan(schedule), schedule, PERIOD)
    assert not plain.per_person.loc["Ana W.", "in_team"]
    assert plain.per_person.loc["Ana W.", "off_rotation_pages"] == 1
    mapped = review(log, fixture_plan(schedule), schedule, PERIOD, recipients={"ana w.": "ana"})
    assert mapped.per_person.loc["ana", "pages"] == 1
    assert mapped.per_person.loc["ana", "off_rotation_pages"] == 0  # ana is primary in week 0
    assert "Ana W." not in mapped.per_person.index
    assert mapped.per_person.loc["grace@example.com", "off_rotation_pages"] == 1


def _incident_pages(
    first_ack_s: float, later: list[float], *, incidents: int = 3, severity: str = "SEV1"
) -> PageLog:
    """``incidents`` incidents paged to ana at 12:00 on successive days (March 9 on), each
    acknowledged ``first_ack_s`` later, with more pages to ana ``later`` seconds after the first
    (at or after the acknowledgement: re-notifications, a responder added late)."""
    events = []
    for k in range(incidents):
        t0 = pd.Timestamp(f"2027-03-{9 + k:02d}T12:00:00+01:00")
        ack = (t0 + pd.Timedelta(seconds=first_ack_s)).to_pydatetime()
        for j, offset in enumerate([0.0, *later]):
            events.append(
                PageEvent(
                    page_id=f"i{k}-{j}",
                    incident_id=f"i{k}",
                    paged_at=(t0 + pd.Timedelta(seconds=offset)).to_pydatetime(),
                    recipient="ana",
                    acknowledged_at=ack,
                    severity=severity,
                )
            )
    return PageLog.from_events(events)


def test_mtta_person_matches_incident_definition() -> None:
    # The old divergence: a re-notification sent at the acknowledgement counted as an MTTA of
    # 0 for the person, so ana's median was (400 + 0) / 2 = 200 s for incidents that each took
    # 400 s to acknowledge, under the SEV1 target of 300 s: R304 stayed silent. Pages after
    # the acknowledgement (loaded since the late-responder fix) must not count either.
    schedule = fixture_schedule()
    log = _incident_pages(400, [400, 460])
    rv = review(log, fixture_plan(schedule), schedule, PERIOD)
    incident_mtta = rv.incidents["mtta_s"].tolist()
    assert incident_mtta == [400.0] * 3
    assert rv.per_person.loc["ana", "mtta_median_s"] == 400.0
    assert rv.per_person.loc["ana", "mtta_p90_s"] == 400.0
    assert rv.team["mtta_median_s"] == 400.0
    # One MTTA per incident for the person: only the first page of each incident has one.
    assert rv.pages["mtta_s"].notna().sum() == 3
    r304 = [f for f in rv.findings if f.code == "R304"]
    assert [f.path for f in r304] == ["per_person.ana.mtta_median_s"]
    assert "is 6.7 min, above the SEV1 target of 5.0 min" in r304[0].message


def test_mtta_counts_from_the_first_page_to_each_person() -> None:
    # ana paged at 0 s; the incident escalates to ben at 300 s; ben acknowledges at 420 s; cem
    # is added at 600 s. ana waited 420 s, ben 120 s, cem nothing; the incident took 420 s.
    schedule = fixture_schedule()
    t0 = pd.Timestamp("2027-03-09T12:00:00+01:00")

    def at(s: float) -> Any:
        return (t0 + pd.Timedelta(seconds=s)).to_pydatetime()

    log = PageLog.from_events(
        [
            PageEvent(page_id="a", incident_id="i", paged_at=at(0), recipient="ana",
                      acknowledged_at=at(420)),
            PageEvent(page_id="a2", incident_id="i", paged_at=at(120), recipient="ana",
                      acknowledged_at=at(420)),
            PageEvent(page_id="b", incident_id="i", paged_at=at(300), recipient="ben",
                      acknowledged_at=at(420)),
            PageEvent(page_id="c", incident_id="i", paged_at=at(600), recipient="cem",
                      acknowledged_at=at(420)),
        ]
    )  # fmt: skip
    rv = review(log, fixture_plan(schedule), schedule, PERIOD)
    pp = rv.per_person
    assert pp.loc["ana", "mtta_median_s"] == 420.0
    assert pp.loc["ben", "mtta_median_s"] == 120.0
    assert np.isnan(pp.loc["cem", "mtta_median_s"])
    assert rv.incidents["mtta_s"].tolist() == [420.0]
    assert rv.team["mtta_median_s"] == 420.0
    # Every number comes from the one function: the per-page column the findings use.
    assert rv.pages.set_index("page_id")["mtta_s"].to_dict() == pytest.approx(
        {"a": 420.0, "a2": np.nan, "b": 120.0, "c": np.nan}, nan_ok=True
    )


def test_mttr_counts_each_incident_once_per_person_not_each_page() -> None:
    # MTTR was per page: ana's re-notifications after the acknowledgement (at 400 s and 460 s)
    # each counted as an MTTR of their own, shorter because they came later, and the team's
    # median was over pages while its incidents' MTTR was from their first page. Now MTTR is
    # defined as MTTA is: per incident, from the first page to that person to the resolution.
    schedule = fixture_schedule()
    t0 = pd.Timestamp("2027-03-09T12:00:00+01:00")

    def at(s: float) -> Any:
        return (t0 + pd.Timedelta(seconds=s)).to_pydatetime()

    def page(pid: str, inc: str, s: float, who: str, ack: float, res: float) -> PageEvent:
        return PageEvent(page_id=pid, incident_id=inc, paged_at=at(s), recipient=who,
                         acknowledged_at=at(ack), resolved_at=at(res))  # fmt: skip

    log = PageLog.from_events(
        [
            # Incident i: ana at 0 s and again at 400 s and 460 s (after the ack at 300 s),
            # ben added at 1000 s, resolved at 1800 s.
            page("a", "i", 0, "ana", 300, 1800),
            page("a2", "i", 400, "ana", 300, 1800),
            page("a3", "i", 460, "ana", 300, 1800),
            page("b", "i", 1000, "ben", 300, 1800),
            # Incident j, a day later: ana alone, resolved after 600 s.
            page("j", "j", 86400, "ana", 86460, 87000),
            # Incident k: cem is paged after it was resolved; he gives no MTTR for it.
            page("k", "k", 2 * 86400, "ana", 2 * 86400 + 60, 2 * 86400 + 120),
            page("k2", "k", 2 * 86400 + 300, "cem", 2 * 86400 + 60, 2 * 86400 + 120),
        ]
    )
    rv = review(log, fixture_plan(schedule), schedule, PERIOD)
    pp = rv.per_person
    # ana: i 1800 s, j 600 s, k 120 s (per page it was 1800, 1400, 1340, 600, 120 → 1340).
    assert pp.loc["ana", "mttr_median_s"] == 600.0
    assert pp.loc["ben", "mttr_median_s"] == 800.0
    assert np.isnan(pp.loc["cem", "mttr_median_s"])
    # Per incident and for the team: from the incident's first page.
    assert rv.incidents.set_index("incident_id")["mttr_s"].to_dict() == {
        "i": 1800.0,
        "j": 600.0,
        "k": 120.0,
    }
    assert rv.team["mttr_median_s"] == 600.0  # over incidents (per page it was 800 s)
    # One function for all of them: the per-page column holds each person's first page only.
    assert rv.pages.set_index("page_id")["mttr_s"].to_dict() == pytest.approx(
        {"a": 1800.0, "a2": np.nan, "a3": np.nan, "b": 800.0, "j": 600.0, "k": 120.0,
         "k2": np.nan},
        nan_ok=True,
    )  # fmt: skip


def test_r304_says_incidents_from_the_first_page_not_pages() -> None:
    # R304 read "median time to acknowledge SEV1 pages" after MTTA became per incident, from
    # the first page to that person: the message and the rule now say what is measured.
    from oncall_planner.rules import RULES

    schedule = fixture_schedule()
    rv = review(_incident_pages(400, [400, 460]), fixture_plan(schedule), schedule, PERIOD)
    (r304,) = [f for f in rv.findings if f.code == "R304"]
    assert r304.message.startswith(
        "ana's median time to acknowledge SEV1 incidents (from their first page of each) is "
    )
    assert "pages" not in r304.message
    assert "first page of each incident" in RULES["R304"].summary
