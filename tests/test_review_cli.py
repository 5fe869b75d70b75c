"""``oncall-planner review``: text, JSON (fixed keys), self-contained HTML, history feeds."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from oncall_planner.cli import main
from oncall_planner.health.plots import CHARTS
from tests.conftest import DATA, ROOT
from tests.test_health_metrics import fixture_plan, fixture_schedule

PAGES = DATA / "pages"
SCHEDULE = str(PAGES / "review-team.yaml")
CSV = str(PAGES / "review-team.csv")
RANGE = ["--from", "2027-03-08", "--to", "2027-04-04"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from oncall_planner.ical import to_ical

    folder = tmp_path_factory.mktemp("review")
    plan = fixture_plan(fixture_schedule())
    (folder / "plan.json").write_text(plan.to_json())
    (folder / "feed.ics").write_bytes(to_ical(plan))
    return {"plan": folder / "plan.json", "feed": folder / "feed.ics", "dir": folder}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["review", SCHEDULE, "--pages", CSV, "--plan", str(files["plan"]), *RANGE],
                       capsys)  # fmt: skip
    assert code == 0
    assert out.startswith("# On-call review 2027-03-08..2027-04-04")
    assert "| Pages | 14 (9 interruptions) |" in out
    assert "`R301` warning" in out and "`R305` info" in out
    assert "| Cem Aydin | 6 | 5 | 3 | 2 | 1 | 0 | 2 |" in out  # people by name


def test_json_has_the_fixed_keys(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["review", SCHEDULE, "--pages", CSV, "--plan", str(files["plan"]), *RANGE,
         "--format", "json"],
        capsys,
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["period"] == "2027-03-08..2027-04-04"
    assert {"pages", "incidents", "noisy_shifts", "gini", "balance"} <= set(data["team"])
    assert sorted(data["per_person"]) == ["ana", "ben", "cem", "dia"]
    person_keys = {
        "pages", "shifts", "on_call_hours", "sleep_pages", "off_hours_pages", "business_pages",
        "mtta_median_s", "mttr_median_s",
    }  # fmt: skip
    assert all(person_keys <= set(v) for v in data["per_person"].values())
    assert data["per_person"]["ana"]["on_call_hours"] == 493.0
    assert data["per_person"]["dia"]["mtta_median_s"] is None
    shift_keys = {"schedule", "layer", "person", "start", "end", "pages", "noisy"}
    assert all(shift_keys <= set(s) for s in data["shifts"])
    assert [s["noisy"] for s in data["shifts"]].count(True) == 1
    assert data["shifts"][0]["start"] == "2027-03-08T10:00:00+01:00"
    assert {f["code"] for f in data["findings"]} == {"P103", "R301", "R304", "R305"}


def test_history_feed_gives_the_same_review(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["review", SCHEDULE, "--pages", CSV, *RANGE, "--format", "json"]
    _, from_plan, _ = run([*base, "--plan", str(files["plan"])], capsys)
    code, from_feed, _ = run([*base, "--history", str(files["feed"])], capsys)
    assert code == 0
    assert json.loads(from_feed)["per_person"] == json.loads(from_plan)["per_person"]
    assert json.loads(from_feed)["shifts"] == json.loads(from_plan)["shifts"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_holds_every_chart(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = files["dir"] / "review.html"
    code, stdout, _ = run(
        ["review", SCHEDULE, "--pages", CSV, "--plan", str(files["plan"]), *RANGE,
         "--format", "html", "-o", str(out)],
        capsys,
    )  # fmt: skip
    assert code == 0 and stdout == ""
    text = out.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    tags = [t for t, _ in parser.tags]
    figures = [a.get("id") for t, a in parser.tags if t == "figure"]
    assert figures == [f"chart-{key}" for key in CHARTS]
    assert tags.count("svg") >= len(CHARTS)
    # Nothing is fetched: no scripts, stylesheets, images or frames, no http(s) src/href.
    assert not {"script", "link", "img", "iframe"} & set(tags)
    for _, attrs in parser.tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (name, value)
    assert "url(http" not in text
    assert "<table>" in text and "R301" in text


def test_review_cli_accepts_a_pagerduty_late_responder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bob was asked to respond after Alice acknowledged: the review used to exit 1 with "L004
    # acknowledged before it was paged" (and drop his page with --lenient).
    from oncall_planner import load_schedule
    from tests.test_health_metrics import round_robin_plan

    schedule_file = ROOT / "schedules" / "backend-primary.yaml"
    plan = round_robin_plan(load_schedule(schedule_file), date(2027, 1, 18), ["alice"], ["bob"])
    (tmp_path / "plan.json").write_text(plan.to_json())
    pages = str(PAGES / "pagerduty-late-responder.json")
    for extra in ([], ["--lenient"]):
        code, out, err = run(
            ["review", str(schedule_file), "--pages", pages, "--plan", str(tmp_path / "plan.json"),
             "--from", "2027-01-18", "--to", "2027-01-24", "--format", "json", *extra],
            capsys,
        )  # fmt: skip
        assert (code, err) == (0, "")
        people = json.loads(out)["per_person"]
        assert (people["alice"]["pages"], people["bob"]["pages"]) == (1, 1)
        # Alice waited 188 s; Bob was paged after the acknowledgement: no MTTA for him.
        assert people["alice"]["mtta_median_s"] == 188.0
        assert people["bob"]["mtta_median_s"] is None


def test_lenient_reports_skipped_rows(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = str(PAGES / "bad-rows.csv")
    base = ["review", SCHEDULE, "--pages", bad, "--plan", str(files["plan"]), "--format", "json"]
    code, _, err = run(base, capsys)
    assert code == 1
    assert "bad-rows.csv:3: L004 error: row[2].paged_at" in err
    code, out, err = run([*base, "--lenient"], capsys)
    assert code == 0
    assert "skipped 5 bad row(s)" in err
    assert json.loads(out)["team"]["skipped_rows"] == 5


@pytest.mark.parametrize(
    "extra",
    [
        ["--quarter", "2027Q5"],
        ["--quarter", "2027Q1", "--from", "2027-01-01", "--to", "2027-01-31"],
        ["--from", "2027-01-01"],
        ["--from", "01/02/2027", "--to", "2027-01-31"],
    ],
)
def test_usage_errors(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    code, _, err = run(
        ["review", SCHEDULE, "--pages", CSV, "--plan", str(files["plan"]), *extra], capsys
    )
    assert code == 2
    assert "error:" in err


def test_missing_files_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["review", SCHEDULE, "--pages", "nope.csv", "--plan", "x.json"], capsys)
    assert code == 2 and "no such pages file: nope.csv" in err


@pytest.mark.parametrize(
    "content",
    [b"not a calendar\n", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"],
    ids=["not-a-feed", "no-member-shifts"],
)
def test_bad_history_feed_names_the_file(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    feed = files["dir"] / f"bad-{len(content)}.ics"
    feed.write_bytes(content)
    code, _, err = run(["review", SCHEDULE, "--pages", CSV, "--history", str(feed)], capsys)
    assert code == 1
    assert err.startswith(f"{feed}:") and "L008" in err and "<input>" not in err


def test_lazy_imports() -> None:
    # Building the CLI never loads pandas or matplotlib; a review never loads ortools.
    code = (
        "import sys\n"
        "import oncall_planner, oncall_planner.cli.review\n"
        "assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules\n"
        "from tests.test_health_metrics import fixture_plan, fixture_schedule\n"
        "from oncall_planner import review\n"
        "s = fixture_schedule()\n"
        "r = review('tests/data/pages/review-team.csv', fixture_plan(s), s)\n"
        "r.to_html()\n"
        "assert 'pandas' in sys.modules and 'matplotlib' in sys.modules\n"
        "assert 'ortools' not in sys.modules, 'the review must not import ortools'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
