"""The PagerDuty REST emulator answers as PagerDuty's REST OpenAPI (tests/specs/) says: `GET /oncalls` and
`GET /users/{id}` with the declared bodies, token auth, the declared error body for 400/401/404/429."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from outside_emulators import PagerDutyRestEmulator
from outside_emulators.openapi_description import description

TOKEN = "y_NbAkKc66ryYTWUXYEu"
PD = description("pagerduty-rest-oncalls-users.openapiv3.json")
AUTH = {
    "Authorization": f"Token token={TOKEN}",
    "Accept": "application/vnd.pagerduty+json;version=2",
    "Content-Type": "application/json",
}


@pytest.fixture()
def pd():
    with PagerDutyRestEmulator(tokens=[TOKEN]) as emu:
        emu.add_user("PALICE1", "Alice", "alice@example.com")
        emu.add_user("PBOB222", "Bob", "bob@example.com")
        emu.add_oncall("PEP1234", "PALICE1", level=1, schedule="PSCHED1")
        emu.add_oncall("PEP1234", "PBOB222", level=2)
        emu.add_oncall("POTHER1", "PBOB222", level=1, schedule="PSCHED2")
        yield emu


def schema_errors(ref: str, value: Any) -> list[str]:
    return PD._errors({"$ref": f"#/components/schemas/{ref}"}, value, f"{ref}/")


ONCALL_CASES: list[tuple[str, dict[str, str], bool]] = [
    ("no filter", {}, True),
    ("by policy", {"escalation_policy_ids[]": "PEP1234"}, True),
    ("by schedule", {"schedule_ids[]": "PSCHED2"}, True),
    ("include users", {"include[]": "users"}, True),
    ("paged", {"limit": "1", "offset": "1", "total": "true"}, True),
    ("unknown include", {"include[]": "teams"}, False),
    ("limit not a number", {"limit": "many"}, False),
]


@pytest.mark.parametrize(("name", "query", "valid"), ONCALL_CASES, ids=[c[0] for c in ONCALL_CASES])
def test_oncalls_follow_the_description(pd: PagerDutyRestEmulator, name: str, query: dict, valid: bool) -> None:
    allowed = PD.request_errors("/oncalls", "get", query=query, headers=AUTH) == []
    assert allowed is valid, "the case misreads the description"
    response = httpx.get(pd.url + "/oncalls", params=query, headers=AUTH)
    assert response.status_code // 100 == (2 if valid else 4), response.text
    body = response.json()
    if "users" in query.get("include[]", ""):  # included users are full User objects, not references
        for oncall in body["oncalls"]:
            assert schema_errors("User", oncall.pop("user")) == []
    assert PD.response_errors("/oncalls", "get", response.status_code, body) == []


def test_filters_select_the_oncalls(pd: PagerDutyRestEmulator) -> None:
    def users(**query: Any) -> list[str]:
        response = httpx.get(pd.url + "/oncalls", params=query, headers=AUTH)
        return [o["user"]["id"] for o in response.json()["oncalls"]]

    assert users(**{"escalation_policy_ids[]": ["PEP1234"]}) == ["PALICE1", "PBOB222"]
    assert users(**{"schedule_ids[]": ["PSCHED2"]}) == ["PBOB222"]
    assert users(**{"escalation_policy_ids[]": ["PEP1234", "POTHER1"]}) == ["PALICE1", "PBOB222", "PBOB222"]
    full = httpx.get(pd.url + "/oncalls", params={"include[]": "users"}, headers=AUTH).json()
    assert full["oncalls"][0]["user"]["email"] == "alice@example.com"


def test_user_follows_the_description(pd: PagerDutyRestEmulator) -> None:
    assert PD.request_errors("/users/{id}", "get", headers=AUTH, id="PALICE1") == []
    response = httpx.get(pd.url + "/users/PALICE1", headers=AUTH)
    assert response.status_code == 200
    assert PD.response_errors("/users/{id}", "get", 200, response.json()) == []
    assert response.json()["user"]["email"] == "alice@example.com"
    missing = httpx.get(pd.url + "/users/PNOBODY", headers=AUTH)
    assert missing.status_code == 404
    assert PD.response_errors("/users/{id}", "get", 404, missing.json()) == []
    assert missing.json()["error"]["code"] == 2100


@pytest.mark.parametrize("auth", [None, "Bearer " + TOKEN, "Token token=wrong", "Token token="])
def test_token_auth(pd: PagerDutyRestEmulator, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = httpx.get(pd.url + "/oncalls", headers=headers)
    assert response.status_code == 401
    assert PD.response_errors("/oncalls", "get", 401, response.json()) == []
    assert response.json()["error"] == {"message": "Authentication failed", "code": 2006}


def test_rate_limit_answers_429_with_retry_after() -> None:
    now = [0.0]
    with PagerDutyRestEmulator(tokens=[TOKEN], requests_per_minute=2, clock=lambda: now[0]) as pd:
        assert [httpx.get(pd.url + "/oncalls", headers=AUTH).status_code for _ in range(2)] == [200, 200]
        limited = httpx.get(pd.url + "/oncalls", headers=AUTH)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "60"
        assert PD.response_errors("/oncalls", "get", 429, limited.json()) == []
        now[0] = 61.0
        assert httpx.get(pd.url + "/oncalls", headers=AUTH).status_code == 200


def test_injected_faults_use_the_error_body(pd: PagerDutyRestEmulator) -> None:
    pd.fail_next(1, status=429, retry_after=3)
    response = httpx.get(pd.url + "/oncalls", headers=AUTH)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
    assert PD.response_errors("/oncalls", "get", 429, response.json()) == []
