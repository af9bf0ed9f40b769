"""The HTTP API's reads over incidents: a page of them (newest first, keyset by number) and an open one by the
dedup key an API client gave."""

from __future__ import annotations

import sqlalchemy as sa

from ..domain.incident import Incident, Phase
from ..domain.visibility import Viewer
from .database import Database
from .incident_rows import incident_from_row
from .tables import incidents
from .visibility import visible


class ApiQueries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def page(
        self, *, viewer: Viewer, state: str, severity: str | None, before: int | None, limit: int
    ) -> list[Incident]:
        """Up to `limit` incidents `viewer` may see, numbered below `before`, newest first.

        `state` open is every incident not closed (a resolved one is still open until a person closes it)."""
        query = sa.select(incidents).where(visible(viewer))
        if state == "open":
            query = query.where(incidents.c.phase != Phase.CLOSED.value)
        elif state == "closed":
            query = query.where(incidents.c.phase == Phase.CLOSED.value)
        if severity is not None:
            query = query.where(incidents.c.severity == severity)
        if before is not None:
            query = query.where(incidents.c.number < before)
        query = query.order_by(incidents.c.number.desc()).limit(limit)
        with self._db.read() as connection:
            return [incident_from_row(row) for row in connection.execute(query)]

    def keyed(self, prefix: str) -> list[Incident]:
        """Every incident whose dedup key starts with `prefix`, oldest first."""
        query = (
            sa.select(incidents)
            .where(incidents.c.dedup_key.startswith(prefix, autoescape=True))
            .order_by(incidents.c.number)
        )
        with self._db.read() as connection:
            return [incident_from_row(row) for row in connection.execute(query)]
