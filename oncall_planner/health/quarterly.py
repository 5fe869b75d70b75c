"""``review()`` and :class:`QuarterlyReview`: tables, findings, charts, Markdown, JSON, HTML."""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from oncall_planner import _args
from oncall_planner.health.compute import Settings, compute, format_response_time
from oncall_planner.health.pages import PageLog
from oncall_planner.health.period import Period
from oncall_planner.loader import Org
from oncall_planner.plans import Plan
from oncall_planner.report import FindingGroup, Report, group_findings
from oncall_planner.rules import RULES
from oncall_planner.spec import Schedule, SeverityFramework

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["QuarterlyReview", "review"]

#: Keys of each ``per_person`` entry in the JSON (a fixed interface: extend, never rename).
PERSON_KEYS = (
    "name",
    "pages",
    "interruptions",
    "incidents",
    "shifts",
    "shadow_shifts",
    "on_call_hours",
    "on_call_share",
    "sleep_pages",
    "off_hours_pages",
    "business_pages",
    "sleep_interruptions",
    "off_rotation_pages",
    "mtta_median_s",
    "mtta_p90_s",
    "mttr_median_s",
    "mttr_p90_s",
    "stipend_weeks",
    "after_hours_incident_hours",
    "rest_owed",
    "in_team",
    "timezone",
)
#: Keys added to each ``per_person`` entry when the plan has coverage windows: paged hours
#: between 22:00 and 08:00 in the person's zone (``oncall_planner.windows.night_hours``).
WINDOW_PERSON_KEYS = ("night_hours",)
#: Keys added to each ``shifts`` entry when the plan has coverage windows.
WINDOW_SHIFT_KEYS = ("window",)
#: Keys of each ``shifts`` entry in the JSON.
SHIFT_KEYS = (
    "schedule",
    "week",
    "layer",
    "person",
    "start",
    "end",
    "hours",
    "pages",
    "incidents",
    "interruptions",
    "sleep_pages",
    "limit",
    "noisy",
    "periods_12h",
    "periods_over_budget",
    "override",
)


