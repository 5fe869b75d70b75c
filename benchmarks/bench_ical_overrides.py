"""iCal with overrides (issue 11): export of the effective roster, and import of a feed whose
weeks are cut by overrides, as a paging tool's final schedule writes them.

Run: .venv/bin/python benchmarks/bench_ical_overrides.py
A 1,000-week Berlin plan (primary + secondary, 2,000 shifts) gets one evening cover a week on
primary (1,000 overrides): the feed has 4,000 events. It is exported, re-exported against the
previous feed, and read back with ``history_plan`` both as our feed and with the override ids
stripped (a foreign final schedule, so every week is rebuilt from pieces).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_ical_helpers import make_schedule, round_robin  # noqa: E402

from oncall_planner.ical import history_plan, to_ical  # noqa: E402
from oncall_planner.plans import Override  # noqa: E402

WEEKS = 1000


def timed(fn: Callable[[], object], runs: int = 3) -> tuple[float, float]:
    """Median and max seconds of ``fn`` after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def show(label: str, figures: tuple[float, float]) -> None:
    median, worst = figures
    print(f"{label:62} median {median * 1000:7.1f} ms  max {worst * 1000:7.1f} ms")


def main() -> None:
    schedule = make_schedule()
    plan = round_robin(schedule, date(2027, 1, 4), WEEKS)
    sp = plan.schedules[0]
    covers = []
    ids = ["alice", "bob", "carol", "dan"]
    for s in sp.shifts:
        if s.layer.value != "primary":
            continue
        start = s.start + timedelta(days=2, hours=8)  # Wednesday 18:00
        covers.append(
            Override(
                id=f"ovr-{s.week:05d}",
                layer=s.layer,
                person=ids[(s.week + 2) % 4],
                start=start,
                end=start + timedelta(hours=15),
            )
        )
    covered = plan.model_copy(
        update={"schedules": (sp.model_copy(update={"overrides": tuple(covers)}),)}
    )
    before = to_ical(plan)
    feed = to_ical(covered)
    print(f"{len(covers)} overrides, {feed.count(b'BEGIN:VEVENT')} events, {len(feed):,} bytes")
    show("export without overrides (2,000 shifts)", timed(lambda: to_ical(plan)))
    show("export with 1,000 overrides (4,000 events)", timed(lambda: to_ical(covered)))
    show(
        "re-export against the feed before the overrides (CANCELLED)",
        timed(lambda: to_ical(covered, previous_feed=before)),
    )
    show("history_plan of our feed (override ids)", timed(lambda: history_plan(feed, schedule)))
    foreign = re.sub(rb"X-ONCALL-OVERRIDE:[^\r]*\r\n", b"", feed)
    show("history_plan of a foreign final schedule", timed(lambda: history_plan(foreign, schedule)))
    back = history_plan(foreign, schedule)
    assert len(back.schedules[0].overrides) == len(covers)


if __name__ == "__main__":
    main()
