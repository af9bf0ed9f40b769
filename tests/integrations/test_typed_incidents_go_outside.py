"""A type's own outside settings and channel prefix (REDALERT_WORKFLOWS_FILE, issue 22): an incident of the type
pages with its routing key, files its post-mortem in its Confluence space, its tasks' cards in its Trello list and
its tasks' issues in its Jira project; other types keep the global settings (outside emulators, through the outbox)."""

from __future__ import annotations

import pytest
from jira_support import jira_for_bot
from outbox_support import ROUTING_KEY, TRELLO_KEY, TRELLO_TOKEN, make_core
from slack_workspace import ADMIN

from outside_emulators import ConfluenceEmulator, PagerDutyEmulator, TrelloEmulator

SECURITY_KEY = "S" * 32


@pytest.fixture
def outside(monkeypatch):
    with (
        PagerDutyEmulator(routing_keys=[ROUTING_KEY, SECURITY_KEY]) as pd,
        ConfluenceEmulator(email="bot@example.com", api_token="confluence-secret-token-123") as wiki,
        TrelloEmulator(api_key=TRELLO_KEY, token=TRELLO_TOKEN) as trello,
        jira_for_bot(monkeypatch) as jira,
    ):
        wiki.add_space("OPS")
        wiki.add_space("SEC")
        trello.todo, trello.secret = trello.add_list(name="To do"), trello.add_list(name="Security")
        yield pd, wiki, trello, jira


@pytest.fixture
def core(emulator, tmp_path, outside):
    pd, wiki, trello, _ = outside
    path = tmp_path / "workflows.yaml"
    path.write_text(
        f"""
types:
  - name: outage
  - name: security
    channel_prefix: sec
    pagerduty_routing_key: {SECURITY_KEY}
    confluence_space: SEC
    trello_list: {trello.secret}
    jira_project: SEC
"""
    )
    config = {
        "PAGERDUTY_ROUTING_KEYS": {"sev1": ROUTING_KEY},
        "CONFLUENCE_SPACE_KEY": "OPS",
        "TRELLO_LIST_ID": trello.todo,
        "JIRA_PROJECT_KEY": "OPS",
    }
    return make_core(
        emulator, tmp_path, pagerduty=pd, confluence=wiki, trello=trello, config=config, workflows_file=str(path)
    )


def add_task(core, number: int):
    return core.store.tasks.add(created_by=ADMIN, at=core.clock(), text="Rotate the keys", incident_number=number)


def test_a_typed_incident_goes_where_its_type_says_and_others_keep_the_global_settings(core, outside, emulator):
    pd, wiki, trello, jira = outside
    security = core.open("Leaked key", severity="sev1", incident_type="security")
    outage = core.open("Checkout is down", severity="sev1", incident_type="outage")
    assert emulator.channel(security.channel_id).name.startswith("sec-sev1-")
    assert emulator.channel(outage.channel_id).name.startswith("sev1-")
    for incident in (security, outage):
        add_task(core, incident.number)
        core.response.postmortem(incident.number, core.asker())
    core.deliver()

    routing = {e.dedup_key: e.routing_key for e in pd.events}
    assert routing[f"redalert-incident-{security.number}"] == SECURITY_KEY
    assert routing[f"redalert-incident-{outage.number}"] == ROUTING_KEY
    space_of = {page.title: wiki.spaces[page.space_id]["key"] for page in wiki.pages.values()}
    assert space_of[f"Post-mortem: incident {security.number}: Leaked key"] == "SEC"
    assert space_of[f"Post-mortem: incident {outage.number}: Checkout is down"] == "OPS"
    lists = {card.name: card.idList for card in trello.cards.values()}
    assert lists == {
        f"[INC-{security.number}] Rotate the keys": trello.secret,
        f"[INC-{outage.number}] Rotate the keys": trello.todo,
    }
    projects = {issue.fields["summary"]: issue.project for issue in jira.issues.values()}
    assert projects == {
        f"[INC-{security.number}] Rotate the keys": "SEC",
        f"[INC-{outage.number}] Rotate the keys": "OPS",
    }


def test_a_type_key_pages_only_the_severities_that_page(core, outside):
    pd, *_ = outside
    core.open("Odd logins", severity="sev3", incident_type="security")
    core.deliver()
    assert pd.events == []
