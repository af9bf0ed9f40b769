"""`!incident set type <name>` in chat (issue 22): the answer, the timeline entry, and a clear refusal."""

from __future__ import annotations

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, store
from slack_workspace import ALICE, BOB

WORKFLOWS = f"""
types:
  - name: outage
  - name: security
    invite: [{BOB}]
"""


def test_set_type_answers_invites_and_is_in_the_timeline(testbot, slack) -> None:
    say(testbot, "!incident open sev2 Odd logins", user=ALICE, channel=slack.open_dm(ALICE))
    channel = channel_of(testbot, 1)
    assert say(testbot, "!incident set type security", user=ALICE, channel=channel) == (
        "Incident 1 is now of type security."
    )
    assert store(testbot).incidents.get(1).incident_type == "security"
    assert BOB in slack.channel(channel).members
    assert "Type outage → security by" in say(testbot, "!incident timeline", user=ALICE, channel=channel)
    assert say(testbot, "!incident set type security", user=ALICE, channel=channel) == (
        "Incident 1 is already of type security."
    )


def test_an_unknown_type_is_refused_with_the_types_there_are(testbot, slack) -> None:
    say(testbot, "!incident open sev2 Odd logins", user=ALICE, channel=slack.open_dm(ALICE))
    refused = say(testbot, "!incident set 1 type breach", user=ALICE, channel=channel_of(testbot, 1))
    assert refused.replace("\u2060", "") == '"breach" is not an incident type. Types: outage, security.'
    assert store(testbot).incidents.get(1).incident_type == "outage"
