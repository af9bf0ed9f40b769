"""P6: Slack calls per chat message and per command in the real process (run inside P4's process start)."""

from __future__ import annotations

import re
from collections import Counter

from common import Figure, Options, settle
from slack_workspace import ALICE, BOB, CAROL

from slack_emulator import SlackEmulator


def _open_by_chat(emu: SlackEmulator, channel: str, text: str) -> str:
    ts = emu.post_user_message(ALICE, channel, text)
    reply = emu.wait_for_message(channel, lambda m: "is open in" in m["text"], timeout=30, after_ts=ts)["text"]
    return re.search(r"<#(C\w+)", reply).group(1)


def calls_per_message(emu: SlackEmulator, opts: Options) -> list[Figure]:
    ops = emu.channel_by_name("ops").id
    channels = [
        _open_by_chat(emu, ops, f"!incident open sev3 Benchmark chatter {n} <@{BOB}> <@{CAROL}>") for n in (1, 2)
    ]
    settle(emu)
    emu.clear_calls()
    speakers = [ALICE, BOB, CAROL]
    first_envelope = len(emu.envelopes)
    for i in range(opts.chat_messages):
        emu.post_user_message(speakers[i % 3], channels[i % 2], f"status update {i}: still looking at the graphs")
    envelopes = [e["envelope_id"] for e in emu.envelopes[first_envelope:]]
    emu.wait_for(lambda: set(envelopes) <= emu.acked, timeout=30)
    settle(emu, quiet=1.0)
    chat_calls = emu.calls
    emu.clear_calls()
    for i in range(opts.chat_commands):
        channel = channels[i % 2]
        ts = emu.post_user_message(speakers[i % 3], channel, "!incident list" if i % 2 else "!incident list all")
        emu.wait_for_message(channel, timeout=30, after_ts=ts)
    settle(emu, quiet=1.0)
    command_calls = emu.calls
    per_chat = len(chat_calls) / opts.chat_messages
    per_command = len(command_calls) / opts.chat_commands
    chat_methods = dict(Counter(c.method for c in chat_calls).most_common(3))
    command_methods = dict(Counter(c.method for c in command_calls).most_common(3))
    return [
        Figure(
            "P6",
            f"Slack calls per chat message ({opts.chat_messages} in incident channels)",
            f"{per_chat:.2f}",
            f"{len(chat_calls)} calls {chat_methods or ''}",
            "0",
            len(chat_calls) == 0,
        ),
        Figure(
            "P6",
            f"Slack calls per command ({opts.chat_commands} x !incident list, reply included)",
            f"{per_command:.2f}",
            f"{len(command_calls)} calls {command_methods}",
            "<= 1",
            per_command <= 1,
        ),
    ]
