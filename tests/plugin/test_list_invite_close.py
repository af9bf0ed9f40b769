"""`!incident list`, `invite` and `close` against the emulator."""

from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN, ALICE, BOB, CAROL, SRE_GROUP


def store(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert").app.incidents.store


def channel_of(testbot, number):
    return store(testbot).incidents.get(number).channel_id


def test_list_shows_open_incidents_and_all_on_request(testbot, slack):
    assert say(testbot, "!incident list") == "No open incidents."
    assert say(testbot, "!incident list all") == "No incidents yet."
    say(testbot, "!incident open sev1 Checkout is down")
    say(testbot, "!incident open sev3 Slow search")
    say(testbot, "!incident close 1 fixed")
    slack.clear_calls()
    reply = say(testbot, "!incident list")
    assert reply.startswith("1 open incident:")
    assert "Incident 2 · sev3 · <#" in reply and "Slow search" in reply and f"by <@{ADMIN}>" in reply
    assert "Incident 1" not in reply
    reply = say(testbot, "!incident list all")
    assert reply.startswith("2 incidents:")
    assert "Incident 1 · sev1" in reply and "· closed " in reply
    assert slack.calls == []  # read from the store: no conversations.list scan
    assert "Usage" in say(testbot, "!incident list everything")


def test_long_lists_are_cut_with_a_count(testbot, slack):
    say(testbot, "!plugin config RedAlert {'LIST_LIMIT': 2}")
    for n in range(4):
        say(testbot, f"!incident open sev4 thing {n}")
    reply = say(testbot, "!incident list")
    assert reply.startswith("4 open incidents:")
    assert reply.count("Incident ") == 2
    assert "… and 2 more not shown" in reply


def test_invite_in_the_channel_and_by_number(testbot, slack):
    say(testbot, "!incident open sev2 db slow")
    cid = channel_of(testbot, 1)
    reply = say(testbot, f"!incident invite <@{ALICE}>", channel=cid)
    assert reply == f"Invited <@{ALICE}> to incident 1."
    reply = say(testbot, f"!incident invite 1 <!subteam^{SRE_GROUP}|@sre> <@U0GHOST>", channel="C0OPS")
    assert f"<@{BOB}>" in reply and f"<@{CAROL}>" in reply
    assert "Could not invite: <@U0GHOST> (no such user)" in reply
    assert slack.channel(cid).members >= {ADMIN, ALICE, BOB, CAROL}
    assert set(store(testbot).participants.list(1)) >= {ALICE, BOB, CAROL}


def test_invite_refusals(testbot, slack):
    assert "not an incident channel" in say(testbot, f"!incident invite <@{ALICE}>", channel="C0OPS")
    assert "There is no incident 9" in say(testbot, f"!incident invite 9 <@{ALICE}>")
    assert "Mention who to invite" in say(testbot, "!incident invite")
    say(testbot, "!incident open sev2 db slow")
    say(testbot, "!incident close 1")
    assert "Incident 1 is closed" in say(testbot, f"!incident invite 1 <@{ALICE}>")


def test_close_in_the_channel_posts_archives_and_stores(testbot, slack):
    say(testbot, "!incident open sev1 db down")
    cid = channel_of(testbot, 1)
    testbot.bot.sender = testbot.bot.build_identifier(ALICE)
    testbot.push_message(
        "!incident close Rolled back <@U0X> & restarted",
        extras={
            "slack_event": {"channel": cid, "ts": "1.1", "text": "!incident close Rolled back <@U0X> &amp; restarted"}
        },
    )
    eventually(lambda: store(testbot).incidents.get(1).is_closed)
    assert slack.channel(cid).is_archived
    closing = slack.messages(cid)[-1]["text"]
    assert f"closed by <@{ALICE}>" in closing and "Resolution: Rolled back &amp; restarted" in closing
    incident = store(testbot).incidents.get(1)
    assert (incident.phase.value, incident.closed_by, incident.resolution) == (
        "closed",
        ALICE,
        "Rolled back & restarted",
    )


def test_close_by_number_or_channel_mention(testbot, slack):
    say(testbot, "!incident open sev1 one")
    say(testbot, "!incident open sev1 two")
    assert "Incident 1 closed" in say(testbot, "!incident close 1")
    cid = channel_of(testbot, 2)
    assert "Incident 2 closed" in say(testbot, f"!incident close <#{cid}|whatever> all good")
    assert store(testbot).incidents.get(2).resolution == "all good"


def test_close_refusals_never_archive_other_channels(testbot, slack):
    general = slack.channel_by_name("general").id
    assert "not a RedAlert incident channel" in say(testbot, f"!incident close <#{general}>")
    assert "This is not an incident channel" in say(testbot, "!incident close", channel=general)
    assert "There is no incident 42" in say(testbot, "!incident close 42")
    say(testbot, "!incident open sev1 db down")
    say(testbot, "!incident close 1")
    assert "Incident 1 was already closed" in say(testbot, "!incident close 1")
    assert slack.calls_to("conversations.archive") and len(slack.calls_to("conversations.archive")) == 1
    assert not slack.channel(general).is_archived


def test_archive_failure_keeps_the_incident_open(testbot, slack):
    say(testbot, "!incident open sev1 db down")
    slack.inject_fault("conversations.archive", "error", error="restricted_action")
    reply = say(testbot, "!incident close 1")
    assert "I could not archive" in reply and "stays open" in reply
    assert store(testbot).incidents.get(1).phase.value == "open"
    assert "Incident 1 closed" in say(testbot, "!incident close 1")


def test_who_may_close_is_configurable(testbot, slack):
    say(testbot, "!incident open sev2 db slow")  # opened by the admin; Alice is not in the channel
    cid = channel_of(testbot, 1)
    assert "Only members of its channel and admins may close incident 1." in say(
        testbot, "!incident close 1", user=ALICE
    )
    say(testbot, f"!incident invite 1 <@{ALICE}>")
    say(testbot, "!plugin config RedAlert {'CLOSE_ALLOWED': 'admins'}")
    assert "Only admins may close incident 1." in say(testbot, "!incident close 1", user=ALICE)
    say(testbot, "!plugin config RedAlert {'CLOSE_ALLOWED': 'members'}")
    assert "Incident 1 closed" in say(testbot, "!incident close 1", user=ALICE)
    assert slack.channel(cid).is_archived
    assert "CLOSE_ALLOWED must be one of" in say(testbot, "!plugin config RedAlert {'CLOSE_ALLOWED': 'bob'}")


def test_retry_after_closing_an_incident_without_a_channel_creates_nothing(testbot, slack):
    slack.inject_fault("conversations.create", "error", error="restricted_action")
    assert "its channel could not be created" in say(testbot, "!incident open sev2 opened by mistake")
    reply = say(testbot, "!incident close 1 opened by mistake")
    assert reply.startswith("Incident 1 closed after ") and reply.endswith("; it never had a channel.")
    slack.clear_calls()
    reply = say(testbot, "!incident retry 1")
    assert reply.startswith("Incident 1 was closed ") and f"by <@{ADMIN}>" in reply
    assert "nothing was created" in reply
    assert slack.calls_to("conversations.create") == [] and slack.calls_to("chat.postMessage") == []
    assert store(testbot).incidents.get(1).channel_id is None


def test_list_while_the_archive_is_under_way_shows_closing(testbot, slack):
    say(testbot, "!incident open sev1 db down")
    cid = channel_of(testbot, 1)
    held = slack.hold_response("conversations.archive")
    testbot.bot.sender = testbot.bot.build_identifier(ADMIN)
    testbot.push_message("!incident close 1 fixed")
    assert held.wait_arrived()
    assert slack.channel(cid).is_archived  # archived in Slack, and RedAlert does not say "open":
    reply = say(testbot, "!incident list")
    assert reply.startswith("1 open incident:") and "· closing (its channel is being archived)" in reply
    held.release()
    assert "Incident 1 closed after" in testbot.pop_message(timeout=10)
    assert say(testbot, "!incident list") == "No open incidents."


def test_retry_finishes_a_close_whose_archive_failed(testbot, slack):
    say(testbot, "!incident open sev1 db down")
    cid = channel_of(testbot, 1)
    slack.inject_fault("conversations.archive", "error", error="restricted_action")
    reply = say(testbot, "!incident close 1 rolled back")
    assert "stays open" in reply and "!incident retry 1 finishes the close" in reply
    assert "Incident 1 · sev1" in say(testbot, "!incident list")
    assert say(testbot, "!incident retry 1") == "Incident 1 is closed now; its channel is archived."
    incident = store(testbot).incidents.get(1)
    assert (incident.phase.value, incident.resolution) == ("closed", "rolled back")
    assert slack.channel(cid).is_archived
    assert len([m for m in slack.messages(cid) if "closed by" in m["text"]]) == 1
    assert say(testbot, "!incident retry 1").startswith("Incident 1 was closed ")


def test_more_than_ten_user_groups_are_refused_before_any_slack_call(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    eventually(lambda: store(testbot).incidents.get(1).pending_steps() == [])  # the pin runs after the reply
    groups = " ".join(f"<!subteam^S0G{i:02d}|@team{i}>" for i in range(11))
    slack.clear_calls()
    refusal = "That is 11 user groups; one command takes at most 10. Nothing changed."
    assert say(testbot, f"!incident open sev2 db slow {groups}") == refusal
    assert say(testbot, f"!incident invite 1 {groups}") == refusal
    assert slack.calls == [] and store(testbot).incidents.get(2) is None
