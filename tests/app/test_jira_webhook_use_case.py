"""app.receive_jira_webhook: the signature, the mapping back to a task, once per delivery, and no echo of the bot's
own account (no HTTP: the use case as the route calls it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_workspace import ADMIN, BOB

from outside_emulators import hub_signature
from redalert_core.domain import timeline
from redalert_core.domain.jira_outbox_policies import issue_link, task_of_issue
from redalert_core.domain.requester import Requester
from redalert_core.domain.settings import ConfigError, validate
from redalert_core.services.incidents import ServiceError
from redalert_core.services.jira_delivery import SELF

SECRET = "app-test-jira-secret"


@pytest.fixture
def config() -> dict[str, Any]:
    return {"JIRA_PROJECT_KEY": "OPS", "JIRA_USERS": {BOB: "acc-bob"}}


@pytest.fixture
def task(app, monkeypatch):
    monkeypatch.setenv("JIRA_WEBHOOK_SECRET", SECRET)
    now = app.clock()
    problem = app.store.problems.create(title="Flaky disks", opened_by=ADMIN, at=now, incidents=[])
    made = app.store.tasks.add(text="Fix it", created_by=ADMIN, at=now, problem_number=problem.number)
    app.store.remote.set(issue_link(made.number), {"key": "OPS-1", "url": "https://x/browse/OPS-1"}, now)
    app.store.remote.set(task_of_issue("OPS-1"), {"task": made.number}, now)
    app.store.remote.set(SELF, {"account_id": "acc-bot"}, now)
    return made


def hook(actor: str, items: list[str], key: str = "OPS-1", name: str | None = None, **fields: Any) -> bytes:
    issue = {"key": key, "fields": fields}
    changelog = {"items": [{"field": name} for name in items]}
    user = {"accountId": actor, "displayName": name or actor}
    return json.dumps(
        {"webhookEvent": "jira:issue_updated", "user": user, "issue": issue, "changelog": changelog}
    ).encode()


def send(app, body: bytes, delivery: str = "d1", secret: str = SECRET):
    return app.receive_jira_webhook(body, hub_signature(secret, body), delivery)


def done_status() -> dict:
    return {"statusCategory": {"key": "done"}}


def test_a_signed_change_is_applied_once(app, task):
    body = hook("acc-alice", ["status", "assignee"], status=done_status(), assignee={"accountId": "acc-bob"})
    applied = send(app, body)
    assert applied.task == task.number and len(applied.changes) == 2
    changed = app.store.tasks.get(task.number)
    assert not changed.is_open and changed.owner == BOB and changed.done_by == "jira:acc-alice"
    assert send(app, body).duplicate is True
    app.store.tasks.reopen(task.number, actor=ADMIN, at=app.clock())
    assert send(app, body, delivery="").changes  # without Jira's identifier the body's digest names it …
    assert send(app, body, delivery="").duplicate is True  # … once


def test_unsigned_wrong_or_own_changes_nothing(app, task):
    body = hook("acc-alice", ["status"], status=done_status())
    assert send(app, body, secret="wrong") is None
    assert app.receive_jira_webhook(body, None, "d1") is None
    assert app.store.tasks.get(task.number).is_open
    own = hook("acc-bot", ["status"], status=done_status())
    assert send(app, own, delivery="d2").changes == [] and app.store.tasks.get(task.number).is_open


def test_a_state_already_held_changes_nothing(app, task):
    body = hook("acc-alice", ["status"], status={"statusCategory": {"key": "indeterminate"}})
    assert send(app, body).changes == [] and app.store.tasks.get(task.number).is_open


def test_jira_configuration_is_checked():
    bad = {"JIRA_PROJECT_KEY": {"sev9": "OPS", "sev1": "bad key"}, "JIRA_USERS": {"nope": "x"}, "JIRA_ISSUE_TYPE": ""}
    with pytest.raises(ConfigError) as caught:
        validate({**bad, "JIRA_PRIORITIES": {"sev1": 3}})
    assert len(caught.value.faults) == 5 and all("JIRA_" in fault for fault in caught.value.faults)
    jira = validate({"JIRA_PROJECT_KEY": {"sev1": "SEC", "default": "OPS"}}).integrations.jira
    assert jira.project_for("sev1") == "SEC" and jira.project_for("sev4") == "OPS" and jira.project_for(None) == "OPS"
    assert jira.issue_type == "Task" and not validate({}).integrations.jira.enabled


def test_a_change_before_the_issue_is_linked_waits_for_jiras_retry(app, task):
    """Jira made the issue of a new task (its create row still waits) and someone changed it before RedAlert stored
    the key: pending (the route's 503), nothing claimed; once the link is stored, the same delivery applies."""
    new = app.store.tasks.add(text="Rotate keys", created_by=ADMIN, at=app.clock(), problem_number=task.problem_number)
    labels = ["redalert", "p1", f"redalert-task-{new.number}"]
    body = hook("acc-alice", ["status"], key="OPS-2", status=done_status(), labels=labels)
    first = send(app, body, delivery="early")
    assert first.pending is True and first.task == new.number and app.store.tasks.get(new.number).is_open
    assert send(app, body, delivery="early").pending is True  # Jira's retry, still too early: nothing claimed
    app.store.remote.set(issue_link(new.number), {"key": "OPS-2"}, app.clock())  # what the create's delivery stores
    app.store.remote.set(task_of_issue("OPS-2"), {"task": new.number}, app.clock())
    applied = send(app, body, delivery="early")
    assert not applied.pending and applied.changes == [f"T{new.number} done in Jira by acc-alice"]
    assert send(app, body, delivery="early").duplicate is True


def test_unknown_issues_are_acknowledged_unless_their_task_awaits_its_link(app, task):
    status = done_status()
    plain = hook("acc-alice", ["status"], key="OPS-7", status=status)
    someone_elses = hook("acc-alice", ["status"], key="OPS-8", status=status, labels=["redalert"])
    no_such_task = hook("acc-alice", ["status"], key="OPS-9", status=status, labels=["redalert", "redalert-task-99"])
    linked_elsewhere = hook(  # the task's link names OPS-1: this is another issue carrying its marker
        "acc-alice", ["status"], key="OPS-10", status=status, labels=["redalert", f"redalert-task-{task.number}"]
    )
    for n, body in enumerate((plain, someone_elses, no_such_task, linked_elsewhere)):
        applied = send(app, body, delivery=f"u{n}")
        assert not applied.pending and applied.changes == [], body
    assert app.store.tasks.get(task.number).is_open


def test_the_name_jira_gives_is_what_timelines_and_replies_show(app, task):
    body = hook("acc-alice", ["status", "duedate"], name="Alice Jira", status=done_status(), duedate="2030-01-02")
    send(app, body)
    lines = [text for _, text in timeline.entries(app.store.events.list_problem(task.problem_number), str, str)]
    assert f"Task T{task.number} done in Jira by Alice Jira" in lines
    assert f"Task T{task.number} now due 2030-01-02 (set in Jira by Alice Jira)" in lines
    assert not [line for line in lines if "acc-alice" in line]
    with pytest.raises(ServiceError, match=r"already done \(\d{4}-\d\d-\d\d, in Jira by Alice Jira\)"):
        app.finish_task(Requester(user=ADMIN, is_admin=True), task.number, None)
