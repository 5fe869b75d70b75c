"""Foundation speed: import time, `oncall-planner check schedules/`, hostile inputs.

Run: .venv/bin/python benchmarks/bench_foundation.py
Targets (issue 2): `import oncall_planner` ≤ 150 ms; `oncall-planner check schedules/` ≤ 500 ms
wall time; an alias bomb fails in under a second.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wall(cmd: list[str], runs: int = 7) -> tuple[float, float]:
    """Median and max wall seconds of a command, after one warm-up run."""
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def show(label: str, figures: tuple[float, float]) -> None:
    """Print a median/max line in milliseconds."""
    median, worst = figures
    print(f"{label:34} median {median * 1000:6.1f} ms  max {worst * 1000:6.1f} ms")


def main() -> None:
    py = sys.executable
    baseline = wall([py, "-c", "pass"])
    imp = wall([py, "-c", "import oncall_planner"])
    show("python -c pass", baseline)
    show("python -c 'import oncall_planner'", imp)
    chk = wall([str(BIN / "oncall-planner"), "check", "schedules/"])
    show("oncall-planner check schedules/", chk)

    sys.path.insert(0, str(ROOT))
    from oncall_planner import ScheduleError, load_schedule

    t0 = time.perf_counter()
    with contextlib.suppress(ScheduleError):
        load_schedule(ROOT / "tests/data/bad/12-alias-bomb.yaml")
    print(f"alias bomb (9**10 values) rejected in {(time.perf_counter() - t0) * 1000:6.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.yaml"
        with big.open("wb") as fh:
            fh.truncate(50 * 1024 * 1024)
        t0 = time.perf_counter()
        with contextlib.suppress(ScheduleError):
            load_schedule(big)
        print(f"50 MB file rejected in {(time.perf_counter() - t0) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
