"""Webhooks disabled by a 410 Gone: one disabling per endpoint, durable across processes, until enabled."""

from __future__ import annotations

from datetime import UTC, datetime

from redalert_core.domain.webhook_rules import endpoint_key
from redalert_core.store import Store

AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_disable_once_survive_a_restart_and_enable(store: Store, database) -> None:
    endpoint = endpoint_key("https://hooks.example.com/in?token=abc")
    assert store.webhook_states.get(endpoint) is None
    assert store.webhook_states.disable(endpoint, "audit", "HTTP 410", AT) is True
    assert store.webhook_states.disable(endpoint, "audit", "HTTP 410 again", AT) is False  # told once

    restarted = Store(database.url, schema=database.schema)  # another process on the same database
    try:
        [state] = restarted.webhook_states.all()
        assert (state.name, state.reason, state.disabled_at) == ("audit", "HTTP 410", AT)
        assert "token" not in state.endpoint
        assert restarted.webhook_states.enable(endpoint) is True
    finally:
        restarted.dispose()
    assert store.webhook_states.get(endpoint) is None
    assert store.webhook_states.enable(endpoint) is False
