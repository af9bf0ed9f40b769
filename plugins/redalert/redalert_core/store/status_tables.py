"""The status page's tables (migration 0011), on the same MetaData as store/tables.py."""

from __future__ import annotations

import sqlalchemy as sa

from .tables import JsonDocument, UtcDateTime, metadata

status_entries = sa.Table(
    "status_entries",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("components", JsonDocument, nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("withdrawn_at", UtcDateTime),
    sa.Column("final_asked_at", UtcDateTime),
)

status_updates = sa.Table(
    "status_updates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("components", JsonDocument, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)
