"""Hostile inputs of issue 13: how long each takes to be read or refused.

Run: .venv/bin/python benchmarks/bench_hostile.py
Targets (issue 13): a syntax error near the end of a large file reported in well under a second;
alias bombs rejected faster than 6 s; a long folded DESCRIPTION read in linear time; a
20,000-event feed read by ``from_ical`` in under 1 s. Each line is the median of 5 runs after
one warm-up, in CPU seconds of this process (``time.process_time``) and wall seconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(label: str, run: Callable[[], object], runs: int = 5) -> None:
    """Print median CPU and wall milliseconds of ``run`` (exceptions are the expected end)."""

    def once() -> tuple[float, float]:
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            run()
        except Exception as e:  # the library's own error is what a hostile input should get
            if not type(e).__module__.startswith("oncall_planner"):
                raise
        return time.process_time() - c0, time.perf_counter() - w0

    once()
    cpu, wall = zip(*(once() for _ in range(runs)), strict=True)
    print(
        f"{label:58} cpu {statistics.median(cpu) * 1000:8.1f} ms   "
        f"wall {statistics.median(wall) * 1000:8.1f} ms"
    )


def _fold(line: str) -> str:
    parts, rest = [line[:74]], line[74:]
    while rest:
        parts.append(" " + rest[:73])
        rest = rest[73:]
    return "\r\n".join(parts) + "\r\n"


def _feed(events: int, extra: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:u{i}@example.com\r\nDTSTART:20270104T100000Z\r\n"
        "DTEND:20270111T100000Z\r\nSUMMARY:On-call primary: Alice Martin (backend)\r\n"
        f"{extra}END:VEVENT\r\n"
        for i in range(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//b//EN\r\n{body}END:VCALENDAR\r\n".encode()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from oncall_planner import load_schedule
    from oncall_planner.ical import from_ical

    seed = (ROOT / "schedules" / "backend-primary.yaml").read_text(encoding="utf-8")
    head = seed.split("    members:\n")[0] + "    members:\n"
    member = "      - {id: m%d, name: M, email: m%d@example.com, time_off: [2027-01-04]}\n"
    dense = head + "".join(member % (i, i) for i in range(26_000)) + "  bad: [\n"
    sparse = seed + "".join(f"# {'x' * 70}\n" for _ in range(26_000)) + "  bad: [\n"
    bomb = (ROOT / "tests" / "data" / "bad" / "12-alias-bomb.yaml").read_text(encoding="utf-8")
    print(f"dense file {len(dense):,} B, sparse file {len(sparse):,} B")

    measure("syntax error at the end of 2 MB of members (node cap)", lambda: load_schedule(dense))
    measure("syntax error at the end of 2 MB of comments", lambda: load_schedule(sparse))
    measure("alias bomb (9**10 values)", lambda: load_schedule(bomb))
    measure("600 nested '['", lambda: load_schedule("schedule: " + "[" * 600 + "]" * 600))
    measure(
        "level: 99999999999",
        lambda: load_schedule(seed.replace("level: 4", "level: 99999999999")),
    )
    for size in (10_000, 80_000, 1_000_000):
        data = _feed(1, _fold("DESCRIPTION:" + "a" * size))
        measure(f"feed with a folded DESCRIPTION of {size:,} chars", lambda d=data: from_ical(d))
    for count in (10_000, 20_000):
        data = _feed(count)
        measure(
            f"from_ical, {count:,} events ({len(data) / 1e6:.1f} MB)", lambda d=data: from_ical(d)
        )


if __name__ == "__main__":
    main()
