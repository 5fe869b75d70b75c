"""Page-load health and quarterly on-call reviews (needs the ``review`` extra: pandas, matplotlib).

The pieces, in the order data flows::

    load_pages(path) / synthetic_pages(plan, schedule, seed=…)  →  PageLog (canonical pages)
    review(pages, plan, schedule, period="2027Q1")               →  QuarterlyReview
    QuarterlyReview: per_person, per_shift, per_week, per_day, incidents, findings,
                     figures(), to_markdown(), to_json(), to_html(), _repr_html_()

Definitions of every metric: ``docs/review.md``. This package never imports ortools.
"""

from __future__ import annotations

from oncall_planner.health.compute import DEFAULT_SEVERITY, Settings
from oncall_planner.health.pages import PageEvent, PageLog, load_pages
from oncall_planner.health.period import Period
from oncall_planner.health.quarterly import QuarterlyReview, review
from oncall_planner.health.synthetic import synthetic_pages

# The front door (oncall_planner/__init__.py) exports these under the same names; the review
# settings are exported as ReviewSettings there to keep the top-level namespace unambiguous.
ReviewSettings = Settings

__all__ = [
    "DEFAULT_SEVERITY",
    "PageEvent",
    "PageLog",
    "Period",
    "QuarterlyReview",
    "ReviewSettings",
    "Settings",
    "load_pages",
    "review",
    "synthetic_pages",
]
