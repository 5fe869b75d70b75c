"""The seeded synthetic page generator: deterministic, and shaped like real pager load."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from oncall_planner import Plan, Schedule, load_schedule, review, synthetic_pages
from oncall_planner.health import PageLog
from tests.conftest import SCHEDULES
from tests.test_health_metrics import round_robin_plan

PEOPLE = ["alice", "bob", "carol", "dan", "erin"]
Setup = tuple[Schedule, Plan, PageLog]


@pytest.fixture(scope="module")
def setup() -> Setup:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    weeks = 26
    plan = round_robin_plan(
        schedule,
        date(2027, 1, 4),
        [PEOPLE[k % 5] for k in range(weeks)],
        [PEOPLE[(k + 2) % 5] for k in range(weeks)],
    )
    log = synthetic_pages(plan, schedule, seed=7, incidents_per_week=20)
    return schedule, plan, log


def test_same_seed_same_pages(setup: Setup) -> None:
    schedule, plan, log = setup
    again = synthetic_pages(plan, schedule, seed=7, incidents_per_week=20)
    pd.testing.assert_frame_equal(log.frame, again.frame)
    other = synthetic_pages(plan, schedule, seed=8, incidents_per_week=20)
    assert not log.frame["paged_at"].equals(other.frame["paged_at"])


def test_canonical_columns_and_volume(setup: Setup) -> None:
    _, _, log = setup
    f = log.frame
    assert str(f["paged_at"].dtype) == "datetime64[ns, UTC]"
    assert f["paged_at"].is_monotonic_increasing
    assert f["page_id"].is_unique
    # The times are the incident's: one acknowledgement and one resolution per incident, the
    # acknowledgement after its first page, the resolution after every page.
    by_incident = f.groupby("incident_id")
    assert (by_incident["acknowledged_at"].nunique() == 1).all()
    assert (by_incident["resolved_at"].nunique() == 1).all()
    assert (by_incident["acknowledged_at"].first() >= by_incident["paged_at"].min()).all()
    assert (f["resolved_at"] >= f["paged_at"]).all()
    assert (f["resolved_at"] >= f["acknowledged_at"]).all()
    incidents = f["incident_id"].nunique()
    # 26 weeks × 20 incidents, plus three storms: within a generous band.
    assert 26 * 20 * 0.8 < incidents < 26 * 20 * 1.6
    assert len(f) > incidents  # bursts and escalations add pages


def test_business_hours_skew_and_noisy_services(setup: Setup) -> None:
    schedule, plan, log = setup
    rv = review(log, plan, schedule, "2027Q1")
    t = rv.team
    # Business hours are 50 of 168 weekly hours but carry the largest share of pages.
    assert t["business_pages"] / t["pages"] > 50 / 168 + 0.1
    # The two noisy services raise most incidents.
    by_service = rv.incidents["service"].value_counts()
    assert set(by_service.index[:2]) == {"svc-00", "svc-01"}
    assert by_service.iloc[:2].sum() > 0.5 * by_service.sum()


def test_pages_go_to_who_is_on_call(setup: Setup) -> None:
    schedule, plan, log = setup
    rv = review(log, plan, schedule, "2027Q1")
    share_off = rv.team["off_rotation_pages"] / rv.team["pages"]
    assert 0 < share_off < 0.06  # the default 2 % strays, nothing more
    layers = rv.per_shift.groupby("layer")["pages"].sum()
    assert layers["primary"] > 3 * layers["secondary"] > 0  # escalations reach the secondary


def test_synthetic_pages_after_the_ack_carry_the_incidents_ack(setup: Setup) -> None:
    # Re-notifications after the acknowledgement used to get acknowledged_at = paged_at, an
    # MTTA of 0 for 73 of 370 pages of the notebook's quarter, which pulled people's medians
    # down. They keep the incident's acknowledgement and give no MTTA.
    schedule, plan, log = setup
    f = log.frame
    late = f["paged_at"] >= f["acknowledged_at"]
    assert late.any()
    assert (f.loc[late, "paged_at"] > f.loc[late, "acknowledged_at"]).mean() > 0.9
    rv = review(log, plan, schedule, "2027Q1")
    pages = rv.pages
    with_mtta = pages["mtta_s"].notna()
    assert with_mtta.any() and (pages.loc[with_mtta, "mtta_s"] > 0).all()
    # For every incident paged to one person only, that person's MTTA is the incident's.
    inc = rv.incidents.set_index("incident_id")
    single = inc.index[inc["people"] == 1]
    mine = pages[with_mtta & pages["incident_id"].isin(single)].set_index("incident_id")
    assert len(mine) > 50
    assert mine["mtta_s"].to_dict() == inc.loc[mine.index, "mtta_s"].to_dict()
    # So each person's median is a median over their incidents, as the team's is.
    for person, group in pages[with_mtta].groupby("person", observed=True):
        assert rv.per_person.loc[person, "mtta_median_s"] == group["mtta_s"].median()
