"""Alert intake: one row per alert group (Alertmanager's or Grafana's `groupKey`) and incident, and the alerts
(by fingerprint) seen in it with their last status, and whether the incident channel was told about them.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py evolves.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("group_hash", sa.String(64), nullable=False),  # SHA-256 of source and groupKey
        sa.Column("group_key", sa.Text, nullable=False),
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("previous_incident", sa.Integer, nullable=True),
        sa.Column("firing", sa.Boolean, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.UniqueConstraint("group_hash", "incident_number", name="uq_alert_groups_group_incident"),
    )
    op.create_index("ix_alert_groups_group_hash", "alert_groups", ["group_hash"])
    op.create_index("ix_alert_groups_incident_number", "alert_groups", ["incident_number"])
    op.create_table(
        "alert_fingerprints",
        sa.Column("group_id", sa.Integer, sa.ForeignKey("alert_groups.id"), nullable=False),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("detail", JSON_DOCUMENT, nullable=False),  # name, labels, summary, URL: what the channel is told
        sa.Column("posted", sa.Boolean, nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("changed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("group_id", "fingerprint", name="pk_alert_fingerprints"),
    )
    op.create_index("ix_alert_fingerprints_unposted", "alert_fingerprints", ["group_id", "posted"])


def downgrade() -> None:
    op.drop_index("ix_alert_fingerprints_unposted", table_name="alert_fingerprints")
    op.drop_table("alert_fingerprints")
    op.drop_index("ix_alert_groups_incident_number", table_name="alert_groups")
    op.drop_index("ix_alert_groups_group_hash", table_name="alert_groups")
    op.drop_table("alert_groups")
