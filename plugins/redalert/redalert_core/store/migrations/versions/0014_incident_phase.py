"""An incident's lifecycle is its phase (opening, open, closing, closed): the column `status` becomes `phase`, so
that "status" means only the team's status (investigating … resolved, table incident_workflow). Values unchanged.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    # RENAME COLUMN in place on both SQLite (3.25+) and PostgreSQL: a batch rebuild of `incidents` would drop a
    # table other tables' foreign keys point at.
    op.drop_index(f"ix_incidents_{old}", table_name="incidents")
    op.execute(f"ALTER TABLE incidents RENAME COLUMN {old} TO {new}")
    op.create_index(f"ix_incidents_{new}", "incidents", [new])


def upgrade() -> None:
    _rename("status", "phase")


def downgrade() -> None:
    _rename("phase", "status")
