"""Every database query RedAlert makes: incidents, participants, the event log and Errbot's key-value storage.

Works on SQLite (single host) and PostgreSQL. Each public method runs in one short transaction on its own
pooled connection, so the store can be shared by Errbot's worker threads.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from redalert_core.incident import OPEN_STEPS, Event, EventKind, Incident, OpenStep, Status
from redalert_core.tables import errbot_kv, events, incident_workflow, incidents, participants
from redalert_core.workflow_state import WorkflowState

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Arbitrary constant shared by every RedAlert process: serialises migrations across processes on PostgreSQL.
PG_MIGRATION_LOCK_KEY = 0x5EDA1E47
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Alembic's command API is not re-entrant; two stores in one process must not migrate at the same moment.
_MIGRATION_LOCK = threading.Lock()
_NOT_CLOSED = (Status.OPENING.value, Status.OPEN.value)


class DuplicateCommand(Exception):
    """The same command (same dedup key) already opened an incident; `.incident` is that incident."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"dedup key {incident.dedup_key!r} already opened incident {incident.number}")
        self.incident = incident


class RepeatedCommand(DuplicateCommand):
    """The same person sent the same open (same severity and description) moments ago; `.incident` is that one."""


def same_words(text: str) -> str:
    """A description compared case- and space-insensitively: "DB  down" and "db down" are the same request."""
    return " ".join(text.casefold().split())


