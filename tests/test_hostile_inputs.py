"""The fixed corpus of issue 13: each hostile schedule and feed that once broke the loaders.

Each case used to end in a traceback, an unlocated message, or minutes of work; each now gets
a located error from the library, checked before the work it would have blown up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oncall_planner import ScheduleError, check, load_schedule
from oncall_planner._yaml import MAX_DEPTH, MAX_NODES, MAX_SCALAR_CHARS
from oncall_planner.durations import MAX_DURATION, format_duration, parse_duration
from oncall_planner.errors import FeedError
from oncall_planner.ical import feed_history, from_ical, history_plan
from oncall_planner.ical.feed_import import (
    MAX_FEED_EVENTS,
    MAX_PARAMETER_CHARS,
    MAX_SUMMARY_CHARS,
)
from oncall_planner.spec import MAX_LEVEL, MAX_WEEK_COUNT, MAX_ZONE_NAME_CHARS
from tests.conftest import SCHEDULES

SEED = (SCHEDULES / "backend-primary.yaml").read_text(encoding="utf-8")


def _only(text: str, *, file: Path | None = None) -> tuple[str, int | None, int | None, str]:
    with pytest.raises(ScheduleError) as info:
        load_schedule(file if file is not None else text)
    (finding,) = info.value.findings
    return finding.code, finding.line, finding.column, finding.message


def _edit(old: str, new: str) -> str:
    assert old in SEED, old
    return SEED.replace(old, new, 1)


# ---------------------------------------------------------------------------------------------
# Schedules


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("{", "}"), ("{a: ", "}")])
def test_deep_nesting_stops_at_the_depth_limit(opener: str, closer: str) -> None:
    # 500 levels raised RecursionError; a 600-level file took 8 s to fail.
    text = "schedule: " + opener * 600 + "x" + closer * 600 + "\n"
    code, line, col, message = _only(text)
    assert (code, line) == ("L006", 1)
    assert col is not None and col > MAX_DEPTH  # at the bracket that went one level too deep
    assert f"nested more than {MAX_DEPTH} levels" in message


def test_deep_block_nesting_is_stopped_too() -> None:
    text = "".join(" " * i + "a:\n" for i in range(600)) + " " * 600 + "b\n"
    code, line, _, message = _only(text)
    assert (code, line) == ("L006", MAX_DEPTH + 1)
    assert "levels deep" in message


def test_nesting_at_the_limit_is_read() -> None:
    # MAX_DEPTH levels in all: the top mapping and MAX_DEPTH - 1 lists inside it.
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    code, _, _, message = _only(f"schedule: {inner}\n")
    assert code == "L004" and "levels deep" not in message  # the schema, not the limit


@pytest.mark.parametrize(
    "old,new,path,shown",
    [
        ("new_engineer: true", "new_engineer: !!bool maybe", "new_engineer", "!!bool"),
        ('rotation_type: "weekly"', "rotation_type: !!timestamp x", "rotation_type", "!!timestamp"),
        ("capacity: 0.5", "capacity: !!float half", "capacity", "!!float"),
        ("level: 2", "level: !!int ", "level", "!!int"),  # IndexError, found by the fuzzer
        ("primary_weeks: 3,", "primary_weeks: !!int three,", "primary_weeks", "!!int"),
    ],
)
def test_a_value_its_tag_does_not_fit_is_located(old: str, new: str, path: str, shown: str) -> None:
    # "!!bool maybe" raised KeyError and "!!timestamp x" AttributeError inside PyYAML.
    text = _edit(old, new)
    code, line, col, message = _only(text)
    assert code == "L004"
    assert line == text.splitlines().index(next(x for x in text.splitlines() if new in x)) + 1
    assert col is not None
    assert f"is not a valid {shown} value" in message


@pytest.mark.parametrize(
    "old,new",
    [
        ("shadow_period: 2_weeks", "shadow_period: P99999999999W"),
        ("timeout: 5_minutes", "timeout: 99999999999999999999_weeks"),
        ("timeout: 5_minutes", f"timeout: 1{'0' * 400}_seconds"),
        ("timeout: 5_minutes", f"timeout: {'9' * 400}_minutes"),
    ],
)
def test_huge_durations_name_the_largest_accepted(old: str, new: str) -> None:
    # OverflowError tracebacks in durations.py.
    code, line, _, message = _only(_edit(old, new))
    assert code == "L004" and line is not None
    assert f"the largest accepted is {format_duration(MAX_DURATION)}" in message


def test_the_largest_duration_is_accepted_and_one_more_second_is_not() -> None:
    assert parse_duration(format_duration(MAX_DURATION)) == MAX_DURATION
    with pytest.raises(ValueError, match="too long"):
        parse_duration(f"{int(MAX_DURATION.total_seconds()) + 1}s")


def test_an_overlong_zone_name_is_a_schedule_error_with_its_line() -> None:
    # "File name too long" (an OSError from the file system) with no file:line.
    text = _edit('"Europe/London"', '"' + "y" * 300 + '"')
    code, line, col, message = _only(text)
    assert (code, line, col) == ("L004", 16, 19)
    assert f"at most {MAX_ZONE_NAME_CHARS}" in message


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x1b", "\x1f", "\x7f"])
def test_control_characters_have_a_line_and_column(char: str) -> None:
    # L001 "unacceptable character" came without a line or column.
    text = _edit("Grace Hopper", f"Grace{char}Hopper")
    code, line, col, message = _only(text)
    assert code == "L001"
    row = next(i for i, x in enumerate(text.splitlines(), 1) if char in x)
    assert line == row
    assert col == text.splitlines()[row - 1].index(char) + 1
    assert f"U+{ord(char):04X}" in message


def test_a_huge_level_is_refused_before_missing_levels_are_listed() -> None:
    # E201 listed every missing level: 1e7 took 20 s and 1.2 GB.
    code, line, _, message = _only(_edit("level: 4", "level: 99999999999"))
    assert (code, line) == ("L004", 55)
    assert f"less than or equal to {MAX_LEVEL}" in message


def test_the_highest_level_is_accepted() -> None:
    schedule = load_schedule(_edit("level: 4", f"level: {MAX_LEVEL}"))
    e201 = [f for f in check(schedule).findings if f.code == "E201"]
    assert e201 and f"{MAX_LEVEL - 1}" in e201[0].message


@pytest.mark.parametrize(
    "old,new",
    [
        ("primary_weeks: 6, secondary_weeks: 5", f"primary_weeks: {MAX_WEEK_COUNT + 1}"),
        ("max_consecutive_weeks: 2", "max_consecutive_weeks: 99999999999"),
        ("shadow_weeks_done: 0", "shadow_weeks_done: 10000000"),
    ],
)
def test_week_counts_are_bounded(old: str, new: str) -> None:
    code, _, _, message = _only(_edit(old, new))
    assert code == "L004" and f"less than or equal to {MAX_WEEK_COUNT}" in message


@pytest.mark.parametrize("day", ["0001-01-04", "9999-12-27"])
def test_far_dates_are_refused(day: str) -> None:
    code, line, _, message = _only(_edit("last_on_call: 2026-12-21", f"last_on_call: {day}"))
    assert (code, line) == ("L004", 17)
    assert "out of range" in message and "1970-01-01" in message


def test_a_long_value_is_refused_where_it_is() -> None:
    text = _edit('name: "Alice Martin"', f'name: "{"x" * (MAX_SCALAR_CHARS + 1)}"')
    code, line, col, message = _only(text)
    assert (code, line, col) == ("L006", 14, 15)
    assert f"the limit is {MAX_SCALAR_CHARS:,}" in message


def test_a_late_syntax_error_in_a_large_file_keeps_libyaml_s_message(tmp_path: Path) -> None:
    # Near the end of a file under the 2 MB cap: libyaml failed, then the pure-Python parser
    # re-read the whole file for its message (28 s). Its speed is in docs/benchmarks.md.
    filler = "".join(f"# {'x' * 70}\n" for _ in range(20_000))
    path = tmp_path / "big.yaml"
    path.write_text(SEED + filler + "  bad: [\n", encoding="utf-8")
    code, line, _, message = _only("", file=path)
    assert code == "L001"
    assert line == SEED.count("\n") + 20_000 + 2
    assert "YAML syntax error" in message


def test_a_large_schedule_stops_at_the_node_cap_where_it_is_passed() -> None:
    member = "      - {id: m%d, name: M, email: m%d@example.com, time_off: [2027-01-04]}\n"
    body = "".join(member % (i, i) for i in range(MAX_NODES // 5))
    text = _edit("    members:\n", "    members:\n" + body)
    code, line, _, message = _only(text)
    assert (code, line) == ("L006", 13)  # the members list
    assert f"more than {MAX_NODES:,} values" in message


def test_alias_bomb_is_refused_at_the_alias_that_passes_the_cap() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]" for k in range(1, 9)]
    code, line, _, message = _only("\n".join([*lines, "schedule: *a8"]) + "\n")
    assert code == "L006"
    assert line == 5  # a4's list holds 10**5 values, a3's only 10**4
    assert "counting an alias each time it is used" in message


# ---------------------------------------------------------------------------------------------
# Feeds


def _event(extra: str = "", start: str = "20270104T100000Z", end: str = "20270111T100000Z") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:u1\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"SUMMARY:On-call primary: Alice Martin (backend-primary)\r\n{extra}END:VEVENT\r\n"
    )


def _feed(*events: str) -> bytes:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    return (head + "".join(events) + "END:VCALENDAR\r\n").encode()


def _feed_error(data: bytes) -> list[tuple[int | None, str]]:
    with pytest.raises(FeedError) as info:
        from_ical(data, source="f.ics")
    assert all(f.file == "f.ics" for f in info.value.findings)
    return [(f.line, f.message) for f in info.value.findings]


def _fold(line: str) -> str:
    parts, rest = [line[:74]], line[74:]
    while rest:
        parts.append(" " + rest[:73])
        rest = rest[73:]
    return "\r\n".join(parts) + "\r\n"


@pytest.mark.parametrize("prop", ["DTEND:20270112T100000Z", "DTSTART:20270105T100000Z"])
def test_a_repeated_time_property_is_located(prop: str) -> None:
    # AttributeError: 'list' object has no attribute 'dt'.
    ((line, message),) = _feed_error(_feed(_event(prop + "\r\n")))
    assert line == 9
    assert f"{prop.split(':')[0]} appears twice in one event" in message


def test_a_very_long_tzid_is_located() -> None:
    # RecursionError / "File name too long" from the zone lookup.
    event = _event(start="20270104T100000").replace("DTSTART:", f"DTSTART;TZID={'A' * 5000}:")
    ((line, message),) = _feed_error(_feed(event))
    assert line == 6
    assert f"at most {MAX_PARAMETER_CHARS} are read" in message


def test_a_tzid_at_the_limit_is_read_as_unknown() -> None:
    event = _event(start="20270104T100000").replace(
        "DTSTART:", f"DTSTART;TZID={'A' * (MAX_PARAMETER_CHARS - 5)}:"
    )
    ((line, message),) = _feed_error(_feed(event))
    assert line == 6 and "unknown TZID" in message


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_far_years_in_a_feed_are_located(year: str) -> None:
    # Year 0001 raised OverflowError in review and made plan report a false infeasibility.
    event = _event(start=f"{year}0104T100000Z", end=f"{year}0111T100000Z")
    ((line, message),) = _feed_error(_feed(event))
    assert line == 6 and "out of range" in message


def test_far_years_cannot_reach_history_or_review() -> None:
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    data = _feed(_event(start="00010104T100000Z", end="00010111T100000Z"))
    with pytest.raises(FeedError, match="out of range"):
        feed_history(data, schedule, date(2027, 1, 4))
    with pytest.raises(FeedError, match="out of range"):
        history_plan(data, schedule)


def test_a_huge_duration_is_located() -> None:
    event = _event().replace("DTEND:20270111T100000Z", "DURATION:P99999999W")
    ((line, message),) = _feed_error(_feed(event))
    assert line == 7 and "DURATION" in message and "out of range" in message


@pytest.mark.parametrize("filler", ["a", "a@", "@b", " ("])
def test_a_long_folded_description_is_read(filler: str) -> None:
    # 80 kB took 34 s (an e-mail regex retried from every position, and unfolding by
    # string concatenation); the time is measured in docs/benchmarks.md, not here.
    description = _fold("DESCRIPTION:" + filler * (80_000 // len(filler)))
    (shift,) = from_ical(_feed(_event(description)))
    assert shift.person == "Alice Martin"


def test_an_overlong_summary_is_located() -> None:
    summary = "On-call primary: " + " (" * MAX_SUMMARY_CHARS
    event = _event().replace(
        "SUMMARY:On-call primary: Alice Martin (backend-primary)", "SUMMARY:" + summary
    )
    ((line, message),) = _feed_error(_feed(event))
    assert line == 8 and f"at most {MAX_SUMMARY_CHARS:,} are read" in message


def test_event_count_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall_planner.ical import feed_import

    monkeypatch.setattr(feed_import, "MAX_FEED_EVENTS", 3)
    assert len(from_ical(_feed(*[_event().replace("u1", f"u{i}") for i in range(3)]))) == 3
    ((line, message),) = _feed_error(_feed(*[_event().replace("u1", f"u{i}") for i in range(4)]))
    assert line == 4 + 3 * 6 and "more than 3 events" in message
    assert MAX_FEED_EVENTS >= 100_000


@pytest.mark.parametrize(
    "feed", sorted((Path(__file__).parent / "data" / "feeds").glob("*.ics")), ids=lambda p: p.name
)
def test_the_fast_reader_and_icalendar_read_feeds_alike(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Common DTSTART/DTEND shapes are read without icalendar (a 20,000-event feed took 3-5 s);
    # every other shape still goes through it. Both must give the same shifts.
    from oncall_planner.ical import feed_import

    roster = load_schedule(SCHEDULES / "backend-primary.yaml").participants.members
    data = feed.read_bytes()
    fast = from_ical(data, roster, person="alice")
    monkeypatch.setattr(feed_import, "_read_events", lambda located: None)
    slow = from_ical(data, roster, person="alice")
    assert fast == slow
    assert [s.start.utcoffset() for s in fast] == [s.start.utcoffset() for s in slow]


def test_our_tzid_feeds_take_the_fast_reader() -> None:
    from oncall_planner.ical import feed_import, to_ical
    from oncall_planner.testing import _round_robin

    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    plan = _round_robin(schedule, date(2027, 3, 1), 8, 0)
    for mode in ("utc", "tzid"):
        feed = to_ical(plan, tz_mode=mode)
        _, located = feed_import._scan(feed, None)
        assert feed_import._read_events(located) is not None, mode
        assert len(from_ical(feed, schedule.participants.members)) == len(plan.schedules[0].shifts)


@pytest.mark.parametrize("command", ["plan", "review"])
def test_year_one_feeds_fail_plan_and_review_with_the_feed_line(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # review raised OverflowError; plan reported "no rotation satisfies every rule".
    from oncall_planner.cli import main

    feed = tmp_path / "year1.ics"
    feed.write_bytes(_feed(_event(start="00010104T100000Z", end="00010111T100000Z")))
    schedule = str(SCHEDULES / "backend-primary.yaml")
    if command == "plan":
        argv = ["plan", schedule, "--start", "2027-01-04", "--weeks", "2", "--history", str(feed)]
        argv += ["-o", str(tmp_path / "plan.json")]
    else:
        pages = str(Path(__file__).parent / "data" / "pages" / "aliases.csv")
        argv = ["review", schedule, "--pages", pages, "--history", str(feed)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{feed}:6: L008" in err and "out of range" in err
    assert "no rotation satisfies" not in err
    assert not (tmp_path / "plan.json").exists()
