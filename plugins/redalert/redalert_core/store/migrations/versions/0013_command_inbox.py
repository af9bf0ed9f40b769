"""The command inbox: every chat command as it was received, until it has been answered (store/command_inbox.py).

A row is written when the command is received, before its Socket Mode envelope is acknowledged; its primary key
(channel + event ts) is also the claim that makes one replica answer a message Slack delivered twice. `state` goes
received → applied (its first database change committed, in that same transaction) → done (answered). A row left
unfinished by a process that died is run again, once, by the leading replica.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "command_inbox",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64)),
        sa.Column("command", sa.String(100)),
        sa.Column("text", sa.Text),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("key", name="pk_command_inbox"),
    )
    op.create_index("ix_command_inbox_state", "command_inbox", ["state"])
    op.create_index("ix_command_inbox_received_at", "command_inbox", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_command_inbox_received_at", table_name="command_inbox")
    op.drop_index("ix_command_inbox_state", table_name="command_inbox")
    op.drop_table("command_inbox")
