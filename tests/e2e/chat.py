"""Talking to the real bot through the emulator, as a Slack user would."""

from __future__ import annotations

from slack_emulator import SlackEmulator


def say(slack: SlackEmulator, user: str, channel: str, text: str, timeout: float = 15) -> str:
    """Post `text` as `user` in `channel` and return the text of the bot's next message there."""
    ts = slack.post_user_message(user, channel, text)
    return slack.wait_for_message(channel, timeout=timeout, after_ts=ts)["text"]


def channel_id(slack: SlackEmulator, name: str) -> str:
    channel = slack.channel_by_name(name)
    assert channel is not None, f"no channel {name}"
    return channel.id


def incident_channels(slack: SlackEmulator, prefix: str = "") -> list:
    return [c for c in slack.channels() if c.purpose.startswith("RedAlert incident") and c.name.startswith(prefix)]
