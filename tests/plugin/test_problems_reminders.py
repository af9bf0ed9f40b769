"""Problem-management reminders with a controlled clock: overdue tasks nudge their owner by DM once a day (restarts
included), known errors nudge nobody, problems left investigating after their incidents closed are mentioned to the
commanders once a week."""

from datetime import UTC, datetime, timedelta

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, plugin
from slack_workspace import ALICE, BOB, CAROL

from redalert_core.services.tasks import TaskService

MONDAY = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)


def at(testbot, moment) -> None:
    plugin(testbot).app.clock.set(moment)


def remind(testbot) -> None:
    plugin(testbot)._send_problem_reminders()


def dms(slack, user: str, marker: str = ":alarm_clock:") -> list[str]:
    return [m["text"] for m in slack.messages(slack.open_dm(user)) if marker in m["text"]]


def test_the_poller_is_started(testbot, slack):
    names = [method.__name__ for method, _args, _kwargs in plugin(testbot).current_pollers]
    assert "_send_problem_reminders" in names


def test_an_overdue_task_nudges_its_owner_once_a_day(testbot, slack):
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, f"!task add 1 Add a disk alert <@{ALICE}> due in 1d")
    say(testbot, f"!task add 1 Not late <@{BOB}> due in 5d")
    at(testbot, MONDAY + timedelta(days=1, hours=10))  # due today: not overdue yet
    remind(testbot)
    assert dms(slack, ALICE) == []
    at(testbot, MONDAY + timedelta(days=2))
    remind(testbot)
    remind(testbot)
    [nudge] = dms(slack, ALICE)
    assert nudge == (
        f":alarm_clock: <@{ALICE}>, task T1 (Add a disk alert, incident 1) was due 2030-06-11, 1 day ago. "
        "Close it with `!task done T1` or move it with `!task due T1 in 3d`."
    )
    at(testbot, MONDAY + timedelta(days=2, hours=11))  # later the same day
    remind(testbot)
    assert len(dms(slack, ALICE)) == 1
    assert dms(slack, BOB) == []
    # Across a restart: a new service on the same store finds today's nudge recorded.
    fresh = TaskService(plugin(testbot).app.response)
    assert fresh.send_nudges() == []
    manager = testbot.bot.plugin_manager
    manager.deactivate_plugin("RedAlert")
    manager.activate_plugin("RedAlert")
    at(testbot, MONDAY + timedelta(days=2, hours=12))
    remind(testbot)
    assert len(dms(slack, ALICE)) == 1
    # The next day it nudges again; closing the task stops it.
    at(testbot, MONDAY + timedelta(days=3, hours=1))
    remind(testbot)
    assert len(dms(slack, ALICE)) == 2 and "2 days ago" in dms(slack, ALICE)[-1]
    say(testbot, "!task done T1")
    at(testbot, MONDAY + timedelta(days=4, hours=1))
    remind(testbot)
    assert len(dms(slack, ALICE)) == 2
    assert kinds(testbot, 1).count("task_nudged") == 2
    assert f"Reminder sent to <@{ALICE}>: task T1 is overdue" in say(testbot, "!incident timeline 1")


def test_the_nudge_is_recorded_before_it_is_sent(testbot, slack):
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, f"!task add 1 Add a disk alert <@{ALICE}> due in 1d")
    at(testbot, MONDAY + timedelta(days=3))
    slack.inject_fault("conversations.open", "error", error="fatal_error")
    remind(testbot)  # the DM fails; the day counts as nudged (never two for one day)
    remind(testbot)
    assert dms(slack, ALICE) == [] and kinds(testbot, 1).count("task_nudged") == 1


def test_an_overdue_task_without_an_owner_nudges_the_commander(testbot, slack):
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, f"!incident lead 1 <@{CAROL}>")
    say(testbot, "!task add 1 Clean up due in 1d")
    say(testbot, "!problem open Disks fill up", user=BOB, channel="D0BOB")
    say(testbot, "!task add P1 Problem work due in 1d")
    at(testbot, MONDAY + timedelta(days=2))
    remind(testbot)
    assert [m for m in dms(slack, CAROL) if "task T1" in m]
    assert [m for m in dms(slack, BOB) if "task T2 (Problem work, problem P1)" in m]


def test_stale_investigating_problem_is_mentioned_to_commanders_once_a_week(testbot, slack):
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, "!incident open sev3 disk full again")
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    say(testbot, f"!incident lead 2 <@{BOB}>")
    say(testbot, "!problem open Disks fill up 1 2")
    say(testbot, "!incident close 1 cleaned")
    at(testbot, MONDAY + timedelta(days=20))
    remind(testbot)
    assert dms(slack, ALICE, ":mag:") == []  # incident 2 is still open
    say(testbot, "!incident close 2 cleaned")
    at(testbot, MONDAY + timedelta(days=21))
    remind(testbot)
    remind(testbot)
    [alice] = dms(slack, ALICE, ":mag:")
    assert alice.startswith(f":mag: <@{ALICE}>, problem P1 (Disks fill up) has been investigating for 21 days")
    assert len(dms(slack, BOB, ":mag:")) == 1
    at(testbot, MONDAY + timedelta(days=27))
    remind(testbot)
    assert len(dms(slack, ALICE, ":mag:")) == 1
    at(testbot, MONDAY + timedelta(days=28))
    remind(testbot)
    assert len(dms(slack, ALICE, ":mag:")) == 2
    assert "Reminder sent: still investigating" in say(testbot, "!problem show P1")


def test_a_known_error_without_open_tasks_nudges_nobody(testbot, slack):
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    say(testbot, "!problem open Disks fill up 1")
    say(testbot, "!problem status P1 known-error")
    say(testbot, f"!task add P1 Done already <@{BOB}> due in 1d")
    say(testbot, "!task done T1")
    say(testbot, "!incident close 1 cleaned")
    at(testbot, MONDAY + timedelta(days=60))
    remind(testbot)
    assert dms(slack, ALICE, ":mag:") == [] and dms(slack, BOB) == [] and dms(slack, ALICE) == []


def test_stale_days_are_configurable(testbot, slack):
    assert say(testbot, "!plugin config RedAlert {'PROBLEM_STALE_DAYS': 3}") == "Plugin configuration done."
    at(testbot, MONDAY)
    say(testbot, "!incident open sev3 disk full")
    say(testbot, "!problem open Disks fill up 1")
    say(testbot, "!incident close 1 cleaned")
    at(testbot, MONDAY + timedelta(days=2, hours=23))
    remind(testbot)
    assert dms(slack, "U0ADMIN", ":mag:") == []
    at(testbot, MONDAY + timedelta(days=3))
    remind(testbot)
    assert len(dms(slack, "U0ADMIN", ":mag:")) == 1  # the opener commands an incident nobody took the lead of
    assert "PROBLEM_STALE_DAYS must be" in say(testbot, "!plugin config RedAlert {'PROBLEM_STALE_DAYS': 0}")
    assert channel_of(testbot, 1)
