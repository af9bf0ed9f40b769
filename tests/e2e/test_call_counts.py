"""What chatter and commands cost in Slack calls, measured on the real `errbot -c config.py` process.

The bot sits in every incident channel, so the messages it sees that are not for it must cost nothing: the backend
(backends/redalert_slack) answers its identifier lookups from an in-process cache once the sender and the channel
have been seen. A command may cost one lookup besides its reply.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from chat import channel_id, say
from slack_workspace import ADMIN, ALICE, BOB, CAROL

from slack_emulator import SlackEmulator

pytestmark = pytest.mark.e2e

PEOPLE = (ADMIN, ALICE, BOB, CAROL)
CHAT_MESSAGES = 100
COMMANDS = 10
# The calls the slackv3 backend makes to build identifiers (sender, channel, mentions).
LOOKUPS = ("users.info", "team.info", "bots.info", "conversations.info", "conversations.open")
SETTLE_SECONDS = 0.5  # the bot handles events on a pool of threads: let the last ones finish before counting


def chatter(i: int, ops: str) -> str:
    """Ordinary incident-channel talk; every fourth line mentions a person or a channel, as people do."""
    lines = (
        "checking the dashboards now",
        f"<@{BOB}> can you look at the queue depth?",
        "error rate is back under 1%",
        f"moving the noise to <#{ops}|ops>",
    )
    return f"{lines[i % len(lines)]} ({i})"


def bot_replies(slack: SlackEmulator, channel: str, after_ts: str) -> list[dict]:
    return [m for m in slack.messages(channel) if m["user"] == slack.bot_user_id and float(m["ts"]) > float(after_ts)]


def settle(slack: SlackEmulator) -> None:
    """Wait until no Slack call has been made for SETTLE_SECONDS."""
    while True:
        before = len(slack.calls)
        time.sleep(SETTLE_SECONDS)
        if len(slack.calls) == before:
            return


@pytest.fixture(scope="module")
def incident_channel(bot, slack) -> str:
    """An incident channel in which every person has already spoken (with mentions) and the bot has answered."""
    ops = channel_id(slack, "ops")
    reply = say(slack, ALICE, ops, "!incident open sev2 Payments queue backing up")
    match = re.search(r"is open in <#(C\w+)", reply)
    assert match, reply
    cid = match.group(1)
    for i, person in enumerate(PEOPLE):
        slack.post_user_message(person, cid, chatter(i, ops))
        say(slack, person, cid, "!incident list")
    settle(slack)
    return cid


def test_chatter_costs_no_slack_call_and_a_command_at_most_one(bot, slack, incident_channel):
    ops = channel_id(slack, "ops")
    slack.clear_calls()
    start = slack.post_user_message(ALICE, incident_channel, "warming nothing: this line is chatter too")
    sent = 0
    for i in range(CHAT_MESSAGES + COMMANDS):
        person = PEOPLE[i % len(PEOPLE)]
        if i % 11 == 10:
            last = slack.post_user_message(person, incident_channel, "!incident list")
            sent += 1
        else:
            slack.post_user_message(person, incident_channel, chatter(i, ops))
    assert sent == COMMANDS
    slack.wait_for_message(incident_channel, timeout=30, after_ts=last)
    slack.wait_for(lambda: len(bot_replies(slack, incident_channel, start)) >= COMMANDS, timeout=30)
    settle(slack)

    calls = Counter(call.method for call in slack.calls)
    replies = calls.pop("chat.postMessage", 0)
    lookups = {method: calls[method] for method in LOOKUPS if calls[method]}
    besides_replies = sum(calls.values())
    print(
        f"\n{CHAT_MESSAGES + 1} chat messages + {COMMANDS} commands: {replies} chat.postMessage, "
        f"other calls {dict(calls) or 'none'} -> {besides_replies / COMMANDS:.2f} per command besides its reply, "
        f"lookups {sum(lookups.values()) / (CHAT_MESSAGES + 1 + COMMANDS):.2f} per message"
    )
    assert replies == COMMANDS, f"expected one reply per command; calls by method: {dict(calls)}"
    assert not lookups, f"chatter from people already seen must cost no lookup; calls by method: {dict(calls)}"
    assert besides_replies <= COMMANDS, f"a command may cost at most 1 call besides its reply: {dict(calls)}"


def test_a_dm_command_costs_no_lookup_once_the_person_was_seen(bot, slack):
    # In a DM every line is a command (BOT_PREFIX_OPTIONAL_ON_CHAT), so each one is answered.
    dm = slack.open_dm(CAROL)
    say(slack, CAROL, dm, "incident list")  # the bot meets Carol and this DM
    settle(slack)
    slack.clear_calls()
    for _ in range(COMMANDS):
        say(slack, CAROL, dm, "incident list")
    settle(slack)
    calls = Counter(call.method for call in slack.calls)
    print(f"\n{COMMANDS} DM commands: calls by method {dict(calls)}")
    replies = calls.pop("chat.postMessage", 0)
    assert replies == COMMANDS, f"calls by method: {dict(calls)}"
    assert sum(calls.values()) <= COMMANDS, f"a command may cost at most 1 call besides its reply: {dict(calls)}"
    assert not calls, f"a person already seen costs no lookup; calls by method: {dict(calls)}"


def whoami_room(slack: SlackEmulator, channel: str) -> str:
    """The channel name the bot has for `channel`, as `!whoami` shows it (`room` is <#C…|name>)."""
    reply = say(slack, ALICE, channel, "!whoami")
    match = re.search(rf"<#{channel}\|([^>]+)>", reply)
    assert match, reply
    return match.group(1)


def test_a_renamed_channel_is_seen_with_its_new_name_after_the_rename_event(bot, slack):
    cid = slack.add_channel("war-room", members=[ALICE, slack.bot_user_id])
    assert whoami_room(slack, cid) == "war-room"

    # Renamed without telling the bot: the cached name is kept (until it expires), no lookup per message.
    slack.rename_channel(cid, "war-room-quiet", send_event=False)
    assert whoami_room(slack, cid) == "war-room"

    slack.rename_channel(cid, "war-room-2")
    deadline = time.monotonic() + 10
    while (name := whoami_room(slack, cid)) != "war-room-2" and time.monotonic() < deadline:
        time.sleep(0.1)  # the event and the next message are handled on different threads
    assert name == "war-room-2"


def test_a_reply_rate_limited_by_slack_is_retried_and_delivered(bot, slack):
    ops = channel_id(slack, "ops")
    slack.clear_calls()
    slack.inject_fault("chat.postMessage", "ratelimited", retry_after=1)
    reply = say(slack, ALICE, ops, "!incident list", timeout=20)
    assert reply
    statuses = [call.http_status for call in slack.calls_to("chat.postMessage")]
    assert statuses[:2] == [429, 200], statuses
