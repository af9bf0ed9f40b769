"""The outbox's pure rules (retry, give-up, classification), the integration settings, signing and storage XHTML."""

from __future__ import annotations

import base64
import json
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import standardwebhooks

from outside_emulators import make_secret, signature
from redalert_core.domain import postmortem_storage
from redalert_core.domain.outbox import (
    DeliveryFailed,
    OutboxRow,
    State,
    after_failure,
    backoff,
    failure_for_status,
)
from redalert_core.domain.settings import ConfigError, validate
from redalert_core.integrations.webhooks import sign, verify
from redalert_core.integrations.webhooks.signing import key_bytes

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def row(attempts: int = 0, since: datetime = T0) -> OutboxRow:
    return OutboxRow(1, "pagerduty", "k", "i", {}, State.PENDING, attempts, T0, T0, since)


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (500, True), (503, True), (400, False), (404, False)])
def test_statuses_are_retried_or_final(status, retryable):
    assert failure_for_status(status, "x").retryable is retryable


def test_backoff_doubles_with_jitter_and_is_capped():
    assert backoff(1, 0.0) == timedelta(seconds=2.5) and backoff(1, 0.999999) < timedelta(seconds=5)
    assert backoff(2, 0.0) == timedelta(seconds=5)
    assert backoff(40, 0.0) == timedelta(seconds=30) and backoff(40, 0.999999) <= timedelta(minutes=1)
    assert backoff(1440, 0.0) == timedelta(seconds=30)  # a day of failures a minute apart: no overflow


def test_retry_after_is_honoured():
    failure = failure_for_status(429, "slow down", "120")
    verdict = after_failure(row(), failure, T0, timedelta(hours=24), 0.0)
    assert verdict.state is State.RETRYING and verdict.next_attempt_at == T0 + timedelta(seconds=120)


def test_a_4xx_is_dead_at_once_with_its_reason():
    verdict = after_failure(row(), failure_for_status(400, "Event object is invalid"), T0, timedelta(hours=24), 0.5)
    assert verdict.state is State.DEAD and verdict.error == "HTTP 400 (Bad Request)"
    assert verdict.detail == "Event object is invalid"  # for admins; the channel reads the status only


def test_retries_give_up_after_the_configured_time():
    failure = DeliveryFailed("connection failed", retryable=True)
    late = T0 + timedelta(hours=24) - timedelta(seconds=10)  # the next try would fall past the window
    verdict = after_failure(row(attempts=30), failure, late, timedelta(hours=24), 0.0)
    assert verdict.state is State.DEAD and "gave up after 24 h" in verdict.error
    requeued = row(attempts=0, since=late)  # a requeue starts a new window
    assert after_failure(requeued, failure, late, timedelta(hours=24), 0.0).state is State.RETRYING


def test_integration_settings_are_checked():
    with pytest.raises(ConfigError) as caught:
        validate(
            {
                "PAGERDUTY_ROUTING_KEYS": {"sev9": "A" * 32, "sev1": "short"},
                "PAGERDUTY_SEVERITIES": {"sev1": "urgent"},
                "WEBHOOKS": [{"url": "ftp://x", "events": ["incident.opened"], "secret": "env:S"}],
                "TRELLO_LIST_ID": "nope",
                "OUTBOX_GIVE_UP_HOURS": 0,
            }
        )
    text = " ".join(caught.value.faults)
    for expected in ("sev9", "32-character", "critical, error, warning, info", "https://", "TRELLO_LIST_ID", "HOURS"):
        assert expected in text
    with pytest.raises(ConfigError, match="env:NAME"):
        validate({"WEBHOOKS": [{"url": "https://x.example", "events": ["incident.opened"], "secret": "hunter2"}]})
    with pytest.raises(ConfigError, match="unknown events"):
        validate({"WEBHOOKS": [{"url": "https://x.example", "events": ["incident.deleted"], "secret": "env:S"}]})
    good = validate({"OUTBOX_GIVE_UP_HOURS": 2, "PAGERDUTY_ROUTING_KEYS": {"sev1": "env:PD_KEY"}})
    assert good.integrations.outbox_give_up == timedelta(hours=2)
    assert good.integrations.routing_key("sev1") == "env:PD_KEY" and good.integrations.routing_key("sev2") is None


def test_signatures_match_an_independent_implementation_and_verify():
    secret = make_secret()
    body = b'{"type":"incident.opened"}'
    assert sign(secret, "msg_1", 1700000000, body) == signature(secret, "msg_1", 1700000000, body)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": sign(secret, "msg_1", 1700000000, body),
    }
    assert verify(secret, headers, body, now=1700000100)
    assert not verify(secret, headers, body + b" ", now=1700000100)  # the body was changed
    assert not verify(secret, headers, body, now=1700000000 + 301)  # too old: a replay


@pytest.mark.parametrize(
    "secret",
    [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # the spec's example (24 bytes)
        "whsec_" + base64.b64encode(b"k" * 64).decode(),  # the longest allowed
    ],
)
def test_the_reference_library_verifies_our_signatures(secret):
    body = b'{"type":"incident.opened","data":{"number":1}}'
    now = int(time.time())
    headers = {
        "webhook-id": "event-7",
        "webhook-timestamp": str(now),
        "webhook-signature": sign(secret, "event-7", now, body),
    }
    assert standardwebhooks.Webhook(secret).verify(body, headers) == json.loads(body)
    assert verify(secret, headers, body, now=now)


@pytest.mark.parametrize(
    "secret",
    ["x", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" + base64.b64encode(b"k" * 32).decode().rstrip("=")],
)
def test_a_secret_outside_the_spec_is_never_signed_with(secret):
    """No prefix, not base64, or unpadded: outside the spec's whsec_ + base64 form, so never signed with."""
    with pytest.raises(ValueError, match="webhook secret is not valid"):
        key_bytes(secret)


def test_the_postmortem_becomes_well_formed_storage_xhtml():
    markdown = (
        "# Post-mortem: incident 3: <script> & co\n\n- **Severity:** SEV1\n\n## Action items\n\n"
        "- [ ] _To be filled in._\n"
    )
    storage = postmortem_storage.from_markdown(markdown)
    root = ET.fromstring(f'<root xmlns:ac="urn:ac">{storage}</root>')
    assert root.find("h1").text == "Post-mortem: incident 3: <script> & co"
    assert (
        "<strong>Severity:</strong>" in storage
        and "<ac:task-list>" in storage
        and "<em>To be filled in.</em>" in storage
    )
