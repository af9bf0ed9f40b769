"""PostgreSQL for tests: find the server (or skip) and give each test a throwaway schema.

Set REDALERT_TEST_POSTGRES_URL to point elsewhere. With REDALERT_REQUIRE_POSTGRES=1 (CI) an unreachable
server fails the test instead of skipping it, so a broken CI database cannot pass silently.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from redalert_core.store import normalise_database_url

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("REDALERT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@functools.cache
def _unreachable_reason(url: str) -> str | None:
    # Probed once per session: a down server should cost one timeout, not one per test.
    engine = sa.create_engine(normalise_database_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at {url} is unreachable: {str(error.orig).strip()}"
    finally:
        engine.dispose()
    return None


def postgres_url_or_skip() -> str:
    """The test server's URL; skips the test when it is down, or fails it when REDALERT_REQUIRE_POSTGRES=1."""
    url = postgres_url()
    reason = _unreachable_reason(url)
    if reason is not None:
        if os.environ.get("REDALERT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (REDALERT_REQUIRE_POSTGRES=1, so this is an error)", pytrace=False)
        pytest.skip(reason)
    return url


@contextmanager
def throwaway_schema(url: str) -> Iterator[str]:
    """Create an empty schema `ra_<hex>`, yield its name, drop it with everything in it afterwards.

    Use it with Store(url, schema=name) or STORAGE_CONFIG {"url": url, "schema": name}.
    """
    name = f"ra_{uuid.uuid4().hex}"
    engine = sa.create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        yield name
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()
