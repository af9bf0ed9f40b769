"""The leader's hourly clean-up: rows that only ever mattered for a while (claims, inbox rows, invalidations)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..store import Store

CLAIMS_KEPT = timedelta(days=2)  # far longer than Slack keeps redelivering an envelope
INVALIDATIONS_KEPT = timedelta(hours=1)
RATE_BUCKETS_KEPT = timedelta(hours=1)  # an hour unused, a bucket is full again anyway
SENT_ONCE_KEPT = timedelta(days=30)  # longer than any period a key names (a day, a week)


def purge(store: Store, now: datetime) -> None:
    store.command_claims.purge(now - CLAIMS_KEPT)
    store.commands.purge(now - CLAIMS_KEPT)
    store.sent_once.purge(now - SENT_ONCE_KEPT)
    store.cache_invalidations.purge(now - INVALIDATIONS_KEPT)
    store.replicas.forget_stale(now - CLAIMS_KEPT)
    if store.rate_buckets is not None:
        store.rate_buckets.purge(RATE_BUCKETS_KEPT.total_seconds())
