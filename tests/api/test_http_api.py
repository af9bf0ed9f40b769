"""Every operation, status and refusal of the HTTP API; every answer checked against openapi.json."""

from __future__ import annotations

import logging

import pytest
from contract import DOCUMENT
from openapi_spec_validator import validate as validate_spec

from redalert_core.observability import log_redaction


def test_the_document_is_valid_openapi_3_1_and_served(api):
    validate_spec(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")
    status, served, _ = api.call("GET", "/openapi.json")
    assert status == 200 and served == DOCUMENT


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/incidents"),
        ("POST", "/incidents"),
        ("GET", "/incidents/1"),
        ("POST", "/incidents/1/updates"),
        ("POST", "/incidents/1/severity"),
        ("POST", "/incidents/1/close"),
    ],
)
@pytest.mark.parametrize("token", [None, "ra_" + "x" * 43, "not-a-token"])
def test_no_token_or_a_wrong_one_is_401(api, method, path, token):
    status, body, response = api.call(method, path, token, json={})
    assert status == 401 and "Bearer" in body["message"] and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/incidents", {"severity": "sev2", "description": "x"}),
        ("/incidents/1/updates", {"text": "x"}),
        ("/incidents/1/severity", {"severity": "sev1"}),
        ("/incidents/1/close", {}),
    ],
)
def test_a_read_token_writing_is_403_and_changes_nothing(api, app, tokens, path, body):
    status, answer, _ = api.call("POST", path, tokens["reader"], json=body)
    assert status == 403 and "write scope" in answer["message"]
    assert app.store.incidents.get(1) is None


def test_a_revoked_token_is_401(api, app, tokens):
    from redalert_core.domain.requester import Requester

    app.revoke_api_token(Requester("U0ADMIN", here="D0ADMIN", is_admin=True), "writer")
    assert api.call("GET", "/incidents", tokens["writer"])[0] == 401


def test_open_answers_201_with_the_channel_and_a_location(api, tokens, emulator):
    status, body, response = api.call(
        "POST", "/incidents", tokens["writer"], json={"severity": "sev2", "description": "Checkout down"}
    )
    assert status == 201 and response.headers["Location"] == f"/redalert/api/v1/incidents/{body['number']}"
    assert body["channel"]["id"] in {c.id for c in emulator.channels()} and "slack" not in body
    assert body["status"] == "investigating" and body["private"] is False


def test_open_with_the_key_of_an_open_incident_answers_200_with_it(api, app, tokens):
    request = {"severity": "sev2", "description": "Disk full", "dedup_key": "disk"}
    first = api.call("POST", "/incidents", tokens["writer"], json=request)
    second = api.call("POST", "/incidents", tokens["writer"], json=request)
    assert (first[0], second[0]) == (201, 200) and first[1]["number"] == second[1]["number"]
    assert second[2].headers["Location"].endswith(f"/incidents/{first[1]['number']}")
    assert app.store.incidents.get(first[1]["number"] + 1) is None


def test_open_with_slack_slow_answers_pending(api, tokens, emulator, monkeypatch):
    from redalert_core.application import api_incidents

    monkeypatch.setattr(api_incidents, "CHANNEL_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(api_incidents.ApiIncidentUseCases.open_from_api, "__defaults__", (0.05,))
    emulator.latency = 0.3
    try:
        status, body, _ = api.call(
            "POST", "/incidents", tokens["writer"], json={"severity": "sev3", "description": "x"}
        )
    finally:
        emulator.latency = 0.0
    assert status == 201 and body["slack"] == "pending" and "channel" not in body


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"severity": "Give a severity. Use one of: sev1, sev2, sev3, sev4, sev5."}),
        (
            {"severity": "sev9", "description": " "},
            {
                "severity": '"sev9" is not a severity. Use one of: sev1, sev2, sev3, sev4, sev5.',
                "description": "Say what is happening: the description is empty.",
            },
        ),
        ({"severity": "sev1", "description": "x" * 4001}, {"description": "The description is 4001 characters"}),
        ({"severity": "sev1", "description": "x", "people": ["bob"]}, {"people": '"bob" is neither'}),
        ({"severity": "sev1", "description": "x", "people": ["nobody@example.com"]}, {"people": "There is no Slack"}),
        ({"severity": "sev1", "description": "x", "private": "yes"}, {"private": "Must be true or false."}),
        ({"severity": "sev1", "description": "x", "colour": "red"}, {"colour": "Unknown field."}),
    ],
)
def test_bad_input_is_422_with_one_message_per_field(api, app, tokens, body, fields):
    status, answer, _ = api.call("POST", "/incidents", tokens["writer"], json=body)
    assert status == 422 and set(answer["fields"]) >= set(fields)
    for name, start in fields.items():
        assert answer["fields"][name].startswith(start)
    assert app.store.incidents.get(1) is None


