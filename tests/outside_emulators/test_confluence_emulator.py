"""The Confluence Cloud v2 emulator, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from outside_emulators import ConfluenceEmulator

BODY = {"representation": "storage", "value": "<h1>Postmortem</h1><p>DB &amp; cache&nbsp;down</p>"}


@pytest.fixture
def wiki():
    with ConfluenceEmulator(email="bot@example.com", api_token="secret-token") as emu:
        emu.add_space("OPS", "Operations")
        yield emu


def client(wiki: ConfluenceEmulator) -> httpx.Client:
    return httpx.Client(base_url=wiki.url, auth=(wiki.email, wiki.api_token))


def space_id(c: httpx.Client) -> str:
    r = c.get("/api/v2/spaces", params={"keys": "OPS"})
    assert r.status_code == 200
    return r.json()["results"][0]["id"]


def test_space_lookup_by_key(wiki: ConfluenceEmulator) -> None:
    assert wiki.url.endswith("/wiki")
    with client(wiki) as c:
        body = c.get("/api/v2/spaces", params={"keys": "OPS"}).json()
        assert body["results"][0]["key"] == "OPS" and body["results"][0]["name"] == "Operations"
        assert body["results"][0]["_links"]["webui"] == "/spaces/OPS"
        assert c.get("/api/v2/spaces", params={"keys": "NOPE"}).json()["results"] == []


def test_create_then_update_keeps_every_version(wiki: ConfluenceEmulator) -> None:
    with client(wiki) as c:
        sid = space_id(c)
        r = c.post("/api/v2/pages", json={"spaceId": sid, "status": "current", "title": "INC-12 postmortem",
                                          "body": BODY})  # fmt: skip
        assert r.status_code == 200
        page = r.json()
        assert page["spaceId"] == sid and page["version"]["number"] == 1 and page["title"] == "INC-12 postmortem"
        assert page["_links"]["webui"].startswith(f"/spaces/OPS/pages/{page['id']}/")
        assert page["_links"]["base"] == wiki.url
        update = {
            "id": page["id"],
            "status": "current",
            "title": "INC-12 postmortem",
            "body": {"storage": {"representation": "storage", "value": "<p>v2</p>"}},
            "version": {"number": 2},
        }
        assert c.put(f"/api/v2/pages/{page['id']}", json=update).json()["version"]["number"] == 2
        got = c.get(f"/api/v2/pages/{page['id']}", params={"body-format": "storage"}).json()
        assert got["body"]["storage"]["value"] == "<p>v2</p>" and got["version"]["number"] == 2
        found = c.get("/api/v2/pages", params={"space-id": sid, "title": "INC-12 postmortem"}).json()["results"]
        assert [p["id"] for p in found] == [page["id"]]
    stored = wiki.wait_for_page("INC-12 postmortem", version=2)
    assert [v.number for v in stored.versions] == [1, 2] and stored.versions[0].body == BODY["value"]
    assert stored.parent_id == wiki.spaces[sid]["homepageId"]


def test_stale_or_skipped_version_is_409(wiki: ConfluenceEmulator) -> None:
    with client(wiki) as c:
        page = c.post("/api/v2/pages", json={"spaceId": space_id(c), "title": "T", "body": BODY}).json()
        for number in (1, 3):
            update = {"id": page["id"], "status": "current", "title": "T", "body": BODY, "version": {"number": number}}
            r = c.put(f"/api/v2/pages/{page['id']}", json=update)
            assert r.status_code == 409
            assert r.json()["errors"][0]["title"] == "Version must be incremented on update. Current version is: 1"
    assert wiki.page(page["id"]).version == 1


def test_duplicate_title_in_a_space_is_400(wiki: ConfluenceEmulator) -> None:
    with client(wiki) as c:
        sid = space_id(c)
        assert c.post("/api/v2/pages", json={"spaceId": sid, "title": "Same", "body": BODY}).status_code == 200
        r = c.post("/api/v2/pages", json={"spaceId": sid, "title": "Same", "body": BODY})
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "BAD_REQUEST"
        assert r.json()["errors"][0]["title"].startswith("A page with this title already exists")
    assert len(wiki.pages) == 1


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ({"title": "no space", "body": BODY}, 400),
        ({"spaceId": "1", "title": "unknown space", "body": BODY}, 404),
        ({"spaceId": "SID", "body": BODY}, 400),
        ({"spaceId": "SID", "title": "bad body", "body": {"representation": "storage", "value": "<p>a & b</p>"}}, 400),
        ({"spaceId": "SID", "title": "bad repr", "body": {"representation": "html", "value": "x"}}, 400),
        ({"spaceId": "SID", "title": "bad parent", "parentId": "42", "body": BODY}, 400),
    ],
)
def test_create_rejects_bad_pages(wiki: ConfluenceEmulator, page: dict, status: int) -> None:
    with client(wiki) as c:
        if page.get("spaceId") == "SID":
            page = {**page, "spaceId": space_id(c)}
        r = c.post("/api/v2/pages", json=page)
    assert r.status_code == status and r.json()["errors"][0]["status"] == status
    assert wiki.pages == {}


def test_bad_credentials_are_401(wiki: ConfluenceEmulator) -> None:
    r = httpx.get(wiki.url + "/api/v2/spaces", params={"keys": "OPS"}, auth=("bot@example.com", "wrong"))
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert httpx.get(wiki.url + "/api/v2/spaces").status_code == 401


def test_v1_content_endpoints_are_not_served(wiki: ConfluenceEmulator) -> None:
    with client(wiki) as c:
        assert c.post("/rest/api/content", json={"type": "page", "title": "x"}).status_code == 404
        assert c.get("/rest/api/content/1").status_code == 404


def test_429_with_retry_after_then_outage(wiki: ConfluenceEmulator) -> None:
    wiki.fail_next(1, status=429, retry_after=7, method="POST", path="/wiki/api/v2/pages")
    with client(wiki) as c:
        sid = space_id(c)  # a GET: not matched by the injected failure
        r = c.post("/api/v2/pages", json={"spaceId": sid, "title": "T", "body": BODY})
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
        assert r.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
        wiki.outage(True)
        assert c.post("/api/v2/pages", json={"spaceId": sid, "title": "T", "body": BODY}).status_code == 503
        wiki.outage(False)
        assert c.post("/api/v2/pages", json={"spaceId": sid, "title": "T", "body": BODY}).status_code == 200
    assert len(wiki.pages) == 1


@pytest.mark.parametrize(
    "value",
    ["<p><strong>a <em>b</strong> c</em></p>", "<p>a & b</p>", "<p>bell \x07</p>", "<ac:task>x</ac:task><p>"],
)
def test_a_storage_body_that_is_not_well_formed_xhtml_is_refused_like_confluence_does(wiki, value) -> None:
    with client(wiki) as c:
        data = {"spaceId": space_id(c), "title": "Broken", "body": {"representation": "storage", "value": value}}
        r = c.post("/api/v2/pages", json=data)
        assert r.status_code == 400 and "Error parsing xhtml" in r.json()["errors"][0]["title"]
        assert wiki.pages == {}
