"""WEBHOOK_TIMEOUT_SECONDS (15-30 s, the Standard Webhooks recommendation) is the time a receiver may take to answer."""

from __future__ import annotations

import httpx
from outbox_support import make_core, webhook_config

from redalert_core.integrations.http import new_client
from redalert_core.integrations.webhooks import WebhookClient
from redalert_core.services.first_use import FirstUse


def test_the_configured_timeout_bounds_each_delivery(emulator, tmp_path, hooks) -> None:
    sent: list[httpx.Request] = []
    config = {"WEBHOOKS": [webhook_config(hooks, ["incident.opened"])], "WEBHOOK_TIMEOUT_SECONDS": 20}
    core = make_core(emulator, tmp_path, config=config)
    hooks.clock = lambda: core.clock.now.timestamp()
    client = WebhookClient(new_client(event_hooks={"request": [sent.append]}))
    core.integrations.deliverers._webhook_client = FirstUse(lambda: client)
    core.open()
    core.deliver()
    [delivery] = hooks.wait_for_deliveries(1)
    assert delivery.type == "incident.opened"
    [request] = sent
    assert request.extensions["timeout"]["read"] == 20 and request.extensions["timeout"]["connect"] == 5
