"""Shared test fixtures and Hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SCHEDULES = ROOT / "schedules"
DATA = Path(__file__).resolve().parent / "data"

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
# `make fuzz`: the fuzz properties of tests/test_fuzz_*.py with thousands of random examples.
settings.register_profile(
    "fuzz", deadline=None, max_examples=1500, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Plans record when they were made (now by default); tests pin that time, as reproducible
#: builds do, so plans and feeds made twice are byte-identical. Subprocesses inherit it.
FIXED_EPOCH = "1796029200"  # 2026-11-30T09:00:00Z
os.environ["SOURCE_DATE_EPOCH"] = FIXED_EPOCH


def example_schedule_files() -> list[Path]:
    """Every schedule file shipped in schedules/ (severity files excluded)."""
    return sorted(
        p
        for p in SCHEDULES.rglob("*.yaml")
        if not p.read_text(encoding="utf-8").lstrip().startswith("#")
        or "schedule:" in p.read_text(encoding="utf-8")
        if "severity_framework:" not in p.read_text(encoding="utf-8")
    )


@pytest.fixture
def seed_path() -> Path:
    """The seed schedule with its roster."""
    return SCHEDULES / "backend-primary.yaml"
