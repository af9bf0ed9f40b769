"""Tasks become Jira issues through the outbox and follow the task (Jira emulator): every field mapping, done and
reopen by status category, owner and due edits, email lookup, an outage applied afterwards in order, once."""

from __future__ import annotations

from datetime import date

import pytest
from outbox_support import make_core
from slack_workspace import ADMIN, ALICE, BOB, CAROL

from redalert_core.domain.outbox import JIRA, State


@pytest.fixture
def core(emulator, tmp_path, jira):
    config = {
        "JIRA_PROJECT_KEY": {"sev1": "SEC", "default": "OPS"},
        "JIRA_PRIORITIES": {"sev1": "Highest", "sev2": "High"},
        "JIRA_USERS": {BOB: jira.bob},
    }
    return make_core(emulator, tmp_path, config=config)


def add_task(core, **fields):
    return core.store.tasks.add(created_by=ADMIN, at=core.clock(), **fields)


def test_a_task_becomes_an_issue_with_every_field(core, jira, emulator):
    incident = core.open(severity="sev1")
    task = add_task(core, text="Add a retry budget", incident_number=incident.number, owner=BOB, due=date(2030, 2, 1))
    core.deliver()
    [issue] = jira.issues.values()
    fields = issue.fields
    assert issue.key == "SEC-1" and issue.project == "SEC"
    assert fields["summary"] == f"[INC-{incident.number}] Add a retry budget" and fields["issuetype"] == "Task"
    assert fields["labels"] == ["redalert", f"inc-{incident.number}", f"redalert-task-{task.number}"]
    assert fields["duedate"] == "2030-02-01"
    assert fields["assignee"] == jira.bob and jira.priorities[fields["priority"]] == "Highest"
    text = str(fields["description"])
    assert f"Incident {incident.number} (sev1): Checkout is down" in text and incident.channel_id in text
    assert fields["description"]["type"] == "doc"
    link = core.store.remote.get(f"jira:task:{task.number}")
    assert link == {"key": "SEC-1", "id": issue.id, "url": jira.browse_url("SEC-1")}
    assert core.app.task_issue(task) == ("SEC-1", jira.browse_url("SEC-1"))
    posted = [m["text"] for m in emulator.messages(incident.channel_id) if "Jira issue" in m["text"]]
    assert posted == [f"Jira issue for task T{task.number}: <{jira.browse_url('SEC-1')}|SEC-1>"]


def test_done_reopen_owner_and_due_follow_the_task(core, jira):
    incident = core.open(severity="sev3")  # the "default" project, no priority mapping
    task = add_task(core, text="Rotate keys", incident_number=incident.number)
    core.deliver()
    [issue] = jira.issues.values()
    assert issue.key == "OPS-1" and "assignee" not in issue.fields
    assert jira.priorities[issue.fields["priority"]] == "Medium"
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    core.deliver()
    assert jira.issue("OPS-1").category == "done"
    core.store.tasks.reopen(task.number, actor=ADMIN, at=core.clock())
    core.deliver()
    assert jira.issue("OPS-1").category == "new"
    core.store.tasks.assign(task.number, BOB, actor=ADMIN, at=core.clock())
    core.store.tasks.set_due(task.number, date(2030, 3, 1), actor=ADMIN, at=core.clock())
    core.deliver()
    assert jira.issue("OPS-1").fields["assignee"] == jira.bob and jira.issue("OPS-1").fields["duedate"] == "2030-03-01"
    assert all(r.state is State.DELIVERED for r in core.rows(JIRA))


def test_an_owner_is_found_by_email_else_left_unassigned_and_said_once(core, jira, emulator):
    incident = core.open(severity="sev3")
    add_task(core, text="Found by email", incident_number=incident.number, owner=ALICE)  # alice@example.com in both
    core.deliver()
    assert jira.issue("OPS-1").fields["assignee"] == jira.alice
    add_task(core, text="No Jira account", incident_number=incident.number, owner=CAROL)
    add_task(core, text="Still none", incident_number=incident.number, owner=CAROL)
    core.deliver()
    core.deliver()
    assert "assignee" not in jira.issue("OPS-2").fields and "assignee" not in jira.issue("OPS-3").fields
    said = [m["text"] for m in emulator.messages(incident.channel_id) if "stay unassigned" in m["text"]]
    assert len(said) == 1 and "no Jira account has their Slack email" in said[0]


