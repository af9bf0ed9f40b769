"""The public status page: each published incident's public entry and its public updates.

- `status_entries`: one row per incident ever published: the public title and status, the components' states it
  gives, when it was published, resolved, withdrawn (`!incident unpublish`) and when the commander was asked for a
  final update (set once, before asking, so the prompt is posted once across replicas).
- `status_updates`: every published update's public text, status and component states, in order.

Only text the publisher wrote is stored here; the status page server reads these tables and nothing else of an
incident but whether it is private.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "status_entries",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("components", JSON, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("resolved_at", UTC_DATETIME),
        sa.Column("withdrawn_at", UTC_DATETIME),
        sa.Column("final_asked_at", UTC_DATETIME),
        sa.PrimaryKeyConstraint("incident_number", name="pk_status_entries"),
    )
    op.create_index("ix_status_entries_updated_at", "status_entries", ["updated_at"])
    op.create_table(
        "status_updates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("components", JSON, nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_status_updates_incident", "status_updates", ["incident_number", "id"])


def downgrade() -> None:
    op.drop_index("ix_status_updates_incident", "status_updates")
    op.drop_table("status_updates")
    op.drop_index("ix_status_entries_updated_at", "status_entries")
    op.drop_table("status_entries")
