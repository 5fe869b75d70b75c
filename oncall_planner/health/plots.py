"""The review's charts, drawn with matplotlib's Agg backend (no display needed).

Each function takes a :class:`~oncall_planner.health.QuarterlyReview` and returns a new
``matplotlib.figure.Figure`` with an Agg canvas. Figures are built with ``Figure()`` rather than
``pyplot``: nothing leaks into a global figure registry, and the global backend is left alone,
so a notebook's inline backend keeps working.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from oncall_planner.health.quarterly import QuarterlyReview

__all__ = [
    "CHARTS",
    "LAYER_LETTERS",
    "bucket_bars",
    "figure_svg",
    "hour_weekday_heatmap",
    "person_pages",
    "shift_pages",
    "trend",
]


def _figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


#: The layer's mark in the shift chart's labels: secondary and shadow both begin with "S".
LAYER_LETTERS = {"primary": "P", "secondary": "S", "shadow": "Sh"}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_BUCKET_COLOURS = {"business": "#4c9f70", "off_hours": "#e0a030", "sleep": "#3b4f8c"}


def hour_weekday_heatmap(review: QuarterlyReview) -> Figure:
    """Pages by local hour (columns) and weekday (rows), in each recipient's time zone."""
    pages = review.pages
    grid = np.zeros((7, 24), dtype=np.int64)
    np.add.at(grid, (pages["weekday"].to_numpy(), pages["hour"].to_numpy()), 1)
    fig = _figure(figsize=(10, 3.6))
    ax = fig.add_subplot()
    image = ax.imshow(grid, aspect="auto", cmap="magma_r", interpolation="nearest")
    ax.set_yticks(range(7), _DAYS)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of day (recipient's local time)")
    ax.set_title(f"Pages by hour and weekday, {review.period.label}")
    for x in (8, 18, 22):
        ax.axvline(x - 0.5, color="#888888", linewidth=0.8, linestyle=":")
    fig.colorbar(image, ax=ax, label="pages")
    fig.tight_layout()
    return fig


def shift_pages(review: QuarterlyReview) -> Figure:
    """Pages per shift (primary, secondary, shadow), with each shift's noisy threshold."""
    shifts = review.per_shift.reset_index(drop=True)
    fig = _figure(figsize=(10, 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(shifts))
    colours = np.where(shifts["noisy"].to_numpy(), "#c0392b", "#5b7fa8")
    ax.bar(x, shifts["pages"].to_numpy(), color=colours, label="pages")
    ax.step(
        np.append(x, len(x)) - 0.5,
        np.append(shifts["limit"].to_numpy(), shifts["limit"].to_numpy()[-1:]),
        where="post",
        color="#c0392b",
        linestyle="--",
        linewidth=1,
        label="noisy above",
    )
    labels = [
        f"{r.start:%m-%d} {LAYER_LETTERS.get(str(r.layer), str(r.layer))} {r.person}"
        for r in shifts.itertuples(index=False)
    ]
    ax.set_xticks(x, labels, rotation=70, fontsize=7)
    ax.set_ylabel("pages")
    legend = ", ".join(f"{letter} {layer}" for layer, letter in LAYER_LETTERS.items())
    ax.set_title(f"Pages per shift ({legend}; red: noisy)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def person_pages(review: QuarterlyReview) -> Figure:
    """Pages per person, sorted high to low, with the team mean and 2× the mean."""
    people = review.per_person.sort_values(["pages", "name"], ascending=[False, True])
    team = people[people["in_team"]]
    mean = float(team["pages"].mean()) if len(team) else 0.0
    fig = _figure(figsize=(8, 3.8))
    ax = fig.add_subplot()
    colours = np.where(people["in_team"].to_numpy(), "#5b7fa8", "#aaaaaa")
    ax.bar(people.index.astype(str), people["pages"].to_numpy(), color=colours)
    ax.axhline(mean, color="#333333", linewidth=1, label=f"team mean {mean:.1f}")
    factor = review.settings.outlier_factor
    ax.axhline(factor * mean, color="#c0392b", linestyle="--", linewidth=1, label=f"{factor:g}×")
    ax.set_ylabel("pages")
    ax.set_title("Pages per person (grey: not in the rotation)")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def bucket_bars(review: QuarterlyReview) -> Figure:
    """Business, off-hours and sleep-hour pages per person, stacked."""
    people = review.per_person.sort_values(["pages", "name"], ascending=[False, True])
    fig = _figure(figsize=(8, 3.8))
    ax = fig.add_subplot()
    bottom = np.zeros(len(people))
    for column, name in (
        ("business_pages", "business"),
        ("off_hours_pages", "off_hours"),
        ("sleep_pages", "sleep"),
    ):
        values = people[column].to_numpy(dtype=float)
        ax.bar(
            people.index.astype(str),
            values,
            bottom=bottom,
            color=_BUCKET_COLOURS[name],
            label=name.replace("_", "-"),
        )
        bottom += values
    ax.set_ylabel("pages")
    ax.set_title("Pages by time of day (recipient's zone)")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def trend(review: QuarterlyReview) -> Figure:
    """Pages per day with the trailing mean (21 days by default)."""
    days = review.per_day
    fig = _figure(figsize=(10, 3.4))
    ax = fig.add_subplot()
    ax.bar(days["date"], days["pages"], color="#c9d6e8", label="pages per day")
    ax.plot(
        days["date"],
        days["trailing_mean"],
        color="#1f3b73",
        linewidth=2,
        label=f"{review.settings.trend_days}-day trailing mean",
    )
    ax.set_ylabel("pages")
    ax.set_title("Pager load trend")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


#: Chart id → (title, function), in report order.
CHARTS: dict[str, tuple[str, Any]] = {
    "heatmap": ("Pages by hour and weekday", hour_weekday_heatmap),
    "shift_pages": ("Pages per shift", shift_pages),
    "person_pages": ("Pages per person", person_pages),
    "buckets": ("Business, off-hours and sleep-hour pages", bucket_bars),
    "trend": ("Trend", trend),
}


def figure_svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no external references)."""
    buffer = io.StringIO()
    # A fixed hashsalt and no date keep the SVG byte-identical between runs.
    with matplotlib.rc_context({"svg.hashsalt": "oncall-planner", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]
