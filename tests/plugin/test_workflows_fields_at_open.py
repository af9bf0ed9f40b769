"""Custom field values given with `!incident open` (issue 22), through the real plugin and the Slack emulator:
`<field>=<value>` words among the trailing mentions, refusals that name the fields, and the values in the timeline
(one entry each, in the open's transaction), on the pinned summary and in `!incident show`; workflows
`when: field_changed` follow later changes only (`when: opened` covers the values given at open)."""

from __future__ import annotations

import pytest
from plugin_support import extra_config, extra_plugin_dir, loglevel, say, visible  # noqa: F401
from response_support import channel_of, plugin, store, summary_text
from slack_workspace import ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.domain.events import FieldSet, Opened, payload_of

WORKFLOWS = """
types:
  - name: outage
    description: Customers cannot use something that should work
  - name: security
    description: Suspected breach
fields:
  - name: team
    kind: select
    options: [payments, search, identity, payments core]
    required: open
  - name: impact
    kind: text
  - name: reporter
    kind: user
  - name: regions
    kind: multi_select
    options: [eu, us, apac]
  - name: customers
    kind: number
    types: [outage]
workflows:
  - name: opened-for-a-team
    when: opened
    if: {field.team: identity}
    do:
      - post: "Identity owns incident {number}"
  - name: a-field-changed
    when: field_changed
    do:
      - post: "A field of incident {number} changed"
"""


@pytest.mark.parametrize(
    "tail",
    [
        f"team=identity <@{BOB}>",
        f"<@{BOB}> team=identity",
        f'<@{BOB}> team=identity impact="a few users" <!subteam^{SRE_GROUP}|@sre>',
        f"team=identity <!subteam^{SRE_GROUP}|@sre> <@{BOB}>",
    ],
)
def test_field_words_before_or_after_mentions_set_the_fields_and_the_mentions_are_invited(testbot, slack, tail):
    reply = say(
        testbot, f"!incident open security sev2 Suspicious logins {tail}", user=ALICE, channel=slack.open_dm(ALICE)
    )
    assert "Incident 1" in reply, reply
    incident = store(testbot).incidents.get(1)
    assert (incident.incident_type, incident.description) == ("security", "Suspicious logins")
    values = store(testbot).incident_fields.values(1)
    assert values["team"] == "identity"
    assert values.get("impact") == ("a few users" if "impact" in tail else None)
    members = slack.channel(channel_of(testbot, 1)).members
    assert BOB in members
    assert (CAROL in members) == ("subteam" in tail)  # the SRE group's other member


def test_a_quoted_value_with_spaces_and_a_trailing_mention(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    say(
        testbot,
        f'!incident open sev2 Card payments fail team="payments core" <@{BOB}> customers=40',
        user=ALICE,
        channel=dm,
    )
    assert store(testbot).incident_fields.values(1) == {"customers": "40", "team": "payments core"}
    assert store(testbot).incidents.get(1).description == "Card payments fail"


def test_an_unknown_field_word_is_refused_naming_the_fields_and_nothing_is_created(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    reply = visible(
        say(testbot, f"!incident open sev2 Checkout slow team=payments colour=red <@{BOB}>", user=ALICE, channel=dm)
    )
    assert reply == '"colour" is not a field of outage incidents. Fields: team, impact, reporter, regions, customers.'
    reply = visible(say(testbot, "!incident open security sev2 Leak team=identity customers=3", user=ALICE, channel=dm))
    assert reply == '"customers" is not a field of security incidents. Fields: team, impact, reporter, regions.'
    reply = visible(
        say(testbot, "!incident open sev2 Checkout slow team=payments impact=EU cards fail", user=ALICE, channel=dm)
    )
    assert reply.startswith(
        "impact= is followed by other words: field words go at the end, and a value of several words in quotes"
    )
    reply = visible(say(testbot, '!incident open sev2 Checkout slow team="payments core', user=ALICE, channel=dm))
    assert reply == 'The value of team opens a quote that does not close: team="two words".'
    assert store(testbot).incidents.get(1) is None
    assert not [call for call in slack.calls if call.method == "conversations.create"]


def test_values_given_at_open_are_in_the_timeline_the_summary_and_show_and_fire_opened_not_field_changed(
    testbot, slack
) -> None:
    dm = slack.open_dm(ALICE)
    say(
        testbot,
        f"!incident open security sev2 Suspicious logins team=identity <@{CAROL}> reporter=<@{BOB}> regions=eu,us",
        user=ALICE,
        channel=dm,
    )
    events = store(testbot).events.list(1)
    opened = next(e for e in events if isinstance(payload_of(e), Opened))
    given = [(e, payload_of(e)) for e in events if isinstance(payload_of(e), FieldSet)]
    assert [(p.name, p.value, p.at_open) for _, p in given] == [
        ("team", "identity", True),
        ("reporter", BOB, True),
        ("regions", "eu,us", True),
    ]
    assert all(e.at == opened.at and e.actor == ALICE and e.id > opened.id for e, _ in given)  # with the open

    timeline = visible(say(testbot, "!incident timeline 1", user=ALICE, channel=dm))
    assert "team set to identity" in timeline and "regions set to eu,us" in timeline and "reporter set to" in timeline

    summary = summary_text(slack, testbot, 1)
    for shown in ("*Type*\\nsecurity", "*team*\\nidentity", f"*reporter*\\n<@{BOB}>", "*regions*\\neu, us"):
        assert shown in summary, shown

    shown = visible(say(testbot, "!incident show 1", user=ALICE, channel=dm))
    assert "Type: security" in shown and "team: identity" in shown and "regions: eu,us" in shown

    # `when: opened` ran for the values given at open; `when: field_changed` was not asked for.
    runs = store(testbot).workflow_runs.of_incident(1)
    assert {run.workflow for run in runs} == {"opened-for-a-team"}
    plugin(testbot).app.run_workflows()
    posted = [m.get("text", "") for m in slack.messages(channel_of(testbot, 1))]
    assert "Identity owns incident 1" in posted
    assert not any("A field of incident 1 changed" in text for text in posted)

    # A later change is a field change: in the timeline, on the summary, and field_changed follows it.
    assert say(testbot, "!incident set 1 team search", user=ALICE, channel=dm) == "Incident 1: team is now search."
    runs = store(testbot).workflow_runs.of_incident(1)
    assert [run.workflow for run in runs if run.workflow == "a-field-changed"] == ["a-field-changed"]
    assert "*team*\\nsearch" in summary_text(slack, testbot, 1)
    latest = payload_of(store(testbot).events.list(1)[-1])
    assert isinstance(latest, FieldSet) and (latest.name, latest.value, latest.at_open) == ("team", "search", False)
