"""The incident workflow's current state: status, resolution time, roles and the announcement thread.

The history of every change is in the event log; this table holds what is current, so that the summary, the
reminders and the post-mortem need no replay of the log.

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py evolves.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_workflow",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("resolved_at", UTC_DATETIME, nullable=True),
        sa.Column("roles", JSON_DOCUMENT, nullable=False),
        sa.Column("announce_channel", sa.String(64), nullable=True),
        sa.Column("announce_ts", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("incident_number", name="pk_incident_workflow"),
    )
    # Reminders and the timeline read events by incident and kind.
    op.create_index("ix_events_incident_kind", "events", ["incident_number", "kind"])


def downgrade() -> None:
    op.drop_index("ix_events_incident_kind", table_name="events")
    op.drop_table("incident_workflow")
