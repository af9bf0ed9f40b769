"""The Trello emulator, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from outside_emulators import TrelloEmulator

TODO = "5f0000000000000000000001"
DONE = "5f0000000000000000000002"
ALICE = "5f00000000000000000000a1"


@pytest.fixture
def trello():
    with TrelloEmulator(api_key="k" * 32, token="t" * 64) as emu:
        emu.add_list(TODO, "To do")
        emu.add_list(DONE, "Done")
        emu.add_member(ALICE, "alice")
        yield emu


def client(trello: TrelloEmulator) -> httpx.Client:
    return httpx.Client(base_url=trello.url, params={"key": trello.api_key, "token": trello.token})


def test_create_update_get_card(trello: TrelloEmulator) -> None:
    assert trello.url.endswith("/1/")
    with client(trello) as c:
        r = c.post("cards", params={"idList": TODO, "name": "[INC-12] restart db", "desc": "see #inc-12",
                                    "due": "2026-12-01T10:00:00Z", "idMembers": ALICE, "pos": "top"})  # fmt: skip
        assert r.status_code == 200
        card = r.json()
        assert card["idList"] == TODO and card["idMembers"] == [ALICE] and card["due"] == "2026-12-01T10:00:00.000Z"
        assert card["dueComplete"] is False and card["shortUrl"].startswith("https://trello.com/c/")
        assert card["url"].startswith(card["shortUrl"] + "/") and len(card["id"]) == 24
        r = c.put(f"cards/{card['id']}", json={"dueComplete": True, "idList": DONE, "idMembers": ""})
        assert r.status_code == 200 and r.json()["dueComplete"] is True and r.json()["idList"] == DONE
        assert c.get(f"cards/{card['id']}").json()["idMembers"] == []
    stored = trello.wait_for_card(lambda card: card.dueComplete)
    assert stored.name == "[INC-12] restart db" and len(stored.history) == 2
    assert "key" not in stored.history[0] and "token" not in stored.history[0]


def test_a_lists_open_cards_with_the_fields_asked_for(trello: TrelloEmulator) -> None:
    with client(trello) as c:
        first = c.post("cards", params={"idList": TODO, "name": "one", "desc": "first"}).json()
        c.post("cards", params={"idList": DONE, "name": "elsewhere"})
        archived = c.post("cards", params={"idList": TODO, "name": "gone"}).json()
        c.put(f"cards/{archived['id']}", params={"closed": "true"})
        r = c.get(f"lists/{TODO}/cards", params={"fields": "desc,shortUrl"})
        assert r.status_code == 200
        assert r.json() == [{"id": first["id"], "desc": "first", "shortUrl": first["shortUrl"]}]
        assert c.get(f"lists/{TODO}/cards").json()[0]["name"] == "one"  # every field by default
        assert c.get("lists/5f00000000000000000000ff/cards").status_code == 404


def test_form_body_and_oauth_header_are_accepted(trello: TrelloEmulator) -> None:
    header = f'OAuth oauth_consumer_key="{trello.api_key}", oauth_token="{trello.token}"'
    r = httpx.post(trello.url + "cards", data={"idList": TODO, "name": "form"}, headers={"Authorization": header})
    assert r.status_code == 200
    assert [c.name for c in trello.wait_for_cards(1)] == ["form"]


@pytest.mark.parametrize(
    ("params", "text"),
    [({"key": "wrong", "token": "t" * 64}, "invalid key"), ({"key": "k" * 32, "token": "wrong"}, "invalid token"),
     ({}, "invalid key")],
)  # fmt: skip
def test_bad_credentials_are_401_in_plain_text(trello: TrelloEmulator, params: dict, text: str) -> None:
    r = httpx.post(trello.url + "cards", params={**params, "idList": TODO})
    assert r.status_code == 401 and r.text == text
    assert trello.cards == {}


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({}, 400, "invalid value for idList"),
        ({"idList": "nope"}, 400, "invalid value for idList"),
        ({"idList": "5f00000000000000000000ff"}, 404, "The requested resource was not found."),
        ({"idList": TODO, "due": "tomorrow"}, 400, "invalid value for due"),
        ({"idList": TODO, "dueComplete": "maybe"}, 400, "invalid value for dueComplete"),
        ({"idList": TODO, "idMembers": "5f00000000000000000000b2"}, 400, "invalid value for idMembers"),
        ({"idList": TODO, "pos": "middle"}, 400, "invalid value for pos"),
        ({"idList": TODO, "desc": "x" * 16385}, 400, "invalid value for desc"),
    ],
)
def test_create_rejects_bad_parameters(trello: TrelloEmulator, params: dict, status: int, text: str) -> None:
    with client(trello) as c:
        r = c.post("cards", json=params)
    assert (r.status_code, r.text) == (status, text)
    assert trello.cards == {}


def test_unknown_or_malformed_card_ids(trello: TrelloEmulator) -> None:
    with client(trello) as c:
        assert (c.get("cards/xyz").status_code, c.get("cards/xyz").text) == (400, "invalid id")
        assert c.put("cards/5f00000000000000000000ff", json={"name": "x"}).status_code == 404
        card = c.post("cards", json={"idList": TODO}).json()
        r = c.put(f"cards/{card['id']}", json={"idList": "5f00000000000000000000ff"})
        assert r.status_code == 404 and trello.card(card["id"]).idList == TODO


def test_token_rate_limit_429_with_retry_after() -> None:
    now = [0.0]
    with TrelloEmulator(api_key="k", token="t", requests_per_10s=1, clock=lambda: now[0]) as trello:
        trello.add_list(TODO)
        with httpx.Client(base_url=trello.url, params={"key": "k", "token": "t"}) as c:
            assert c.post("cards", json={"idList": TODO}).status_code == 200
            r = c.post("cards", json={"idList": TODO})
            assert r.status_code == 429 and r.headers["Retry-After"] == "10"
            assert r.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
            now[0] = 10.0
            assert c.post("cards", json={"idList": TODO}).status_code == 200
        assert len(trello.cards) == 2


def test_injected_failures_and_outage(trello: TrelloEmulator) -> None:
    trello.fail_next(1, status=500, method="POST")
    with client(trello) as c:
        assert c.post("cards", json={"idList": TODO}).status_code == 500
        trello.fail_next(1, status=400, body="invalid value for idList")
        r = c.post("cards", json={"idList": TODO})
        assert (r.status_code, r.text) == (400, "invalid value for idList")
        trello.outage(True)
        assert c.post("cards", json={"idList": TODO}).status_code == 503
        trello.outage(False)
        assert c.post("cards", json={"idList": TODO}).status_code == 200
    assert len(trello.cards) == 1
    assert [call.status for call in trello.wait_for_calls(4)] == [500, 400, 503, 200]
