"""JIRA_INCIDENT_ISSUE_TYPE: the incident itself becomes a Jira issue through the outbox, its summary and priority
follow severity and status changes, and it is resolved (done category) at the resolved status or at close."""

from __future__ import annotations

import pytest
from jira_support import JIRA_SECRET, serving_hooks
from outbox_support import make_core

from redalert_core.domain.outbox import JIRA, State

CONFIG = {
    "JIRA_PROJECT_KEY": {"sev1": "SEC", "default": "OPS"},
    "JIRA_PRIORITIES": {"sev1": "Highest", "sev2": "High"},
    "JIRA_INCIDENT_ISSUE_TYPE": "Incident",
}


@pytest.fixture
def core(emulator, tmp_path, jira):
    return make_core(emulator, tmp_path, config=dict(CONFIG))


def summary(jira, key):
    return jira.issue(key).fields["summary"]


def test_the_incident_becomes_an_issue_that_follows_severity_and_status(core, jira, emulator):
    incident = core.open("Checkout is slow", severity="sev2")
    core.deliver()
    [issue] = jira.issues.values()
    assert issue.project == "OPS" and issue.fields["issuetype"] == "Incident"
    assert summary(jira, issue.key) == "[INC-1] [SEV2 · investigating] Checkout is slow"
    assert issue.fields["labels"] == ["redalert", "incident", "inc-1", "redalert-incident-1"]
    assert jira.priorities[issue.fields["priority"]] == "High"
    notes = [m["text"] for m in emulator.messages(incident.channel_id) if "Jira issue for incident 1" in m["text"]]
    assert notes == [f"Jira issue for incident 1: <{jira.browse_url(issue.key)}|{issue.key}>"]
    core.app.change_severity(core.asker(), incident.number, "sev1")
    core.status(incident.number, "identified")
    core.deliver()
    assert summary(jira, issue.key) == "[INC-1] [SEV1 · identified] Checkout is slow"
    assert jira.priorities[jira.issue(issue.key).fields["priority"]] == "Highest"
    assert jira.issue(issue.key).category != "done"
    core.status(incident.number, "resolved")
    core.deliver()
    assert jira.issue(issue.key).category == "done"
    assert summary(jira, issue.key) == "[INC-1] [SEV1 · resolved] Checkout is slow"
    assert all(r.state is State.DELIVERED for r in core.rows(JIRA))
    assert len(jira.issues) == 1


def test_closing_resolves_the_issue_and_its_webhooks_change_nothing(core, jira, emulator):
    with serving_hooks(core.app) as url:
        jira.register_webhook(url, JIRA_SECRET)
        incident = core.open("Checkout is slow", severity="sev3")
        core.deliver()
        [issue] = jira.issues.values()
        core.close(incident.number)
        core.deliver()
        assert jira.issue(issue.key).category == "done"
        jira.transition_as(issue.key, "indeterminate", jira.alice)  # a person reopens it in Jira
        [hook] = jira.wait_for(
            lambda: [h for h in jira.webhooks.answered() if h.json()["user"]["accountId"] == jira.alice]
        )
        assert hook.status == 200
        before = len(core.rows())
        core.deliver()
        assert len(core.rows()) == before
        assert not [m for m in emulator.messages(incident.channel_id) if "in Jira by" in m["text"]]


def test_off_by_default_and_never_for_private_incidents(core, jira):
    core.open("Secret", severity="sev2", private=True)
    core.configure(JIRA_INCIDENT_ISSUE_TYPE="")
    core.open("Not an issue", severity="sev2")
    core.deliver()
    assert jira.issues == {} and core.rows(JIRA) == []


def test_a_lost_create_answer_makes_no_second_incident_issue(core, jira):
    jira.lose_answer_next(1, method="POST", path="/rest/api/3/issue")
    core.open("Checkout is slow", severity="sev3")
    core.deliver_until_quiet()
    [issue] = jira.issues.values()
    assert core.store.remote.get("jira:incident:1")["key"] == issue.key
    assert all(r.state is State.DELIVERED for r in core.rows(JIRA))
