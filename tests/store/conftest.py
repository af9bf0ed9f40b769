"""Fixtures running every store test on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pg import postgres_url_or_skip, throwaway_schema

from redalert_core.domain.incident import Incident
from redalert_core.store import Store


@dataclass(frozen=True)
class Database:
    """Where a test's data lives: pass both to Store, or as STORAGE_CONFIG to the storage plugin."""

    url: str
    schema: str | None = None

    @property
    def storage_config(self) -> dict:
        return {"url": self.url, "schema": self.schema}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """An empty database, not yet migrated."""
    if request.param == "sqlite":
        # A nested directory also checks that the store creates the parent folder.
        yield Database(f"sqlite:///{tmp_path / 'data' / 'redalert.sqlite'}")
        return
    url = postgres_url_or_skip()
    with throwaway_schema(url) as schema:
        yield Database(url, schema)


@pytest.fixture
def store(database: Database) -> Iterator[Store]:
    """A migrated store on an empty database."""
    incident_store = Store(database.url, schema=database.schema)
    incident_store.migrate()
    yield incident_store
    incident_store.dispose()


T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def new_incident(store: Store) -> Callable[..., Incident]:
    """Create an incident with sensible defaults; keyword arguments override them."""

    def create(**overrides: object) -> Incident:
        fields: dict = {
            "severity": "sev2",
            "description": "checkout is down",
            "opened_by": "U_OPENER",
            "opened_at": T0,
            "origin_channel": "C_ORIGIN",
        }
        fields.update(overrides)
        return store.incidents.create(**fields)

    return create
