"""`!incident open` against the emulator: channel, topic, purpose, invites, summary, reply."""

from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN, ALICE, BOB, CAROL, SRE_GROUP


def plugin(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")


def test_open_creates_a_complete_incident(testbot, slack):
    reply = say(
        testbot, f"!incident open sev1 Checkout is down <@{ALICE}> <!subteam^{SRE_GROUP}|@sre>", channel="C0OPS"
    )
    channel = next(c for c in slack.channels() if c.name.startswith("sev1-"))
    assert reply.startswith("Incident 1 (SEV1 - Critical) is open in")
    assert f"<#{channel.id}>" in reply
    assert channel.name.endswith("-checkout-is-down")
    assert channel.topic == "SEV1 - Critical | Checkout is down"
    assert "RedAlert incident 1" in channel.purpose
    assert channel.members >= {ADMIN, ALICE, BOB, CAROL, slack.bot_user_id}
    [summary] = slack.messages(channel.id)
    assert summary["blocks"][0]["text"]["text"] == "Incident 1: Checkout is down"
    assert "Checkout is down" in summary["text"]
    eventually(lambda: slack.pins(channel.id) == [summary["ts"]])  # the pin runs alongside the reply
    incident = plugin(testbot).app.incidents.store.incidents.get(1)
    assert incident.phase.value == "open"
    assert incident.origin_channel == "C0OPS"
    assert set(plugin(testbot).app.incidents.store.participants.list(1)) == {ADMIN, ALICE, BOB, CAROL}


def test_configured_people_and_groups_are_invited(testbot, slack):
    plugin(testbot).settings  # noqa: B018 - activated
    config = f"{{'INCLUDE_IN_INCIDENT': {{'always': '{ALICE}', 'sev2': ['@sre']}}}}"
    assert say(testbot, f"!plugin config RedAlert {config}") == "Plugin configuration done."
    say(testbot, "!incident open sev2 Latency up")
    sev2 = next(c for c in slack.channels() if c.name.startswith("sev2-"))
    assert sev2.members >= {ADMIN, ALICE, BOB, CAROL}
    say(testbot, "!incident open sev3 Minor glitch")
    sev3 = next(c for c in slack.channels() if c.name.startswith("sev3-"))
    assert sev3.members == {ADMIN, ALICE, slack.bot_user_id}


def test_name_collisions_get_a_counter_and_never_reuse_archived_channels(testbot, slack):
    first = say(testbot, "!incident open sev1 db down")
    slack.add_channel(next(c.name for c in slack.channels() if c.name.startswith("sev1-")) + "-2", is_archived=True)
    second = say(testbot, "!incident open sev1 db down", user=ALICE)  # the same person again would be a repeat
    names = sorted(c.name for c in slack.channels() if c.name.startswith("sev1-") and not c.is_archived)
    assert names[0].endswith("-db-down") and names[1].endswith("-db-down-3")
    assert "Incident 1" in first and "Incident 2" in second


def test_bad_invitees_are_named_and_do_not_block_the_others(testbot, slack):
    reply = say(testbot, f"!incident open sev1 db down <@{ALICE}> <@U0NOBODY>")
    assert "Could not invite: <@U0NOBODY> (no such user)" in reply
    channel = next(c for c in slack.channels() if c.name.startswith("sev1-"))
    assert ALICE in channel.members


def test_rate_limited_create_is_retried(testbot, slack):
    slack.inject_fault("conversations.create", "ratelimited", retry_after=0)
    reply = say(testbot, "!incident open sev1 db down")
    assert "is open in" in reply
    assert [c.http_status for c in slack.calls_to("conversations.create")] == [429, 200]


def test_channel_failure_keeps_the_record_and_retry_finishes_it(testbot, slack):
    slack.inject_fault("conversations.create", "error", error="restricted_action")
    reply = say(testbot, "!incident open sev1 db down")
    assert "Incident 1 (SEV1 - Critical) is recorded, but its channel could not be created" in reply
    assert "a workspace setting does not let the bot do this" in reply
    assert "!incident retry 1" in reply
    reply = say(testbot, "!incident retry 1")
    assert reply.startswith("Incident 1 is complete: <#C")
    assert plugin(testbot).app.incidents.store.incidents.get(1).phase.value == "open"


def test_bad_input_changes_nothing(testbot, slack):
    assert '"sev9" is not a severity' in say(testbot, "!incident open sev9 db down")
    assert "Say what is happening" in say(testbot, "!incident open sev1")
    assert "Usage" in say(testbot, "!incident open")
    assert "characters long" in say(testbot, "!incident open sev1 " + "x" * 5000)
    assert slack.calls_to("conversations.create") == []
    assert plugin(testbot).app.incidents.store.incidents.list(include_closed=True)[1] == 0


def test_the_same_message_twice_opens_one_incident(testbot, slack):
    say(testbot, "!incident open sev1 db down", channel="C0OPS", ts="1800000001.000001")
    testbot.push_message(
        "!incident open sev1 db down",
        extras={
            "slack_event": {
                "type": "message",
                "channel": "C0OPS",
                "user": ADMIN,
                "text": "!incident open sev1 db down",
                "ts": "1800000001.000001",
            }
        },
    )
    reply = say(testbot, "!incident open sev1 db down edited", channel="C0OPS", edit_of="1800000001.000001")
    assert reply.startswith("Editing the command does not open a second incident: Incident 1 is in <#C")
    assert len(slack.calls_to("conversations.create")) == 1


def test_emoji_only_and_accented_descriptions(testbot, slack):
    say(testbot, "!incident open sev1 🔥🔥")
    say(testbot, "!incident open sev2 Panne générale à Zürich")
    names = {c.name for c in slack.channels()}
    assert any(n.startswith("sev1-") and n.endswith("-incident") for n in names)
    assert any(n.endswith("-panne-generale-a-zurich") for n in names)


def test_help_shows_examples(testbot):
    reply = say(testbot, "!help incident open")
    assert "Checkout is down" in reply


def test_large_groups_are_invited_in_chunks_of_100(testbot, slack):
    crowd = [f"U0CROWD{n:03d}" for n in range(150)]
    for uid in crowd:
        slack.add_user(uid, uid.lower())
    slack.add_usergroup("S0CROWD", "crowd", crowd)
    reply = say(testbot, "!incident open sev2 Everyone is affected <!subteam^S0CROWD|@crowd>")
    assert "Could not invite" not in reply
    sizes = [len(call.args["users"].split(",")) for call in slack.calls_to("conversations.invite")]
    assert sorted(sizes) == [51, 100]  # 150 + the opener
    channel = next(c for c in slack.channels() if c.name.startswith("sev2-"))
    assert set(crowd) <= channel.members


def test_missing_scope_names_the_scope(testbot, slack):
    slack.scopes = tuple(
        s for s in slack.scopes if s not in ("channels:manage", "groups:write", "im:write", "mpim:write")
    )
    reply = say(testbot, "!incident open sev1 db down")
    assert "lacks the scope" in reply and "channels:manage" in reply
    assert "!incident retry 1" in reply


def test_the_summary_names_only_who_was_invited(testbot, slack):
    say(testbot, f"!incident open sev1 db down <@{ALICE}> <@U0NOBODY>")
    channel = next(c for c in slack.channels() if c.name.startswith("sev1-"))
    [summary] = slack.messages(channel.id)
    people = next(
        b["text"]["text"] for b in summary["blocks"] if b.get("text", {}).get("text", "").startswith("*People*")
    )
    assert f"<@{ALICE}>" in people and "U0NOBODY" not in people
    assert summary["text"].startswith("Incident 1 (SEV1 - Critical, investigating): db down.")


def test_refusals_that_quote_the_user_never_ping(testbot, slack):
    for text in ("!incident open @here db down", "!incident open @channel db", f"!incident invite 1 <@{ALICE}> @sre"):
        reply = say(testbot, text)
        assert "@here" not in reply and "@channel" not in reply and "@sre" not in reply, reply
