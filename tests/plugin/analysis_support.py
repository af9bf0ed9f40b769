"""Helpers of the metrics plugin tests: the hand-built history in the plugin's store, a fixed clock."""

from __future__ import annotations

import analysis_history as history
from response_support import plugin


def with_history(testbot):
    """Build tests/analysis_history.py in the plugin's store and stop the metrics clock at history.NOW."""
    bot = plugin(testbot)
    history.build(bot.app.incidents.store)
    at(testbot, history.NOW)
    return bot


def at(testbot, moment) -> None:
    plugin(testbot).app.clock.set(moment)


def file_text(upload: dict) -> str:
    content = upload["content"]
    return content.decode() if isinstance(content, bytes) else content
