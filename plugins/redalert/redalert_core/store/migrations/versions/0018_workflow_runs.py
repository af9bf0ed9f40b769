"""Workflow runs (issue 22): one row per action a workflow's trigger asked for, stored before it runs.

`key` (incident, workflow, the trigger's event, action index) makes each action run once per trigger whichever
replica sees it; `due_at` holds a delayed action (`after:`) across restarts and a leader's death; `state` goes
pending → done, failed or cancelled (the condition no longer held when it came due).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_runs",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("incident_number", sa.Integer, nullable=False),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("action_index", sa.Integer, nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("key", name="pk_workflow_runs"),
    )
    op.create_index("ix_workflow_runs_state_due", "workflow_runs", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_workflow_runs_state_due", table_name="workflow_runs")
    op.drop_table("workflow_runs")