def _plain(value: Any) -> Any:
    """numpy/pandas scalars → JSON-ready Python values (NaN/NaT → None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


@dataclass(frozen=True)
class QuarterlyReview:
    """A review of pager load over a period: what :func:`review` returns.

    Attributes:
        period: The period reviewed.
        schedules: Names of the schedules reviewed.
        zone: The time zone of days and weeks (the first schedule's).
        team: Team totals and fairness statistics (the ``team`` key of the JSON).
        per_person: One row per person (index: member id).
        per_shift: One row per shift overlapping the period.
        per_week: Pages per ISO week (Monday start, schedule zone).
        per_day: Pages per day with the trailing mean.
        incidents: One row per incident.
        pages: The pages of the period, annotated (person, local hour, weekday, bucket,
            interruption, shift index, response times). ``mtta_s`` is set on each person's
            first page of each incident when it came before the acknowledgement, and NaN on
            every other page (see :func:`~oncall_planner.health.compute.mtta_seconds`).
        findings: Health findings (R301–R306, P103).
        settings: The thresholds applied.
        limits: Schedule → ``alert_if_pages_exceed``.
        compensation: Schedule → its compensation policy.
        windows: The coverage windows of the reviewed plan (empty without windows). With
            windows, the JSON, Markdown and HTML gain a window per shift, each person's night
            hours and the pages per window; without, they are as before.
        per_window: Pages, interruptions and sleep-hour pages per window.
    """

    period: Period
    schedules: tuple[str, ...]
    zone: str
    team: dict[str, Any]
    per_person: pd.DataFrame
    per_shift: pd.DataFrame
    per_week: pd.DataFrame
    per_day: pd.DataFrame
    incidents: pd.DataFrame
    pages: pd.DataFrame
    findings: Report
    settings: Settings = field(default_factory=Settings)
    limits: dict[str, int] = field(default_factory=dict)
    compensation: dict[str, dict[str, bool]] = field(default_factory=dict)
    windows: tuple[str, ...] = ()
    per_window: pd.DataFrame = field(default_factory=pd.DataFrame)

    # -- charts ----------------------------------------------------------------------------

    def figures(self) -> dict[str, Figure]:
        """Every chart, by id: heatmap, shift_pages, person_pages, buckets, trend."""
        from oncall_planner.health.plots import CHARTS

        return {key: fn(self) for key, (_, fn) in CHARTS.items()}

    def plot(self, chart: str) -> Figure:
        """One chart by id (see :meth:`figures`)."""
        from oncall_planner.health.plots import CHARTS

        try:
            return CHARTS[chart][1](self)  # type: ignore[no-any-return]
        except KeyError:
            raise ValueError(f"unknown chart {chart!r}; one of {', '.join(CHARTS)}") from None

    # -- data ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The review as JSON-ready data (keys documented in ``docs/review.md``)."""
        team = {k: _plain(v) if not isinstance(v, dict | list) else v for k, v in self.team.items()}
        person_keys = PERSON_KEYS + (WINDOW_PERSON_KEYS if self.windows else ())
        shift_keys = SHIFT_KEYS + (WINDOW_SHIFT_KEYS if self.windows else ())
        per_person = {
            str(pid): {k: _plain(row[k]) for k in person_keys}
            for pid, row in self.per_person.iterrows()
        }
        shifts = [
            {k: _plain(getattr(row, k)) for k in shift_keys}
            for row in self.per_shift.itertuples(index=False)
        ]
        weeks = [
            {k: _plain(v) for k, v in row.items()}
            for row in self.per_week.to_dict(orient="records")
        ]
        data = {
            "period": self.period.label,
            "from": self.period.start.isoformat(),
            "until": self.period.end.isoformat(),
            "zone": self.zone,
            "schedules": list(self.schedules),
            "team": team,
            "per_person": per_person,
            "shifts": shifts,
            "weeks": weeks,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.windows:
            data["windows"] = [
                {k: _plain(v) for k, v in row.items()}
                for row in self.per_window.to_dict(orient="records")
            ]
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The review as JSON text (stable keys; same inputs, same bytes)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    # -- text ------------------------------------------------------------------------------

    def _summary_lines(self) -> list[tuple[str, str]]:
        t = self.team
        share = t["periods_over_budget"] / t["periods_12h"] if t["periods_12h"] else 0.0
        return [
            ("Schedules", ", ".join(self.schedules)),
            ("Pages", f"{t['pages']} ({t['interruptions']} interruptions)"),
            ("Incidents", str(t["incidents"])),
            (
                "Time of day",
                f"{t['business_pages']} business, {t['off_hours_pages']} off-hours, "
                f"{t['sleep_pages']} sleep",
            ),
            ("Noisy shifts", f"{t['noisy_shifts']} of {t['shifts']}"),
            (
                "12-hour periods over 2 incidents",
                f"{t['periods_over_budget']} of {t['periods_12h']} ({share:.0%})",
            ),
            ("Off-rotation pages", str(t["off_rotation_pages"])),
            ("Gini of pages", f"{t['gini']:.2f}"),
            ("Balance of on-call hours", f"{t['balance']:.0%}"),
            (
                "Median MTTA / MTTR",
                f"{format_response_time(t['mtta_median_s'])} / "
                f"{format_response_time(t['mttr_median_s'])}",
            ),
            (
                f"{self.settings.trend_days}-day mean pages/day (last day)",
                f"{t['trailing_mean_last']:.2f}",
            ),
        ]

    def _people_table(self) -> tuple[list[str], list[list[str]]]:
        head = [
            "person", "pages", "interruptions", "sleep", "off-hours", "business", "off-rotation",
            "shifts", "on-call h", "share", "MTTA med", "MTTR med", "stipend wk",
            "after-hours inc h", "rest owed",
        ]  # fmt: skip
        if self.windows:
            head.append("night h")
        rows = []
        for _, r in self.per_person.iterrows():
            night = [f"{r['night_hours']:.1f}"] if self.windows else []
            rows.append(
                [
                    str(r["name"]),
                    str(r["pages"]),
                    str(r["interruptions"]),
                    str(r["sleep_pages"]),
                    str(r["off_hours_pages"]),
                    str(r["business_pages"]),
                    str(r["off_rotation_pages"]),
                    str(r["shifts"]),
                    f"{r['on_call_hours']:g}",
                    f"{r['on_call_share']:.0%}",
                    format_response_time(r["mtta_median_s"]),
                    format_response_time(r["mttr_median_s"]),
                    format_stipend_weeks(r["stipend_weeks"]),
                    f"{r['after_hours_incident_hours']:.1f}",
                    str(r["rest_owed"]),
                    *night,
                ]
            )
        return head, rows

    def _shift_table(self) -> tuple[list[str], list[list[str]]]:
        head = ["schedule", "week", "layer", "person", "start", "pages", "incidents", "limit", ""]
        if self.windows:
            head.insert(3, "window")
            head.insert(6, "blocks")
        rows: list[list[str]] = []
        # With windows, a holder's week of a window is one shift (R301 judges it so): its
        # occurrences are one row, starting at the first, with their pages and incidents summed
        # (the JSON keeps one entry per occurrence). 21 rows a week otherwise, for follow-the-sun.
        cells: dict[tuple[str, int, str, str, str], list[Any]] = {}
        for r in self.per_shift.itertuples(index=False):
            if self.windows and r.window is not None and not isinstance(r.override, str):
                key = (str(r.schedule), int(r.week), str(r.layer), str(r.window), str(r.person))  # type: ignore[arg-type]
                cell = cells.get(key)
                if cell is not None:
                    cell[6] = str(int(cell[6]) + 1)
                    cell[7] = str(int(cell[7]) + int(r.pages))  # type: ignore[arg-type]
                    cell[8] = str(int(cell[8]) + int(r.incidents))  # type: ignore[arg-type]
                    continue
            row = [
                str(r.schedule),
                str(r.week),
                str(r.layer),
                *([str(r.window or "-")] if self.windows else []),
                str(r.person),
                f"{r.start:%Y-%m-%d %H:%M %Z}",
                *(["1"] if self.windows else []),
                str(r.pages),
                str(r.incidents),
                f"{round(float(r.limit), 1):g}",  # type: ignore[arg-type]
                "noisy" if r.noisy else "",
            ]
            if self.windows and r.window is not None and not isinstance(r.override, str):
                cells[key] = row
            rows.append(row)
        return head, rows

    def _window_table(self) -> tuple[list[str], list[list[str]]]:
        head = ["window", "pages", "interruptions", "sleep"]
        rows = [
            [str(r.window), str(r.pages), str(r.interruptions), str(r.sleep_pages)]
            for r in self.per_window.itertuples(index=False)
        ]
        return head, rows

    def to_markdown(self) -> str:
        """The review as Markdown: summary, findings, people, shifts."""
        out = [f"# On-call review {self.period.label}", ""]
        out += _md_table(["", ""], [[k, v] for k, v in self._summary_lines()])
        out += ["", "## Findings", ""]
        for group in group_findings(self.findings):
            head = f"- `{group.code}` {group.severity.value}: "
            if len(group.findings) == 1:
                out.append(head + group.first.message)
            else:
                out.append(head + _group_line(group))
        if not len(self.findings):
            out.append("No findings.")
        if self.windows:
            out += ["", "## Windows", ""]
            out += _md_table(*self._window_table())
        out += ["", "## People", ""]
        out += _md_table(*self._people_table())
        out += ["", "## Shifts", ""]
        out += _md_table(*self._shift_table())
        return "\n".join(out) + "\n"

    # -- HTML ------------------------------------------------------------------------------

    def _body(self, *, charts: bool) -> str:
        parts = [f"<h1>On-call review {html.escape(self.period.label)}</h1>"]
        parts.append(_html_table(["", ""], [[k, v] for k, v in self._summary_lines()]))
        parts.append("<h2>Findings</h2>")
        if len(self.findings):
            items = []
            for group in group_findings(self.findings):
                code, severity = group.code, group.severity.value
                head = f"<code>{html.escape(code)}</code> {html.escape(severity)}: "
                if len(group.findings) == 1:
                    items.append(f"<li>{head}{html.escape(group.first.message)}</li>")
                    continue
                # One line per rule; each finding stays one click away, so 26 noisy shifts
                # cannot push an outlier or a slow acknowledgement off the screen.
                each = "".join(f"<li>{html.escape(f.message)}</li>" for f in group.findings)
                items.append(
                    f"<li><details><summary>{head}{html.escape(_group_line(group))}"
                    f"</summary><ul>{each}</ul></details></li>"
                )
            parts.append(f"<ul>{''.join(items)}</ul>")
        else:
            parts.append("<p>No findings.</p>")
        if charts:
            from oncall_planner.health.plots import CHARTS, figure_svg

            for key, (title, fn) in CHARTS.items():
                svg = figure_svg(fn(self))
                parts.append(
                    f'<figure id="chart-{key}" class="chart"><figcaption>{html.escape(title)}'
                    f"</figcaption>{svg}</figure>"
                )
        if self.windows:
            parts.append("<h2>Windows</h2>")
            parts.append(_html_table(*self._window_table()))
        parts.append("<h2>People</h2>")
        parts.append(_html_table(*self._people_table()))
        parts.append("<h2>Shifts</h2>")
        parts.append(_html_table(*self._shift_table()))
        return "\n".join(parts)

    def to_html(self, *, charts: bool = True) -> str:
        """One self-contained HTML page: inline CSS and SVG charts, no network references."""
        style = (
            "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
            "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
            "td,th{border:1px solid #ccc;padding:0.2em 0.5em;text-align:left}"
            "th{background:#f0f3f7}figure{margin:1.5em 0}figcaption{font-weight:bold}"
            "svg{max-width:100%;height:auto}"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>On-call review {html.escape(self.period.label)}</title>"
            f"<style>{style}</style></head><body>\n{self._body(charts=charts)}\n</body></html>\n"
        )

    def _repr_html_(self) -> str:
        return f"<div>{self._body(charts=False)}</div>"


def format_stipend_weeks(weeks: float) -> str:
    """Stipend weeks as the tables print them: one decimal (``3.4``, ``13.0``).

    A shift cut by the period's edge earns a prorated share (63 h of a 168 h week is 0.375);
    a tenth of a week (16.8 h) is as fine as a stipend is paid. The JSON keeps three decimals.
    """
    return f"{weeks:.1f}"


def _group_line(group: FindingGroup) -> str:
    """``26 noisy-shift findings: week[0].primary, week[1].secondary, …``: what each is about.

    The grouping is ``report.group_findings``, as for ``check``: in the review, the findings
    of one rule share their file and hint, so each rule is one group. Each finding's path with
    the segments every path of the group shares cut off at both ends
    (``per_person.ana.on_call_hours`` → ``ana``).
    """
    code, findings = group.code, group.findings
    split = [f.path.split(".") for f in findings]
    head = 0
    while all(len(p) > head + 1 for p in split) and len({p[head] for p in split}) == 1:
        head += 1
    tail = 0
    while all(len(p) > head + tail + 1 for p in split) and len({p[-1 - tail] for p in split}) == 1:
        tail += 1
    subjects = [
        ".".join(p[head : len(p) - tail]) or f.message for p, f in zip(split, findings, strict=True)
    ]
    name = RULES[code].name if code in RULES else code
    return f"{len(findings)} {name} findings: {', '.join(subjects)}"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [line(head), "|" + "|".join("---" for _ in head) + "|", *(line(r) for r in rows)]


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def review(
    pages: PageLog | pd.DataFrame | str | os.PathLike[str],
    plan_or_history: Plan | str | os.PathLike[str],
    schedule: Schedule | Org | str | os.PathLike[str],
    period: Period | str | tuple[date | str, date | str] = "2027Q1",
    *,
    severity: SeverityFramework | str | os.PathLike[str] | None = None,
    recipients: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> QuarterlyReview:
    """Review pager load over a period: who was paged, when, how often at night, how fairly.

    Args:
        pages: A :class:`PageLog` (from :func:`load_pages` or :func:`synthetic_pages`), a
            DataFrame with the canonical columns, or the path of an export.
        plan_or_history: Who was on call: a plan, the path of a plan file, or the history
            imported from an iCalendar feed (``oncall_planner.ical.history_plan``).
        schedule: The schedule, or an org of schedules (or the path of a schedule file or an
            org folder), the plan belongs to. It gives time
            zones, the noisy-shift limit and the compensation policy.
        period: A quarter (``"2027Q1"``), a ``(first_day, last_day)`` pair, or a
            :class:`Period`; days are read in the (first) schedule's zone.
        severity: The severity framework for response targets (R304); defaults to the org's,
            else SEV1 5 min, SEV2 15 min, SEV3 1 h, SEV4 1 day.
        recipients: Extra aliases: the recipient as written in the export → member id.
        settings: Thresholds (merge window, incident budget, outlier factor, …).

    Returns:
        The review; nothing is drawn until a chart is asked for.

    Raises:
        TypeError: An argument of the wrong kind (the message names it and what is accepted).
        ValueError: A value that cannot be used, e.g. a path that does not exist.
    """
    pages, plan_or_history, schedule, period, severity = _args.review_args(
        pages, plan_or_history, schedule, period, severity, recipients, settings
    )
    data = compute(
        pages,
        plan_or_history,
        schedule,
        period,
        severity=severity,
        recipients=recipients,
        settings=settings,
    )
    return QuarterlyReview(**data)
