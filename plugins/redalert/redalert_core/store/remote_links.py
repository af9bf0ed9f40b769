"""What outside systems gave back that later calls need, by key: a Trello card id, a Confluence page id and version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import remote_links


class RemoteLinks:
    def __init__(self, db: Database) -> None:
        self._db = db
        upsert = db.insert(remote_links)
        self._upsert = upsert.on_conflict_do_update(
            index_elements=["key"], set_={"data": upsert.excluded.data, "updated_at": upsert.excluded.updated_at}
        )

    def get(self, key: str) -> dict | None:
        with self._db.read() as connection:
            data = connection.scalar(sa.select(remote_links.c.data).where(remote_links.c.key == key))
        return None if data is None else dict(data)

    def with_prefix(self, prefix: str) -> dict[str, dict]:
        """Every link whose key starts with `prefix` (a fallback scan; links are few)."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(remote_links.c.key, remote_links.c.data).where(remote_links.c.key.startswith(prefix))
            ).all()
        return {key: dict(data) for key, data in rows}

    def set(self, key: str, data: dict, at: datetime) -> None:
        with self._db.write() as connection:
            connection.execute(self._upsert, {"key": key, "data": data, "updated_at": at})
