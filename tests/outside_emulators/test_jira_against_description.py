"""The Jira emulator answers as Atlassian's Jira Cloud platform OpenAPI (tests/specs/) says: an allowed request gets
its declared status and body, a refused one a 4xx with Jira's ErrorCollection; transitions name their target
status category; webhooks are signed as Jira Cloud signs them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import httpx
import pytest

from outside_emulators import JiraEmulator, hub_signature
from outside_emulators.openapi_description import description

JIRA = description("jira-platform-openapi-v3.subset.json")
ADF = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}]}
BASE = {"project": {"key": "OPS"}, "summary": "[INC-12] restart db", "issuetype": {"name": "Task"}}
CREATE_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("minimal", {}, None),
    ("every field", {"description": ADF, "labels": ["x"], "duedate": "2026-12-01", "priority": {"id": "2"}}, None),
    ("no summary", {"summary": ""}, "summary"),
    ("unknown project", {"project": {"key": "NOPE"}}, "project"),
    ("unknown issue type", {"issuetype": {"name": "Epicish"}}, "issuetype"),
    ("description not ADF", {"description": "plain text"}, "description"),
    ("label with a space", {"labels": ["in c"]}, "labels"),
    ("due not a date", {"duedate": "tomorrow"}, "duedate"),
    ("unknown assignee", {"assignee": {"accountId": "nobody"}}, "assignee"),
    ("unknown priority", {"priority": {"name": "Meh"}}, "priority"),
]


@pytest.fixture
def jira():
    with JiraEmulator(email="bot@example.com", api_token="tok") as emu:
        yield emu


def client(jira: JiraEmulator, token: str = "tok") -> httpx.Client:
    return httpx.Client(base_url=jira.url + "/rest/api/3/", auth=("bot@example.com", token))


def conforms(response: httpx.Response, path: str, method: str) -> None:
    body = response.json() if response.content else None
    assert JIRA.response_errors(path, method, response.status_code, body) == [], response.text


@pytest.mark.parametrize(("name", "change", "field"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_issue_creation(jira: JiraEmulator, name: str, change: dict[str, Any], field: str | None) -> None:
    body = {"fields": {**BASE, **change}}
    assert JIRA.request_errors("/rest/api/3/issue", "post", body=body) == []
    with client(jira) as c:
        response = c.post("issue", json=body)
    assert response.status_code == (201 if field is None else 400), response.text
    conforms(response, "/rest/api/3/issue", "post")
    if field is not None:
        assert list(response.json()["errors"]) == [field] and response.json()["errorMessages"] == []


def test_get_edit_and_transitions_by_category(jira: JiraEmulator) -> None:
    alice = jira.add_user("Alice", "alice@example.com")
    with client(jira) as c:
        key = c.post("issue", json={"fields": BASE}).json()["key"]
        got = c.get(f"issue/{key}")
        conforms(got, "/rest/api/3/issue/{issueIdOrKey}", "get")
        assert got.json()["fields"]["status"]["statusCategory"]["key"] == "new"
        edit = {"fields": {"assignee": {"accountId": alice}, "duedate": "2026-12-02"}}
        assert JIRA.request_errors("/rest/api/3/issue/{issueIdOrKey}", "put", body=edit, issueIdOrKey=key) == []
        assert c.put(f"issue/{key}", json=edit).status_code == 204
        assert c.put(f"issue/{key}", json={"fields": {"duedate": "soon"}}).status_code == 400
        offered = c.get(f"issue/{key}/transitions")
        conforms(offered, "/rest/api/3/issue/{issueIdOrKey}/transitions", "get")
        by_category = {t["to"]["statusCategory"]["key"]: t["id"] for t in offered.json()["transitions"]}
        assert set(by_category) == {"indeterminate", "done"}
        assert c.post(f"issue/{key}/transitions", json={"transition": {"id": by_category["done"]}}).status_code == 204
        refused = c.post(f"issue/{key}/transitions", json={"transition": {"id": "31"}})
        assert refused.status_code == 400 and refused.json()["errorMessages"]
        assert c.get(f"issue/{key}").json()["fields"]["assignee"]["accountId"] == alice
        missing = c.get("issue/OPS-999")
        assert missing.status_code == 404 and missing.json()["errorMessages"]
    assert jira.issue(key).category == "done"


def test_users_priorities_auth_and_rate_limit(jira: JiraEmulator) -> None:
    jira.add_user("Alice", "alice@example.com")
    with client(jira) as c:
        found = c.get("user/search", params={"query": "alice@example.com"})
        conforms(found, "/rest/api/3/user/search", "get")
        assert [u["displayName"] for u in found.json()] == ["Alice"]
        priorities = c.get("priority")
        conforms(priorities, "/rest/api/3/priority", "get")
        assert "Highest" in [p["name"] for p in priorities.json()]
        conforms(c.get("myself"), "/rest/api/3/myself", "get")
    with client(jira, token="wrong") as c:
        assert c.get("myself").status_code == 401
    jira.limit.limit = 0
    with client(jira) as c:
        limited = c.get("priority")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}


class _Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.got.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_signed_webhooks_for_api_and_people(jira: JiraEmulator) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.got = []
    jira.register_webhook(f"http://127.0.0.1:{server.server_port}/hook", "s3cret")
    bob = jira.add_user("Bob", "bob@example.com")
    with client(jira) as c:
        key = c.post("issue", json={"fields": BASE}).json()["key"]
        c.post(f"issue/{key}/transitions", json={"transition": {"id": "31"}})
    jira.transition_as(key, "new", bob)
    jira.delete_as(key, bob)
    jira.wait_for(lambda: len(jira.webhooks.answered()) >= 3)
    server.shutdown()
    events = [json.loads(body) for _, body in _Receiver.got]
    assert [e["webhookEvent"] for e in events] == ["jira:issue_updated", "jira:issue_updated", "jira:issue_deleted"]
    assert events[0]["user"]["accountId"] == jira.bot_account_id and events[1]["user"]["displayName"] == "Bob"
    assert events[0]["changelog"]["items"][0]["toString"] == "Done"
    for headers, body in _Receiver.got:
        assert headers["X-Hub-Signature"] == hub_signature("s3cret", body)
    assert len({h["X-Atlassian-Webhook-Identifier"] for h, _ in _Receiver.got}) == 3


def test_jql_search_finds_issues_by_label_as_the_description_says(jira: JiraEmulator) -> None:
    path = "/rest/api/3/search/jql"
    with client(jira) as c:
        keys = [c.post("issue", json={"fields": {**BASE, "labels": labels}}).json()["key"]
                for labels in (["redalert", "redalert-task-7"], ["redalert"], ["redalert-task-7"])]  # fmt: skip
        c.post("issue", json={"fields": {**BASE, "project": {"key": "OPS"}, "labels": ["other"]}})
        body = {"jql": 'project = "OPS" AND labels = "redalert-task-7" ORDER BY created ASC', "fields": ["labels"]}
        assert JIRA.request_errors(path, "post", body=body) == []
        found = c.post("search/jql", json=body)
        conforms(found, path, "post")
        assert [i["key"] for i in found.json()["issues"]] == [keys[0], keys[2]] and found.json()["isLast"] is True
        assert found.json()["issues"][0]["fields"] == {"labels": ["redalert", "redalert-task-7"]}
        query = {"jql": "labels in (redalert, other) ORDER BY key DESC", "maxResults": "2"}
        assert JIRA.request_errors(path, "get", query=query) == []
        page = c.get("search/jql", params=query)
        conforms(page, path, "get")
        assert [i["key"] for i in page.json()["issues"]] == ["OPS-4", "OPS-2"] and "fields" not in page.json()[
            "issues"
        ][0]
        rest = c.get("search/jql", params={**query, "nextPageToken": page.json()["nextPageToken"]}).json()
        assert [i["key"] for i in rest["issues"]] == ["OPS-1"] and rest["isLast"] is True
        for jql, why in (("order by key", "Unbounded"), ("flavour = sweet", "Field 'flavour' does not exist")):
            refused = c.post("search/jql", json={"jql": jql})
            assert refused.status_code == 400 and why in refused.json()["errorMessages"][0], refused.text
    jira.delete_as(keys[0], jira.bot_account_id)
    with client(jira) as c:
        assert [i["key"] for i in c.post("search/jql", json=body).json()["issues"]] == [keys[2]]


class _Answering(BaseHTTPRequestHandler):
    """Answers each delivery with the next of `statuses` (then 200); `None` closes the connection unanswered."""

    statuses: ClassVar[list[int | None]] = []
    got: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Answering.got.append(dict(self.headers))
        status = _Answering.statuses.pop(0) if _Answering.statuses else 200
        if status is None:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("answers", "attempts"),
    [([503, None, 429, 200], [503, 0, 429, 200]), ([404], [404]), ([500] * 6, [500] * 6)],
    ids=["retried-until-ok", "not-retried", "gives-up"],
)
def test_webhooks_are_retried_as_jira_cloud_retries_them(jira, answers, attempts) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Answering.statuses, _Answering.got = list(answers), []
    jira.webhooks.delays = (0.01,)
    jira.register_webhook(f"http://127.0.0.1:{server.server_port}/hook", "s3cret")
    with client(jira) as c:
        key = c.post("issue", json={"fields": BASE}).json()["key"]
    jira.transition_as(key, "done", jira.bot_account_id)
    [sent] = jira.wait_for(lambda: [d for d in jira.webhooks.sent if d.gave_up or d.status in (200, 404)])
    server.shutdown()
    assert sent.statuses == attempts and sent.gave_up is (len(attempts) == 6)
    assert [h.get("X-Atlassian-Webhook-Retry") for h in _Answering.got] == [None, *map(str, range(1, len(attempts)))]
    assert len({h["X-Atlassian-Webhook-Identifier"] for h in _Answering.got}) == 1
