"""What a notebook user writes: strings for dates and paths, no conversions (issue 10).

The public functions accept ISO date strings and ``str``/``Path`` paths at run time; their
signatures say so, so that this module is clean under ``mypy --strict``. It is type-checked by
tests/test_typed_api.py and run there too, so the annotations and the behaviour cannot drift
apart.
"""

from __future__ import annotations

from pathlib import Path

from oncall_planner import (
    Plan,
    PlanOptions,
    QuarterlyReview,
    from_ical,
    load_org,
    load_pages,
    load_schedule,
    load_severity,
    plan,
    plan_org,
    review,
    synthetic_pages,
    to_ical,
)
from oncall_planner.ical import feed_history, history_plan

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE = str(ROOT / "schedules" / "backend-primary.yaml")
ORG = str(ROOT / "schedules" / "org")
SEVERITY = str(ROOT / "schedules" / "severity.yaml")
QUICK = PlanOptions(time_limit_s=10, workers=1, seed=1)


def usage(folder: Path) -> tuple[Plan, Plan, QuarterlyReview, bytes]:
    """Plan from a schedule path, re-plan from a plan path, export, import, review: all by text."""
    first = plan(SCHEDULE, "2027-01-04", 2, options=QUICK)
    plan_file = folder / "plan.json"
    plan_file.write_text(first.to_json(), "utf-8")
    again = plan(
        SCHEDULE,
        "2027-01-04",
        2,
        previous=str(plan_file),
        freeze_until="2027-01-11",
        options=QUICK,
    )
    org_plan = plan_org(ORG, "2027-01-04", 1, previous=None, options=QUICK)
    feed = to_ical(str(plan_file), previous=plan_file, stamp="2027-01-01T00:00:00+00:00")
    feed_file = folder / "feed.ics"
    feed_file.write_bytes(feed)
    shifts = from_ical(str(feed_file), roster=load_schedule(SCHEDULE))
    assert shifts
    carried = feed_history(str(feed_file), SCHEDULE, "2027-02-01")
    assert carried
    history = history_plan(feed_file, SCHEDULE)
    pages = synthetic_pages(
        str(plan_file),
        SCHEDULE,
        seed=1,
        start="2027-01-04T00:00:00+01:00",
        end="2027-01-18T00:00:00+01:00",
    )
    pages_file = folder / "pages.csv"
    pages.frame.to_csv(pages_file, index=False)
    assert len(load_pages(str(pages_file)).frame) == len(pages.frame)
    assert load_org(ORG).schedules and load_severity(SEVERITY).levels
    rv = review(
        str(pages_file),
        str(plan_file),
        SCHEDULE,
        ("2027-01-04", "2027-01-17"),
        severity=SEVERITY,
    )
    return again, org_plan, rv, to_ical(history)
