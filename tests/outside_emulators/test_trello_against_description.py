"""The Trello emulator answers as Atlassian's Trello OpenAPI (tests/specs/) says: a card request it allows gets 200 and
the declared Card, one it refuses gets a 4xx."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server

from outside_emulators import TrelloEmulator
from outside_emulators.openapi_description import description

TODO = "5f0000000000000000000001"
TRELLO = description("trello-openapi.json")

CREATE_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("name only", {"idList": TODO, "name": "[INC-12] restart db"}, True),
    ("with due", {"idList": TODO, "name": "t", "due": "2026-12-01T10:00:00Z"}, True),
    ("due null", {"idList": TODO, "name": "t", "due": None}, False),
    ("no idList", {"name": "t"}, False),
    ("idList not an id", {"idList": "to-do", "name": "t"}, False),
    ("pos negative", {"idList": TODO, "name": "t", "pos": -1}, False),
]
UPDATE_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("due cleared", {"due": None}, True),
    ("done", {"dueComplete": True}, True),
    ("dueComplete not a boolean", {"dueComplete": "soon"}, False),
]


@pytest.fixture
def trello():
    with TrelloEmulator(api_key="k" * 32, token="t" * 64) as emu:
        emu.add_list(TODO, "To do")
        yield emu


def client(trello: TrelloEmulator) -> httpx.Client:
    return httpx.Client(base_url=trello.url, params={"key": trello.api_key, "token": trello.token})


def check(response: httpx.Response, path: str, method: str, valid: bool) -> None:
    assert response.status_code // 100 == (2 if valid else 4), response.text
    if valid:
        assert TRELLO.response_errors(path, method, response.status_code, response.json()) == []


@pytest.mark.parametrize(("name", "fields", "valid"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_card_creation(trello: TrelloEmulator, name: str, fields: dict[str, Any], valid: bool) -> None:
    assert (TRELLO.request_errors("/cards", "post", query=fields) == []) is valid, "the case misreads the description"
    with client(trello) as c:
        check(c.post("cards", json=fields), "/cards", "post", valid)


@pytest.mark.parametrize(("name", "fields", "valid"), UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
def test_card_update(trello: TrelloEmulator, name: str, fields: dict[str, Any], valid: bool) -> None:
    assert (TRELLO.request_errors("/cards/{id}", "put", query=fields) == []) is valid
    with client(trello) as c:
        card = c.post("cards", json={"idList": TODO, "name": "t", "due": "2026-12-01"}).json()
        check(c.put(f"cards/{card['id']}", json=fields), "/cards/{id}", "put", valid)
        check(c.get(f"cards/{card['id']}"), "/cards/{id}", "get", True)
        check(c.get(f"lists/{TODO}/cards"), "/lists/{id}/cards", "get", True)


def test_webhook_routes(trello: TrelloEmulator) -> None:
    """Registration answers the declared Webhook (the HEAD check of the callback first: a dead one is a 400)."""

    def ok(environ: dict, start: Any) -> list[bytes]:
        start("200 OK", [])
        return [b""]

    served = make_server("127.0.0.1", 0, ok, threaded=True)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{served.server_port}/hook"
    board = trello.lists[TODO]["idBoard"]
    try:
        fields = {"callbackURL": callback, "idModel": board, "description": "RedAlert"}
        assert TRELLO.request_errors("/webhooks/", "post", query=fields) == []
        with client(trello) as c:
            check(c.get(f"lists/{TODO}"), "/lists/{id}", "get", True)
            assert c.get(f"lists/{TODO}").json()["idBoard"] == board
            hook = c.post("webhooks/", json=fields)
            check(hook, "/webhooks/", "post", True)
            check(c.get(f"tokens/{trello.token}/webhooks"), "/tokens/{token}/webhooks", "get", True)
            check(c.get(f"webhooks/{hook.json()['id']}"), "/webhooks/{id}", "get", True)
            assert c.post("webhooks/", json=fields).status_code == 400  # the same again
            dead = {**fields, "callbackURL": "http://127.0.0.1:9/hook"}
            assert "did not return 200" in c.post("webhooks/", json=dead).text
            assert c.delete(f"webhooks/{hook.json()['id']}").status_code == 200
            assert c.get(f"tokens/{trello.token}/webhooks").json() == []
    finally:
        served.shutdown()
