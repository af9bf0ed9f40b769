"""Slack's rate budgets shared by the replicas: one token bucket per key (store/rate_buckets.py).

`key` is a Web API method, or `chat.postMessage:<channel>`; `tokens` may be negative (callers queued for a turn);
`stamp` is when it was last taken from, in seconds since the epoch by the database's clock.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("stamp", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_buckets"),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
