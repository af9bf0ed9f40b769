"""Changes made in Jira come back through POST /redalert/api/v1/hooks/jira (the emulator sends signed webhooks to
the real route): done, reopened, assignee, due date, deleted; no echoes of RedAlert's own changes; forged and
replayed webhooks change nothing."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from jira_support import JIRA_EMAIL, JIRA_SECRET, JIRA_TOKEN, serving_hooks
from outbox_support import make_core
from slack_workspace import ADMIN, BOB

from outside_emulators import hub_signature
from redalert_core.domain.outbox import JIRA


@pytest.fixture
def core(emulator, tmp_path, jira):
    core = make_core(emulator, tmp_path, config={"JIRA_PROJECT_KEY": "OPS", "JIRA_USERS": {BOB: jira.bob}})
    with serving_hooks(core.app) as url:
        jira.register_webhook(url, JIRA_SECRET)
        yield core


def answered(jira, n):
    return jira.wait_for(lambda: len(jira.webhooks.answered()) >= n and jira.webhooks.answered())


def in_jira(core, jira, emulator):
    """An incident, a task and its issue OPS-1 (the create sends no webhook: Jira's is for updates)."""
    incident = core.open(severity="sev3")
    task = core.store.tasks.add(text="Fix it", created_by=ADMIN, at=core.clock(), incident_number=incident.number)
    core.deliver()
    return incident, task


def posts(emulator, channel, needle="in Jira"):
    return [m["text"] for m in emulator.messages(channel) if needle in m["text"]]


def test_done_in_slack_goes_to_jira_and_its_webhook_changes_nothing(core, jira, emulator):
    incident, task = in_jira(core, jira, emulator)
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    core.deliver()
    assert jira.issue("OPS-1").category == "done"
    [hook] = answered(jira, 1)
    assert hook.status == 200 and hook.json()["user"]["accountId"] == jira.bot_account_id
    before = len(core.store.outbox.rows())
    core.deliver()
    assert len(core.store.outbox.rows()) == before and posts(emulator, incident.channel_id) == []
    assert core.store.tasks.get(task.number).done_by == ADMIN


def test_done_in_jira_is_done_in_redalert_with_one_message(core, jira, emulator):
    incident, task = in_jira(core, jira, emulator)
    jira.transition_as("OPS-1", "done", jira.alice)
    answered(jira, 1)
    assert not core.store.tasks.get(task.number).is_open
    core.deliver()
    assert posts(emulator, incident.channel_id) == [f"T{task.number} done in Jira by Alice Jira."]
    assert core.rows(JIRA)[-1].payload["action"] == "create"  # nothing sent back
    jira.transition_as("OPS-1", "indeterminate", jira.alice)
    answered(jira, 2)
    core.deliver()
    assert core.store.tasks.get(task.number).is_open
    assert posts(emulator, incident.channel_id)[-1] == f"T{task.number} reopened in Jira by Alice Jira."
    assert not [c for c in jira.calls if c.method == "POST" and c.path.endswith("/transitions")]


def test_assignee_due_and_deletion_come_back(core, jira, emulator):
    incident, task = in_jira(core, jira, emulator)
    jira.edit_as("OPS-1", {"assignee": {"accountId": jira.bob}, "duedate": "2030-06-01"}, jira.alice)
    answered(jira, 1)
    updated = core.store.tasks.get(task.number)
    assert updated.owner == BOB and updated.due == date(2030, 6, 1)
    jira.delete_as("OPS-1", jira.alice)
    answered(jira, 2)
    core.deliver()
    said = posts(emulator, incident.channel_id)
    assert said[0].startswith(f"T{task.number} assigned to <@{BOB}> in Jira by Alice Jira. T{task.number} due 2030-06")
    assert said[1] == f"T{task.number}'s Jira issue OPS-1 was deleted in Jira by Alice Jira."
    assert core.app.task_issue(task)[0] == "OPS-1 (deleted in Jira)"
    assert core.rows(JIRA)[-1].payload["action"] == "create"  # the changes from Jira are not sent back


def test_forged_and_replayed_webhooks_change_nothing(core, jira, emulator):
    incident, task = in_jira(core, jira, emulator)
    jira.transition_as("OPS-1", "done", jira.alice)
    [hook] = answered(jira, 1)
    url = jira.webhooks.url
    forged = {**hook.headers, "X-Hub-Signature": hub_signature("wrong-secret", hook.body)}
    unsigned = {k: v for k, v in hook.headers.items() if k != "X-Hub-Signature"}
    core.store.tasks.reopen(task.number, actor=ADMIN, at=core.clock())  # so a forged "done" would show
    for headers in (forged, unsigned):
        response = httpx.post(url, content=hook.body, headers=headers)
        assert response.status_code == 401 and "nothing changed" in response.json()["message"]
    assert core.store.tasks.get(task.number).is_open
    replay = httpx.post(url, content=hook.body, headers=hook.headers)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert core.store.tasks.get(task.number).is_open
    core.deliver()
    assert posts(emulator, incident.channel_id) == [f"T{task.number} done in Jira by Alice Jira."]


def test_a_change_before_the_link_is_stored_is_answered_503_and_applied_on_jiras_retry(core, jira, emulator):
    """Jira made the issue, but RedAlert has not stored its key (the process died, or the answer was lost), and a
    person changes the issue: the webhook is answered 503, Jira retries it, and once the outbox's retried create has
    adopted the issue (no second one) the retry is applied, once."""
    incident = core.open(severity="sev3")
    task = core.store.tasks.add(text="Fix it", created_by=ADMIN, at=core.clock(), incident_number=incident.number)
    [create] = core.rows(JIRA)
    core.integrations.deliverers.deliver(create)  # Jira creates OPS-1; what the delivery would store is lost
    jira.webhooks.pause_retries()
    jira.transition_as("OPS-1", "done", jira.alice)
    [hook] = answered(jira, 1)
    assert hook.statuses == [503] and core.store.tasks.get(task.number).is_open
    core.deliver()  # the create again: found by its marker label, adopted
    assert list(jira.issues) == ["OPS-1"] and core.app.task_issue(task)[0] == "OPS-1"
    jira.webhooks.resume_retries()
    jira.wait_for(lambda: hook.status == 200)
    assert hook.statuses == [503, 200] and not core.store.tasks.get(task.number).is_open
    core.deliver()
    assert posts(emulator, incident.channel_id) == [f"T{task.number} done in Jira by Alice Jira."]
    assert len(posts(emulator, incident.channel_id, "Jira issue for task")) == 1


def test_an_issue_without_redalerts_label_is_acknowledged_and_ignored(core, jira, emulator):
    _, task = in_jira(core, jira, emulator)
    body = {"fields": {"project": {"key": "OPS"}, "summary": "Someone else's", "issuetype": {"name": "Task"}}}
    created = httpx.post(f"{jira.url}/rest/api/3/issue", json=body, auth=(JIRA_EMAIL, JIRA_TOKEN)).json()
    jira.transition_as(created["key"], "done", jira.alice)
    [hook] = answered(jira, 1)
    assert hook.statuses == [200] and hook.json()["issue"]["key"] == created["key"]
    assert core.store.tasks.get(task.number).is_open
