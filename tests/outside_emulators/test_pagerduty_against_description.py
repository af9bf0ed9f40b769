"""The PagerDuty emulator answers as PagerDuty's events-v2 OpenAPI (tests/specs/) says: what it allows gets a 2xx
with the declared success body, what it refuses gets a 4xx with the declared error body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from outside_emulators import PagerDutyEmulator
from outside_emulators.openapi_description import description

KEY = "R" * 32
PD = description("pagerduty-events-v2-openapiv3.json")


def trigger(**payload: Any) -> dict[str, Any]:
    base = {"summary": "DB down", "source": "redalert", "severity": "critical"}
    return {"routing_key": KEY, "event_action": "trigger", "dedup_key": "inc-1", "payload": {**base, **payload}}


CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("trigger", trigger(), True),
    ("trigger with custom_details", trigger(custom_details={"number": 12}), True),
    ("resolve", {"routing_key": KEY, "event_action": "resolve", "dedup_key": "inc-1"}, True),
    ("custom_details a string", trigger(custom_details="number 12"), False),
    ("custom_details a list", trigger(custom_details=[12]), False),
    ("unknown severity", trigger(severity="sev1"), False),
    ("no summary", {**trigger(), "payload": {"source": "redalert", "severity": "info"}}, False),
    ("unknown event_action", {**trigger(), "event_action": "page"}, False),
    ("no routing_key", {"event_action": "trigger", "payload": trigger()["payload"]}, False),
]


@pytest.mark.parametrize(("name", "body", "valid"), CASES, ids=[c[0] for c in CASES])
def test_status_class_and_body_follow_the_description(name: str, body: dict[str, Any], valid: bool) -> None:
    assert (PD.request_errors("/enqueue", "post", body=body) == []) is valid, "the case misreads the description"
    with PagerDutyEmulator(routing_keys=[KEY]) as pd:
        if body["event_action"] == "resolve":
            httpx.post(pd.url, json=trigger()).raise_for_status()
        response = httpx.post(pd.url, json=body)
    assert response.status_code // 100 == (2 if valid else 4), response.text
    assert PD.response_errors("/enqueue", "post", response.status_code, response.json(), fallback="Error") == []
