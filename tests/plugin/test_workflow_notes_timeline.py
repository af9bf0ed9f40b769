"""`!incident note`, 📌 reactions and `!incident timeline` against the emulator."""

from errbot.backends.base import REACTION_ADDED, Reaction
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, plugin, store
from slack_workspace import ALICE, BOB


def react(testbot, user: str, channel: str, ts: str, name: str = "pushpin") -> None:
    """What the slackv3 backend hands plugins for a reaction_added event."""
    reaction = Reaction(
        reactor=testbot.bot.build_identifier(user),
        action=REACTION_ADDED,
        timestamp="1.0",
        reaction_name=name,
        reacted_to={"type": "message", "channel": channel, "ts": ts},
    )
    testbot.bot.callback_reaction(reaction)


def test_pushpin_adds_the_message_once_and_other_reactions_are_ignored(testbot, slack):
    say(testbot, "!incident open sev2 db slow")
    cid = channel_of(testbot, 1)
    slack.add_channel("elsewhere", members=[ALICE, slack.bot_user_id])
    ts = slack.post_user_message(ALICE, cid, f"Found it: <@{BOB}> dropped the index &amp; vacuumed")
    thread_ts = slack.post_user_message(BOB, cid, "reply in a thread", thread_ts=ts)
    react(testbot, BOB, cid, ts, "eyes")
    assert "note_added" not in kinds(testbot, 1)
    react(testbot, BOB, cid, ts)
    react(testbot, ALICE, cid, ts)  # a second pin on the same message adds nothing
    react(testbot, BOB, cid, thread_ts)
    notes = [e for e in store(testbot).events.list(1) if str(e.kind) == "note_added"]
    assert [n.data["text"] for n in notes] == [f"Found it: @{BOB} dropped the index & vacuumed", "reply in a thread"]
    assert notes[0].actor == BOB and notes[0].data["author"] == ALICE
    other = slack.channel_by_name("elsewhere").id
    react(testbot, BOB, other, slack.post_user_message(ALICE, other, "not an incident"))
    assert len([e for e in store(testbot).events.list(1) if str(e.kind) == "note_added"]) == 2
    assert plugin(testbot).app.response is not None


def test_note_and_timeline(testbot, slack):
    say(testbot, "!incident open sev2 db slow")
    cid = channel_of(testbot, 1)
    assert say(testbot, "!incident note EU customers affected", channel=cid) == "Added to the timeline of incident 1."
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    say(testbot, "!incident status 1 identified index missing")
    say(testbot, "!incident update 1 adding the index")
    say(testbot, "!incident severity 1 sev1")
    say(testbot, "!incident close 1 index added")
    reply = say(testbot, "!incident timeline 1")
    lines = reply.splitlines()
    assert lines[0] == "Timeline of incident 1 (UTC):"
    text = "\n".join(lines)
    for expected in (
        "Opened by <@U0ADMIN> as sev2: db slow",
        "Invited <@U0ADMIN>",
        "Note by <@U0ADMIN>: EU customers affected",
        f"made <@{ALICE}> commander",
        "Status investigating → identified by <@U0ADMIN>: index missing",
        "Update by <@U0ADMIN>: adding the index",
        "Severity sev2 → sev1",
        "Closed by <@U0ADMIN>: index added",
    ):
        assert expected in text, expected
    assert "Usage: !incident note" in say(testbot, "!incident note 1")
    assert "This is not an incident channel" in say(testbot, "!incident timeline", channel="C0OPS")
    assert "Usage: !incident timeline" in say(testbot, "!incident timeline 1 please")
