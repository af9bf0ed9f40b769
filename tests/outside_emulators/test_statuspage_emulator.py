"""The Statuspage emulator, over real HTTP: auth, incidents create/update/delete, component states, errors, 429."""

from __future__ import annotations

import httpx
import pytest

from outside_emulators import StatuspageEmulator

PAGE, API = "pg1abc", "b13yz5g2cw10"
KEY = "sp-test-key"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def statuspage(clock):
    with StatuspageEmulator(api_key=KEY, clock=clock) as emu:
        emu.add_page(PAGE, [API])
        yield emu


def client(emu: StatuspageEmulator, key: str = KEY) -> httpx.Client:
    return httpx.Client(base_url=emu.url, headers={"Authorization": f"OAuth {key}"})


def test_create_update_and_delete_an_incident(statuspage):
    assert statuspage.url.endswith("/v1")
    with client(statuspage) as c:
        metadata = {"redalert": {"incident": "3"}}
        body = {"incident": {"name": "API errors", "status": "investigating", "body": "Looking.",
                             "components": {API: "major_outage"}, "metadata": metadata}}  # fmt: skip
        r = c.post(f"/pages/{PAGE}/incidents", json=body)
        assert r.status_code == 201
        created = r.json()
        assert created["status"] == "investigating" and created["shortlink"].startswith("https://")
        assert created["incident_updates"][0]["affected_components"][0]["new_status"] == "major_outage"
        assert statuspage.pages[PAGE][API] == "major_outage"
        patch = {"incident": {"status": "resolved", "body": "Fixed.", "components": {API: "operational"}}}
        r = c.patch(f"/pages/{PAGE}/incidents/{created['id']}", json=patch)
        assert r.status_code == 200 and r.json()["resolved_at"] and len(r.json()["incident_updates"]) == 2
        assert c.get(f"/pages/{PAGE}/incidents").json()[0]["metadata"] == {"redalert": {"incident": "3"}}
        assert c.delete(f"/pages/{PAGE}/incidents/{created['id']}").status_code == 200
        assert c.get(f"/pages/{PAGE}/incidents/{created['id']}").status_code == 404
        r = c.patch(f"/pages/{PAGE}/components/{API}", json={"component": {"status": "partial_outage"}})
        assert r.status_code == 200 and statuspage.pages[PAGE][API] == "partial_outage"


@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ({"status": "investigating"}, "Name can't be blank"),
        ({"name": "x" * 256}, "Name is too long"),
        ({"name": "a", "status": "down"}, "Status is invalid"),
        ({"name": "a", "components": {"nope": "operational"}}, "Component nope was not found"),
        ({"name": "a", "components": {API: "broken"}}, "Component status broken is invalid"),
    ],
)
def test_invalid_fields_are_422_with_an_error_entity(statuspage, incident, message):
    with client(statuspage) as c:
        r = c.post(f"/pages/{PAGE}/incidents", json={"incident": incident})
    assert r.status_code == 422 and message in r.json()["message"]


def test_auth_unknown_page_and_api_key_query(statuspage):
    with client(statuspage, "wrong") as c:
        assert c.get(f"/pages/{PAGE}/incidents").status_code == 401
    with client(statuspage) as c:
        assert c.get("/pages/unknown/incidents").status_code == 404
    assert httpx.get(f"{statuspage.url}/pages/{PAGE}/incidents", params={"api_key": KEY}).status_code == 200


def test_rate_limit_outage_and_injected_faults(statuspage, clock):
    with client(statuspage) as c:
        for _ in range(60):
            assert c.get(f"/pages/{PAGE}/incidents").status_code == 200
        r = c.get(f"/pages/{PAGE}/incidents")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        clock.now += 61
        assert c.get(f"/pages/{PAGE}/incidents").status_code == 200
        statuspage.outage(True)
        assert c.get(f"/pages/{PAGE}/incidents").status_code == 503
        statuspage.outage(False)
        statuspage.fail_next(status=420, retry_after=5)
        r = c.get(f"/pages/{PAGE}/incidents")
        assert r.status_code == 420 and r.headers["Retry-After"] == "5"
