"""The weekly digest: posted at its scheduled moment, once per week, also across restarts (a controllable clock)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from analysis_support import at, with_history
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import plugin
from slack_workspace import ADMIN

from redalert_core.services.analysis import AnalysisService

MONDAY_9 = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)  # reports on 2026-02-09..15, compared with 2026-02-02..08


def digest_channel(testbot, slack) -> str:
    channel = slack.add_channel("incident-digest", members=[ADMIN, slack.bot_user_id])
    reply = say(
        testbot, f"!plugin config RedAlert {{'DIGEST_CHANNEL': '{channel}', 'DIGEST_SCHEDULE': 'mon 09:00 UTC'}}"
    )
    assert "configuration done" in reply.lower() or "Plugin configuration done" in reply, reply
    return channel


def posts(slack, channel: str) -> list[str]:
    return [m["text"] for m in slack.messages(channel) if m.get("text", "").startswith("*Weekly")]


def test_the_digest_poller_is_started(testbot, slack):
    names = [method.__name__ for method, _args, _kwargs in plugin(testbot).current_pollers]
    assert "_poll_weekly_digest" in names


def test_digest_is_posted_once_at_its_time_with_the_week_before_for_comparison(testbot, slack):
    with_history(testbot)
    channel = digest_channel(testbot, slack)
    bot = plugin(testbot)
    at(testbot, MONDAY_9 - timedelta(seconds=1))
    bot._poll_weekly_digest()
    # Sunday 23:59 a week earlier is past last Monday's moment plus the grace: nothing is due.
    assert posts(slack, channel) == []
    at(testbot, MONDAY_9)
    bot._poll_weekly_digest()
    [text] = posts(slack, channel)
    assert text.startswith("*Weekly incident digest: 2026-02-09 to 2026-02-15*")
    assert "Incidents: 3 (sev1 1, sev2 1, sev4 1)" in text  # the private incident 6 stays out of a channel
    assert "- Incidents: 3 (week before: 2, +50%)" in text
    assert "- Median time to resolve: 2h 22m (week before: 1h 15m, +90%)" in text  # 2700 & 14400 vs 3600 & 5400
    assert "- Open at the end of the week: 1 (week before: 0)" in text
    [chart] = slack.files(channel)
    assert chart["content"][:4] == b"\x89PNG"
    at(testbot, MONDAY_9 + timedelta(hours=3))
    bot._poll_weekly_digest()
    assert len(posts(slack, channel)) == 1


def test_a_restart_does_not_post_the_same_week_again(testbot, slack):
    with_history(testbot)
    channel = digest_channel(testbot, slack)
    bot = plugin(testbot)
    at(testbot, MONDAY_9 + timedelta(minutes=5))
    bot._poll_weekly_digest()
    assert len(posts(slack, channel)) == 1
    # A new process: a fresh service over the same database, its clock an hour later.
    restarted = AnalysisService(bot.app.incidents, clock=lambda: MONDAY_9 + timedelta(hours=1))
    assert restarted.post_weekly_digest() is None
    assert len(posts(slack, channel)) == 1
    next_week = AnalysisService(bot.app.incidents, clock=lambda: MONDAY_9 + timedelta(days=7))
    assert next_week.post_weekly_digest() == "2026-W08"
    assert len(posts(slack, channel)) == 2


def test_a_digest_missed_by_more_than_a_day_is_skipped_and_none_is_posted_without_a_channel(testbot, slack):
    with_history(testbot)
    bot = plugin(testbot)
    at(testbot, MONDAY_9)
    assert bot.app.analysis.post_weekly_digest() is None  # no DIGEST_CHANNEL
    channel = digest_channel(testbot, slack)
    at(testbot, MONDAY_9 + timedelta(days=1, minutes=1))
    assert bot.app.analysis.post_weekly_digest() is None
    assert posts(slack, channel) == []


def test_a_failing_slack_loses_that_weeks_digest_but_never_repeats_it(testbot, slack):
    with_history(testbot)
    bot = plugin(testbot)
    bot.settings = dataclasses.replace(bot.settings, digest_channel="C0GONE")  # a channel that does not exist
    at(testbot, MONDAY_9)
    bot._poll_weekly_digest()
    assert bot.app.analysis.post_weekly_digest() is None  # recorded before posting
