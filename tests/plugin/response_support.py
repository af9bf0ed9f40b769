"""Helpers shared by the workflow plugin tests."""

from __future__ import annotations


def plugin(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")


def store(testbot):
    return plugin(testbot).app.incidents.store


def channel_of(testbot, number: int) -> str:
    return store(testbot).incidents.get(number).channel_id


def summary_text(slack, testbot, number: int) -> str:
    """Everything the pinned summary shows, blocks included."""
    incident = store(testbot).incidents.get(number)
    [message] = [m for m in slack.messages(incident.channel_id) if m["ts"] == incident.summary_ts]
    return message["text"] + repr(message.get("blocks"))


def kinds(testbot, number: int) -> list[str]:
    return [str(e.kind) for e in store(testbot).events.list(number)]
