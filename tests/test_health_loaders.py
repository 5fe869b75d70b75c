"""Page-export loaders: the generic CSV, PagerDuty, Opsgenie and Grafana OnCall samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncall_planner import PageEvent, PageLog, PagesFileError, load_pages
from oncall_planner.health.pages import PagesFormat
from tests.conftest import DATA

PAGES = DATA / "pages"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_generic_csv_keeps_offsets_and_sorts() -> None:
    log = load_pages(PAGES / "review-team.csv")
    f = log.frame
    assert len(log) == 14 and log.skipped == 0
    assert str(f["paged_at"].dtype) == "datetime64[ns, UTC]"
    assert f["paged_at"].is_monotonic_increasing
    first = f.iloc[0]
    assert first["page_id"] == "p1"
    assert first["paged_at"] == utc("2027-03-09T20:59:59Z")  # 21:59:59+01:00
    assert first["acknowledged_at"] == utc("2027-03-09T21:09:59Z")
    # The CEST offset (+02:00) after March 28 is honoured.
    c2 = f.set_index("page_id").loc["c2"]
    assert c2["paged_at"] == utc("2027-03-28T01:30:00Z")
    assert f.set_index("page_id").loc["p7", "channel"] == "email"
    assert pd.isna(f.set_index("page_id").loc["p7", "acknowledged_at"])


def test_csv_header_aliases() -> None:
    f = load_pages(PAGES / "aliases.csv").frame
    assert f["incident_id"].tolist() == ["PX1", "PX2", "PX3"]
    assert f["recipient"].tolist() == ["alice@example.com", "Bob Okafor", "carol"]
    assert f["severity"].tolist() == ["P1", "P3", "P4"]
    assert f["service"].tolist() == ["payments-api", "search", "reports"]
    assert f["channel"].tolist() == ["phone", "push", "email"]
    # No page_id column: ids are synthesised from the row number.
    assert f["page_id"].tolist() == ["row-1", "row-2", "row-3"]
    # "Z", "+00:00" and "-05:00" all parse.
    assert f["paged_at"].iloc[2] == utc("2027-01-13T23:05:00Z")
    # A quoted field with a comma stays one field.
    assert len(f) == 3


def test_pagerduty_log_entries() -> None:
    f = load_pages(PAGES / "pagerduty-log-entries.json").frame
    # Only notify_log_entry records are pages: three for Q1ABCDEF, one for Q2GHIJKL.
    assert f["page_id"].tolist() == ["R0NOTIFY1A", "R0NOTIFY1B", "R0NOTIFY1C", "R0NOTIFY2A"]
    assert f["recipient"].tolist()[:3] == ["alice@example.com"] * 2 + ["bob@example.com"]
    assert f["recipient"].iloc[3] == "Carol Nguyen"  # no email: the user's summary (name)
    assert f["channel"].tolist() == ["phone", "push", "sms", "email"]
    # Acknowledge and resolve entries give the incident's times, for every page of it.
    assert set(f["acknowledged_at"].iloc[:3]) == {utc("2027-01-12T03:21:40Z")}
    assert set(f["resolved_at"].iloc[:3]) == {utc("2027-01-12T05:44:07Z")}
    assert pd.isna(f["resolved_at"].iloc[3])
    assert f["severity"].tolist() == ["SEV1", "SEV1", "SEV1", "low"]
    assert f["paged_at"].iloc[3] == utc("2027-01-14T14:02:01Z")


def test_opsgenie_alerts() -> None:
    f = load_pages(PAGES / "opsgenie-alerts.json").frame
    assert len(f) == 3
    first = f.iloc[0]
    assert first["recipient"] == "dan@example.com"
    # ackTime / closeTime are milliseconds after createdAt.
    assert first["acknowledged_at"] == utc("2027-02-02T01:09:00Z")
    assert first["resolved_at"] == utc("2027-02-02T02:40:00Z")
    assert f["severity"].tolist() == ["SEV2", "SEV3", "SEV4"]  # P2, P3, P5
    assert f["service"].tolist() == ["db-2", "checkout", "cert-monitor"]
    assert pd.isna(f["acknowledged_at"].iloc[2])  # never acknowledged


def test_grafana_alert_groups_strict_and_lenient() -> None:
    # The third group was never acknowledged or resolved: nobody to attribute it to.
    with pytest.raises(PagesFileError) as err:
        load_pages(PAGES / "grafana-alert-groups.json")
    (finding,) = err.value.findings
    assert finding.file is not None and finding.file.endswith("grafana-alert-groups.json")
    assert "row 3" in finding.message and "acknowledged_by" in finding.message
    log = load_pages(PAGES / "grafana-alert-groups.json", lenient=True)
    assert log.skipped == 1
    f = log.frame
    assert f["recipient"].tolist() == ["alice", "carol"]  # acknowledged_by, else resolved_by
    assert f["severity"].tolist() == ["critical", ""]
    assert f["service"].tolist() == ["api", "CFRPV98RPR1U8"]  # label, else integration


def test_explicit_format_and_detection(tmp_path: Path) -> None:
    # A JSON list of log entries (no wrapper object) is still PagerDuty.
    import json

    data = json.loads((PAGES / "pagerduty-log-entries.json").read_text())["log_entries"]
    path = tmp_path / "export.txt"
    path.write_text(json.dumps(data))
    assert len(load_pages(path)) == 4
    assert len(load_pages(path, format="pagerduty")) == 4
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"items": []}')
    with pytest.raises(PagesFileError, match="cannot tell which export"):
        load_pages(unknown)


@pytest.mark.parametrize(
    ("fmt", "key"), [("pagerduty", "log_entries"), ("opsgenie", "data"), ("grafana", "results")]
)
def test_an_explicit_format_that_does_not_fit_is_an_error(fmt: PagesFormat, key: str) -> None:
    # An export of another source must not load as zero pages and review as a quiet quarter.
    other = "pagerduty-log-entries.json" if fmt != "pagerduty" else "opsgenie-alerts.json"
    with pytest.raises(PagesFileError) as err:
        load_pages(PAGES / other, format=fmt)
    (finding,) = err.value.findings
    assert finding.file and finding.file.endswith(other)
    assert f"an object with a {key!r} list" in finding.message


def test_bad_rows_name_file_row_and_column() -> None:
    with pytest.raises(PagesFileError) as err:
        load_pages(PAGES / "bad-rows.csv")
    got = [(f.line, f.path) for f in err.value.findings]
    assert got == [
        (3, "row[2].paged_at"),  # naive time
        (4, "row[3].recipient"),  # empty
        (5, "row[4].acknowledged_at"),  # acknowledged before paged
        (6, "row[5].paged_at"),  # February 30
        (7, "row[6]"),  # ten fields
    ]
    messages = [f.message for f in err.value.findings]
    assert "not an ISO-8601 time with a UTC offset, got '2027-01-12 11:00:00'" in messages[0]
    assert "not a valid time" in messages[3]
    assert all(f.file and f.file.endswith("bad-rows.csv") for f in err.value.findings)
    assert str(err.value).startswith("5 problems:")


def test_lenient_skips_bad_rows_and_counts_them() -> None:
    log = load_pages(PAGES / "bad-rows.csv", lenient=True)
    assert log.skipped == 5
    assert log.frame["page_id"].tolist() == ["b1", "b7"]
    assert len(log.problems) == 5


def test_missing_columns_and_unreadable_files(tmp_path: Path) -> None:
    headerless = tmp_path / "p.csv"
    headerless.write_text("id,when,who\n1,2027-01-01T00:00:00Z,alice\n")
    with pytest.raises(PagesFileError) as err:
        load_pages(headerless)
    assert "no column for paged_at" in err.value.findings[0].message
    assert err.value.findings[0].line == 1
    broken = tmp_path / "p.json"
    broken.write_text('{"log_entries": [')
    with pytest.raises(PagesFileError, match="not valid JSON"):
        load_pages(broken)
    with pytest.raises(PagesFileError, match="cannot read"):
        load_pages(tmp_path / "missing.csv")


def test_page_events_build_a_log() -> None:
    log = PageLog.from_events(
        [
            PageEvent(
                page_id="b",
                paged_at=pd.Timestamp("2027-01-01T12:00:00+01:00").to_pydatetime(),
                recipient="bob",
                channel="Phone",
            ),
            PageEvent(
                page_id="a",
                paged_at=pd.Timestamp("2027-01-01T10:00:00+00:00").to_pydatetime(),
                recipient="alice",
            ),
        ]
    )
    # 12:00+01:00 is 11:00 UTC, after alice's 10:00 UTC: the log is in time order.
    assert log.frame["page_id"].tolist() == ["a", "b"]
    assert log.frame["paged_at"].tolist() == [utc("2027-01-01T10:00Z"), utc("2027-01-01T11:00Z")]
    assert log.frame["incident_id"].tolist() == ["a", "b"]  # defaults to the page id
    assert log.frame["channel"].tolist() == ["push", "phone"]


# -- pages after the incident's acknowledgement (issue 10) -----------------------------------


@pytest.mark.parametrize("lenient", [False, True])
def test_pagerduty_late_responder_not_rejected(lenient: bool) -> None:
    # Alice acknowledged at 02:03:10; at 02:25 she asked Bob to respond, and PagerDuty notified
    # him (a notify_log_entry after the acknowledgement). It used to fail as "L004 acknowledged
    # before it was paged", and --lenient silently dropped Bob's page.
    log = load_pages(PAGES / "pagerduty-late-responder.json", lenient=lenient)
    assert (log.skipped, log.problems) == (0, ())
    f = log.frame
    assert f["page_id"].tolist() == ["RLNOTIFYA", "RLNOTIFYB"]
    assert f["recipient"].tolist() == ["alice@example.com", "bob@example.com"]
    # Both pages carry the incident's first acknowledgement and its resolution.
    assert set(f["acknowledged_at"]) == {utc("2027-01-20T02:03:10Z")}
    assert set(f["resolved_at"]) == {utc("2027-01-20T03:40:00Z")}
    assert f["paged_at"].iloc[1] > f["acknowledged_at"].iloc[1]


@pytest.mark.parametrize("lenient", [False, True])
def test_csv_late_responder_not_rejected(lenient: bool) -> None:
    log = load_pages(PAGES / "late-responder.csv", lenient=lenient)
    assert (log.skipped, len(log)) == (0, 2)
    assert log.frame["recipient"].tolist() == ["alice", "bob"]


def test_page_events_late_responder_not_rejected() -> None:
    def at(text: str) -> Any:
        return pd.Timestamp(text).to_pydatetime()

    ack = at("2027-01-20T02:03:10Z")
    log = PageLog.from_events(
        [
            PageEvent(incident_id="i", paged_at=at("2027-01-20T02:00:02Z"), recipient="alice",
                      acknowledged_at=ack),
            PageEvent(incident_id="i", paged_at=at("2027-01-20T02:25:01Z"), recipient="bob",
                      acknowledged_at=ack),
        ]
    )  # fmt: skip
    assert log.frame["recipient"].tolist() == ["alice", "bob"]


def test_an_incident_acknowledged_before_its_first_page_is_still_an_error(tmp_path: Path) -> None:
    # Every page of i1 came after the acknowledgement: nobody could have acknowledged it, so
    # the times are wrong (a time zone, most often) and both rows are reported.
    path = tmp_path / "pages.csv"
    path.write_text(
        "page_id,incident_id,paged_at,recipient,acknowledged_at,resolved_at\n"
        "a,i1,2027-01-20T03:00:00+01:00,alice,2027-01-20T02:30:00+01:00,\n"
        "b,i1,2027-01-20T03:05:00+01:00,bob,2027-01-20T02:30:00+01:00,\n"
        "c,i2,2027-01-20T04:00:00+01:00,bob,,2027-01-20T03:59:00+01:00\n"
    )
    with pytest.raises(PagesFileError) as err:
        load_pages(path)
    got = [(f.path, f.message.split(", got")[0]) for f in err.value.findings]
    assert got == [
        ("row[1].acknowledged_at", "row 1, column 'acknowledged_at': acknowledged before the "
         "incident's first page"),
        ("row[2].acknowledged_at", "row 2, column 'acknowledged_at': acknowledged before the "
         "incident's first page"),
        ("row[3].resolved_at", "row 3, column 'resolved_at': resolved before the incident's "
         "first page"),
    ]  # fmt: skip
    assert load_pages(path, lenient=True).skipped == 3
