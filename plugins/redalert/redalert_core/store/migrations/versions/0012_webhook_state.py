"""Webhook endpoints disabled by a `410 Gone` (Standard Webhooks 1.0: stop sending), until an admin enables them.

`endpoint` is the SHA-256 of the URL (which may hold a token); `name` is what admins call it; a row exists only while
the endpoint is disabled.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Frozen copy of the column type: a migration must not change when tables.py evolves.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "disabled_webhooks",
        sa.Column("endpoint", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("disabled_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("endpoint", name="pk_disabled_webhooks"),
    )


def downgrade() -> None:
    op.drop_table("disabled_webhooks")
