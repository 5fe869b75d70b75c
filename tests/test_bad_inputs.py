"""The bad-input corpus: every file gives located messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oncall_planner import ScheduleError, load_schedule
from tests.conftest import DATA, ROOT

BAD = DATA / "bad"

# file → [(code, line, column or None, substring of the message)], every finding expected.
EXPECTED: dict[str, list[tuple[str, int, int | None, str]]] = {
    "01-unclosed-flow.yaml": [("L001", 5, 14, "expected ',' or '}'")],
    "02-tab-indent.yaml": [("L001", 3, 1, "'\\t' that cannot start any token")],
    "03-unknown-key.yaml": [("L003", 4, 3, "unknown key 'handof_time'")],
    "04-wrong-type.yaml": [("L004", 7, 24, "valid integer")],
    "05-bad-duration.yaml": [("L004", 8, 20, "unknown unit 'fortnights'")],
    "06-bad-zone.yaml": [("L004", 3, 13, "did you mean 'Europe/Berlin'")],
    "07-base60-bad-time.yaml": [("L004", 4, 17, "'25:00' is not a time of day")],
    "08-duplicate-key.yaml": [("L002", 6, 3, "duplicate key 'handoff_day': first given at line 5")],
    "09-duplicate-id.yaml": [
        ("L004", 11, 14, "duplicate member id 'a': also members[0] at line 9")
    ],
    "10-reversed-range.yaml": [("L004", 11, 13, "ends (2027-03-01) before it starts (2027-03-10)")],
    "11-python-tag.yaml": [("L005", 1, 11, "Python object tag '!!python/object/apply:os.system'")],
    # Stopped at the list whose expansion passes the cap, before anything is built.
    "12-alias-bomb.yaml": [("L006", 6, 4, "counting an alias each time it is used")],
    "13-empty.yaml": [("L007", 1, 1, "the file is empty")],
    "14-binary.yaml": [("L007", 1, 1, "not UTF-8 text: byte 0x89")],
    "15-comments-only.yaml": [("L007", 1, 1, "the file is empty")],
    "16-top-list.yaml": [("L004", 1, 1, "expected a mapping with a 'schedule:' key")],
    "17-missing-keys.yaml": [
        ("L004", 2, 3, "missing required key 'handoff_day'"),
        ("L004", 2, 3, "missing required key 'handoff_time'"),
        ("L004", 2, 3, "missing required key 'timezone'"),
    ],
    "18-bad-weekday.yaml": [("L004", 5, 16, "'Mondey' is not a weekday; did you mean 'monday'?")],
    "19-capacity.yaml": [("L004", 9, 38, "less than or equal to 1; got 1.5")],
    "20-bad-slug.yaml": [("L004", 9, 14, "member id 'Alice Smith' is not a slug")],
    "21-bad-date.yaml": [("L004", 8, 39, "got '2027-02-30'")],
    "22-bare-number-timeout.yaml": [("L004", 12, 52, "a bare number has no unit")],
    "23-rotation-type.yaml": [("L004", 6, 18, "got 'daily'")],
    "24-two-documents.yaml": [("L001", 12, 1, "several YAML documents")],
    "25-many-errors.yaml": [
        ("L004", 3, 13, "unknown time zone 'Mars/Olympus'"),
        ("L004", 4, 17, "'10:75' is not a time of day"),
        ("L004", 7, 24, "greater than or equal to 1; got 0"),
        ("L003", 9, 28, "unknown key 'emial'"),
    ],
    "26-bad-email.yaml": [("L004", 10, 35, "'not-an-email' is not an email address")],
    "27-shadow-days.yaml": [("L004", 8, 20, "shadow_period must be whole weeks")],
    "28-unknown-tag.yaml": [("L005", 2, 9, "unknown tag '!secret'")],
    "29-recursive-alias.yaml": [("L006", 1, 11, "recursive alias")],
    "30-latin1.yaml": [("L007", 2, 13, "byte 0xe9")],
}


def test_corpus_is_complete() -> None:
    on_disk = sorted(p.name for p in BAD.iterdir())
    assert on_disk == sorted(EXPECTED)
    assert len(on_disk) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_every_located_message(name: str) -> None:
    path = BAD / name
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    got = [(f.code, f.line, f.column, f.message) for f in info.value.findings]
    expected = EXPECTED[name]
    assert len(got) == len(expected), got
    for (code, line, col, message), (e_code, e_line, e_col, e_text) in zip(
        got, expected, strict=True
    ):
        assert code == e_code, got
        assert line == e_line, got
        if e_col is not None:
            assert col == e_col, got
        assert e_text in message, got
    for finding in info.value.findings:
        assert finding.file == str(path)
        assert finding.format().startswith(f"{path}:{finding.line}")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_reports_without_traceback(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "oncall_planner", "check", str(BAD / name)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    first_line = EXPECTED[name][0][1]
    assert f"{BAD / name}:{first_line}:" in result.stdout


def test_alias_bomb_stops_at_the_node_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bomb expands to 9**10 values; the builder must stop once the cap is passed, whatever
    # the cap is (its speed is measured in benchmarks/bench_foundation.py, not asserted here).
    from oncall_planner import _yaml

    monkeypatch.setattr(_yaml, "MAX_NODES", 1_000)
    with pytest.raises(ScheduleError, match="more than 1,000 values"):
        load_schedule(BAD / "12-alias-bomb.yaml")


def test_fifty_megabyte_file_is_rejected_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("wb") as fh:
        fh.write(b"schedule:\n  name: x\n")
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(ScheduleError) as info:
        load_schedule(big)
    (finding,) = info.value.findings
    assert finding.code == "L006"
    assert "52,428,800 bytes" in finding.message
    assert finding.line == 1


def test_missing_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as info:
        load_schedule(tmp_path / "nope.yaml")
    assert info.value.findings[0].code == "L007"
    assert "nope.yaml" in str(info.value)
