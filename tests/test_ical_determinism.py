"""Identical plans give identical bytes in fresh interpreters, whatever PYTHONHASHSEED."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = """
import hashlib, sys
sys.path.insert(0, "tests")
from datetime import date
from test_ical_helpers import MEMBERS, make_schedule, round_robin
from oncall_planner.ical import to_ical
from oncall_planner.plans import merge_plans
members = MEMBERS if sys.argv[1] == "forward" else tuple(reversed(MEMBERS))
day = date(2026, 9, 7)
berlin = round_robin(make_schedule("berlin", "Europe/Berlin", members=members), day, 30)
nyc = round_robin(make_schedule("nyc", "America/New_York", members=members), day, 30)
sydney = round_robin(make_schedule("syd", "Australia/Sydney", members=members), day, 30)
plan = merge_plans([sydney, berlin, nyc]).model_copy(update={"people": berlin.people})
digest = hashlib.sha256()
for mode in ("utc", "tzid"):
    digest.update(to_ical(plan, tz_mode=mode))
    digest.update(to_ical(plan, tz_mode=mode, person="dan"))
print(digest.hexdigest())
"""


def _run(seed: str, order: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, order],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.strip()


def test_bytes_identical_across_hash_seeds_and_member_order() -> None:
    runs = [("0", "forward"), ("1", "reversed"), ("4242", "forward"), ("random", "reversed")]
    digests = {_run(seed, order) for seed, order in runs}
    assert len(digests) == 1
    (digest,) = digests
    assert len(digest) == 64 and digest != hashlib.sha256(b"").hexdigest()
