"""Several replicas on one PostgreSQL: heartbeats, who owns an unfinished open, claimed commands, sent reminders.

- `replicas`: one heartbeat row per running process (read by the health check and `!incident doctor`);
  `instance` tells a restarted process from its predecessor with the same replica id, `leader_since` marks the
  replica that holds the leadership lock.
- `open_owners`: which process is running an incident's open steps, so a survivor can finish an open whose
  process died (and leave alone the ones that are being worked on).
- `command_claims`: the Slack message (channel + ts) a replica has taken on; a redelivery to another replica finds
  it claimed and does nothing.
- `reminders_sent`: one row per reminder (incident, kind, gap), written before the reminder is posted; the primary
  key stops two replicas from both posting it.
- `sent_once`: a key per outside effect that must happen once across replicas (a task nudge of a day, a stale-problem
  reminder, a weekly digest), inserted before the effect; the primary key lets one replica through.
- `cache_invalidations`: identifier-cache entries one replica learnt are stale (a rename event reaches only one
  replica); the others read them and forget theirs.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("replica_id", sa.Text, nullable=False),
        sa.Column("hostname", sa.Text, nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("heartbeat_at", UTC_DATETIME, nullable=False),
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("leader_since", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("replica_id", name="pk_replicas"),
    )
    op.create_table(
        "open_owners",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("replica_id", sa.Text, nullable=False),
        sa.Column("since", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", name="pk_open_owners"),
    )
    op.create_table(
        "command_claims",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("replica_id", sa.Text, nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_command_claims"),
    )
    op.create_index("ix_command_claims_claimed_at", "command_claims", ["claimed_at"])
    op.create_table(
        "reminders_sent",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("gap_start", sa.String(40), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "kind", "gap_start", name="pk_reminders_sent"),
    )
    op.create_table(
        "sent_once",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sent_once"),
    )
    op.create_table(
        "cache_invalidations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("replica_id", sa.Text, nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("cache_invalidations")
    op.drop_table("sent_once")
    op.drop_table("reminders_sent")
    op.drop_index("ix_command_claims_claimed_at", table_name="command_claims")
    op.drop_table("command_claims")
    op.drop_table("open_owners")
    op.drop_table("replicas")
