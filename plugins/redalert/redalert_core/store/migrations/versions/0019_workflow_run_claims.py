"""Who claimed a running workflow run: the process instance (services/leadership.py) that is carrying it out.

A run claimed by a process that died (its heartbeat went stale) before it finished is taken over by the leader and
run again, instead of staying `running` for ever (services/workflow_runner.py).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workflow_runs", sa.Column("claimed_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow_runs") as batch:
        batch.drop_column("claimed_by")
