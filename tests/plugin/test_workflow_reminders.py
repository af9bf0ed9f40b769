"""Reminders through the plugin, with a controlled clock: when they fire, to whom, once per gap, across restarts."""

from datetime import timedelta

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, plugin, store
from slack_workspace import ALICE

from redalert_core.services.response import ResponseService


def at(testbot, moment) -> None:
    plugin(testbot).app.clock.set(moment)


def reminders_in(slack, cid) -> list[str]:
    return [m["text"] for m in slack.messages(cid) if ":alarm_clock:" in m["text"]]


def test_the_poller_is_started(testbot, slack):
    names = [method.__name__ for method, _args, _kwargs in plugin(testbot).current_pollers]
    assert "_send_reminders" in names


def test_quiet_sev1_nudges_the_commander_once_per_gap(testbot, slack):
    say(testbot, "!incident open sev1 db down")
    say(testbot, "!incident open sev3 minor")  # sev3 has no reminders by default
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    cid = channel_of(testbot, 1)
    opened = store(testbot).incidents.get(1).opened_at
    at(testbot, opened + timedelta(minutes=29))
    plugin(testbot)._send_reminders()
    assert reminders_in(slack, cid) == []
    at(testbot, opened + timedelta(minutes=31))
    plugin(testbot)._send_reminders()
    [nudge] = reminders_in(slack, cid)
    assert f"<@{ALICE}>, incident 1 has had no update for 31m" in nudge
    at(testbot, opened + timedelta(minutes=90))
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, cid)) == 1  # the same gap never fires twice
    assert reminders_in(slack, channel_of(testbot, 2)) == []
    # An update starts a new gap (the workflow clock stamps it).
    say(testbot, "!incident update 1 still digging")
    update_at = opened + timedelta(minutes=90)
    at(testbot, update_at + timedelta(minutes=29))
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, cid)) == 1
    at(testbot, update_at + timedelta(minutes=31))
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, cid)) == 2


def test_reminders_survive_a_restart(testbot, slack):
    say(testbot, "!incident open sev2 api slow")
    cid = channel_of(testbot, 1)
    later = store(testbot).incidents.get(1).opened_at + timedelta(minutes=61)
    at(testbot, later)
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, cid)) == 1
    # A new service on the same store (what a restart builds) finds the reminder in the event log.
    fresh = ResponseService(plugin(testbot).app.incidents, clock=lambda: later + timedelta(hours=3))
    assert fresh.send_reminders() == []
    manager = testbot.bot.plugin_manager
    manager.deactivate_plugin("RedAlert")
    manager.activate_plugin("RedAlert")
    at(testbot, later + timedelta(hours=5))
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, cid)) == 1


def test_resolved_but_open_for_a_day_is_nudged_to_close(testbot, slack):
    say(testbot, "!incident open sev4 disk")
    cid = channel_of(testbot, 1)
    opened = store(testbot).incidents.get(1).opened_at
    at(testbot, opened + timedelta(minutes=5))
    say(testbot, "!incident status 1 resolved")
    at(testbot, opened + timedelta(hours=23))
    plugin(testbot)._send_reminders()
    assert reminders_in(slack, cid) == []
    at(testbot, opened + timedelta(hours=24, minutes=6))
    plugin(testbot)._send_reminders()
    plugin(testbot)._send_reminders()
    [nudge] = reminders_in(slack, cid)
    assert "incident 1 was resolved 1d 0h 1m ago but is still open" in nudge


def test_reminder_minutes_are_configurable(testbot, slack):
    reply = say(testbot, "!plugin config RedAlert {'REMINDER_MINUTES': {'sev3': 5, 'sev1': None}}")
    assert reply == "Plugin configuration done."
    say(testbot, "!incident open sev3 minor")
    say(testbot, "!incident open sev1 major")
    opened = store(testbot).incidents.get(2).opened_at
    at(testbot, opened + timedelta(hours=2))
    plugin(testbot)._send_reminders()
    assert len(reminders_in(slack, channel_of(testbot, 1))) == 1
    assert reminders_in(slack, channel_of(testbot, 2)) == []
    assert "REMINDER_MINUTES" in say(testbot, "!plugin config RedAlert {'REMINDER_MINUTES': {'sev3': 0}}")
