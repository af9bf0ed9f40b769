"""Two real replicas on a fresh PostgreSQL schema (skipped without PostgreSQL, unless required).

Starting two errbot processes is most of a test's cost: tests that leave both replicas running share one cluster per
module (`shared_cluster`, its tests use separate channels and people); tests that kill one get their own (`cluster`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pg import postgres_url_or_skip, throwaway_schema
from replica_cluster import Cluster
from slack_workspace import running_workspace

from slack_emulator import SlackEmulator

# The shared cluster's emulator enforces Slack's limits ten times over, and its replicas pace under them: bursts
# of answers in one channel are paced as on Slack, ten times faster.
SHARED_RATE_SCALE = 10.0


@contextmanager
def running_cluster(
    emulator: SlackEmulator, data: Path, rate_scale: float | None = None, **extra_env: str
) -> Iterator[Cluster]:
    url = postgres_url_or_skip()
    emulator.redelivery_seconds = 0.5  # Slack waits longer; the tests need not
    emulator.seed_deliveries(13)
    if rate_scale is not None:
        emulator.enable_rate_limits(per_minute_scale=rate_scale)
    with throwaway_schema(url) as schema:
        replicas = Cluster(emulator, data, url, schema, rate_scale=rate_scale or 1.0, **extra_env)
        try:
            yield replicas.start()
        finally:
            replicas.stop()


@pytest.fixture
def cluster(emulator, tmp_path) -> Iterator[Cluster]:
    with running_cluster(emulator, tmp_path) as replicas:
        yield replicas


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory) -> Iterator[Cluster]:
    data = tmp_path_factory.mktemp("replicas")
    with running_workspace() as emulator, running_cluster(emulator, data, SHARED_RATE_SCALE) as replicas:
        yield replicas


@pytest.fixture
def workflows_cluster(emulator, tmp_path) -> Iterator[Cluster]:
    """Two replicas running the workflows file the test writes to `tmp_path / "workflows.yaml"` first."""
    path = tmp_path / "workflows.yaml"
    with running_cluster(emulator, tmp_path, REDALERT_WORKFLOWS_FILE=str(path)) as replicas:
        yield replicas
