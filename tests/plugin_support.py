"""Driving the RedAlert plugin through Errbot's test backend, its Slack client pointed at the emulator.

The test backend delivers every message as a DM from `testbot.bot.sender`; `say` adds the raw Slack event that the
slackv3 backend would attach (`extras["slack_event"]`), which is where the plugin reads the channel, the original
`ts` and the unrewritten mention markup.
"""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path

from slack_workspace import ADMIN

extra_plugin_dir = str(Path(__file__).resolve().parents[1] / "plugins")
extra_config = {
    "CORE_PLUGINS": ("ACLs", "Help", "Plugins", "Utils"),
    "BOT_ADMINS": (ADMIN,),
    "BOT_ADMINS_NOTIFICATIONS": (),
}
loglevel = logging.WARNING

_ts = itertools.count(1)


def next_ts() -> str:
    return f"1800000000.{next(_ts):06d}"


def say(
    testbot,
    text: str,
    *,
    user: str = ADMIN,
    channel: str = "D0ADMIN",
    ts: str | None = None,
    edit_of: str | None = None,
    timeout: float = 10,
) -> str:
    """Send `text` as `user` in `channel` and return the bot's first reply."""
    testbot.bot.sender = testbot.bot.build_identifier(user)
    ts = ts or next_ts()
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts}
    if edit_of:
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "ts": next_ts(),
            "message": {"type": "message", "user": user, "text": text, "ts": edit_of},
        }
    testbot.push_message(text, extras={"slack_event": event})
    return testbot.pop_message(timeout=timeout)


def eventually(predicate, timeout: float = 5.0) -> None:
    """For outcomes with no message to wait on (a command that answers nothing): re-check until true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def visible(reply: str) -> str:
    """A reply as people read it: without the invisible word joiners that keep quoted `<`/`@` inert."""
    return reply.replace("\u2060", "")


def say_visible(testbot, text: str, **kwargs) -> str:
    """`say`, returning the reply as people read it (for comparing usage texts with their `<placeholders>`)."""
    return visible(say(testbot, text, **kwargs))