def test_a_body_that_is_not_an_object_is_422(api, tokens):
    status, answer, _ = api.call("POST", "/incidents", tokens["writer"], data="[1]", content_type="application/json")
    assert status == 422 and "body" in answer["fields"]


def test_private_incidents_exist_only_for_the_private_scope(api, tokens):
    body = {"severity": "sev2", "description": "Hidden", "private": True}
    assert api.call("POST", "/incidents", tokens["writer"], json=body)[0] == 403
    number = api.call("POST", "/incidents", tokens["secret"], json=body)[1]["number"]
    assert api.call("GET", f"/incidents/{number}", tokens["reader"])[0] == 404
    assert api.call("POST", f"/incidents/{number}/close", tokens["writer"], json={})[0] == 404
    assert api.call("GET", "/incidents?state=all", tokens["reader"])[1]["items"] == []
    assert [i["number"] for i in api.call("GET", "/incidents", tokens["secret"])[1]["items"]] == [number]


def test_list_pages_filters_and_refuses_bad_parameters(api, tokens):
    for i in range(3):
        api.call("POST", "/incidents", tokens["writer"], json={"severity": "sev3", "description": f"n{i}"})
    status, page, _ = api.call("GET", "/incidents?limit=2", tokens["reader"])
    assert status == 200 and len(page["items"]) == 2 and page["next_cursor"]
    rest = api.call("GET", f"/incidents?limit=2&cursor={page['next_cursor']}", tokens["reader"])[1]
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert api.call("GET", "/incidents?severity=sev1", tokens["reader"])[1]["items"] == []
    status, answer, _ = api.call("GET", "/incidents?state=gone&limit=0&cursor=x&severity=z", tokens["reader"])
    assert status == 422 and set(answer["fields"]) == {"state", "limit", "cursor", "severity"}


def test_show_update_severity_close_and_their_refusals(api, tokens):
    number = api.call("POST", "/incidents", tokens["writer"], json={"severity": "sev3", "description": "Queue"})[1][
        "number"
    ]
    base = f"/incidents/{number}"
    assert api.call("POST", f"{base}/updates", tokens["writer"], json={"text": "Scaling", "status": "identified"})[1][
        "status"
    ] == ("identified")
    assert api.call("POST", f"{base}/updates", tokens["writer"], json={"text": ""})[0] == 422
    assert api.call("POST", f"{base}/updates", tokens["writer"], json={"text": "x", "status": "done"})[1]["fields"] == {
        "status": '"done" is not a status. Statuses: investigating, identified, monitoring, resolved.'
    }
    assert api.call("POST", f"{base}/severity", tokens["writer"], json={"severity": "sev1"})[1]["severity"] == "sev1"
    assert api.call("POST", f"{base}/severity", tokens["writer"], json={"severity": 1})[0] == 422
    closed = api.call("POST", f"{base}/close", tokens["writer"], json={"resolution": "Scaled"})[1]
    assert closed["status"] == "closed" and closed["resolution"] == "Scaled"
    status, again, _ = api.call("POST", f"{base}/close", tokens["writer"], json={})
    assert status == 409 and "already closed" in again["message"]
    assert api.call("POST", f"{base}/updates", tokens["writer"], json={"text": "late"})[0] == 409
    shown = api.call("GET", base, tokens["reader"])[1]
    lines = [entry["text"] for entry in shown["timeline"]]
    assert "Opened through the API by token 'writer' as sev3: Queue" in lines
    assert "Closed by token 'writer': Scaled" in lines
    for missing in ("/incidents/999", "/incidents/0", "/incidents/-1", "/incidents/abc"):
        assert api.call("GET", missing, tokens["reader"])[0] == 404


def test_tokens_never_reach_a_log(api, tokens, caplog):
    log_redaction.install()
    logging.getLogger().addFilter(log_redaction.FILTER)
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("probe").info("request with Authorization: Bearer %s", tokens["writer"])
            api.call("GET", "/incidents", tokens["writer"])
    finally:
        logging.getLogger().removeFilter(log_redaction.FILTER)
    assert tokens["writer"] not in caplog.text and "ra_***" in caplog.text
