"""iCal speed: exporting 10,000 shifts, 1,000 conditional GETs against the feed server.

Run: .venv/bin/python benchmarks/bench_ical.py
Targets (issue 5): exporting 10,000 shifts ≤ 1 s; 1,000 conditional GETs on loopback ≤ 2 s.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_ical_helpers import make_schedule, round_robin  # noqa: E402

from oncall_planner.ical import from_ical, to_ical  # noqa: E402
from oncall_planner.plans import Plan, merge_plans  # noqa: E402
from oncall_planner.serve import make_server  # noqa: E402


def timed(fn: Callable[[], object], runs: int = 5) -> tuple[float, float]:
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
    print(f"{label:58} median {median * 1000:7.1f} ms  max {worst * 1000:7.1f} ms")


def plans() -> tuple[Plan, Plan]:
    one = round_robin(make_schedule("berlin-sre", "Europe/Berlin"), date(2027, 1, 4), 5000)
    zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]
    many = [
        round_robin(make_schedule(f"team-{k:03d}", zones[k % 5]), date(2027, 1, 4), 50)
        for k in range(100)
    ]
    return one, merge_plans(many).model_copy(update={"people": one.people})


def gets(url_host: str, port: int, etag: str, n: int, keep_alive: bool) -> None:
    conn = http.client.HTTPConnection(url_host, port, timeout=5)
    for _ in range(n):
        if not keep_alive:
            conn = http.client.HTTPConnection(url_host, port, timeout=5)
        conn.request("GET", "/berlin-sre.ics", headers={"If-None-Match": etag})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 304, resp.status
        if not keep_alive:
            conn.close()
    conn.close()


def main() -> None:
    one, many = plans()
    assert sum(len(sp.shifts) for sp in one.schedules) == 10_000
    assert sum(len(sp.shifts) for sp in many.schedules) == 10_000
    show("export 10,000 shifts, 1 schedule, utc", timed(lambda: to_ical(one)))
    show("export 10,000 shifts, 1 schedule, tzid", timed(lambda: to_ical(one, tz_mode="tzid")))
    show("export 10,000 shifts, 100 schedules/5 zones, utc", timed(lambda: to_ical(many)))
    show(
        "export 10,000 shifts, 100 schedules/5 zones, tzid",
        timed(lambda: to_ical(many, tz_mode="tzid")),
    )
    feed = to_ical(one)
    show(
        "re-export 10,000 shifts against the previous feed",
        timed(lambda: to_ical(one, previous_feed=feed)),
    )
    print(f"feed size: {len(feed) / 1e6:.1f} MB")
    show("import 10,000 shifts (from_ical)", timed(lambda: from_ical(feed), runs=3))

    with tempfile.TemporaryDirectory() as tmp:
        small = to_ical(round_robin(make_schedule(), date(2027, 1, 4), 13))
        (Path(tmp) / "berlin-sre.ics").write_bytes(small)
        server = make_server(tmp)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = str(server.server_address[0]), int(server.server_address[1])
        conn = http.client.HTTPConnection(host, port)
        conn.request("GET", "/berlin-sre.ics")
        resp = conn.getresponse()
        resp.read()
        etag = resp.getheader("ETag") or ""
        conn.close()
        show(
            "1,000 conditional GETs → 304, one keep-alive connection",
            timed(lambda: gets(host, port, etag, 1000, keep_alive=True)),
        )
        show(
            "1,000 conditional GETs → 304, a new connection each",
            timed(lambda: gets(host, port, etag, 1000, keep_alive=False)),
        )
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
