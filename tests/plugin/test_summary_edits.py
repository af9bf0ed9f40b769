"""20 rapid status changes: the pinned summary is edited at most once per SUMMARY_UPDATE_SECONDS, and the last
state lands with the trailing edit (a manual clock and scheduler stand in for time)."""

from __future__ import annotations

from manual_time import coalesce_on_manual_time
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, plugin, store, summary_text

STATUSES = ("identified", "monitoring")


def test_twenty_rapid_changes_edit_the_summary_twice_and_the_last_lands(testbot, slack):
    time = coalesce_on_manual_time(plugin(testbot).app.response)
    say(testbot, "!incident open sev2 checkout errors")
    cid = channel_of(testbot, 1)
    summary_ts = store(testbot).incidents.get(1).summary_ts
    seen = len(slack.calls)
    for n in range(20):
        status = STATUSES[n % 2]
        assert say(testbot, f"!incident status {status} step {n}", channel=cid).startswith(
            f"Incident 1 is now {status}"
        )
        time.advance(0.2)
    edits = [c for c in slack.calls[seen:] if c.method == "chat.update" and c.args.get("ts") == summary_ts]
    assert len(edits) == 1  # the first change at once; 19 wait for the interval (10 s by default)
    assert "identified" in summary_text(slack, testbot, 1)
    time.advance(10)
    edits = [c for c in slack.calls[seen:] if c.method == "chat.update" and c.args.get("ts") == summary_ts]
    assert len(edits) == 2
    assert "Monitoring" in summary_text(slack, testbot, 1) or "monitoring" in summary_text(slack, testbot, 1)
