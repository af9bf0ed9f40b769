"""Schema creation through Alembic: repeatable, concurrent-safe, and the store refuses what it cannot run on."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from redalert_core.store import Store, normalise_database_url

EXPECTED_TABLES = {
    "incidents",
    "participants",
    "events",
    "errbot_kv",
    "alembic_version",
    "incident_links",
    "problems",
    "problem_incidents",
    "problem_events",
    "tasks",
    "status_entries",
    "status_updates",
}


def table_names(store: Store) -> set[str]:
    return set(sa.inspect(store.db.engine).get_table_names())


def test_migrate_twice_and_from_a_second_store(database) -> None:
    first = Store(database.url, schema=database.schema)
    first.migrate()
    first.migrate()
    second = Store(database.url, schema=database.schema)
    second.migrate()
    assert table_names(first) >= EXPECTED_TABLES
    first.dispose()
    second.dispose()


def test_concurrent_migrations_on_an_empty_database(database) -> None:
    stores = [Store(database.url, schema=database.schema) for _ in range(2)]
    errors: list[Exception] = []
    start = threading.Barrier(len(stores))

    def migrate(store: Store) -> None:
        start.wait()
        try:
            store.migrate()
        except Exception as error:  # collected: an exception in a thread would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert table_names(stores[0]) >= EXPECTED_TABLES
    for store in stores:
        store.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u@h/db?sslmode=require", "postgresql+psycopg://u@h/db?sslmode=require"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///data/redalert.sqlite", "sqlite:///data/redalert.sqlite"),
        ("sqlite:////abs/path.sqlite", "sqlite:////abs/path.sqlite"),
    ],
)
def test_normalise_database_url(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        Store("mysql://u@h/db")


def test_schema_name_is_validated() -> None:
    with pytest.raises(ValueError, match="invalid schema name"):
        Store("postgresql://u@h/db", schema="x; DROP TABLE incidents")


def test_sqlite_parent_directory_is_created(tmp_path) -> None:
    path = tmp_path / "a" / "b" / "redalert.sqlite"
    store = Store(f"sqlite:///{path}")
    store.migrate()
    assert path.exists()
    store.dispose()


def test_revision_0014_keeps_every_incident_phase(store, new_incident) -> None:
    """The lifecycle column `status` became `phase` (0014): values survive the rename both ways."""
    from alembic import command
    from alembic.config import Config

    from redalert_core.store.database import MIGRATIONS_DIR

    opening = new_incident().number
    closing = new_incident().number
    store.incidents.begin_close(closing, actor="U_A", resolution=None)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.db.write() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
        rows = connection.execute(sa.text("SELECT number, status FROM incidents ORDER BY number")).all()
    assert [tuple(row) for row in rows] == [(opening, "opening"), (closing, "closing")]
    store.migrate()
    assert [store.incidents.get(n).phase.value for n in (opening, closing)] == ["opening", "closing"]
