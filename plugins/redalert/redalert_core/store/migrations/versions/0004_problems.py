"""Problem management: links between incidents, problems with their own event log, and follow-up tasks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py evolves.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

PG_APPEND_ONLY = [
    """
    CREATE FUNCTION redalert_problem_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'problem events are append-only (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER problem_events_append_only BEFORE UPDATE OR DELETE ON problem_events
    FOR EACH ROW EXECUTE FUNCTION redalert_problem_events_append_only()
    """,
]
SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER problem_events_no_update BEFORE UPDATE ON problem_events
    BEGIN SELECT RAISE(ABORT, 'problem events are append-only (UPDATE refused)'); END
    """,
    """
    CREATE TRIGGER problem_events_no_delete BEFORE DELETE ON problem_events
    BEGIN SELECT RAISE(ABORT, 'problem events are append-only (DELETE refused)'); END
    """,
]


def upgrade() -> None:
    # One row per pair of incidents; `source` is the n of `!incident link n m` (it matters for caused-by and
    # duplicate). low/high hold the pair in order so the unique constraint covers both directions.
    op.create_table(
        "incident_links",
        sa.Column("low_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("high_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("source_number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("low_number", "high_number", name="pk_incident_links"),
        sa.CheckConstraint("low_number < high_number", name="ck_incident_links_order"),
    )
    op.create_index("ix_incident_links_high", "incident_links", ["high_number"])

    op.create_table(
        "problems",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cause", sa.Text, nullable=True),
        sa.Column("workaround", sa.Text, nullable=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.Column("status_changed_at", UTC_DATETIME, nullable=False),
        sqlite_autoincrement=True,  # P-numbers are shown to people: never reused
    )
    op.create_index("ix_problems_status", "problems", ["status"])

    # An incident belongs to at most one problem (its underlying cause).
    op.create_table(
        "problem_incidents",
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number"), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("added_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", name="pk_problem_incidents"),
    )
    op.create_index("ix_problem_incidents_problem", "problem_incidents", ["problem_number"])

    op.create_table(
        "problem_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("data", JSON_DOCUMENT, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_problem_events_problem_kind", "problem_events", ["problem_number", "kind"])
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": PG_APPEND_ONLY, "sqlite": SQLITE_APPEND_ONLY}.get(dialect, []):
        op.execute(statement)

    # A task belongs to an incident or to a problem, never both and never neither.
    op.create_table(
        "tasks",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=True),
        sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number"), nullable=True),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.Column("done_note", sa.Text, nullable=True),
        sa.CheckConstraint("(incident_number IS NULL) <> (problem_number IS NULL)", name="ck_tasks_one_parent"),
        sqlite_autoincrement=True,  # T-numbers are shown to people: never reused
    )
    op.create_index("ix_tasks_incident", "tasks", ["incident_number"])
    op.create_index("ix_tasks_problem", "tasks", ["problem_number"])
    op.create_index("ix_tasks_owner", "tasks", ["owner"])


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("problem_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS redalert_problem_events_append_only()")
    op.drop_table("problem_incidents")
    op.drop_table("problems")
    op.drop_table("incident_links")
