"""The Confluence emulator answers as Atlassian's Confluence v2 OpenAPI (tests/specs/) says: a page request it allows
gets 200 and the declared page body, one it refuses (non-integer space-id, unknown body-format, an update without
`status`) gets a 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from outside_emulators import ConfluenceEmulator
from outside_emulators.openapi_description import description

WIKI = description("confluence-openapi-v2.v3.json")
STORAGE = {"representation": "storage", "value": "<p>Postmortem</p>"}

LIST_CASES: list[tuple[str, dict[str, str], bool]] = [
    ("by space and title", {"space-id": "{space}", "title": "INC-12"}, True),
    ("with storage bodies", {"space-id": "{space}", "body-format": "storage"}, True),
    ("space-id not an integer", {"space-id": "OPS"}, False),
    ("unknown body-format", {"space-id": "{space}", "body-format": "wiki"}, False),
]
GET_CASES: list[tuple[str, dict[str, str], bool]] = [
    ("plain", {}, True),
    ("view body", {"body-format": "view"}, True),
    ("unknown body-format", {"body-format": "html"}, False),
]
UPDATE_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("full update", {"status": "current", "title": "INC-12 postmortem", "body": STORAGE}, True),
    ("without status", {"title": "INC-12 postmortem", "body": STORAGE}, False),
    ("unknown status", {"status": "published", "title": "INC-12 postmortem", "body": STORAGE}, False),
]


@pytest.fixture
def wiki():
    with ConfluenceEmulator(email="bot@example.com", api_token="secret-token") as emu:
        emu.add_space("OPS", "Operations")
        yield emu


@pytest.fixture
def c(wiki: ConfluenceEmulator):
    with httpx.Client(base_url=wiki.url + "/api/v2", auth=(wiki.email, wiki.api_token)) as client:
        yield client


def new_page(c: httpx.Client) -> dict[str, Any]:
    space = c.get("/spaces", params={"keys": "OPS"}).json()["results"][0]["id"]
    body = {"spaceId": space, "status": "current", "title": "INC-12 postmortem", "body": STORAGE}
    assert WIKI.request_errors("/pages", "post", body=body) == []
    response = c.post("/pages", json=body)
    check(response, "/pages", "post", True)
    return response.json()


def check(response: httpx.Response, path: str, method: str, valid: bool) -> None:
    assert response.status_code // 100 == (2 if valid else 4), response.text
    assert WIKI.response_errors(path, method, response.status_code, response.json()) == []


@pytest.mark.parametrize(("name", "query", "valid"), LIST_CASES, ids=[c[0] for c in LIST_CASES])
def test_page_search(c: httpx.Client, name: str, query: dict[str, str], valid: bool) -> None:
    space = new_page(c)["spaceId"]
    query = {key: value.format(space=space) for key, value in query.items()}
    assert (WIKI.request_errors("/pages", "get", query=query) == []) is valid, "the case misreads the description"
    check(c.get("/pages", params=query), "/pages", "get", valid)


@pytest.mark.parametrize(("name", "query", "valid"), GET_CASES, ids=[c[0] for c in GET_CASES])
def test_page_read(c: httpx.Client, name: str, query: dict[str, str], valid: bool) -> None:
    page = new_page(c)
    assert (WIKI.request_errors("/pages/{id}", "get", query=query, id=page["id"]) == []) is valid
    check(c.get(f"/pages/{page['id']}", params=query), "/pages/{id}", "get", valid)


def test_page_id_not_an_integer(c: httpx.Client) -> None:
    assert WIKI.request_errors("/pages/{id}", "get", id="abc") != []
    check(c.get("/pages/abc"), "/pages/{id}", "get", False)


@pytest.mark.parametrize(("name", "fields", "valid"), UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
def test_page_update(c: httpx.Client, name: str, fields: dict[str, Any], valid: bool) -> None:
    page = new_page(c)
    body = {"id": page["id"], "version": {"number": 2}, **fields}
    assert (WIKI.request_errors("/pages/{id}", "put", body=body, id=page["id"]) == []) is valid
    check(c.put(f"/pages/{page['id']}", json=body), "/pages/{id}", "put", valid)
