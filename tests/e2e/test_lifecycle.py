"""The whole lifecycle through the real `errbot -c config.py` process, slackv3 backend and Socket Mode."""

from __future__ import annotations

import re

import pytest
from chat import channel_id, incident_channels, say
from slack_workspace import ADMIN, ALICE, BOB, CAROL, SRE_GROUP

pytestmark = pytest.mark.e2e


def test_open_in_a_channel(bot, slack):
    ops = channel_id(slack, "ops")
    reply = say(slack, ALICE, ops, f"!incident open sev1 Checkout is down <@{BOB}> <!subteam^{SRE_GROUP}|@sre>")
    match = re.search(r"Incident (\d+) \(SEV1 - Critical\) is open in <#(C\w+)>", reply)
    assert match, reply
    channel = slack.channel(match.group(2))
    assert re.fullmatch(r"sev1-\d{8}-checkout-is-down", channel.name)
    assert channel.topic == "SEV1 - Critical | Checkout is down"
    assert channel.members >= {ALICE, BOB, CAROL}
    slack.wait_for(lambda: bool(slack.pins(channel.id)))  # the pin runs alongside the reply


def test_open_in_a_dm_without_prefix(bot, slack):
    dm = slack.open_dm(ALICE)
    reply = say(slack, ALICE, dm, "incident open sev2 Search is slow")
    assert "(SEV2 - Major) is open in <#C" in reply
    assert incident_channels(slack, "sev2-")


def test_open_by_mention(bot, slack):
    ops = channel_id(slack, "ops")
    reply = say(slack, ALICE, ops, f"<@{slack.bot_user_id}> incident open sev3 Emails delayed")
    assert "(SEV3 - Minor) is open in" in reply


def test_list_invite_close(bot, slack):
    ops = channel_id(slack, "ops")
    say(slack, ALICE, ops, "!incident open sev4 Disk filling up")
    [channel] = incident_channels(slack, "sev4-")
    number = re.search(r"RedAlert incident (\d+)", channel.purpose).group(1)
    listing = say(slack, ALICE, ops, "!incident list")
    assert f"Incident {number} · sev4 · <#{channel.id}>" in listing
    reply = say(slack, ALICE, channel.id, f"!incident invite <@{CAROL}>")
    assert reply == f"Invited <@{CAROL}> to incident {number}."
    assert CAROL in slack.channel(channel.id).members
    reply = say(slack, ALICE, channel.id, "!incident close Cleaned up old logs")
    assert reply.startswith(f"Incident {number} closed by <@{ALICE}> after")
    assert "Resolution: Cleaned up old logs" in reply
    slack.wait_for(lambda: slack.channel(channel.id).is_archived)
    # The record is closed just after the archive call returns: ask again (each ask waits for its reply) if the
    # first listing came in between.
    listings = (say(slack, ALICE, ops, "!incident list") for _ in range(5))
    assert any(f"Incident {number}" not in listing for listing in listings)
    assert re.search(
        rf"Incident {number} · sev4 .* closed \d{{4}}-\d\d-\d\d", say(slack, ALICE, ops, "!incident list all")
    )


def test_runtime_config_by_admin_and_refusal_for_others(bot, slack):
    dm = slack.open_dm(ADMIN)
    config = "{'SEVERITY_LEVELS': [{'label': 'Red alert', 'value': 'redalert'}, {'label': 'Minor', 'value': 'sev3'}]}"
    assert say(slack, ADMIN, dm, f"!plugin config RedAlert {config}") == "Plugin configuration done."
    ops = channel_id(slack, "ops")
    assert "(Red alert) is open in" in say(slack, ALICE, ops, "!incident open redalert Warp core breach")
    assert "is not a severity" in say(slack, ALICE, ops, "!incident open sev1 db down")
    alice_dm = slack.open_dm(ALICE)
    assert "bot-admin" in say(slack, ALICE, alice_dm, "!plugin config RedAlert {'LIST_LIMIT': 2}")
    say(slack, ADMIN, dm, "!plugin config RedAlert {}")


def test_rate_limited_step_of_open_is_retried(bot, slack):
    ops = channel_id(slack, "ops")
    slack.inject_fault("conversations.setTopic", "ratelimited", retry_after=1)
    reply = say(slack, ALICE, ops, "!incident open sev2 Payments flaky")
    assert "is open in" in reply and "warning" not in reply
    [channel] = [c for c in incident_channels(slack, "sev2-") if "payments" in c.name]
    assert channel.topic == "SEV2 - Major | Payments flaky"
    assert [c.http_status for c in slack.calls_to("conversations.setTopic")][-2:] == [429, 200]


def test_edits_and_redeliveries_never_open_twice(bot, slack):
    ops = channel_id(slack, "ops")
    before = len(incident_channels(slack))
    ts = slack.post_user_message(ALICE, ops, "!incident open sev3 Cache misses")
    slack.wait_for_message(ops, lambda m: "Cache misses" in m["text"] or "is open" in m["text"], after_ts=ts)
    slack.edit_message(ops, ts, "!incident open sev3 Cache misses everywhere")
    reply = slack.wait_for_message(ops, lambda m: "Editing" in m["text"], after_ts=ts)
    assert "does not open a second incident" in reply["text"]
    # Socket Mode redelivers an envelope whose ack got lost; the bot must not act twice.
    slack.ack_drop_next(1)
    slack.redelivery_seconds = 0.5
    ts = slack.post_user_message(ALICE, ops, "!incident open sev3 Queue backlog")
    slack.wait_for(lambda: any(e.get("retry_attempt", 0) > 0 for e in slack.envelopes), timeout=10)
    slack.wait_for_message(ops, lambda m: "is open in" in m["text"], after_ts=ts)
    slack.redelivery_seconds = 3.0
    assert len(incident_channels(slack)) == before + 2


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_the_bot_reconnects_after_slack_asks_it_to(bot, slack, reason):
    hellos = slack.hellos_sent
    opened = len(slack.calls_to("apps.connections.open"))
    slack.disconnect_clients(reason)
    slack.wait_for(lambda: slack.hellos_sent > hellos and slack.connection_count == 1, timeout=30)
    assert len(slack.calls_to("apps.connections.open")) > opened  # a fresh single-use URL
    reply = say(slack, ALICE, channel_id(slack, "ops"), "!incident list")
    assert re.match(r"\d+ open incidents?:|No open incidents\.", reply), reply
