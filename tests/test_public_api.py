"""The front door: one sorted __all__, every name importable, and a light import."""

from __future__ import annotations

import subprocess
import sys

import oncall_planner


def test_all_is_sorted_and_unique() -> None:
    assert oncall_planner.__all__ == sorted(set(oncall_planner.__all__))


def test_every_public_name_resolves() -> None:
    for name in oncall_planner.__all__:
        value = getattr(oncall_planner, name)
        assert value is not None
        # A submodule of the same name must never shadow a public function or class.
        assert not isinstance(value, type(sys)), name


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        oncall_planner.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_light() -> None:
    code = (
        "import sys, oncall_planner\n"
        "heavy = [m for m in ('ortools', 'pandas', 'matplotlib', 'icalendar', 'pydantic') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_check_path_never_imports_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from oncall_planner.cli import main\n"
        "code = main(['check', 'schedules/'])\n"
        "heavy = [m for m in ('ortools', 'pandas', 'matplotlib') if m in sys.modules]\n"
        "print(f'{code}|' + ','.join(heavy))"
    )
    from tests.conftest import ROOT

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "0|"
