"""The Standard Webhooks receiver, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from outside_emulators import WebhookReceiver, make_secret, signature

# A fixed secret and message whose signature was computed independently (HMAC-SHA256 by hand below).
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
NOW = 1_760_000_000


def send(hooks: WebhookReceiver, msg_id: str, body: bytes, stamp: int = NOW, secret: str = SECRET, **extra: str):
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "content-type": "application/json"}
    headers["webhook-signature"] = signature(secret, msg_id, stamp, body)
    headers.update(extra)
    return httpx.post(hooks.url_for("/redalert"), content=body, headers=headers)


@pytest.fixture
def hooks():
    with WebhookReceiver(SECRET, clock=lambda: NOW) as emu:
        yield emu


def test_signature_matches_the_spec_formula() -> None:
    body = b'{"type":"incident.opened"}'
    mac = hmac.new(b"0123456789abcdef0123456789abcdef", b"msg_1.1760000000." + body, hashlib.sha256).digest()
    assert signature(SECRET, "msg_1", NOW, body) == "v1," + base64.b64encode(mac).decode()
    assert make_secret().startswith("whsec_") and len(base64.b64decode(make_secret()[6:])) == 32


def test_verified_delivery_is_recorded_with_headers_and_body(hooks: WebhookReceiver) -> None:
    body = json.dumps({"type": "incident.opened", "timestamp": "2026-11-30T03:00:00Z", "data": {"id": 12}}).encode()
    r = send(hooks, "msg_1", body)
    assert r.status_code == 200
    (delivery,) = hooks.wait_for_deliveries(1)
    assert delivery.verified and delivery.reason is None and delivery.path == "/redalert"
    assert delivery.type == "incident.opened" and delivery.json()["data"] == {"id": 12}
    assert delivery.headers["webhook-id"] == "msg_1" and delivery.timestamp == NOW


def test_redelivery_of_the_same_id_is_flagged_duplicate(hooks: WebhookReceiver) -> None:
    assert send(hooks, "msg_1", b"{}").status_code == 200
    assert send(hooks, "msg_1", b"{}", stamp=NOW + 60).status_code == 200
    assert [d.duplicate for d in hooks.deliveries] == [False, True]
    assert len(hooks.unique) == 1


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"secret": "whsec_" + base64.b64encode(b"x" * 32).decode()}, "no signature matches"),
        ({"stamp": NOW - 301}, "webhook-timestamp is outside the tolerance"),
        ({"stamp": NOW + 301}, "webhook-timestamp is outside the tolerance"),
        ({"webhook-signature": "v1a,abc"}, "no v1 signature"),
    ],
)
def test_bad_signatures_are_rejected_and_flagged(hooks: WebhookReceiver, kwargs: dict, reason: str) -> None:
    r = send(hooks, "msg_1", b"{}", **kwargs)
    assert r.status_code == 401
    (delivery,) = hooks.deliveries
    assert not delivery.verified and delivery.reason == reason
    assert hooks.unique == []


def test_tampered_body_and_missing_headers_fail(hooks: WebhookReceiver) -> None:
    headers = {"webhook-id": "m", "webhook-timestamp": str(NOW), "webhook-signature": signature(SECRET, "m", NOW, b"a")}
    assert httpx.post(hooks.url_for(), content=b"b", headers=headers).status_code == 401
    assert httpx.post(hooks.url_for(), content=b"{}").status_code == 401
    assert [d.reason for d in hooks.deliveries] == [
        "no signature matches",
        "missing webhook-id, webhook-timestamp or webhook-signature",
    ]


def test_any_matching_entry_of_a_rotated_signature_list_verifies() -> None:
    new = make_secret()
    with WebhookReceiver([new, SECRET], clock=lambda: NOW) as hooks:
        sig = f"v1,bm90LWl0 {signature(SECRET, 'msg_9', NOW, b'{}')}"
        assert send(hooks, "msg_9", b"{}", **{"webhook-signature": sig}).status_code == 200
        assert hooks.wait_for_deliveries(1)[0].verified


def test_unverified_is_accepted_but_flagged_when_not_rejecting() -> None:
    with WebhookReceiver(SECRET, clock=lambda: NOW, reject_unverified=False) as hooks:
        assert httpx.post(hooks.url_for(), content=b"{}").status_code == 200
        assert hooks.deliveries[0].verified is False


def test_fault_injection_then_success(hooks: WebhookReceiver) -> None:
    hooks.fail_next(1, status=429, retry_after=2)
    hooks.fail_next(1, status=500)
    r = send(hooks, "msg_1", b"{}")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert send(hooks, "msg_1", b"{}").status_code == 500
    hooks.outage(True, mode="drop")
    with pytest.raises(httpx.TransportError):
        send(hooks, "msg_1", b"{}")
    hooks.outage(False)
    assert send(hooks, "msg_1", b"{}").status_code == 200
    assert hooks.deliveries[0].verified and len(hooks.deliveries) == 1
    assert [c.fault for c in hooks.wait_for_calls(4)] == ["fail_next", "fail_next", "outage", None]
