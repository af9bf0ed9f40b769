"""Issue 22: the active REDALERT_WORKFLOWS_FILE (every loaded version; the newest row is the one every replica
runs), an incident's type, and its custom field values.

0015 and 0016 are taken on other branches (api tokens, alert groups): this revision is 0017. Until those merge it
revises 0014; at the merge its `down_revision` becomes "0016".

Revision ID: 0017
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

# Frozen copy of the column type: a migration must not change when tables.py evolves.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workflow_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False),  # SHA-256 of the text
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("loaded_by", sa.String(64), nullable=False),  # a Slack user id, or "start"
        sa.Column("loaded_at", UTC_DATETIME, nullable=False),
        sqlite_autoincrement=True,
    )
    op.add_column("incidents", sa.Column("incident_type", sa.String(30), nullable=True))
    op.create_table(
        "incident_fields",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "name", name="pk_incident_fields"),
    )


def downgrade() -> None:
    op.drop_table("incident_fields")
    # In place (SQLite 3.35+, PostgreSQL): a batch rebuild would drop a table other tables' foreign keys point at.
    op.execute("ALTER TABLE incidents DROP COLUMN incident_type")
    op.drop_table("workflow_files")
