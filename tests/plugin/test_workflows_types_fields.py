"""Incident types and custom fields in chat (issue 22): `!incident open <type> … <field>=<value>`, the close that
needs its fields, `!incident set` and `!incident show`, with a workflows file given to the test bot."""

from __future__ import annotations

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, store
from slack_workspace import ALICE, BOB, SRE_GROUP

WORKFLOWS = f"""
types:
  - name: outage
    description: Customers cannot use something that should work
  - name: security
    description: Suspected breach
    private: true
    invite: [{BOB}, {SRE_GROUP}]
fields:
  - name: team
    kind: select
    options: [payments, search, identity]
    required: open
  - name: impact
    kind: text
    required: close
  - name: customers
    kind: number
"""


def test_a_named_type_is_private_invites_its_people_and_keeps_its_fields(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    reply = say(
        testbot,
        '!incident open security sev2 Suspicious logins team=identity impact="a few users"',
        user=ALICE,
        channel=dm,
    )
    assert "Incident 1" in reply
    incident = store(testbot).incidents.get(1)
    assert incident.incident_type == "security"
    assert incident.is_private
    assert incident.description == "Suspicious logins"
    assert store(testbot).incident_fields.values(1) == {"impact": "a few users", "team": "identity"}
    assert BOB in slack.channel(channel_of(testbot, 1)).members


def test_without_a_type_name_the_first_type_applies(testbot, slack) -> None:
    say(testbot, "!incident open sev2 Checkout slow team=payments", user=ALICE, channel=slack.open_dm(ALICE))
    incident = store(testbot).incidents.get(1)
    assert (incident.incident_type, incident.is_private, incident.description) == ("outage", False, "Checkout slow")
    assert store(testbot).incident_fields.values(1) == {"team": "payments"}


def test_a_field_required_at_open_refuses_the_open_and_nothing_is_created(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    refused = say(testbot, "!incident open sev2 Checkout slow", user=ALICE, channel=dm)
    assert refused.replace("\u2060", "") == "Cannot open without team: add team=<value>."
    assert say(testbot, "!incident open sev2 Checkout slow team=billing", user=ALICE, channel=dm) == (
        "team is one of payments, search, identity."
    )
    assert store(testbot).incidents.get(1) is None


def test_a_close_is_refused_while_fields_required_at_close_are_missing(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    say(testbot, "!incident open sev2 Checkout slow team=payments", user=ALICE, channel=dm)
    refused = say(testbot, "!incident close 1 Rolled back", user=ALICE, channel=dm)
    assert refused.replace("\u2060", "") == (
        "Cannot close without impact: set it first (!incident set 1 impact <value>)."
    )
    assert not store(testbot).incidents.get(1).is_closed
    store(testbot).incident_fields.set(1, "impact", "slow pages", actor=ALICE, at=store(testbot).events.clock())
    assert say(testbot, "!incident close 1 Rolled back", user=ALICE, channel=dm).startswith("Incident 1 closed after")


def test_set_checks_the_kind_stores_the_value_and_show_lists_type_and_fields(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    say(testbot, "!incident open security sev2 Suspicious logins team=identity", user=ALICE, channel=dm)
    assert say(testbot, "!incident set 1 customers many", user=ALICE, channel=dm) == (
        "customers is a number, like 42 or 2.5."
    )
    assert say(testbot, "!incident set 1 colour red", user=ALICE, channel=dm).startswith(
        '"colour" is not a field of this incident. Fields: team, impact, customers.'
    )
    assert say(testbot, "!incident set 1 customers 120", user=ALICE, channel=dm) == "Incident 1: customers is now 120."
    reply = say(testbot, '!incident set 1 impact "logins from <@U0BOB> abroad"', user=ALICE, channel=dm)
    assert reply.startswith("Incident 1: impact is now logins from ")
    assert "<@U0BOB>" not in reply  # user text stays inert
    values = store(testbot).incident_fields.values(1)
    assert values == {"customers": "120", "impact": "logins from <@U0BOB> abroad", "team": "identity"}
    timeline = say(testbot, "!incident timeline 1", user=ALICE, channel=dm)
    assert "customers" in timeline and "set to" in timeline and "120" in timeline
    shown = say(testbot, "!incident show 1", user=ALICE, channel=dm)
    assert "- Type: security · customers: 120 · impact: logins from " in shown
    assert "<@U0BOB>" not in shown
    assert "team: identity" in shown
