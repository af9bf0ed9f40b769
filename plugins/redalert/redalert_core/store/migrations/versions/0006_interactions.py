"""Slack interactions already handled: one row per button click, modal submission or slash command taken.

The key says what was done (action, user, message and its content, or the view); a second envelope with the same
key is a double click or a redelivery and does nothing.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "processed_interactions",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_processed_interactions"),
    )
    # Old rows are purged by age.
    op.create_index("ix_processed_interactions_at", "processed_interactions", ["at"])


def downgrade() -> None:
    op.drop_index("ix_processed_interactions_at", table_name="processed_interactions")
    op.drop_table("processed_interactions")
