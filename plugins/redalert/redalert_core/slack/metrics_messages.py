"""Texts of `!incident stats` and of the weekly digest (compact: the chart carries the weekly detail).

Replies go through Errbot's Markdown conversion (`**bold**`, no line starting with `#`); the digest is posted by the
gateway directly, in Slack's mrkdwn (`*bold*`).
"""

from __future__ import annotations

from ..domain.field_filters import describe
from ..domain.metrics import Figures, Summary, change, short_duration
from ..domain.text import escape


def _summary(name: str, summary: Summary) -> str:
    if not summary.count:
        return f"{name}: –"
    return (
        f"{name}: median {short_duration(summary.median)}, p90 {short_duration(summary.p90)}, "
        f"mean {short_duration(summary.mean)}"
    )


def scope(figures: Figures) -> str:
    severity = f", {figures.severity} only" if figures.severity else ""
    fields = f", {escape(describe(figures.fields))}" if figures.fields else ""
    return f"{figures.period.label} ({figures.period.describe()}{severity}{fields})"


def empty_period(figures: Figures) -> str:
    return f"No incidents in {scope(figures)}, so no chart. Open incidents at its end: {figures.open_at_end}."


def stats_text(figures: Figures) -> str:
    """The figures of one period in a few lines."""
    if figures.empty:
        return empty_period(figures)
    by_severity = ", ".join(f"{severity} {count}" for severity, count in figures.by_severity.items())
    lines = [
        f"**Incidents in {scope(figures)}:** {figures.incidents} ({by_severity})",  # Markdown: Errbot converts
        f"- {_summary('Time to acknowledge', figures.tta)}"
        + (f" ({figures.not_acknowledged} not acknowledged)" if figures.not_acknowledged else ""),
        f"- {_summary('Time to resolve', figures.ttr)}"
        + (f" ({figures.not_resolved} not resolved yet)" if figures.not_resolved else ""),
        f"- {_summary('Time to close', figures.time_to_close)}",
        f"- Open at the end of the period: {figures.open_at_end}; severity changed after opening: "
        f"{figures.severity_changed}",
        f"- Tasks opened: {figures.tasks_opened}, done: {figures.tasks_done}",
    ]
    if figures.per_problem:
        top = ", ".join(f"P{number} {escape(title[:40])} ({count})" for number, title, count in figures.per_problem[:3])
        lines.append(f"- Incidents per problem: {top}")
    return "\n".join(lines)


def digest_text(last: Figures, before: Figures) -> str:
    """The weekly digest: last week's figures beside the week before's."""

    def row(name: str, now: float | None, then: float | None, shown: str, shown_then: str) -> str:
        moved = change(now, then)
        return f"- {name}: {shown} (week before: {shown_then}{', ' + moved if moved else ''})"

    lines = [f"*Weekly incident digest: {last.period.describe()}*"]
    if last.empty:
        lines.append("No incidents last week.")
    else:
        by_severity = ", ".join(f"{severity} {count}" for severity, count in last.by_severity.items())
        lines.append(f"Incidents: {last.incidents} ({by_severity})")

    def duration_row(label: str, now: float | None, then: float | None) -> str:
        return row(label, now, then, short_duration(now), short_duration(then))

    lines += [
        row("Incidents", last.incidents, before.incidents, str(last.incidents), str(before.incidents)),
        duration_row("Median time to acknowledge", last.tta.median, before.tta.median),
        duration_row("Median time to resolve", last.ttr.median, before.ttr.median),
        duration_row("p90 time to resolve", last.ttr.p90, before.ttr.p90),
        f"- Open at the end of the week: {last.open_at_end} (week before: {before.open_at_end})",
        f"- Tasks opened: {last.tasks_opened}, done: {last.tasks_done}",
    ]
    return "\n".join(lines)
