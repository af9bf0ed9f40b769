"""`!task …` through the plugin against the emulator: every command, where the tasks show, permissions, refusals.

The workflow clock is fixed so that due dates ("in 3d", past dates) are deterministic.
"""

from datetime import UTC, datetime

import pytest
from manual_time import coalesce_on_manual_time
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, plugin, store, summary_text
from slack_workspace import ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.domain.text import unping

NOW = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(testbot):
    plugin(testbot).app.clock.set(NOW)


SUMMARY_SECONDS = 10  # SUMMARY_UPDATE_SECONDS by default


def test_add_in_the_channel_to_a_number_and_to_a_problem(testbot, slack):
    time = coalesce_on_manual_time(plugin(testbot).app.response)
    say(testbot, "!incident open sev2 checkout errors")
    cid = channel_of(testbot, 1)
    assert say(testbot, f"!task add Add an alert on pool usage <@{ALICE}> due in 3d", channel=cid) == (
        f"Task T1 added to incident 1: Add an alert on pool usage (owner <@{ALICE}>, due 2030-06-13)."
    )
    assert say(testbot, "!task add #1 Write the runbook due 2030-07-01") == (
        "Task T2 added to incident 1: Write the runbook (no owner yet: !task assign T2 @someone, due 2030-07-01)."
    )
    say(testbot, "!problem open Pool too small 1")
    assert say(testbot, f"!task add p1 Raise the pool size <@{BOB}>") == (
        f"Task T3 added to problem P1: Raise the pool size (owner <@{BOB}>)."
    )
    assert kinds(testbot, 1).count("task_created") == 2
    assert [str(e.kind) for e in store(testbot).events.list_problem(1)][-1] == "task_created"
    time.advance(SUMMARY_SECONDS)  # the summary's edits are coalesced: the last lands at the interval's end
    assert "*Open tasks*\\n2" in summary_text(slack, testbot, 1)
    timeline = say(testbot, "!incident timeline 1")
    assert f"Task T1 added by <@U0ADMIN>: Add an alert on pool usage (owner <@{ALICE}>, due 2030-06-13)" in timeline


def test_done_reopen_assign_due_and_their_events(testbot, slack):
    time = coalesce_on_manual_time(plugin(testbot).app.response)
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, f"!task add 1 Add an alert <@{ALICE}> due in 3d")
    assert say(testbot, f"!task assign t1 <@{BOB}>") == f"Task T1 is now owned by <@{BOB}> (was <@{ALICE}>)."
    assert say(testbot, "!task due T1 2030-06-20") == "Task T1 is now due 2030-06-20 (was 2030-06-13)."
    assert say(testbot, "!task due 1 in 1d") == "Task T1 is now due 2030-06-11 (was 2030-06-20)."
    time.advance(SUMMARY_SECONDS)
    assert "*Open tasks*\\n1" in summary_text(slack, testbot, 1)
    assert say(testbot, "!task done T1 alert is live", user=BOB, channel="D0BOB") == "Task T1 is done: Add an alert."
    time.advance(SUMMARY_SECONDS)
    assert "*Open tasks*\\n0" in summary_text(slack, testbot, 1)
    assert say(testbot, "!task reopen 1", user=BOB, channel="D0BOB") == "Task T1 is open again: Add an alert."
    assert [k for k in kinds(testbot, 1) if k.startswith("task_")] == [
        "task_created",
        "task_assigned",
        "task_due_changed",
        "task_due_changed",
        "task_done",
        "task_reopened",
    ]
    timeline = say(testbot, "!incident timeline 1")
    for expected in (
        f"Task T1 assigned to <@{BOB}>",
        "Task T1 now due 2030-06-20",
        f"Task T1 done by <@{BOB}>: alert is live",
        f"Task T1 reopened by <@{BOB}>",
    ):
        assert expected in timeline, expected


