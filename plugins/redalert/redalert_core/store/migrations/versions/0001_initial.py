"""Initial schema: incidents, participants, the append-only event log and Errbot's key-value storage.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py evolves.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

PG_APPEND_ONLY = [
    """
    CREATE FUNCTION redalert_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION redalert_events_append_only()
    """,
]
SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only (UPDATE refused)'); END
    """,
    """
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only (DELETE refused)'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("severity", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("channel_name", sa.String(80), nullable=True),
        sa.Column("origin_channel", sa.String(64), nullable=True),
        sa.Column("is_private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("dedup_key", sa.String(255), nullable=True),
        sa.Column("steps_done", JSON_DOCUMENT, nullable=False),
        sa.Column("summary_ts", sa.String(32), nullable=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.UniqueConstraint("channel_id", name="uq_incidents_channel_id"),
        sa.UniqueConstraint("dedup_key", name="uq_incidents_dedup_key"),
        # Numbers are shown to people: never hand out a number twice, even after a row is deleted.
        sqlite_autoincrement=True,
    )
    # The unique constraint already indexes channel_id; this index serves "open incidents" listings.
    op.create_index("ix_incidents_status", "incidents", ["status"])

    op.create_table(
        "participants",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("added_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "user_id", name="pk_participants"),
    )

    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("data", JSON_DOCUMENT, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_incident_number", "events", ["incident_number"])
    # The log is evidence for the post-mortem: the database itself refuses edits and deletions.
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": PG_APPEND_ONLY, "sqlite": SQLITE_APPEND_ONLY}.get(dialect, []):
        op.execute(statement)

    op.create_table(
        "errbot_kv",
        sa.Column("namespace", sa.String(255), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key", name="pk_errbot_kv"),
    )


def downgrade() -> None:
    op.drop_table("errbot_kv")
    op.drop_table("events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS redalert_events_append_only()")
    op.drop_table("participants")
    op.drop_index("ix_incidents_status", table_name="incidents")
    op.drop_table("incidents")
