"""Two real replicas on a fresh PostgreSQL schema per test (skipped without PostgreSQL, unless required)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg import postgres_url_or_skip, throwaway_schema
from replica_cluster import Cluster


@pytest.fixture
def cluster(emulator, tmp_path) -> Iterator[Cluster]:
    url = postgres_url_or_skip()
    emulator.redelivery_seconds = 0.5  # Slack waits longer; the tests need not
    emulator.seed_deliveries(13)
    with throwaway_schema(url) as schema:
        replicas = Cluster(emulator, tmp_path, url, schema)
        try:
            yield replicas.start()
        finally:
            replicas.stop()
