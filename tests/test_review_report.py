"""The review as people read it: findings grouped per rule, one MTTA format, names, charts.

Regression tests for issue 10's HTML report defects: 26 one-per-shift R301 lines buried P103,
R303 and R304; "S" marked both secondary and shadow in the shift chart; MTTA read "78 s" in one
place and "2.0 min" in another; stipend weeks printed as "3.375"; the people table showed ids.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from oncall_planner import (
    Layer,
    Plan,
    QuarterlyReview,
    SchedulePlan,
    Shift,
    load_pages,
    load_schedule,
    review,
    synthetic_pages,
)
from oncall_planner.expand import expand
from oncall_planner.health.plots import LAYER_LETTERS
from tests.conftest import SCHEDULES
from tests.test_health_metrics import PAGES, PERIOD, fixture_plan, fixture_schedule

PEOPLE = ["alice", "bob", "carol", "dan", "erin"]


@pytest.fixture(scope="module")
def noisy() -> QuarterlyReview:
    """A noisy quarter of backend-primary, with frank shadowing the first two weeks."""
    schedule = load_schedule(SCHEDULES / "backend-primary.yaml")
    weeks = expand(schedule, date(2026, 12, 28), 14).weeks
    shifts = []
    for w in weeks:
        for layer, person in (
            (Layer.PRIMARY, PEOPLE[w.index % 5]),
            (Layer.SECONDARY, PEOPLE[(w.index + 2) % 5]),
        ):
            shifts.append(Shift(week=w.index, layer=layer, person=person, start=w.start,
                                end=w.end))  # fmt: skip
        if w.index < 2:
            shifts.append(Shift(week=w.index, layer=Layer.SHADOW, person="frank",
                                start=w.start, end=w.end))  # fmt: skip
    plan = Plan(
        schedules=(
            SchedulePlan(name=schedule.name, timezone=schedule.timezone,
                         start=date(2026, 12, 28), weeks=14, shifts=tuple(shifts)),
        )
    ).annotate([schedule])  # fmt: skip
    pages = synthetic_pages(plan, schedule, seed=3, incidents_per_week=12)
    return review(pages, plan, schedule, "2027Q1")


@pytest.fixture(scope="module")
def small() -> QuarterlyReview:
    schedule = fixture_schedule()
    return review(load_pages(PAGES / "review-team.csv"), fixture_plan(schedule), schedule, PERIOD)


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_repeated_findings_are_grouped_per_rule_in_html(noisy: QuarterlyReview) -> None:
    codes = [f.code for f in noisy.findings]
    assert codes.count("R301") > 10  # the burying case
    assert len(set(codes)) >= 3
    findings = _section(noisy.to_html(charts=False), "<h2>Findings</h2>", "<h2>")
    top = re.findall(r"<li>(?:<details><summary>)?<code>(\w+)</code>", findings)
    # One top-level line per rule, warnings before infos, codes in order.
    assert top == sorted(
        set(codes), key=lambda c: (next(f for f in noisy.findings if f.code == c).severity.rank, c)
    )
    assert findings.count("<code>R301</code>") == 1
    assert f"{codes.count('R301')} noisy-shift findings: week[" in findings
    # Every finding is still there, one click away, weeks in numeric order.
    for f in noisy.findings:
        assert html.escape(f.message) in findings
    weeks = [int(w) for w in re.findall(r"backend-primary week (\d+) ", findings)]
    assert weeks and weeks == sorted(weeks)


def test_repeated_findings_are_grouped_per_rule_in_markdown(noisy: QuarterlyReview) -> None:
    lines = _section(noisy.to_markdown(), "## Findings\n\n", "\n\n").splitlines()
    assert len(lines) == len(noisy.findings.codes())
    r301 = next(line for line in lines if line.startswith("- `R301` warning: "))
    assert "week[10].primary" in r301 or "week[10].secondary" in r301


def test_shift_chart_letters_distinct_for_secondary_and_shadow(noisy: QuarterlyReview) -> None:
    assert len(set(LAYER_LETTERS.values())) == len(LAYER_LETTERS) == len(Layer)
    fig = noisy.plot("shift_pages")
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    shifts = noisy.per_shift.reset_index(drop=True)
    letters: dict[str, set[str]] = {}
    for label, layer in zip(labels, shifts["layer"], strict=True):
        letters.setdefault(str(layer), set()).add(label.split(" ")[1])
    assert letters == {"primary": {"P"}, "secondary": {"S"}, "shadow": {"Sh"}}
    assert "Sh shadow" in fig.axes[0].get_title()


_RESPONSE = re.compile(r"^(\d+\.\d min|–)$")


def test_mtta_formatted_one_way_everywhere(noisy: QuarterlyReview, small: QuarterlyReview) -> None:
    for rv in (noisy, small):
        head, rows = rv._people_table()
        cells = [r[head.index(c)] for r in rows for c in ("MTTA med", "MTTR med")]
        assert cells and all(_RESPONSE.match(c) for c in cells), cells
        summary = dict(rv._summary_lines())["Median MTTA / MTTR"]
        assert all(_RESPONSE.match(part) for part in summary.split(" / ")), summary
    # Sub-two-minute and longer times read alike: ben's 121 s is 2.0 min, cem's 60 s 1.0 min.
    head, rows = small._people_table()
    mtta = {r[0]: r[head.index("MTTA med")] for r in rows}
    assert mtta == {"Ana Weber": "5.0 min", "Ben Carter": "2.0 min", "Cem Aydin": "1.0 min",
                    "Dia Moore": "–"}  # fmt: skip
    (r304,) = [f for f in small.findings if f.code == "R304"]
    assert "is 7.5 min, above the SEV1 target of 5.0 min" in r304.message


def test_stipend_weeks_not_printed_as_three_decimals(small: QuarterlyReview) -> None:
    # ana: 2 weeks + 158/168 of a cut week = 2.9405 stipend weeks: 2.9 in the tables.
    assert small.per_person.loc["ana", "stipend_weeks"] == pytest.approx(2.94, abs=1e-3)
    head, rows = small._people_table()
    stipend = {r[0]: r[head.index("stipend wk")] for r in rows}
    assert stipend == {"Ana Weber": "2.9", "Ben Carter": "2.9", "Cem Aydin": "2.0",
                       "Dia Moore": "0.0"}  # fmt: skip
    assert small.to_dict()["per_person"]["ana"]["stipend_weeks"] == 2.94


def test_people_table_shows_names_not_ids(small: QuarterlyReview) -> None:
    people = _section(small.to_markdown(), "## People\n\n", "\n\n")
    assert "| Ana Weber | 5 |" in people and "| ana |" not in people
    html = _section(small.to_html(charts=False), "<h2>People</h2>", "<h2>")
    assert "<td>Cem Aydin</td>" in html and "<td>cem</td>" not in html


def test_review_groups_findings_as_check_does(noisy: QuarterlyReview) -> None:
    # One grouping for check's text output and the review: report.group_findings.
    from oncall_planner.report import group_findings

    groups = group_findings(noisy.findings)
    lines = _section(noisy.to_markdown(), "## Findings\n\n", "\n\n").splitlines()
    assert [line.split("`")[1] for line in lines] == [g.code for g in groups]
    findings = _section(noisy.to_html(charts=False), "<h2>Findings</h2>", "<h2>")
    for g in groups:
        if len(g.findings) > 1:
            # Inside each group, the findings in the order check prints them.
            each = re.findall(r"<li>([^<]*)</li>", findings.split(f"<code>{g.code}</code>")[1])
            assert each[: len(g.findings)] == [html.escape(f.message) for f in g.findings]
