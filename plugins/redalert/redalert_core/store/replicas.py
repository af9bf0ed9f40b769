"""Replicas: one heartbeat row per running process, and which process owns each unfinished open.

A process is alive while its row's `instance` is its own and `heartbeat_at` is fresh. The instance (a random token
per process start) tells a restarted process from its predecessor that had the same replica id (a pod's name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import open_owners, replicas


@dataclass(frozen=True)
class ReplicaRow:
    replica_id: str
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    instance: str
    leader_since: datetime | None


class ReplicaRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db

    def beat(
        self,
        *,
        replica_id: str,
        instance: str,
        hostname: str,
        pid: int,
        started_at: datetime,
        at: datetime,
        leader_since: datetime | None,
    ) -> None:
        """Insert or refresh this process's row (a restarted replica takes over its predecessor's row)."""
        values = {
            "replica_id": replica_id,
            "hostname": hostname,
            "pid": pid,
            "started_at": started_at,
            "heartbeat_at": at,
            "instance": instance,
            "leader_since": leader_since,
        }
        statement = self._db.insert(replicas).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["replica_id"], set_={k: v for k, v in values.items() if k != "replica_id"}
        )
        with self._db.write() as connection:
            connection.execute(statement)

    def get(self, replica_id: str) -> ReplicaRow | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(replicas).where(replicas.c.replica_id == replica_id)).one_or_none()
        return None if row is None else ReplicaRow(**row._mapping)

    def leave(self, replica_id: str, instance: str) -> None:
        """Remove this process's row on a clean stop, so its unfinished opens are taken over at once."""
        with self._db.write() as connection:
            connection.execute(
                sa.delete(replicas).where(replicas.c.replica_id == replica_id, replicas.c.instance == instance)
            )

    def all(self) -> list[ReplicaRow]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(replicas).order_by(replicas.c.replica_id)).all()
        return [ReplicaRow(**row._mapping) for row in rows]

    def live_instances(self, fresh_since: datetime) -> set[str]:
        """Instances whose heartbeat is at or after `fresh_since`."""
        with self._db.read() as connection:
            found = connection.scalars(sa.select(replicas.c.instance).where(replicas.c.heartbeat_at >= fresh_since))
            return set(found)

    def forget_stale(self, before: datetime) -> int:
        """Drop rows whose heartbeat stopped before `before` (processes long gone); returns how many."""
        with self._db.write() as connection:
            return connection.execute(sa.delete(replicas).where(replicas.c.heartbeat_at < before)).rowcount


class OpenOwners:
    """Which process is running (or last ran, without answering) the open steps of an incident."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def take(self, number: int, *, instance: str, replica_id: str, at: datetime) -> None:
        values = {"incident_number": number, "instance": instance, "replica_id": replica_id, "since": at}
        statement = self._db.insert(open_owners).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["incident_number"], set_={"instance": instance, "replica_id": replica_id, "since": at}
        )
        with self._db.write() as connection:
            connection.execute(statement)

    def release(self, number: int) -> None:
        with self._db.write() as connection:
            connection.execute(sa.delete(open_owners).where(open_owners.c.incident_number == number))

    def owners(self) -> dict[int, str]:
        """Incident number -> owning instance."""
        with self._db.read() as connection:
            rows = connection.execute(sa.select(open_owners.c.incident_number, open_owners.c.instance)).all()
        return {row.incident_number: row.instance for row in rows}
