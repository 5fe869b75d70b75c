"""iCalendar feeds: export plans for calendar subscription, import actual on-call history.

``to_ical`` writes one VEVENT per shift with stable UIDs and plan-derived stamps (byte-identical
output for identical plans); ``from_ical`` reads PagerDuty, Grafana OnCall, GoAlert, LinkedIn
oncall and our own feeds back into shifts; ``feed_history`` and ``history_plan`` turn a feed into
planner carry-over and a reviewable plan. A plan's overrides are exported as the effective
roster (``piece_uid``) and read back as overrides. icalendar is imported only inside this package.
See ``docs/ical.md``.
"""

from __future__ import annotations

from oncall_planner.ical.export import DEFAULT_DOMAIN, event_uid, piece_uid, safe_name, to_ical
from oncall_planner.ical.feed_import import FeedShift, feed_history, from_ical, history_plan
from oncall_planner.ical.vtimezone import build_vtimezone

__all__ = [
    "DEFAULT_DOMAIN",
    "FeedShift",
    "build_vtimezone",
    "event_uid",
    "feed_history",
    "from_ical",
    "history_plan",
    "piece_uid",
    "safe_name",
    "to_ical",
]
