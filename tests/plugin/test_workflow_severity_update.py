"""`!incident severity` and `!incident update` (with announcement threads) against the emulator."""

from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, store, summary_text
from slack_workspace import ADMIN, BOB, CAROL, SRE_GROUP


def announce_config(slack) -> str:
    sev1 = slack.add_channel("incidents-major", members=[ADMIN, slack.bot_user_id])
    sev2 = slack.add_channel("incidents", members=[ADMIN, slack.bot_user_id])
    return f"{{'ANNOUNCE_CHANNELS': {{'sev1': '{sev1}', 'sev2': '{sev2}'}}}}", sev1, sev2


def test_severity_renames_invites_and_updates_topic_and_summary(testbot, slack):
    say(testbot, f"!plugin config RedAlert {{'INCLUDE_IN_INCIDENT': {{'sev1': ['{SRE_GROUP}']}}}}")
    say(testbot, "!incident open sev3 db slow")
    cid = channel_of(testbot, 1)
    old_name = slack.channel(cid).name
    reply = say(testbot, "!incident severity sev1", channel=cid)
    channel = slack.channel(cid)
    assert channel.name == old_name.replace("sev3-", "sev1-", 1)
    assert reply.startswith(f"Incident 1 is now SEV1 - Critical (was sev3); channel #{channel.name}.")
    assert f"<@{BOB}>" in reply and f"<@{CAROL}>" in reply
    assert channel.members >= {BOB, CAROL}
    assert channel.topic == "SEV1 - Critical | db slow"
    assert "SEV1 - Critical" in summary_text(slack, testbot, 1)
    assert store(testbot).incidents.get(1).severity == "sev1"
    assert store(testbot).incidents.get(1).channel_name == channel.name
    assert {"severity_changed", "channel_renamed"} <= set(kinds(testbot, 1))
    assert "Incident 1 is already sev1." in say(testbot, "!incident severity 1 sev1")
    assert '"sev9" is not a severity' in say(testbot, "!incident severity 1 sev9")
    assert "Usage: !incident severity" in say(testbot, "!incident severity 1 sev1 now")


def test_rename_takes_a_suffix_when_the_name_is_taken(testbot, slack):
    say(testbot, "!incident open sev3 db slow")
    cid = channel_of(testbot, 1)
    wanted = slack.channel(cid).name.replace("sev3-", "sev2-", 1)
    slack.add_channel(wanted, is_archived=True)
    say(testbot, "!incident severity 1 sev2")
    assert slack.channel(cid).name == wanted + "-2"


def test_update_in_the_channel_is_posted_and_threaded_in_the_announcement(testbot, slack):
    config, sev1, sev2 = announce_config(slack)
    assert say(testbot, f"!plugin config RedAlert {config}") == "Plugin configuration done."
    reply = say(testbot, "!incident open sev2 checkout errors")
    [root] = slack.messages(sev2)
    assert "Incident 1" in root["text"] and "checkout errors" in root["text"]
    assert store(testbot).response.get(1).announce_ts == root["ts"]
    assert "warning" not in reply
    cid = channel_of(testbot, 1)
    reply = say(testbot, "!incident update 500 errors are down", channel=cid)
    assert reply == f"Update for incident 1 posted in <#{sev2}>."
    assert "500 errors are down" in slack.messages(cid)[-1]["text"]  # a leading number in the channel is text
    eventually(lambda: len(slack.messages(sev2)) == 2)
    threaded = slack.messages(sev2)[-1]
    assert threaded["thread_ts"] == root["ts"] and "500 errors are down" in threaded["text"]
    eventually(lambda: "500 errors are down" in summary_text(slack, testbot, 1))
    # From elsewhere by number; after a severity change the new severity's channel gets its own first post.
    say(testbot, "!incident severity 1 sev1")
    [major_root] = slack.messages(sev1)
    reply = say(testbot, "!incident update 1 rolled back")
    assert reply == f"Update for incident 1 posted in <#{cid}> and <#{sev1}>."
    assert slack.messages(sev1)[-1]["thread_ts"] == major_root["ts"]
    assert "Usage: !incident update" in say(testbot, "!incident update 1")


def test_private_incidents_are_never_announced(testbot, slack):
    config, _sev1, sev2 = announce_config(slack)
    say(testbot, f"!plugin config RedAlert {config}")
    reply = say(testbot, "!incident open --private sev2 payroll leak")
    assert "is open in" in reply
    incident = store(testbot).incidents.get(1)
    assert incident.is_private and slack.channel(incident.channel_id).is_private
    say(testbot, "!incident update 1 contained")
    assert slack.messages(sev2) == []
