"""`!incident export`: one row per incident as CSV or JSON, with ISO 8601 UTC times (no I/O)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from .metrics import IncidentFacts

COLUMNS = (
    "number",
    "severity",
    "status",
    "description",
    "channel",
    "private",
    "opened_at",
    "opened_by",
    "commander",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "closed_by",
    "resolution",
    "tta_seconds",
    "ttr_seconds",
    "problem",
    "tasks_open",
    "tasks_done",
)
FORMATS = ("csv", "json")


def iso(moment: datetime | None) -> str | None:
    """`2026-05-01T12:00:00Z`: UTC, seconds precision."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def record(facts: IncidentFacts) -> dict[str, Any]:
    """One export row, the keys in COLUMNS order."""
    return {
        "number": facts.number,
        "severity": facts.severity,
        "status": facts.status,
        "description": facts.description,
        "channel": facts.channel,
        "private": facts.private,
        "opened_at": iso(facts.opened_at),
        "opened_by": facts.opened_by,
        "commander": facts.commander,
        "acknowledged_at": iso(facts.acknowledged_at),
        "resolved_at": iso(facts.resolved_at),
        "closed_at": iso(facts.closed_at),
        "closed_by": facts.closed_by,
        "resolution": facts.resolution,
        "tta_seconds": seconds(facts.tta),
        "ttr_seconds": seconds(facts.ttr),
        "problem": facts.problem,
        "tasks_open": facts.tasks_open,
        "tasks_done": facts.tasks_done,
    }


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run a description as a formula
    return value


def render(rows: list[IncidentFacts], fmt: str) -> str:
    """The rows as CSV (header line first) or as a JSON array of objects."""
    records = [record(row) for row in rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in records:
        writer.writerow([_csv_cell(item[column]) for column in COLUMNS])
    return buffer.getvalue()
