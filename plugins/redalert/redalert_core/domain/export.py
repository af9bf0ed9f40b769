"""`!incident export`: one row per incident as CSV or JSON, with ISO 8601 UTC times (no I/O).

After the fixed COLUMNS, one `field_<name>` column per custom field of the workflows file in force (in its order):
the value as stored (a multi_select's choices comma-separated, a user field's Slack id), empty where unset.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
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


def field_columns(fields: Sequence[str]) -> tuple[str, ...]:
    """`field_<name>` for each custom field, in the file's order."""
    return tuple(f"field_{name}" for name in fields)


def render(
    rows: list[IncidentFacts],
    fmt: str,
    fields: Sequence[str] = (),
    values: Mapping[int, Mapping[str, str]] | None = None,
) -> str:
    """The rows as CSV (header line first) or as a JSON array of objects; `fields` are the custom fields' names
    (their `field_<name>` columns follow COLUMNS) and `values` each incident's values (null or empty when unset)."""
    values = values or {}
    records = []
    for row in rows:
        item = record(row)
        given = values.get(row.number, {})
        item.update({column: given.get(name) for name, column in zip(fields, field_columns(fields), strict=True)})
        records.append(item)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    columns = COLUMNS + field_columns(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for item in records:
        writer.writerow([_csv_cell(item[column]) for column in columns])
    return buffer.getvalue()
