"""Processed interactions (migration 0006): one claim per key, stale claims taken over, releases, purges."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from store.conftest import T0


def test_migration_creates_the_table(store):
    assert "processed_interactions" in sa.inspect(store.db.engine).get_table_names()


def test_a_key_is_claimed_once(store):
    assert store.interactions.claim("click:a", T0)
    assert not store.interactions.claim("click:a", T0 + timedelta(days=1))
    store.interactions.release("click:a")
    assert store.interactions.claim("click:a", T0)


def test_a_stale_claim_is_taken_over(store):
    window = timedelta(seconds=60)
    assert store.interactions.claim("k", T0, stale_after=window)
    assert not store.interactions.claim("k", T0 + timedelta(seconds=59), stale_after=window)
    assert store.interactions.claim("k", T0 + timedelta(seconds=61), stale_after=window)
    assert not store.interactions.claim("k", T0 + timedelta(seconds=62), stale_after=window)


def test_racing_claims_have_one_winner(store):
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.interactions.claim("race", T0), range(16)))
    assert results.count(True) == 1


def test_purge_drops_old_claims(store):
    store.interactions.claim("old", T0)
    store.interactions.claim("new", T0 + timedelta(days=3))
    assert store.interactions.purge(T0 + timedelta(days=1)) == 1
    assert store.interactions.claim("old", T0) and not store.interactions.claim("new", T0)
