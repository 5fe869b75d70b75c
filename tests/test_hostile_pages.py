"""Hostile page exports: each becomes a located error, never a traceback (issue 13).

Reproducers: a year-9999 or year-0001 time raised pandas' OutOfBoundsDatetime; a 10 MB quoted
CSV field ``_csv.Error: field larger than field limit``; Grafana ``labels: 5`` a TypeError;
deeply nested JSON a RecursionError; a non-UTF-8 CSV an L007 without a line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncall_planner import PageEvent, PageLog, PagesFileError, load_pages
from oncall_planner._io import MAX_JSON_DEPTH
from oncall_planner.cli import main
from oncall_planner.errors import PlanFileError
from oncall_planner.health.pages import EARLIEST_TIME, LATEST_TIME, MAX_ROW_CHARS
from oncall_planner.plans import Plan
from tests.conftest import DATA

PAGES = DATA / "pages"
GOOD = "2027-01-04T10:00:00+01:00"


def _csv(tmp_path: Path, *rows: str, header: str = "paged_at,recipient,service") -> Path:
    path = tmp_path / "pages.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _only(error: pytest.ExceptionInfo[PagesFileError]) -> str:
    assert len(error.value.findings) == 1, error.value.findings
    return error.value.findings[0].format()


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00+00:00", "0001-01-01T10:00:00+00:00"])
def test_times_outside_the_range_are_located(tmp_path: Path, when: str) -> None:
    path = _csv(tmp_path, f"{GOOD},alice,api", f"{when},bob,db")
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    assert _only(error) == (
        f"{path}:3: L004 error: row[2].paged_at: row 2, column 'paged_at': outside the accepted "
        f"range of times, got '{when}' (hint: times lie between 1970-01-01 and 2199-12-31 (UTC); "
        "check the export's time column)"
    )
    log = load_pages(path, lenient=True)
    assert (len(log), log.skipped) == (1, 1)


def test_the_time_range_edges(tmp_path: Path) -> None:
    assert datetime(1970, 1, 1, tzinfo=UTC) == EARLIEST_TIME
    assert datetime(2200, 1, 1, tzinfo=UTC) == LATEST_TIME
    inside = ["1970-01-01T00:00:00Z", "2199-12-31T23:59:59.999999Z", "1970-01-01T01:00:00+01:00"]
    outside = ["1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "1970-01-01T00:59:59+01:00"]
    path = _csv(tmp_path, *(f"{t},p{i},x" for i, t in enumerate(inside + outside)))
    log = load_pages(path, lenient=True)
    assert sorted(log.frame["recipient"]) == ["p0", "p1", "p2"]
    assert [f.path for f in log.problems] == [
        "row[4].paged_at",
        "row[5].paged_at",
        "row[6].paged_at",
    ]


def test_out_of_range_ack_and_json_and_python_events(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, f"{GOOD},alice,9999-01-01T00:00:00Z", header="paged_at,recipient,acknowledged_at"
    )
    with pytest.raises(PagesFileError, match=r"row\[1\]\.acknowledged_at.*outside the accepted"):
        load_pages(path)
    grafana = tmp_path / "grafana.json"
    group = {"id": "G1", "created_at": "0001-01-01T00:00:00Z", "acknowledged_by": "a",
             "alerts_count": 1}  # fmt: skip
    grafana.write_text(json.dumps({"results": [group]}))
    with pytest.raises(PagesFileError, match=r"row\[1\]\.created_at.*outside the accepted"):
        load_pages(grafana)
    far = PageEvent(paged_at=datetime(9999, 1, 1, tzinfo=UTC), recipient="alice")
    with pytest.raises(PagesFileError, match="outside the accepted range"):
        PageLog.from_events([far])


@pytest.mark.parametrize("ms", [1e300, 10**400, "1e400", float("inf"), {"ms": 1}, [1]])
def test_opsgenie_absurd_ack_times_are_row_errors(tmp_path: Path, ms: object) -> None:
    path = tmp_path / "opsgenie.json"
    alert = {"id": "A1", "createdAt": "2027-02-02T01:05:00.000Z", "owner": "alice",
             "report": {"ackTime": 0}}  # fmt: skip
    text = json.dumps({"data": [alert]}).replace('"ackTime": 0', f'"ackTime": {json.dumps(ms)}')
    if ms == 10**400:
        text = text.replace('"ackTime": 0', '"ackTime": ' + "9" * 400)
    path.write_text(text)
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    assert error.value.findings[0].path == "row[1].report.ackTime"


def test_a_10_mb_quoted_field_is_a_located_row_error(tmp_path: Path) -> None:
    huge = '"' + "x" * 10_000_000 + '"'
    path = _csv(tmp_path, f"{GOOD},alice,api", f"{GOOD},bob,{huge}", f"{GOOD},carol,db")
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    assert _only(error) == (
        f"{path}:3: L006 error: row[2]: row 2 is longer than 65,536 characters, got 10,000,032 "
        "characters (hint: a page record is a dozen short fields; check the quoting of the export)"
    )
    log = load_pages(path, lenient=True)
    assert sorted(log.frame["recipient"]) == ["alice", "carol"] and log.skipped == 1


def test_a_huge_field_over_many_lines_stops_the_load_with_its_line(tmp_path: Path) -> None:
    # Quoted line breaks: only the csv module can split rows, and it refuses fields > 128 KiB.
    spread = '"' + ("y" * 99 + "\n") * 3000 + '"'
    path = _csv(tmp_path, f'{GOOD},alice,"a\nb"', f"{GOOD},bob,{spread}", f"{GOOD},carol,db")
    for lenient in (False, True):
        with pytest.raises(PagesFileError) as error:
            load_pages(path, lenient=lenient)
        finding = error.value.findings[0]
        assert (finding.code, finding.line, finding.path) == ("L006", 4, "row[2]")
        assert "over the csv module's limit of 131,072" in finding.message


def test_a_quoted_row_just_over_the_limit_in_csv_mode(tmp_path: Path) -> None:
    # The record (fields and commas, without the quotes) is one character over the limit.
    value = "z" * (MAX_ROW_CHARS - len(f"{GOOD},bob,") + 1)
    long = f'{GOOD},bob,"{value}"'
    path = _csv(tmp_path, f'{GOOD},alice,"a\nb"', long)
    log = load_pages(path, lenient=True)
    assert [f.path for f in log.problems] == ["row[2]"] and list(log.frame["recipient"]) == [
        "alice"
    ]


def test_a_row_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    start = f"{GOOD},alice,"
    path = _csv(tmp_path, start + "s" * (MAX_ROW_CHARS - len(start)))
    assert len(load_pages(path)) == 1
    path = _csv(tmp_path, start + "s" * (MAX_ROW_CHARS - len(start) + 1))
    with pytest.raises(PagesFileError, match="longer than 65,536 characters, got 65,537"):
        load_pages(path)


def test_a_huge_header_is_located(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{GOOD},alice,x", header="paged_at,recipient," + "h" * 200_000)
    with pytest.raises(PagesFileError, match=r":1: L006 error: header: the header is longer"):
        load_pages(path)


@pytest.mark.parametrize("labels", [5, "severity=SEV1", {"severity": "SEV1"}, True])
def test_grafana_labels_of_the_wrong_type(tmp_path: Path, labels: object) -> None:
    data = json.loads((PAGES / "grafana-alert-groups.json").read_text())
    data["results"][1]["labels"] = labels
    path = tmp_path / "grafana.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    wrong = [f for f in error.value.findings if f.path == "row[2].labels"]
    assert len(wrong) == 1 and f"got {labels!r}" in wrong[0].message
    assert "expected a list of {key, value} objects" in wrong[0].message
    log = load_pages(path, lenient=True)
    assert "row[2].labels" in [f.path for f in log.problems]
    assert len(log) == len(load_pages(PAGES / "grafana-alert-groups.json", lenient=True)) - 1


def test_grafana_group_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "grafana.json"
    good = {"id": "G1", "created_at": "2027-03-01T23:40:00Z", "acknowledged_by": "alice",
            "alerts_count": 1}  # fmt: skip
    path.write_text(json.dumps({"results": [good, 5, good | {"id": "G2"}]}))
    with pytest.raises(PagesFileError, match=r"row\[2\]: row 2: an alert group is a JSON object"):
        load_pages(path)
    assert len(load_pages(path, lenient=True)) == 2


def test_deeply_nested_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"results": [\n  ' + "[" * 100_000 + "]" * 100_000 + "\n]}")
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    assert _only(error) == (
        f"{path}:2:{MAX_JSON_DEPTH + 1}: L006 error: JSON nested deeper than 64 levels of arrays "
        "and objects (hint: at most 64 levels are read; real exports nest about 6)"
    )


def test_nesting_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    group = {"id": "G1", "created_at": "2027-03-01T23:40:00Z", "acknowledged_by": "alice",
             "alerts_count": 1}  # fmt: skip
    text = json.dumps({"results": [group]})
    # {"results": [ {...} ]} is 3 levels; "extra" adds MAX_JSON_DEPTH - 3 more.
    extra = "[" * (MAX_JSON_DEPTH - 3) + "]" * (MAX_JSON_DEPTH - 3)
    path = tmp_path / "grafana.json"
    path.write_text(text.replace('"alerts_count"', f'"extra": {extra}, "alerts_count"'))
    assert len(load_pages(path)) == 1
    path.write_text(text.replace('"alerts_count"', f'"extra": [{extra}], "alerts_count"'))
    with pytest.raises(PagesFileError, match="nested deeper than 64"):
        load_pages(path)


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    group = {"id": "[" * 500, "created_at": "2027-03-01T23:40:00Z", "acknowledged_by": "}" * 500,
             "alerts_count": 1}  # fmt: skip
    path = tmp_path / "grafana.json"
    path.write_text(json.dumps({"results": [group]}))
    assert len(load_pages(path)) == 1


def test_deeply_nested_plan_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("[" * 50_000)
    with pytest.raises(PlanFileError, match=r"plan.json:1:65: L006 error: JSON nested deeper"):
        Plan.read(path)


def test_non_utf8_csv_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"paged_at,recipient\n{GOOD},alice\n{GOOD},Jos\xe9\n".encode("latin-1"))
    with pytest.raises(PagesFileError) as error:
        load_pages(path)
    assert _only(error) == (
        f"{path}:3:30: L007 error: not UTF-8 text: byte 0xe9 cannot be decoded (invalid "
        "continuation byte) (hint: export or save the file as UTF-8)"
    )
    path.write_bytes(f"\ufeffpaged_at,recipient\n{GOOD},José\n".encode())  # a BOM is fine
    assert list(load_pages(path).frame["recipient"]) == ["José"]


def test_review_cli_reports_a_hostile_export_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, "9999-12-31T23:00:00+00:00,alice,api")
    plan = tmp_path / "plan.json"
    from tests.test_health_metrics import fixture_plan, fixture_schedule

    plan.write_text(fixture_plan(fixture_schedule()).to_json())
    schedule = str(PAGES / "review-team.yaml")
    code = main(["review", schedule, "--pages", str(path), "--plan", str(plan),
                 "--from", "2027-03-08", "--to", "2027-04-04"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"{path}:2: L004 error: row[1].paged_at: ")
    assert "Traceback" not in err


def test_a_lone_carriage_return_ends_a_row_everywhere(tmp_path: Path) -> None:
    # pandas and the csv module took "\r" for a row end and split("\n") did not: an IndexError,
    # or _csv.Error "new-line character seen in unquoted field".
    path = tmp_path / "pages.csv"
    path.write_text(f'paged_at,recipient\r{GOOD},"alice"\r{GOOD},bob\r\nbad,carol\n', newline="")
    log = load_pages(path, lenient=True)
    assert sorted(log.frame["recipient"]) == ["alice", "bob"]
    assert [(f.line, f.path) for f in log.problems] == [(4, "row[3].paged_at")]


@pytest.mark.parametrize("row", ['x,a"+01:00,"2027', '"a""', 'a,"b'])
def test_stray_quotes_are_row_errors_not_parser_errors(tmp_path: Path, row: str) -> None:
    # 'a,"b' left a quote open for pandas ("EOF inside string") but not for the csv module.
    path = _csv(tmp_path, f"{GOOD},alice,api", row, header="paged_at,recipient,service")
    log = load_pages(path, lenient=True)
    assert list(log.frame["recipient"]) == ["alice"]
    assert [f.path[:6] for f in log.problems] == ["row[2]"]
    with pytest.raises(PagesFileError):
        load_pages(path)