class AlreadyClosed(Exception):
    """The incident was closed before this close; `.incident` is its stored state."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"incident {incident.number} is already closed")
        self.incident = incident


class IncidentNotFound(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(f"no incident {number}")
        self.number = number


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs (as hosting platforms hand them out) at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _kind_from_db(value: str) -> EventKind | str:
    # Kinds written by a newer version stay readable as plain strings.
    try:
        return EventKind(value)
    except ValueError:
        return value


def _incident_from_row(row: sa.Row) -> Incident:
    return Incident(
        number=row.number,
        severity=row.severity,
        description=row.description,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        status=Status(row.status),
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        origin_channel=row.origin_channel,
        is_private=bool(row.is_private),
        dedup_key=row.dedup_key,
        steps_done=list(row.steps_done or []),
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        resolution=row.resolution,
        summary_ts=row.summary_ts,
    )


def _event_from_row(row: sa.Row) -> Event:
    return Event(
        incident_number=row.incident_number,
        kind=_kind_from_db(row.kind),  # type: ignore[arg-type]
        at=row.at,
        actor=row.actor,
        data=dict(row.data or {}),
        id=row.id,
    )


def _create_sqlite_engine(url: sa.URL) -> sa.Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    # An in-memory database lives in one connection; share it (fine for single-threaded tests only).
    engine = sa.create_engine(url, connect_args=connect_args, poolclass=StaticPool if in_memory else None)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _begin) instead of sqlite3's implicit, DDL-skipping one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        # NORMAL in WAL mode: a commit survives a killed process and never corrupts the file; only an OS crash or
        # power cut may drop the last commits (use PostgreSQL where that matters). FULL costs an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then writes can fail
        # with SQLITE_BUSY instead of waiting when another thread committed in between.
        immediate = connection.get_execution_options().get("redalert_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_postgres_engine(url: sa.URL, schema: str | None) -> sa.Engine:
    connect_args = {}
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"invalid schema name {schema!r}")
        connect_args["options"] = f"-csearch_path={schema}"
    # pre_ping: the bot runs for weeks; a database restart must not surface as errors on the next command.
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)


class IncidentStore:
    """The RedAlert database.

    `url` is any SQLAlchemy URL for SQLite or PostgreSQL (bare postgres:// URLs are accepted). `schema`, on
    PostgreSQL only, sets the connections' search_path so that everything (tables and Alembic's version table)
    lives in that schema; the schema must already exist. It is ignored on SQLite.
    """

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        parsed = make_url(normalise_database_url(url))
        dialect = parsed.get_backend_name()
        if dialect == "sqlite":
            self._engine = _create_sqlite_engine(parsed)
            self._insert = sqlite.insert
        elif dialect == "postgresql":
            self._engine = _create_postgres_engine(parsed, schema)
            self._insert = postgresql.insert
        else:
            raise ValueError(f"unsupported database {dialect!r}: use sqlite or postgresql")
        self.dialect = dialect

    # -- plumbing ------------------------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as connection:
            connection.execution_options(redalert_write=True)
            with connection.begin():
                yield connection

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic `upgrade head`); a no-op when already there."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        with _MIGRATION_LOCK, self._write() as connection:
            if self.dialect == "postgresql":
                # Held until commit, so a second process waits and then finds the schema up to date.
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_MIGRATION_LOCK_KEY)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self._engine.dispose()

    def _load(self, connection: sa.Connection, number: int, *, for_update: bool = False) -> Incident | None:
        query = sa.select(incidents).where(incidents.c.number == number)
        if for_update:
            query = query.with_for_update()  # row lock on PostgreSQL; SQLite's IMMEDIATE already serialises
        row = connection.execute(query).one_or_none()
        return None if row is None else _incident_from_row(row)

    def _require(self, connection: sa.Connection, number: int, *, for_update: bool = False) -> Incident:
        incident = self._load(connection, number, for_update=for_update)
        if incident is None:
            raise IncidentNotFound(number)
        return incident

    def _find_one(self, condition: sa.ColumnElement[bool]) -> Incident | None:
        with self._read() as connection:
            row = connection.execute(sa.select(incidents).where(condition)).one_or_none()
        return None if row is None else _incident_from_row(row)

    def _append_event(
        self,
        connection: sa.Connection,
        number: int,
        kind: EventKind | str,
        *,
        actor: str | None,
        data: dict | None,
        at: datetime | None,
    ) -> Event:
        kind_value = kind.value if isinstance(kind, EventKind) else str(kind)
        values = {
            "incident_number": number,
            "kind": kind_value,
            "actor": actor,
            "at": at or _utcnow(),
            "data": dict(data or {}),
        }
        result = connection.execute(sa.insert(events).values(**values))
        # Built from what was written rather than read back: one query less for every event.
        return Event(
            incident_number=number,
            kind=_kind_from_db(kind_value),  # type: ignore[arg-type]
            at=values["at"].astimezone(UTC),
            actor=actor,
            data=values["data"],
            id=result.inserted_primary_key[0],
        )

    def _record_step(self, connection: sa.Connection, incident: Incident, step: OpenStep, data: dict) -> Incident:
        """Mark `step` done on a row already locked by the caller; OPENING becomes OPEN once all are done."""
        steps = list(incident.steps_done)
        newly_done = step.value not in steps
        if newly_done:
            steps.append(step.value)
        values: dict[str, Any] = {"steps_done": steps}
        if incident.status is Status.OPENING and all(s.value in steps for s in OPEN_STEPS):
            values["status"] = Status.OPEN.value
        connection.execute(sa.update(incidents).where(incidents.c.number == incident.number).values(**values))
        if newly_done:
            self._append_event(
                connection,
                incident.number,
                EventKind.STEP_DONE,
                actor=None,
                data={"step": step.value, **data},
                at=None,
            )
        return dataclasses.replace(incident, steps_done=steps, status=Status(values.get("status", incident.status)))

    # -- incidents -----------------------------------------------------------------------------------------

    def create_incident(
        self,
        *,
        severity: str,
        description: str,
        opened_by: str,
        opened_at: datetime,
        origin_channel: str | None,
        is_private: bool = False,
        dedup_key: str | None = None,
        repeat_since: datetime | None = None,
    ) -> Incident:
        """Record a new incident (status OPENING, step "recorded" done).

        Raises DuplicateCommand for a known dedup key, and RepeatedCommand when `repeat_since` is given and the same
        person opened the same severity and description at or after it (a command sent twice by hand).
        """
        try:
            with self._write() as connection:
                # Checked first so a retried command does not burn a number (PostgreSQL sequences never roll
                # back); the unique constraint still settles races between concurrent attempts.
                if dedup_key is not None:
                    found = connection.execute(sa.select(incidents).where(incidents.c.dedup_key == dedup_key))
                    existing_row = found.one_or_none()
                    if existing_row is not None:
                        raise DuplicateCommand(_incident_from_row(existing_row))
                if repeat_since is not None:
                    repeated = self._recent_same_open(connection, opened_by, severity, description, repeat_since)
                    if repeated is not None:
                        raise RepeatedCommand(repeated)
                result = connection.execute(
                    sa.insert(incidents).values(
                        severity=severity,
                        description=description,
                        status=Status.OPENING.value,
                        origin_channel=origin_channel,
                        is_private=is_private,
                        dedup_key=dedup_key,
                        steps_done=[OpenStep.RECORDED.value],
                        opened_by=opened_by,
                        opened_at=opened_at,
                    )
                )
                number = result.inserted_primary_key[0]
                self._append_event(
                    connection,
                    number,
                    EventKind.OPENED,
                    actor=opened_by,
                    data={"severity": severity, "description": description, "origin_channel": origin_channel},
                    at=opened_at,
                )
                return self._require(connection, number)
        except sa.exc.IntegrityError:
            # The unique constraint, not a prior lookup, decides: two racing inserts cannot both succeed.
            existing = self.get_by_dedup_key(dedup_key) if dedup_key is not None else None
            if existing is None:
                raise
            raise DuplicateCommand(existing) from None

    def _recent_same_open(
        self, connection: sa.Connection, opened_by: str, severity: str, description: str, since: datetime
    ) -> Incident | None:
        if self.dialect == "postgresql":
            # SQLite's BEGIN IMMEDIATE already serialises writers; on PostgreSQL two identical commands checked in
            # parallel would both find nothing, so one opener's opens take turns (until commit).
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(opened_by))))
        rows = connection.execute(
            sa.select(incidents)
            .where(incidents.c.opened_by == opened_by, incidents.c.opened_at >= since)
            .order_by(incidents.c.number.desc())
        ).all()
        wanted = (severity.casefold(), same_words(description))
        for row in rows:
            if (row.severity.casefold(), same_words(row.description)) == wanted:
                return _incident_from_row(row)
        return None

    def get(self, number: int) -> Incident | None:
        with self._read() as connection:
            return self._load(connection, number)

    def get_by_channel(self, channel_id: str) -> Incident | None:
        return self._find_one(incidents.c.channel_id == channel_id)

    def get_by_dedup_key(self, key: str) -> Incident | None:
        return self._find_one(incidents.c.dedup_key == key)

    def list_incidents(
        self, *, include_closed: bool = False, limit: int = 50, viewer: str | None = None, viewer_is_admin: bool = False
    ) -> tuple[list[Incident], int]:
        """Newest first, at most `limit`, with the total number matching. "Open" means OPENING or OPEN.

        With a `viewer` who is no admin, private incidents are left out unless the viewer opened or joined them.
        """
        condition = sa.true() if include_closed else incidents.c.status.in_(_NOT_CLOSED)
        if viewer is not None and not viewer_is_admin:
            member = sa.exists().where(
                participants.c.incident_number == incidents.c.number, participants.c.user_id == viewer
            )
            condition = sa.and_(
                condition, sa.or_(incidents.c.is_private.is_(False), incidents.c.opened_by == viewer, member)
            )
        with self._read() as connection:
            total = connection.scalar(sa.select(sa.func.count()).select_from(incidents).where(condition))
            rows = connection.execute(
                sa.select(incidents).where(condition).order_by(incidents.c.number.desc()).limit(limit)
            ).all()
        return [_incident_from_row(row) for row in rows], int(total or 0)

    def unfinished(self) -> list[Incident]:
        """Incidents whose open sequence never finished (status OPENING), oldest first."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(incidents).where(incidents.c.status == Status.OPENING.value).order_by(incidents.c.number)
            ).all()
        return [_incident_from_row(row) for row in rows]

    def set_intended_channel_name(self, number: int, name: str) -> Incident:
        """Remember the name about to be sent to conversations.create, before Slack is asked.

        If the process dies after Slack created the channel but before its id was stored, the resumed create gets
        name_taken for exactly this name, and the channel can be found and adopted instead of left behind.
        """
        with self._write() as connection:
            self._require(connection, number, for_update=True)
            connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number, incidents.c.channel_id.is_(None))
                .values(channel_name=name)
            )
            return self._require(connection, number)

    def channel_name_claimed(self, name: str, *, other_than: int) -> bool:
        """Whether another incident already has (or is about to create) a channel called `name`."""
        with self._read() as connection:
            found = connection.scalar(
                sa.select(incidents.c.number)
                .where(incidents.c.channel_name == name, incidents.c.number != other_than)
                .limit(1)
            )
        return found is not None

    def set_channel(self, number: int, channel_id: str, channel_name: str) -> Incident:
        with self._write() as connection:
            incident = self._require(connection, number, for_update=True)
            connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number)
                .values(channel_id=channel_id, channel_name=channel_name)
            )
            data = {"channel_id": channel_id, "channel_name": channel_name}
            self._record_step(connection, incident, OpenStep.CHANNEL, data)
            return self._require(connection, number)

    def mark_step_done(self, number: int, step: OpenStep, data: dict | None = None) -> Incident:
        """Idempotent: a step already done is not recorded again (no second event)."""
        with self._write() as connection:
            incident = self._require(connection, number, for_update=True)
            return self._record_step(connection, incident, OpenStep(step), dict(data or {}))

    def mark_step_failed(self, number: int, step: OpenStep, error: str) -> None:
        with self._write() as connection:
            self._require(connection, number)
            data = {"step": OpenStep(step).value, "error": error}
            self._append_event(connection, number, EventKind.STEP_FAILED, actor=None, data=data, at=None)

    def set_summary_ts(self, number: int, ts: str) -> None:
        with self._write() as connection:
            result = connection.execute(sa.update(incidents).where(incidents.c.number == number).values(summary_ts=ts))
            if result.rowcount == 0:
                raise IncidentNotFound(number)

    def close_incident(self, number: int, *, closed_by: str, closed_at: datetime, resolution: str | None) -> Incident:
        """Close once. Raises AlreadyClosed if someone closed it first, IncidentNotFound if it never existed."""
        with self._write() as connection:
            # Conditional update: of two concurrent closes only one matches a not-yet-closed row.
            result = connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number, incidents.c.status != Status.CLOSED.value)
                .values(
                    status=Status.CLOSED.value,
                    closed_by=closed_by,
                    closed_at=closed_at,
                    resolution=resolution,
                )
            )
            if result.rowcount == 0:
                raise AlreadyClosed(self._require(connection, number))
            self._append_event(
                connection,
                number,
                EventKind.CLOSED,
                actor=closed_by,
                data={"resolution": resolution},
                at=closed_at,
            )
            return self._require(connection, number)

    # -- participants --------------------------------------------------------------------------------------

    def add_participants(self, number: int, user_ids: list[str], *, source: str) -> list[str]:
        """Add people to the incident; returns those not already in it (in the order given)."""
        added: list[str] = []
        now = _utcnow()
        with self._write() as connection:
            self._require(connection, number)
            for user_id in dict.fromkeys(user_ids):
                statement = (
                    self._insert(participants)
                    .values(incident_number=number, user_id=user_id, source=source, added_at=now)
                    .on_conflict_do_nothing(index_elements=["incident_number", "user_id"])
                    .returning(participants.c.user_id)  # a row comes back only if it was inserted
                )
                if connection.execute(statement).first() is not None:
                    added.append(user_id)
        return added

    def participants(self, number: int) -> list[str]:
        """User ids in the order they joined."""
        with self._read() as connection:
            return list(
                connection.scalars(
                    sa.select(participants.c.user_id)
                    .where(participants.c.incident_number == number)
                    .order_by(participants.c.added_at, participants.c.user_id)
                )
            )

    # -- event log -----------------------------------------------------------------------------------------

    def add_event(
        self,
        number: int,
        kind: EventKind | str,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
    ) -> Event:
        with self._write() as connection:
            self._require(connection, number)
            return self._append_event(connection, number, kind, actor=actor, data=data, at=at)

    def events(self, number: int) -> list[Event]:
        """Oldest first (by time, then by the order they were appended)."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(events).where(events.c.incident_number == number).order_by(events.c.at, events.c.id)
            ).all()
        return [_event_from_row(row) for row in rows]

    # -- Errbot key-value storage (storage/redalert_sql.py) ------------------------------------------------

    def kv_get(self, namespace: str, key: str) -> bytes | None:
        with self._read() as connection:
            value = connection.scalar(
                sa.select(errbot_kv.c.value).where(errbot_kv.c.namespace == namespace, errbot_kv.c.key == key)
            )
        return None if value is None else bytes(value)

    def kv_set(self, namespace: str, key: str, value: bytes) -> None:
        """Insert or replace; committed before returning, so a killed process keeps the write."""
        statement = self._insert(errbot_kv).values(namespace=namespace, key=key, value=value)
        statement = statement.on_conflict_do_update(
            index_elements=["namespace", "key"], set_={"value": statement.excluded.value}
        )
        with self._write() as connection:
            connection.execute(statement)

    def kv_delete(self, namespace: str, key: str) -> bool:
        """Returns whether the key existed."""
        with self._write() as connection:
            result = connection.execute(
                sa.delete(errbot_kv).where(errbot_kv.c.namespace == namespace, errbot_kv.c.key == key)
            )
        return result.rowcount > 0

    def kv_keys(self, namespace: str) -> list[str]:
        with self._read() as connection:
            return list(
                connection.scalars(
                    sa.select(errbot_kv.c.key).where(errbot_kv.c.namespace == namespace).order_by(errbot_kv.c.key)
                )
            )

    def kv_count(self, namespace: str) -> int:
        with self._read() as connection:
            count = connection.scalar(
                sa.select(sa.func.count()).select_from(errbot_kv).where(errbot_kv.c.namespace == namespace)
            )
        return int(count or 0)

    # -- incident workflow (roles, statuses, severity, announcements, reminders; see workflow.py) -------------

    def workflow(self, number: int) -> WorkflowState:
        """The incident's workflow state; an incident nobody has touched yet has the empty state."""
        with self._read() as connection:
            return self._workflow_state(connection, number)

    def _workflow_state(self, connection: sa.Connection, number: int) -> WorkflowState:
        row = connection.execute(
            sa.select(incident_workflow).where(incident_workflow.c.incident_number == number)
        ).one_or_none()
        if row is None:
            return WorkflowState(incident_number=number)
        return WorkflowState(
            incident_number=number,
            status=row.status,
            resolved_at=row.resolved_at,
            roles=dict(row.roles or {}),
            announce_channel=row.announce_channel,
            announce_ts=row.announce_ts,
        )

    def _save_workflow(self, connection: sa.Connection, state: WorkflowState) -> None:
        values = {
            "status": state.status,
            "resolved_at": state.resolved_at,
            "roles": dict(state.roles),
            "announce_channel": state.announce_channel,
            "announce_ts": state.announce_ts,
        }
        statement = self._insert(incident_workflow).values(incident_number=state.incident_number, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["incident_number"], set_=values))

    def assign_role(self, number: int, *, role: str, user_id: str, actor: str, at: datetime) -> str | None:
        """Give `role` to `user_id`; returns who held it before (None if nobody). Logged as role_assigned."""
        with self._write() as connection:
            self._require(connection, number, for_update=True)
            state = self._workflow_state(connection, number)
            previous = state.roles.get(role)
            state.roles[role] = user_id
            self._save_workflow(connection, state)
            data = {"role": role, "user": user_id, "previous": previous}
            self._append_event(connection, number, EventKind.ROLE_ASSIGNED, actor=actor, data=data, at=at)
        return previous

    def set_workflow_status(
        self,
        number: int,
        *,
        status: str,
        resolved: bool,
        actor: str,
        note: str | None,
        at: datetime,
        implicit_previous: str | None = None,
    ) -> str | None:
        """Move the incident to `status` (resolved: record the resolution time); returns the previous status.

        `implicit_previous` names the status an incident has before anyone set one (the first configured).
        """
        with self._write() as connection:
            self._require(connection, number, for_update=True)
            state = self._workflow_state(connection, number)
            previous = state.status or implicit_previous
            state.status = status
            state.resolved_at = at if resolved else None
            self._save_workflow(connection, state)
            data = {"from": previous, "to": status, "note": note, "resolved": resolved}
            self._append_event(connection, number, EventKind.STATUS_CHANGED, actor=actor, data=data, at=at)
        return previous

    def change_severity(self, number: int, *, severity: str, actor: str, at: datetime) -> Incident:
        return self._change_column(number, "severity", severity, EventKind.SEVERITY_CHANGED, actor=actor, at=at)

    def rename_channel(self, number: int, *, name: str, at: datetime) -> Incident:
        return self._change_column(number, "channel_name", name, EventKind.CHANNEL_RENAMED, actor=None, at=at)

    def _change_column(
        self, number: int, column: str, value: str, kind: EventKind, *, actor: str | None, at: datetime
    ) -> Incident:
        """Set one column of an incident and log the change as a `kind` event with "from" and "to"."""
        with self._write() as connection:
            incident = self._require(connection, number, for_update=True)
            connection.execute(sa.update(incidents).where(incidents.c.number == number).values({column: value}))
            data = {"from": getattr(incident, column), "to": value}
            self._append_event(connection, number, kind, actor=actor, data=data, at=at)
            return dataclasses.replace(incident, **{column: value})

    def set_announcement(self, number: int, *, channel_id: str, ts: str, at: datetime) -> None:
        """The first announcement in `channel_id`: later updates are threaded under `ts`."""
        with self._write() as connection:
            self._require(connection, number, for_update=True)
            state = self._workflow_state(connection, number)
            state.announce_channel, state.announce_ts = channel_id, ts
            self._save_workflow(connection, state)
            data = {"channel": channel_id, "ts": ts}
            self._append_event(connection, number, EventKind.ANNOUNCED, actor=None, data=data, at=at)

    def not_closed_incidents(self) -> list[Incident]:
        """Every incident that is not closed, oldest first (for reminders; no limit)."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(incidents).where(incidents.c.status.in_(_NOT_CLOSED)).order_by(incidents.c.number)
            ).all()
        return [_incident_from_row(row) for row in rows]

    def is_participant(self, number: int, user_id: str) -> bool:
        with self._read() as connection:
            found = connection.scalar(
                sa.select(participants.c.user_id).where(
                    participants.c.incident_number == number, participants.c.user_id == user_id
                )
            )
        return found is not None