def test_without_the_email_scope_the_issue_is_unassigned(core, jira, emulator, monkeypatch):
    monkeypatch.setattr(type(core.app.incidents.gateway), "user_email", lambda self, user: None)
    incident = core.open(severity="sev3")
    add_task(core, text="No email", incident_number=incident.number, owner=ALICE)
    core.deliver()
    assert "assignee" not in jira.issue("OPS-1").fields
    said = [m["text"] for m in emulator.messages(incident.channel_id) if "stay unassigned" in m["text"]]
    assert len(said) == 1 and "users:read.email" in said[0]


def test_a_private_incident_and_no_project_send_nothing(core, jira):
    private = core.open(severity="sev3", private=True)
    add_task(core, text="Secret", incident_number=private.number)
    core.configure(JIRA_PROJECT_KEY="")
    public = core.open(severity="sev3")
    add_task(core, text="Jira off", incident_number=public.number)
    core.deliver()
    assert jira.issues == {} and core.rows(JIRA) == []


def test_an_outage_during_five_changes_is_applied_afterwards_in_order_once(core, jira):
    incident = core.open(severity="sev3")
    task = add_task(core, text="Survive the outage", incident_number=incident.number)
    core.deliver()
    jira.outage(True)
    core.store.tasks.assign(task.number, BOB, actor=ADMIN, at=core.clock())
    core.store.tasks.set_due(task.number, date(2030, 4, 1), actor=ADMIN, at=core.clock())
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    core.store.tasks.reopen(task.number, actor=ADMIN, at=core.clock())
    core.store.tasks.set_due(task.number, date(2030, 5, 1), actor=ADMIN, at=core.clock())
    for _ in range(3):
        core.deliver()
        core.clock.advance(60)
    assert all(c.fault == "outage" for c in jira.calls[-3:])
    jira.outage(False)
    before = len(jira.calls)
    core.deliver_until_quiet()
    issue = jira.issue("OPS-1")
    assert issue.fields["assignee"] == jira.bob and issue.fields["duedate"] == "2030-05-01" and issue.category == "new"
    writes = [(c.method, c.json()) for c in jira.calls[before:] if c.method in ("PUT", "POST")]
    assert writes == [
        ("PUT", {"fields": {"assignee": {"accountId": jira.bob}}}),
        ("PUT", {"fields": {"duedate": "2030-04-01"}}),
        ("POST", {"transition": {"id": "31"}}),
        ("POST", {"transition": {"id": "11"}}),
        ("PUT", {"fields": {"duedate": "2030-05-01"}}),
    ]
    assert all(r.state is State.DELIVERED for r in core.rows(JIRA))


def test_a_create_whose_answer_is_lost_is_adopted_on_retry_not_made_twice(core, jira, emulator):
    """Jira creates the issue but the answer never arrives (a cut connection, or a crash before the key is saved):
    the retried create finds the issue by its marker label (`redalert-task-<n>`, JQL search) and adopts it."""
    incident = core.open(severity="sev3")
    task = add_task(core, text="Adopt me", incident_number=incident.number)
    jira.lose_answer_next(1, method="POST", path="/rest/api/3/issue")
    core.deliver()
    [row] = core.rows(JIRA)
    assert row.state is State.RETRYING and list(jira.issues) == ["OPS-1"] and core.app.task_issue(task) is None
    core.deliver_until_quiet()
    assert list(jira.issues) == ["OPS-1"] and core.app.task_issue(task) == ("OPS-1", jira.browse_url("OPS-1"))
    search = [c for c in jira.calls if c.path.endswith("/search/jql")][-1]
    assert search.json()["jql"] == f'project = "OPS" AND labels = "redalert-task-{task.number}" ORDER BY created ASC'
    posted = [m["text"] for m in emulator.messages(incident.channel_id) if "Jira issue" in m["text"]]
    assert posted == [f"Jira issue for task T{task.number}: <{jira.browse_url('OPS-1')}|OPS-1>"]
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    core.deliver()
    assert jira.issue("OPS-1").category == "done"


def test_a_create_made_just_before_a_crash_is_found_not_duplicated(core, jira):
    incident = core.open(severity="sev3")
    add_task(core, text="Another task", incident_number=incident.number)
    core.deliver()  # OPS-1, a neighbour in the same project
    task = add_task(core, text="Rotate the keys", incident_number=incident.number)
    [row] = [r for r in core.rows(JIRA) if r.payload["task"] == task.number]
    core.integrations.deliverers.deliver(row)  # created, then the process dies before remembering the issue
    core.deliver()
    assert sorted(jira.issues) == ["OPS-1", "OPS-2"]
    assert core.store.remote.get(f"jira:task:{task.number}")["key"] == "OPS-2"
    assert core.store.remote.get("jira:issue:OPS-2") == {"task": task.number}
    assert all(r.state is State.DELIVERED for r in core.rows(JIRA))
