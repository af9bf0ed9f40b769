"""Table definitions used by the store's queries.

The schema itself is created by Alembic migrations (migrations/versions/); these definitions must stay in step
with them. They only describe columns for building queries, so no constraints are declared here that the
queries do not rely on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class UtcDateTime(sa.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and UTC is re-attached on the way
    out. Naive datetimes are refused: silently guessing their zone is how timelines end up an hour off.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact); JSON text elsewhere.
JsonDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("severity", sa.String(32), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("channel_id", sa.String(64), unique=True),
    sa.Column("channel_name", sa.String(80)),
    sa.Column("origin_channel", sa.String(64)),
    sa.Column("is_private", sa.Boolean, nullable=False),
    sa.Column("dedup_key", sa.String(255), unique=True),
    sa.Column("steps_done", JsonDocument, nullable=False),
    sa.Column("summary_ts", sa.String(32)),
    sa.Column("opened_by", sa.String(64), nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("closed_by", sa.String(64)),
    sa.Column("resolution", sa.Text),
    sa.Column("incident_type", sa.String(30)),  # a type of REDALERT_WORKFLOWS_FILE; None without one
    sqlite_autoincrement=True,
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64)),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", JsonDocument, nullable=False),
    sqlite_autoincrement=True,
)

# Errbot's own key-value storage (plugin configuration etc.), see storage/redalert_sql.py.
errbot_kv = sa.Table(
    "errbot_kv",
    metadata,
    sa.Column("namespace", sa.String(255), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.LargeBinary, nullable=False),
)

# The incident workflow's current state (migration 0003); the event log keeps the history of every change.
incident_workflow = sa.Table(
    "incident_workflow",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("status", sa.String(32)),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("roles", JsonDocument, nullable=False),
    sa.Column("announce_channel", sa.String(64)),
    sa.Column("announce_ts", sa.String(32)),
)

# The transactional outbox (migration 0005): calls to outside systems, written with the change that causes them.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("destination", sa.String(32), nullable=False),
    sa.Column("ordering_key", sa.String(200), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("incident_number", sa.Integer),
    sa.Column("payload", JsonDocument, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("attempts_since", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime),
    sqlite_autoincrement=True,
)

# What outside systems gave back and later calls need: a Trello card id, a Confluence page id and version. `key` is
# e.g. "confluence:incident:12". (A PagerDuty alert's state is read from its outbox rows since migration 0009.)
remote_links = sa.Table(
    "remote_links",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("data", JsonDocument, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Several replicas on one database (migration 0008).
replicas = sa.Table(
    "replicas",
    metadata,
    sa.Column("replica_id", sa.Text, primary_key=True),
    sa.Column("hostname", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("heartbeat_at", UtcDateTime, nullable=False),
    sa.Column("instance", sa.String(64), nullable=False),
    sa.Column("leader_since", UtcDateTime),
)

open_owners = sa.Table(
    "open_owners",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("instance", sa.String(64), nullable=False),
    sa.Column("replica_id", sa.Text, nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
)

command_claims = sa.Table(
    "command_claims",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("replica_id", sa.Text, nullable=False),
    sa.Column("claimed_at", UtcDateTime, nullable=False),
)

# Every chat command as received, until answered (migration 0013, store/command_inbox.py).
command_inbox = sa.Table(
    "command_inbox",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("ts", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(64)),
    sa.Column("command", sa.String(100)),
    sa.Column("text", sa.Text),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("claimed_by", sa.String(64), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("finished_at", UtcDateTime),
)

reminders_sent = sa.Table(
    "reminders_sent",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("gap_start", sa.String(40), primary_key=True),
    sa.Column("sent_at", UtcDateTime, nullable=False),
)

sent_once = sa.Table(
    "sent_once",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("sent_at", UtcDateTime, nullable=False),
)

cache_invalidations = sa.Table(
    "cache_invalidations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("key", sa.String(64)),
    sa.Column("replica_id", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)
# Problem management (migration 0004): links, problems and their own event log, follow-up tasks.
incident_links = sa.Table(
    "incident_links",
    metadata,
    sa.Column("low_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("high_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("source_number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_by", sa.String(64)),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

problems = sa.Table(
    "problems",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("cause", sa.Text),
    sa.Column("workaround", sa.Text),
    sa.Column("opened_by", sa.String(64), nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("status_changed_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

problem_incidents = sa.Table(
    "problem_incidents",
    metadata,
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
    sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number"), nullable=False),
    sa.Column("added_by", sa.String(64)),
    sa.Column("added_at", UtcDateTime, nullable=False),
)

problem_events = sa.Table(
    "problem_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64)),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", JsonDocument, nullable=False),
    sqlite_autoincrement=True,
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number")),
    sa.Column("problem_number", sa.Integer, sa.ForeignKey("problems.number")),
    sa.Column("owner", sa.String(64)),
    sa.Column("due", sa.Date),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("done_at", UtcDateTime),
    sa.Column("done_by", sa.String(64)),
    sa.Column("done_note", sa.Text),
    sqlite_autoincrement=True,
)

# Slack interactions already handled (migration 0006): a double click or a redelivered envelope does one thing.
processed_interactions = sa.Table(
    "processed_interactions",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False),
)

# Slack's rate budgets shared by the replicas on PostgreSQL (migration 0010, store/rate_buckets.py).
rate_buckets = sa.Table(
    "rate_buckets",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("stamp", sa.Float, nullable=False),  # seconds since the epoch, by the database's clock
)

# Webhook endpoints disabled by a 410 Gone until an admin enables them (migration 0012, store/webhook_states.py).
disabled_webhooks = sa.Table(
    "disabled_webhooks",
    metadata,
    sa.Column("endpoint", sa.String(64), primary_key=True),  # SHA-256 of the URL
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("disabled_at", UtcDateTime, nullable=False),
)

# Alert intake (store/alert_groups.py): an alert group's incident, and the alerts seen in it by fingerprint.
alert_groups = sa.Table(
    "alert_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("group_hash", sa.String(64), nullable=False),
    sa.Column("group_key", sa.Text, nullable=False),
    sa.Column("incident_number", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
    sa.Column("previous_incident", sa.Integer, nullable=True),
    sa.Column("firing", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

alert_fingerprints = sa.Table(
    "alert_fingerprints",
    metadata,
    sa.Column("group_id", sa.Integer, sa.ForeignKey("alert_groups.id"), primary_key=True),
    sa.Column("fingerprint", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("detail", JsonDocument, nullable=False),
    sa.Column("posted", sa.Boolean, nullable=False),
    sa.Column("first_seen_at", UtcDateTime, nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
)

# Each action a workflow's trigger asked for, run once (migrations 0018, 0019; store/workflow_runs.py).
workflow_runs = sa.Table(
    "workflow_runs",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("incident_number", sa.Integer, nullable=False),
    sa.Column("workflow", sa.String(100), nullable=False),
    sa.Column("action_index", sa.Integer, nullable=False),
    sa.Column("trigger", sa.String(32), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("claimed_by", sa.String(64)),  # the process instance running it (migration 0019)
    sa.Index("ix_workflow_runs_state_due", "state", "due_at"),
)

# Every REDALERT_WORKFLOWS_FILE loaded; the newest row is the active one on every replica.
workflow_files = sa.Table(
    "workflow_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("loaded_by", sa.String(64), nullable=False),
    sa.Column("loaded_at", UtcDateTime, nullable=False),
)

# An incident's custom field values (the file's `fields:`); a multi_select's values are one comma-separated text.
incident_fields = sa.Table(
    "incident_fields",
    metadata,
    sa.Column("incident_number", sa.Integer, nullable=False),
    sa.Column("name", sa.String(30), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("incident_number", "name"),
)
