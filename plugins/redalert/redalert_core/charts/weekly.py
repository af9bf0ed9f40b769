"""Incidents per week stacked by severity, with the median time to resolve per week as a line.

One drawing for Slack (PNG) and the web report (SVG). The background is opaque white with dark text so the picture
reads the same in Slack's light and dark themes; severity colours go from red (most severe) to grey.
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, and safe in a server's worker threads
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..domain.metrics import Figures

BACKGROUND = "#ffffff"
INK = "#1d1c1d"
GRID = "#d0d0d0"
LINE = "#1264a3"
# Most severe first, as SEVERITY_LEVELS lists them; more severities than colours reuse the last.
PALETTE = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#607d8b", "#8e24aa", "#795548")
# One drawing at a time per lane: chat (`!incident stats`, the digest) never waits for the web report's drawing.
# Each drawing is a Figure of its own on Agg, and matplotlib keys its font cache by thread, so the two lanes may
# draw at once; within a lane the lock keeps a burst of requests from drawing many charts side by side.
LANES = {"chat": threading.Lock(), "web": threading.Lock()}


def colour(index: int) -> str:
    return PALETTE[min(index, len(PALETTE) - 1)]


def weekly_chart(
    figures: Figures, severities: list[str], *, fmt: str = "png", title: str | None = None, lane: str = "chat"
) -> bytes:
    """The chart as PNG or SVG bytes, drawn in `lane` (LANES). Call only for a period with incidents."""
    if figures.empty:
        raise ValueError("no incidents in the period: say so instead of drawing an empty chart")
    order = [s for s in severities if figures.by_severity.get(s)] + [
        s for s in figures.by_severity if s not in severities
    ]
    weeks = figures.weeks
    labels = [week.start.strftime("%d %b") for week in weeks]
    positions = list(range(len(weeks)))
    with LANES[lane]:
        figure = Figure(figsize=(9, 4.2), dpi=110, facecolor=BACKGROUND)
        axes = figure.add_subplot(facecolor=BACKGROUND)
        bottoms = [0] * len(weeks)
        for severity in order:
            index = severities.index(severity) if severity in severities else len(PALETTE) - 1
            heights = [week.by_severity.get(severity, 0) for week in weeks]
            axes.bar(positions, heights, bottom=bottoms, color=colour(index), label=severity, width=0.7, zorder=2)
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        axes.set_ylim(0, max(bottoms) * 1.3 + 1)  # headroom: the legend sits above the highest bar
        axes.set_ylabel("incidents per week", color=INK)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        step = max(1, len(weeks) // 12)  # at most ~12 labels, whatever the period
        axes.set_xticks(positions[::step], labels[::step], rotation=0 if len(weeks) <= 12 else 30, ha="center")
        line = axes.twinx()
        unit, per = duration_unit([week.ttr_median for week in weeks if week.ttr_median is not None])
        values = [None if week.ttr_median is None else week.ttr_median / per for week in weeks]
        points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        if points:
            line.plot(
                [p for p, _ in points],
                [h for _, h in points],
                color=LINE,
                marker="o",
                linewidth=2,
                label=f"median TTR ({unit})",
                zorder=3,
            )
        line.set_ylabel(f"median time to resolve ({unit})", color=LINE)
        line.set_ylim(0, max((h for _, h in points), default=1) * 1.3 or 1)
        for each in (axes, line):
            each.tick_params(colors=INK)
            for spine in each.spines.values():
                spine.set_color(GRID)
        handles = axes.get_legend_handles_labels()
        extra = line.get_legend_handles_labels()
        legend = axes.legend(
            handles[0] + extra[0], handles[1] + extra[1], loc="upper left", frameon=True, fontsize=8, ncols=3
        )
        legend.get_frame().set_facecolor(BACKGROUND)
        legend.get_frame().set_edgecolor(GRID)
        axes.set_title(title or f"Incidents per week, {figures.period.describe()}", color=INK, fontsize=11)
        figure.subplots_adjust(left=0.07, right=0.91, bottom=0.13, top=0.9)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, facecolor=BACKGROUND, metadata=_metadata(fmt))
    return buffer.getvalue()


def duration_unit(seconds: list[float]) -> tuple[str, float]:
    """Minutes, hours or days, whichever keeps the line's axis readable: (unit, seconds per unit)."""
    longest = max(seconds, default=0)
    if longest < 2 * 3600:
        return "min", 60.0
    if longest < 72 * 3600:
        return "h", 3600.0
    return "days", 86400.0


def _metadata(fmt: str) -> dict:
    # No creation date: the same figures give the same bytes (SVG carries no date either).
    return {"Date": None} if fmt == "svg" else {}
