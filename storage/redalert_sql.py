"""Errbot storage plugin keeping Errbot's key-value storage (plugin configuration etc.) in RedAlert's database.

Enable in config.py:

    BOT_EXTRA_STORAGE_PLUGINS_DIR = "<repository>/storage"
    STORAGE = "RedAlertSQL"
    STORAGE_CONFIG = {"url": "sqlite:///data/redalert.sqlite"}  # or postgresql://...; optional "schema"

Unlike the default Shelf storage, each set() is its own committed transaction, so SIGTERM or SIGKILL can
neither corrupt the store nor lose a completed write.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from errbot.storage.base import StorageBase, StoragePluginBase

if TYPE_CHECKING:
    from redalert_core.store import Store

log = logging.getLogger(__name__)


def _open_store(url: str, schema: str | None) -> Store:
    from redalert_core.store import Store  # installed (pyproject.toml); imported late, as Errbot loads this by path

    store = Store(url, schema=schema)
    store.migrate()
    return store


class RedAlertSQLStorage(StorageBase):
    """One Errbot namespace ("core" or a plugin name): keys map to pickled values in the errbot_kv table."""

    def __init__(self, store: Store, namespace: str, on_close: Any) -> None:
        self._store = store
        self._namespace = namespace
        self._on_close = on_close

    def get(self, key: str) -> Any:
        value = self._store.kv.get(self._namespace, key)
        if value is None:
            raise KeyError(f"{key} doesn't exist.")
        # Only the bot writes this table (its own configuration), the same trust as Errbot's Shelf storage.
        return pickle.loads(value)  # noqa: S301

    def set(self, key: str, value: Any) -> None:
        self._store.kv.set(self._namespace, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def remove(self, key: str) -> None:
        if not self._store.kv.delete(self._namespace, key):
            raise KeyError(f"{key} doesn't exist.")

    def len(self) -> int:
        return self._store.kv.count(self._namespace)

    def keys(self) -> Iterable[str]:
        return self._store.kv.keys(self._namespace)

    def close(self) -> None:
        # Nothing to flush: every set() is already committed.
        self._on_close()


class RedAlertSQLStoragePlugin(StoragePluginBase):
    """Opens namespaces on one shared store; the connection pool is released when the last one closes."""

    def __init__(self, bot_config: Any) -> None:
        super().__init__(bot_config)
        if "url" not in self._storage_config:
            raise ValueError('RedAlertSQL storage needs STORAGE_CONFIG = {"url": "<database url>"}')
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._open_count = 0

    def open(self, namespace: str) -> StorageBase:
        with self._lock:
            if self._store is None:
                store = _open_store(self._storage_config["url"], self._storage_config.get("schema"))
                self._store = store
                log.debug("RedAlertSQL storage connected (%s)", store.dialect)
            self._open_count += 1
            return RedAlertSQLStorage(self._store, namespace, self._namespace_closed)

    def _namespace_closed(self) -> None:
        with self._lock:
            self._open_count -= 1
            if self._open_count == 0 and self._store is not None:
                self._store.dispose()
                self._store = None
