"""The alert intake's routes: Alertmanager's and Grafana's webhooks, a write token, 422 per field; each answer is
checked against openapi.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PAYLOADS = Path(__file__).resolve().parent.parent / "alert_payloads"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@pytest.mark.parametrize(("source", "name"), [("alertmanager", "alertmanager_firing"), ("grafana", "grafana_firing")])
def test_a_firing_notification_opens_an_incident_then_a_repeat_changes_nothing(api, app, tokens, source, name):
    status, body, _ = api.call("POST", f"/alerts/{source}", tokens["writer"], json=payload(name))
    assert status == 200 and body["opened"] is True and body["incident"] == 1
    app.drain()
    incident = app.store.incidents.get(1)
    assert incident.channel_id and incident.opened_by == "api:writer"
    status, body, _ = api.call("POST", f"/alerts/{source}", tokens["writer"], json=payload(name))
    assert status == 200 and (body["opened"], body["new_alerts"], body["incident"]) == (False, 0, 1)
    assert body["repeats"] == len(payload(name)["alerts"])


@pytest.mark.parametrize("source", ["alertmanager", "grafana"])
def test_no_token_is_401_and_a_read_token_is_403(api, app, tokens, source):
    assert api.call("POST", f"/alerts/{source}", None, json=payload("alertmanager_firing"))[0] == 401
    status, body, _ = api.call("POST", f"/alerts/{source}", tokens["reader"], json=payload("alertmanager_firing"))
    assert status == 403 and "write scope" in body["message"]
    assert app.store.incidents.get(1) is None


def test_a_malformed_payload_is_422_with_one_message_per_field(api, app, tokens):
    bad = payload("alertmanager_firing")
    del bad["groupKey"]
    bad["alerts"][1]["status"] = "burning"
    bad["alerts"][0]["startsAt"] = "yesterday"
    status, body, _ = api.call("POST", "/alerts/alertmanager", tokens["writer"], json=bad)
    assert status == 422
    assert set(body["fields"]) == {"groupKey", "alerts[1].status", "alerts[0].startsAt"}
    status, body, _ = api.call("POST", "/alerts/grafana", tokens["writer"], data="[1, 2]")
    assert status == 422 and "body" in body["fields"]
    assert app.store.incidents.get(1) is None


def test_resolved_then_all_is_resolved(api, app, tokens):
    api.call("POST", "/alerts/alertmanager", tokens["writer"], json=payload("alertmanager_firing"))
    status, body, _ = api.call("POST", "/alerts/alertmanager", tokens["writer"], json=payload("alertmanager_resolved"))
    assert status == 200 and body["status"] == "resolved" and body["changed"] == 2
