"""Errbot's key-value storage (storage/redalert_sql.py): pickled values by namespace and key."""

from __future__ import annotations

import sqlalchemy as sa

from .database import Database
from .tables import errbot_kv


class KeyValueStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, namespace: str, key: str) -> bytes | None:
        with self._db.read() as connection:
            value = connection.scalar(
                sa.select(errbot_kv.c.value).where(errbot_kv.c.namespace == namespace, errbot_kv.c.key == key)
            )
        return None if value is None else bytes(value)

    def set(self, namespace: str, key: str, value: bytes) -> None:
        """Insert or replace; committed before returning, so a killed process keeps the write."""
        statement = self._db.insert(errbot_kv).values(namespace=namespace, key=key, value=value)
        statement = statement.on_conflict_do_update(
            index_elements=["namespace", "key"], set_={"value": statement.excluded.value}
        )
        with self._db.write() as connection:
            connection.execute(statement)

    def delete(self, namespace: str, key: str) -> bool:
        """Returns whether the key existed."""
        with self._db.write() as connection:
            result = connection.execute(
                sa.delete(errbot_kv).where(errbot_kv.c.namespace == namespace, errbot_kv.c.key == key)
            )
        return result.rowcount > 0

    def keys(self, namespace: str) -> list[str]:
        with self._db.read() as connection:
            return list(
                connection.scalars(
                    sa.select(errbot_kv.c.key).where(errbot_kv.c.namespace == namespace).order_by(errbot_kv.c.key)
                )
            )

    def count(self, namespace: str) -> int:
        with self._db.read() as connection:
            count = connection.scalar(
                sa.select(sa.func.count()).select_from(errbot_kv).where(errbot_kv.c.namespace == namespace)
            )
        return int(count or 0)
