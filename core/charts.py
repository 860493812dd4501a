"""Charts: one server-side SVG helper for pages and PDFs (STACK.md, "PDFs and charts").

A chart is an SVG drawn by matplotlib and handed out as a ``data:image/svg+xml;base64,...`` URI
for an ``<img>``, never inline: inline matplotlib SVG brings its own ``<style>``, which the strict
CSP blocks (the chart then draws black), and its ids repeat when a page holds two charts. Every
chart comes with alternative text that says what the trend shows (first and last values, highest
and lowest), and pages put the table of figures beside it, so nobody needs the picture.

Output is deterministic (``svg.hashsalt`` fixed, no date in the metadata): the same figures give
the same bytes, so tests can compare charts and a chart is drawn once per process and then served
from memory (drawing costs about 50 ms; a basket page shows many).

Lines differ by marker and dash as well as colour, so a chart never relies on colour alone.
"""

from __future__ import annotations

import base64
import datetime
import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

Number = int | float | Decimal
Point = tuple[datetime.date, Number | None]
Series = tuple[str, Sequence[Point]]

SVG_HASHSALT = "qa-framework-chart"
FONT_FAMILY = ["Arial", "Liberation Sans", "DejaVu Sans"]
# GOV.UK palette colours with at least 3:1 contrast on white (WCAG 1.4.11), each with its own
# marker and dash so lines are told apart without colour.
_STYLES = (
    ("#1d70b8", "o", "-"),
    ("#0b0c0c", "s", "--"),
    ("#4c2c92", "^", ":"),
    ("#912b88", "D", "-."),
    ("#505a5f", "v", (0, (5, 1, 1, 1))),
)
_TARGET_STYLE = ("#00703c", (0, (6, 3)))
_LIMIT_COLOUR = "#505a5f"
# rcParams are process-wide: draw one chart at a time (threaded servers).
_DRAW_LOCK = threading.Lock()


class Limits(NamedTuple):
    """XmR process limits and the mean between them (NHS England "Making Data Count")."""

    lower: Number
    mean: Number
    upper: Number


@dataclass(frozen=True)
class Chart:
    data_uri: str
    alt: str


def format_value(value: Number | None, unit: str = "") -> str:
    """A figure as people read it: ``45.5%``, ``£1,250``, ``1,204``, ``3.25 days``; "no figure"."""
    if value is None:
        return "no figure"
    number = float(value)
    rounded = round(number, 2)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.2f}".rstrip("0")
    if unit == "%":
        return f"{text}%"
    if unit == "£":
        return f"£{text}"
    return f"{text} {unit}" if unit else text


def _month(day: datetime.date) -> str:
    return f"{day:%B %Y}"


def _describe(label: str, points: Sequence[tuple[datetime.date, float]], unit: str) -> str:
    if not points:
        return f"{label}: no figures."
    (first_day, first), (last_day, last) = points[0], points[-1]
    if len(points) == 1:
        return f"{label}: {format_value(first, unit)} in {_month(first_day)} (one figure)."
    # The earliest month on ties, so the sentence does not depend on float noise.
    high_day, high = max(points, key=lambda p: (p[1], -p[0].toordinal()))
    low_day, low = min(points, key=lambda p: (p[1], p[0].toordinal()))
    return (
        f"{label}: {format_value(first, unit)} in {_month(first_day)} and {format_value(last, unit)} in "
        f"{_month(last_day)}; highest {format_value(high, unit)} in {_month(high_day)}, lowest "
        f"{format_value(low, unit)} in {_month(low_day)}."
    )


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    target: Number | None = None,
    limits: Limits | tuple[Number, Number, Number] | None = None,
    unit: str = "",
    marked: Sequence[datetime.date] = (),
) -> Chart:
    """A line chart of monthly (or any dated) figures, one line per ``(label, [(date, value)])``.

    ``None`` values leave a gap. ``target`` draws a target line (only for measures that may have
    one); ``limits`` draws XmR process limits as ``(lower, mean, upper)``; ``marked`` rings the
    first line's points on those dates (signals: the limits belong to the first line). ``unit``
    ("%", "£" or a word) formats figures in the alt text.
    """
    frozen = tuple(
        (str(label), tuple(sorted((day, None if v is None else float(v)) for day, v in points)))
        for label, points in series
    )
    limit_values = None if limits is None else tuple(float(v) for v in limits)
    return _line_chart(
        frozen,
        title,
        y_label,
        None if target is None else float(target),
        limit_values,
        unit,
        tuple(sorted(set(marked))),
    )


