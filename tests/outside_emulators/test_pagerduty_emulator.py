"""The PagerDuty Events v2 emulator, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from outside_emulators import PagerDutyEmulator

KEY = "R" * 32
OTHER = "S" * 32


def trigger(dedup: str | None = "inc-1", key: str = KEY, **payload: object) -> dict:
    body: dict = {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {"summary": "DB down", "source": "redalert", "severity": "critical", **payload},
    }
    if dedup is not None:
        body["dedup_key"] = dedup
    return body


@pytest.fixture
def pd():
    with PagerDutyEmulator(routing_keys=[KEY, OTHER]) as emu:
        yield emu


def test_url_is_the_enqueue_endpoint(pd: PagerDutyEmulator) -> None:
    assert pd.url.startswith("http://127.0.0.1:") and pd.url.endswith("/v2/enqueue")


def test_trigger_acknowledge_resolve_lifecycle(pd: PagerDutyEmulator) -> None:
    body = trigger(custom_details={"number": 12})
    body["links"] = [{"href": "https://slack.example/C1", "text": "channel"}]
    r = httpx.post(pd.url, json=body)
    assert r.status_code == 202
    assert r.json() == {"status": "success", "message": "Event processed", "dedup_key": "inc-1"}
    alert = pd.wait_for_alert("inc-1", "triggered")
    assert alert.custom_details == {"number": 12} and alert.links[0]["href"] == "https://slack.example/C1"
    for action in ("acknowledge", "resolve"):
        r = httpx.post(pd.url, json={"routing_key": KEY, "event_action": action, "dedup_key": "inc-1"})
        assert r.status_code == 202
    assert pd.wait_for_alert("inc-1", "resolved").severity == "critical"
    assert pd.actions_for("inc-1") == ["trigger", "acknowledge", "resolve"]


def test_trigger_without_dedup_key_gets_a_generated_one(pd: PagerDutyEmulator) -> None:
    r = httpx.post(pd.url, json=trigger(dedup=None))
    key = r.json()["dedup_key"]
    assert r.status_code == 202 and len(key) == 32
    assert pd.alert(key) is not None and pd.alert(key).status == "triggered"


def test_ack_through_another_routing_key_is_accepted_but_dropped(pd: PagerDutyEmulator) -> None:
    httpx.post(pd.url, json=trigger())
    r = httpx.post(pd.url, json={"routing_key": OTHER, "event_action": "acknowledge", "dedup_key": "inc-1"})
    assert r.status_code == 202
    assert pd.alert("inc-1").status == "triggered"
    assert [e.applied for e in pd.events_for("inc-1")] == [True, False]


def test_trigger_after_resolve_opens_a_new_alert_and_repeat_trigger_dedups(pd: PagerDutyEmulator) -> None:
    httpx.post(pd.url, json=trigger())
    httpx.post(pd.url, json=trigger())
    assert len(pd.alerts) == 1 and len(pd.alert("inc-1").events) == 2
    httpx.post(pd.url, json={"routing_key": KEY, "event_action": "resolve", "dedup_key": "inc-1"})
    httpx.post(pd.url, json=trigger())
    assert len(pd.alerts) == 2 and pd.alert("inc-1").status == "triggered"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**trigger(), "routing_key": "short"}, "'routing_key' must be 32 characters"),
        ({**trigger(), "routing_key": "X" * 32}, "Invalid routing key"),
        ({**trigger(), "event_action": "page"}, "'event_action' must be one of trigger, acknowledge, resolve"),
        ({"routing_key": KEY, "event_action": "resolve"}, "'dedup_key' is required for resolve events"),
        ({**trigger(), "dedup_key": "k" * 256}, "'dedup_key' must be a non-blank string of at most 255 characters"),
        (trigger(summary="x" * 1025), "'payload.summary' is longer than 1024 characters"),
        (trigger(severity="high"), "'payload.severity' must be one of critical, error, warning, info"),
        (trigger(source=""), "'payload.source' is missing or blank"),
        ({"routing_key": KEY, "event_action": "trigger"}, "'payload' is required for trigger events"),
    ],
)
def test_invalid_events_get_400_in_the_spec_shape(pd: PagerDutyEmulator, body: dict, error: str) -> None:
    r = httpx.post(pd.url, json=body)
    assert r.status_code == 400
    assert r.json()["status"] == "invalid event" and r.json()["message"] == "Event object is invalid"
    assert error in r.json()["errors"]
    assert pd.events == []


def test_summary_of_exactly_1024_characters_is_accepted(pd: PagerDutyEmulator) -> None:
    assert httpx.post(pd.url, json=trigger(summary="x" * 1024)).status_code == 202


def test_invalid_json_is_400(pd: PagerDutyEmulator) -> None:
    r = httpx.post(pd.url, content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"] == ["Invalid JSON"]


def test_rate_limit_gives_429_with_retry_after_on_a_controlled_clock() -> None:
    now = [1000.0]
    with PagerDutyEmulator(routing_keys=[KEY], events_per_minute=2, clock=lambda: now[0]) as pd:
        assert [httpx.post(pd.url, json=trigger(d)).status_code for d in ("a", "b")] == [202, 202]
        now[0] += 15
        r = httpx.post(pd.url, json=trigger("c"))
        assert r.status_code == 429 and r.headers["Retry-After"] == "45"
        assert pd.alert("c") is None
        now[0] += 45
        assert httpx.post(pd.url, json=trigger("c")).status_code == 202


def test_fail_next_then_recovers(pd: PagerDutyEmulator) -> None:
    pd.fail_next(2, status=429, retry_after=3)
    first = httpx.post(pd.url, json=trigger())
    assert first.status_code == 429 and first.headers["Retry-After"] == "3"
    assert first.json()["status"] == "throttle event"
    assert httpx.post(pd.url, json=trigger()).status_code == 429
    assert httpx.post(pd.url, json=trigger()).status_code == 202
    assert [c.fault for c in pd.calls] == ["fail_next", "fail_next", None]
    assert len(pd.events) == 1


@pytest.mark.parametrize("mode", ["503", "drop", "refuse"])
def test_outage_until_turned_off(pd: PagerDutyEmulator, mode: str) -> None:
    pd.outage(True, mode=mode)
    if mode == "503":
        assert httpx.post(pd.url, json=trigger()).status_code == 503
    else:
        with pytest.raises(httpx.TransportError):
            httpx.post(pd.url, json=trigger())
    assert pd.events == []
    pd.outage(False)
    assert httpx.post(pd.url, json=trigger()).status_code == 202
    assert pd.wait_for_events(1)[0].dedup_key == "inc-1"


def test_wait_for_times_out_with_a_clear_error(pd: PagerDutyEmulator) -> None:
    with pytest.raises(TimeoutError, match="pagerduty emulator"):
        pd.wait_for(lambda: pd.events, timeout=0.05)
