"""Alert groups: which incident an alert group (a sender's `groupKey`) has, and the alerts seen in it.

A group gets a row per incident: while its incident is open, every notification lands there; after that incident
is closed, a firing notification makes a new incident and a new row (`previous_incident` links them). Each alert is
one fingerprint row with its last status and whether the incident channel has been told about it (`posted`), so the
Slack work that follows the intake can be finished later by whoever runs it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .database import Database
from .tables import alert_fingerprints, alert_groups


@dataclass(frozen=True)
class AlertGroup:
    id: int
    source: str
    group_key: str
    incident_number: int
    previous_incident: int | None
    firing: bool


@dataclass(frozen=True)
class SeenAlert:
    group_id: int
    fingerprint: str
    status: str
    detail: dict[str, Any]
    posted: bool


def group_hash(source: str, group_key: str) -> str:
    return hashlib.sha256(f"{source}\n{group_key}".encode()).hexdigest()


class AlertGroups:
    def __init__(self, db: Database) -> None:
        self._db = db

    def latest(self, source: str, group_key: str) -> AlertGroup | None:
        """The group's newest row (its incident may have been closed since)."""
        query = (
            sa.select(alert_groups)
            .where(alert_groups.c.group_hash == group_hash(source, group_key))
            .order_by(alert_groups.c.id.desc())
            .limit(1)
        )
        with self._db.read() as connection:
            row = connection.execute(query).first()
        return None if row is None else _group(row)

    def for_incident(self, number: int) -> list[AlertGroup]:
        query = sa.select(alert_groups).where(alert_groups.c.incident_number == number).order_by(alert_groups.c.id)
        with self._db.read() as connection:
            return [_group(row) for row in connection.execute(query)]

    def create(
        self, source: str, group_key: str, incident_number: int, previous: int | None, at: datetime
    ) -> AlertGroup:
        row = {
            "source": source,
            "group_hash": group_hash(source, group_key),
            "group_key": group_key,
            "incident_number": incident_number,
            "previous_incident": previous,
            "firing": True,
            "created_at": at,
        }
        with self._db.write() as connection:
            new_id = connection.execute(sa.insert(alert_groups).values(row).returning(alert_groups.c.id)).scalar_one()
        return AlertGroup(new_id, source, group_key, incident_number, previous, True)

    def set_firing(self, group_id: int, firing: bool) -> None:
        with self._db.write() as connection:
            connection.execute(sa.update(alert_groups).where(alert_groups.c.id == group_id).values(firing=firing))

    def seen(self, group_id: int) -> dict[str, SeenAlert]:
        """The group's alerts by fingerprint."""
        query = sa.select(alert_fingerprints).where(alert_fingerprints.c.group_id == group_id)
        with self._db.read() as connection:
            return {row.fingerprint: _seen(row) for row in connection.execute(query)}

    def add(self, group_id: int, fingerprint: str, status: str, detail: dict[str, Any], at: datetime) -> None:
        row = {
            "group_id": group_id,
            "fingerprint": fingerprint,
            "status": status,
            "detail": detail,
            "posted": False,
            "first_seen_at": at,
            "changed_at": at,
        }
        with self._db.write() as connection:
            connection.execute(sa.insert(alert_fingerprints).values(row))

    def set_status(self, group_id: int, fingerprint: str, status: str, at: datetime) -> None:
        where = (alert_fingerprints.c.group_id == group_id) & (alert_fingerprints.c.fingerprint == fingerprint)
        with self._db.write() as connection:
            connection.execute(sa.update(alert_fingerprints).where(where).values(status=status, changed_at=at))

    def unposted(self, number: int) -> list[SeenAlert]:
        """The incident's alerts its channel has not been told about, oldest first."""
        query = (
            sa.select(alert_fingerprints)
            .join(alert_groups, alert_groups.c.id == alert_fingerprints.c.group_id)
            .where(alert_groups.c.incident_number == number, alert_fingerprints.c.posted.is_(False))
            .order_by(alert_fingerprints.c.first_seen_at, alert_fingerprints.c.fingerprint)
        )
        with self._db.read() as connection:
            return [_seen(row) for row in connection.execute(query)]

    def mark_posted(self, group_id: int, fingerprint: str) -> None:
        where = (alert_fingerprints.c.group_id == group_id) & (alert_fingerprints.c.fingerprint == fingerprint)
        with self._db.write() as connection:
            connection.execute(sa.update(alert_fingerprints).where(where).values(posted=True))

    def count_alerts(self) -> int:
        with self._db.read() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(alert_fingerprints)).scalar_one()


def _group(row: Any) -> AlertGroup:
    return AlertGroup(row.id, row.source, row.group_key, row.incident_number, row.previous_incident, bool(row.firing))


def _seen(row: Any) -> SeenAlert:
    return SeenAlert(row.group_id, row.fingerprint, row.status, dict(row.detail), bool(row.posted))