def test_only_the_owner_the_commander_or_an_admin_closes_a_task(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    say(testbot, f"!task add 1 Add an alert <@{BOB}>", user=CAROL, channel="D0CAROL")
    refused = "Only the owner of task T1, the incident's commander and admins may close it."
    assert say(testbot, "!task done T1", user=CAROL, channel="D0CAROL") == refused
    assert store(testbot).tasks.get(1).is_open
    assert say(testbot, "!task done T1", user=ALICE, channel="D0ALICE") == "Task T1 is done: Add an alert."
    assert say(testbot, "!task reopen T1", user=CAROL, channel="D0CAROL") == (
        "Only the owner of task T1, the incident's commander and admins may reopen it."
    )
    assert say(testbot, "!task reopen T1").startswith("Task T1 is open again")  # an admin
    # Reassigning follows the rule for closing: nobody gives a task (and the right to close it) to themselves.
    assert say(testbot, f"!task assign T1 <@{CAROL}>", user=CAROL, channel="D0CAROL") == (
        "Only the owner of task T1, the incident's commander and admins may reassign it."
    )
    assert store(testbot).tasks.get(1).owner == BOB
    assert say(testbot, f"!task assign T1 <@{CAROL}>", user=ALICE, channel="D0ALICE").startswith("Task T1 is now owned")
    say(testbot, "!plugin config RedAlert {'TASK_CLOSE_ALLOWED': 'admins'}")
    assert say(testbot, "!task done T1", user=CAROL, channel="D0CAROL") == "Only admins may close task T1."
    say(testbot, "!plugin config RedAlert {'TASK_CLOSE_ALLOWED': 'anyone'}")
    assert say(testbot, "!task done T1", user=BOB, channel="D0BOB") == "Task T1 is done: Add an alert."


def test_a_problems_task_is_closed_by_its_owner_or_the_problems_people(testbot, slack):
    say(testbot, "!problem open Pool too small", user=CAROL, channel="D0CAROL")
    say(testbot, f"!task add P1 Raise the pool <@{ALICE}>")
    assert say(testbot, "!task done T1", user=BOB, channel="D0BOB") == (
        "Only the owner of task T1, the problem's owners and admins may close it."
    )
    assert say(testbot, "!task done T1", user=CAROL, channel="D0CAROL") == "Task T1 is done: Raise the pool."


def test_task_refusals_change_nothing(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    cid = channel_of(testbot, 1)
    say(testbot, f"!task add Add an alert <@{ALICE}> due 2030-06-12", channel=cid)
    before = (kinds(testbot, 1), store(testbot).tasks.all())
    cases = {
        "!task done T9": "There is no task T9. See !task list all.",
        "!task reopen T9": "There is no task T9. See !task list all.",
        f"!task assign T9 <@{BOB}>": "There is no task T9. See !task list all.",
        "!task due T9 in 2d": "There is no task T9. See !task list all.",
        "!task done P1": "Usage: !task done T<n> [note].",
        "!task add 1 Fix it due 2030-06-09": "2030-06-09 is in the past (today is 2030-06-10); "
        "give a date from today on.",
        "!task add 1 Fix it due tomorrow": 'I could not read the due date "tomorrow": use YYYY-MM-DD or in <N>d, '
        "e.g. `due 2026-12-24` or `due in 3d`.",
        "!task add 1 Fix it due 2030-02-30": '"2030-02-30" is not a real date: use YYYY-MM-DD or in <N>d, '
        "e.g. `due 2026-12-24` or `due in 3d`.",
        "!task due T1 2030-06-01": "2030-06-01 is in the past (today is 2030-06-10); give a date from today on.",
        "!task due T1 soon": 'I could not read the due date "soon": use YYYY-MM-DD or in <N>d, '
        "e.g. `due 2026-12-24` or `due in 3d`.",
        "!task add 1 Fix it <!here>": "A task is owned by one person: @here, @channel or @everyone cannot own it.",
        "!task add 1 Fix it @here": "A task is owned by one person: @here, @channel or @everyone cannot own it.",
        f"!task add 1 Fix it <!subteam^{SRE_GROUP}|@sre>": (
            "A task is owned by one person, not a user group: mention someone from the group."
        ),
        f"!task assign T1 <!subteam^{SRE_GROUP}|@sre>": (
            "A task is owned by one person, not a user group: mention someone from the group."
        ),
        "!task assign T1 <!channel>": "A task is owned by one person: @here, @channel or @everyone cannot own it.",
        f"!task add 1 Fix it <@{ALICE}> <@{BOB}>": "A task has one owner: mention one person.",
        f"!task add 1 Fix it <@U{'X' * 70}>": "That owner is not a Slack user: user IDs are at most 32 characters.",
        f"!task assign T1 <@U{'X' * 70}>": "That owner is not a Slack user: user IDs are at most 32 characters.",
        f"!task assign T1 <@{ALICE}>": f"<@{ALICE}> already owns task T1.",
        "!task due T1 2030-06-12": "Task T1 is already due 2030-06-12.",
        "!task add 7 Fix it": "There is no incident 7. See !incident list all.",
        "!task add P4 Fix it": "There is no problem P4. See !problem list all.",
        "!task add Fix it": "Say where the task belongs: `!task add <incident number> <text>` or "
        "`!task add P<n> <text>`, or run it in the incident's channel.",
        "!task add 1": "Usage: !task add [<n>|P<n>] <text> [@owner] [due <YYYY-MM-DD>|due in <N>d], "
        "e.g. `!task add Add an alert on disk usage @alice due in 7d`.",
        "!task reopen T1": "Task T1 is still open.",
        "!task list yesterday": "Usage: !task list [mine|open|all|<n>|P<n>].",
    }
    for command, expected in cases.items():
        # The test backend drops Markdown; refusals never ping (@here is quoted with a word joiner).
        assert say(testbot, command) == unping(expected.replace("`", "")), command
    assert (kinds(testbot, 1), store(testbot).tasks.all()) == before
    say(testbot, "!task done T1")
    assert say(testbot, "!task done T1").startswith("Task T1 is already done (2030-06-10, by <@U0ADMIN>).")
    assert "!task add [<n>|P3] <text>" in say(testbot, "!task")


def test_list_scopes(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, "!incident open sev3 other")
    cid = channel_of(testbot, 1)
    say(testbot, f"!task add Alert <@{ALICE}> due 2030-06-12", channel=cid)
    say(testbot, "!task add Runbook", channel=cid)
    say(testbot, f"!task add 2 Elsewhere <@{ALICE}>")
    say(testbot, "!problem open Pool 1")
    say(testbot, f"!task add P1 Raise the pool <@{BOB}>")
    say(testbot, "!task done T2")
    here = say(testbot, "!task list", channel=cid)
    assert here.startswith("Open tasks of incident 1 (1):\n- T1 · open · Alert")
    assert "T2" not in here and "T2 · done · Runbook" in say(testbot, "!task list all", channel=cid)
    mine = say(testbot, "!task list", user=ALICE, channel="D0ALICE")
    assert mine.startswith("Your open tasks (2):") and "T1" in mine and "T3" in mine
    assert say(testbot, "!task list mine", user=CAROL, channel="D0CAROL") == "Your open tasks: none."
    everything = say(testbot, "!task list open")
    assert everything.startswith("Open tasks (3):") and "T4 · open · Raise the pool" in everything
    assert say(testbot, "!task list all").startswith("All tasks (4):")
    assert say(testbot, "!task list 2").startswith("Tasks of incident 2 (1):\n- T3")
    by_problem = say(testbot, "!task list P1")
    assert by_problem.startswith("Tasks of problem P1 and its incidents (3):") and "T3" not in by_problem
    assert say(testbot, "!task list 9") == "There is no incident 9. See !incident list all."


def test_closing_lists_open_tasks_with_owners_and_the_postmortem_has_them(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, "!incident open sev3 other")
    cid = channel_of(testbot, 1)
    say(testbot, "!incident link 2 caused-by", channel=cid)
    say(testbot, "!problem open Pool too small", channel=cid)
    say(testbot, "!problem cause P1 the pool holds 10 connections")
    say(testbot, "!problem workaround P1 restart the gateway")
    say(testbot, f"!task add Alert on pool usage <@{ALICE}> due 2030-06-12", channel=cid)
    say(testbot, "!task add Runbook", channel=cid)
    say(testbot, f"!task add Retro <@{BOB}>", channel=cid)
    say(testbot, "!task done T3 held on Monday")
    say(testbot, "!incident close 1 Pool raised")
    [closing] = [m["text"] for m in slack.messages(cid) if m["text"].startswith("Incident 1 closed by")]
    assert f"Still open (2): T1 Alert on pool usage (<@{ALICE}>, due 2030-06-12); T2 Runbook (no owner)" in closing
    assert "T3" not in closing
    [draft] = slack.files(cid)  # sev2 gets its post-mortem on closing
    document = draft["content"].decode() if isinstance(draft["content"], bytes) else draft["content"]
    for expected in (
        "## Related incidents\n\n- Caused by incident 2",
        "- **P1:** Pool too small (investigating)",
        "- **Cause:** the pool holds 10 connections",
        "- **Workaround:** restart the gateway",
        "## Root cause\n\nthe pool holds 10 connections",
        f"- [ ] T1 Alert on pool usage (@{ALICE}, due 2030-06-12)",
        "- [ ] T2 Runbook (no owner)",
        f"- [x] T3 Retro (@{BOB}; done 2030-06-10 by @U0ADMIN: held on Monday)",
        "Task T1 added by @U0ADMIN: Alert on pool usage",
    ):
        assert expected in document, expected


def test_a_private_incidents_tasks_stay_with_its_people(testbot, slack):
    say(testbot, "!incident open --private sev2 payroll leak", user=ALICE, channel="D0ALICE")
    say(testbot, f"!task add 1 Rotate the keys <@{ALICE}>", user=ALICE, channel="D0ALICE")
    say(testbot, "!problem open Secrets in logs 1", user=ALICE, channel="D0ALICE")
    assert say(testbot, "!task list open", user=BOB, channel="D0BOB") == "Open tasks: none."
    assert say(testbot, "!task done T1", user=BOB, channel="D0BOB") == "There is no task T1. See !task list all."
    assert (
        say(testbot, "!task add 1 Peek", user=BOB, channel="D0BOB") == "There is no incident 1. See !incident list all."
    )
    assert "Rotate the keys" not in say(testbot, "!problem show P1", user=BOB, channel="D0BOB")
    assert "Rotate the keys" in say(testbot, "!problem show P1", user=ALICE, channel="D0ALICE")
    assert say(testbot, "!task list", user=ALICE, channel="D0ALICE").startswith("Your open tasks (1):")


def test_a_slack_failure_never_loses_a_task(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    slack.inject_fault("chat.update", "error", error="fatal_error")
    reply = say(testbot, "!task add 1 Add an alert")
    assert reply.startswith("Task T1 added to incident 1: Add an alert")
    assert "I could not update the pinned summary" in reply
    assert store(testbot).tasks.get(1).text == "Add an alert"