@lru_cache(maxsize=512)
def _line_chart(
    series: tuple[tuple[str, tuple[tuple[datetime.date, float | None], ...]], ...],
    title: str,
    y_label: str,
    target: float | None,
    limits: tuple[float, ...] | None,
    unit: str,
    marked: tuple[datetime.date, ...],
) -> Chart:
    days = sorted({day for _label, points in series for day, _v in points})
    alt = chart_alt_text(series, days, title=title, target=target, limits=limits, unit=unit)
    return Chart(data_uri=_draw(series, days, y_label=y_label, target=target, limits=limits, marked=marked), alt=alt)


def chart_alt_text(
    series: tuple[tuple[str, tuple[tuple[datetime.date, float | None], ...]], ...],
    days: list[datetime.date],
    *,
    title: str,
    target: float | None,
    limits: tuple[float, ...] | None,
    unit: str,
) -> str:
    if not days:
        return f"Line chart of {title}: no figures to show."
    parts = [f"Line chart of {title}, {_month(days[0])} to {_month(days[-1])}."]
    for label, points in series:
        parts.append(_describe(label, [(day, v) for day, v in points if v is not None], unit))
    if target is not None:
        parts.append(f"Target: {format_value(target, unit)}.")
    if limits is not None:
        lower, mean, upper = limits
        parts.append(
            f"Process limits {format_value(lower, unit)} to {format_value(upper, unit)} around a mean of "
            f"{format_value(mean, unit)}."
        )
    parts.append("The table of figures beside the chart gives every month.")
    return " ".join(parts)


def _draw(
    series: tuple[tuple[str, tuple[tuple[datetime.date, float | None], ...]], ...],
    days: list[datetime.date],
    *,
    y_label: str,
    target: float | None,
    limits: tuple[float, ...] | None,
    marked: tuple[datetime.date, ...],
) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    position = {day: i for i, day in enumerate(days)}
    rc = {
        "svg.hashsalt": SVG_HASHSALT,
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": FONT_FAMILY,
        "font.size": 10,
        "axes.edgecolor": "#0b0c0c",
        "axes.labelcolor": "#0b0c0c",
        "xtick.color": "#0b0c0c",
        "ytick.color": "#0b0c0c",
    }
    with _DRAW_LOCK, matplotlib.rc_context(rc):
        fig = Figure(figsize=(7, 3.4))
        # Fixed margins instead of tight_layout: half the drawing time, and the same layout for
        # every chart so a page of them lines up.
        fig.subplots_adjust(left=0.1, right=0.98, top=0.84, bottom=0.2)
        ax = fig.add_subplot()
        values: list[float] = []
        for index, (label, points) in enumerate(series):
            colour, marker, dash = _STYLES[index % len(_STYLES)]
            xs = [position[day] for day, _v in points]
            ys = [math.nan if v is None else v for _day, v in points]
            values.extend(v for _day, v in points if v is not None)
            ax.plot(xs, ys, marker=marker, markersize=4, linestyle=dash, linewidth=1.6, color=colour, label=label)
            rings = [(position[day], v) for day, v in points if day in marked and v is not None]
            if rings and index == 0:
                ax.plot(
                    [x for x, _y in rings],
                    [y for _x, y in rings],
                    linestyle="none",
                    marker="o",
                    markersize=11,
                    markerfacecolor="none",
                    markeredgecolor="#0b0c0c",
                    markeredgewidth=1.6,
                    label="Signal",
                )
        if target is not None:
            colour, dash = _TARGET_STYLE
            ax.axhline(target, color=colour, linestyle=dash, linewidth=1.4, label="Target")
            values.append(target)
        if limits is not None:
            lower, mean, upper = limits
            ax.axhline(mean, color=_LIMIT_COLOUR, linestyle="-", linewidth=0.9, label="Mean")
            ax.axhline(upper, color=_LIMIT_COLOUR, linestyle=(0, (2, 2)), linewidth=1.2, label="Process limits")
            ax.axhline(lower, color=_LIMIT_COLOUR, linestyle=(0, (2, 2)), linewidth=1.2)
            values.extend(limits)
        if values and min(values) >= 0 and limits is None:
            # Counts and percentages start at zero, so small changes are not drawn as big ones.
            ax.set_ylim(bottom=0, top=max(values) * 1.1 or 1)
        # Every month up to 6, then every other up to a year (a year of "Nov 2025" labels runs
        # together at print size), then every third.
        step = 1 if len(days) <= 6 else 2 if len(days) <= 12 else 3
        ax.set_xticks(range(len(days)))
        # Labels counted back from the latest month, so the month people ask about is labelled.
        last = len(days) - 1
        ax.set_xticklabels([f"{day:%b %Y}" if (last - i) % step == 0 else "" for i, day in enumerate(days)])
        ax.tick_params(axis="x", labelsize=9)
        ax.set_ylabel(y_label)
        ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="upper left", ncols=min(len(handles), 4), frameon=False, fontsize=9)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
