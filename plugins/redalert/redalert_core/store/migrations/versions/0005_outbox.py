"""The transactional outbox and what outside systems gave back (card and page ids, the page's alert state).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py evolves.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("destination", sa.String(32), nullable=False),
        sa.Column("ordering_key", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("incident_number", sa.Integer, nullable=True),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("attempts_since", UTC_DATETIME, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=True),
        sa.UniqueConstraint("destination", "idempotency_key", name="uq_outbox_idempotency"),
        sqlite_autoincrement=True,
    )
    # The dispatcher reads waiting rows by state and due time; `!incident outbox` by state.
    op.create_index("ix_outbox_state_due", "outbox", ["state", "next_attempt_at"])
    op.create_table(
        "remote_links",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("data", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_remote_links"),
    )


def downgrade() -> None:
    op.drop_table("remote_links")
    op.drop_index("ix_outbox_state_due", table_name="outbox")
    op.drop_table("outbox")
