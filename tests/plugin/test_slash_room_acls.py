"""Room-scoped ACCESS_CONTROLS apply to `/incident` as to `!incident`: the command carries the channel it was typed
in, so Errbot's ACLs see the room."""

from __future__ import annotations

import plugin_support
from plugin_support import extra_plugin_dir, loglevel  # noqa: F401
from slack_workspace import ADMIN, ALICE

QUIET = "C0QUIET"  # a channel where nobody may open incidents
extra_config = {
    **plugin_support.extra_config,
    "ACCESS_CONTROLS": {"RedAlert:incident_open": {"denyrooms": (QUIET,)}},
    "HIDE_RESTRICTED_ACCESS": True,
}


def slash(testbot, slack, channel: str, text: str, user: str = ALICE) -> dict | None:
    envelope = slack.send_slash_command(user, channel, "/incident", text)
    redalert = testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
    return redalert._on_slash_command(slack.envelope(envelope)["payload"])


def store(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert").app.incidents.store


def test_a_room_denied_command_is_refused_there_and_allowed_elsewhere(testbot, slack):
    slack.add_channel("quiet", members=[ADMIN, ALICE, slack.bot_user_id], channel_id=QUIET)
    ack = slash(testbot, slack, QUIET, "open sev2 db slow")
    assert ack == {
        "response_type": "ephemeral",
        "text": "You are not allowed to run this command in this channel; try it in a DM with me.",
    }
    assert store(testbot).incidents.get(1) is None
    assert slash(testbot, slack, QUIET, "list")["text"] == "No open incidents."  # only `open` is denied there
    ack = slash(testbot, slack, slack.channel_by_name("ops").id, "open sev2 db slow")
    assert ack["text"].startswith("Incident 1 (SEV2 - Major) is open in <#")
    ack = slash(testbot, slack, slack.open_dm(ALICE), "open sev3 cache cold")
    assert ack["text"].startswith("Incident 2 (SEV3 - Minor) is open in <#")
