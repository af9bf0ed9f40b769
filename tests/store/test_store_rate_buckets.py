"""Slack's rate budgets shared between processes through PostgreSQL (store/rate_buckets.py) and the pacer on them."""

from __future__ import annotations

import time

import pytest
from pg import postgres_url_or_skip, throwaway_schema

from redalert_core.slack.rate_pacing import RatePacer
from redalert_core.store import Store

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_replicas():
    """Two stores on one schema, as two replicas have."""
    url = postgres_url_or_skip()
    with throwaway_schema(url) as schema:
        stores = [Store(url, schema=schema) for _ in range(2)]
        stores[0].migrate()
        yield stores
        for store in stores:
            store.dispose()


def test_two_stores_take_turns_from_one_budget(two_replicas):
    first, second = (store.rate_buckets for store in two_replicas)
    # Two tokens, one every 100 s: the third and fourth callers, whichever store they use, queue behind them. (A
    # slow rate keeps the figures exact however long the calls themselves take on a busy machine.)
    assert first.reserve("conversations.create", 0.01, 2) == 0.0
    assert second.reserve("conversations.create", 0.01, 2) == 0.0
    third = first.reserve("conversations.create", 0.01, 2)
    fourth = second.reserve("conversations.create", 0.01, 2)
    assert 90 < third <= 100 and 190 < fourth <= 200
    assert second.reserve("conversations.invite", 0.01, 2) == 0.0  # another method, another budget


def test_a_bulk_caller_takes_only_a_free_token_and_leaves_one_for_urgent_ones(two_replicas):
    first, second = (store.rate_buckets for store in two_replicas)
    key = "chat.postMessage:C9"
    assert first.take_if_free(key, 0.01, 3, 1.0) == 0.0  # a new bucket starts full: 3 -> 2
    assert second.take_if_free(key, 0.01, 3, 1.0) == 0.0  # 2 -> 1, the last one is kept
    wait = first.take_if_free(key, 0.01, 3, 1.0)
    assert 90 < wait <= 100  # nothing taken: look again when a second token is there
    assert second.reserve(key, 0.01, 3) == 0.0  # an urgent caller gets the kept token at once
    assert first.take_if_free(key, 0.01, 3, 1.0) > 190  # queued urgent callers go first


def test_idle_buckets_are_purged(two_replicas):
    buckets = two_replicas[0].rate_buckets
    buckets.reserve("chat.postMessage:C1", 1.0, 3)
    assert buckets.purge(3600) == 0
    assert buckets.purge(-1) == 1  # "unused since a second from now": everything


def test_paced_replicas_share_slacks_budget_and_fall_back_to_their_own(two_replicas):
    waits: list[float] = []
    pacers = [RatePacer(sleep=waits.append) for _ in two_replicas]
    for pacer, store in zip(pacers, two_replicas, strict=True):
        pacer.share(store.rate_buckets.reserve)
    # conversations.create is tier 2: 20 at once per app, then about one every three seconds. Replicas keep one of
    # the burst back (a turn may reach Slack late): 19 go at once.
    started = time.monotonic()
    for i in range(20):
        pacers[i % 2].wait_turn("conversations.create")
    took = time.monotonic() - started  # the bucket refills meanwhile: a busy machine's slow calls shorten the wait
    assert len(waits) == 1 and 2.9 - took < waits[0] <= 3.2  # the 20th waits, though each replica made ~10 calls

    asked: list[str] = []

    def unavailable(key: str, per_second: float, capacity: float) -> float:
        asked.append(key)
        raise ConnectionError("database down")

    pacers[0].share(unavailable)
    waits.clear()
    for _ in range(20):  # this process's own budget, untouched so far
        pacers[0].wait_turn("conversations.create")
    assert waits == []
    assert asked == ["conversations.create"]  # one failure, then ten seconds alone before asking again


def test_sqlite_has_no_shared_budget(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    assert store.rate_buckets is None
    store.dispose()
