"""POST /hooks/jira as openapi.json documents it: 401 unsigned, 200 for a change applied (or nothing to apply), 503
for a change to an issue whose task's link RedAlert is still storing (Jira retries it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_workspace import ADMIN

from outside_emulators import hub_signature
from redalert_core.domain.jira_outbox_policies import issue_link, task_of_issue

SECRET = "api-test-jira-secret"


@pytest.fixture
def config() -> dict[str, Any]:
    return {"JIRA_PROJECT_KEY": "OPS"}


def signed(body: dict) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    headers = {"X-Hub-Signature": hub_signature(SECRET, raw), "X-Atlassian-Webhook-Identifier": "wh-1"}
    return {"data": raw, "headers": headers, "content_type": "application/json"}


def done_in_jira(key: str, labels: list[str]) -> dict:
    fields = {"labels": labels, "status": {"statusCategory": {"key": "done"}}}
    return {"webhookEvent": "jira:issue_updated", "user": {"accountId": "acc-1", "displayName": "Alice Jira"},
            "issue": {"key": key, "fields": fields}, "changelog": {"items": [{"field": "status"}]}}  # fmt: skip


def test_the_jira_hook_answers_as_documented(api, app, monkeypatch):
    monkeypatch.setenv("JIRA_WEBHOOK_SECRET", SECRET)
    now = app.clock()
    problem = app.store.problems.create(title="Disks", opened_by=ADMIN, at=now, incidents=[])
    task = app.store.tasks.add(text="Fix it", created_by=ADMIN, at=now, problem_number=problem.number)
    body = done_in_jira("OPS-1", ["redalert", "p1", f"redalert-task-{task.number}"])
    raw = json.dumps(body).encode()
    status, answer, _ = api.call("POST", "/hooks/jira", data=raw, content_type="application/json")
    assert status == 401 and "nothing changed" in answer["message"]
    status, answer, response = api.call("POST", "/hooks/jira", **signed(body))
    assert status == 503 and answer["task"] == task.number and response.headers["Retry-After"]
    assert app.store.tasks.get(task.number).is_open
    app.store.remote.set(issue_link(task.number), {"key": "OPS-1"}, now)
    app.store.remote.set(task_of_issue("OPS-1"), {"task": task.number}, now)
    status, answer, _ = api.call("POST", "/hooks/jira", **signed(body))
    assert status == 200 and answer == {"task": task.number, "changes": [f"T{task.number} done in Jira by Alice Jira"],
                                        "duplicate": False}  # fmt: skip
    status, answer, _ = api.call("POST", "/hooks/jira", **signed(done_in_jira("OPS-9", [])))
    assert status == 200 and answer == {"task": None, "changes": [], "duplicate": False}
