"""`!problem …` through the plugin against the emulator: every command, the incident logs, permissions, refusals."""

from manual_time import coalesce_on_manual_time
from plugin_support import extra_config, extra_plugin_dir, loglevel  # noqa: F401
from plugin_support import say_visible as say
from response_support import channel_of, kinds, plugin, store, summary_text
from slack_workspace import ALICE, BOB, CAROL


def test_open_link_unlink_and_list(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, "!incident open sev3 payment latency")
    say(testbot, "!incident open sev3 cart slow")
    assert say(testbot, "!problem open Card processor times out 1 2") == (
        "Problem P1 is open: Card processor times out\nLinked incidents: 1, 2."
    )
    assert "problem_linked" in kinds(testbot, 1) and "problem_linked" in kinds(testbot, 2)
    assert say(testbot, "!problem link p1 3") == "Problem P1 now has incident 3."
    assert say(testbot, "!problem unlink 1 3") == "Incident 3 is no longer linked to problem P1."
    assert "problem_unlinked" in kinds(testbot, 3)
    # In an incident channel the incident is linked without naming it.
    assert say(testbot, "!problem open DNS flaps", channel=channel_of(testbot, 3)) == (
        "Problem P2 is open: DNS flaps\nLinked incidents: 3."
    )
    assert say(testbot, "!problem open Nothing linked yet") == "Problem P3 is open: Nothing linked yet"
    listing = say(testbot, "!problem list")
    assert listing.startswith("3 problems:\n- P3 · investigating · Nothing linked yet · incidents none · 0 open tasks")
    assert "- P1 · investigating · Card processor times out · incidents 1, 2 · 0 open tasks" in listing
    say(testbot, "!problem status P3 resolved")
    assert "P3" not in say(testbot, "!problem list") and "P3 · resolved" in say(testbot, "!problem list all")
    assert "*Problem*\\nP1 (investigating): Card processor times out" in summary_text(slack, testbot, 1)


def test_status_cause_workaround_show(testbot, slack):
    time = coalesce_on_manual_time(plugin(testbot).app.response)
    say(testbot, "!incident open sev2 checkout errors")
    cid = channel_of(testbot, 1)
    say(testbot, "!problem open Card processor times out", channel=cid)
    assert say(testbot, "!problem cause P1 pool too small") == "Cause of problem P1 recorded."
    assert say(testbot, "!problem cause P1 connection pool too small") == (
        "Cause of problem P1 recorded (replacing the previous one)."
    )
    assert say(testbot, "!problem workaround P1 restart the gateway") == "Workaround for problem P1 recorded."
    assert say(testbot, "!problem status P1 known-error pool size found") == (
        "Problem P1 is now known-error (was investigating)."
    )
    say(testbot, f"!task add P1 Raise the pool size <@{BOB}> due in 5d")
    say(testbot, "!task add Alert on pool usage", channel=cid)
    shown = say(testbot, "!problem show P1")
    for expected in (
        "Problem P1: Card processor times out",
        "- Status: known-error since ",
        "- Incidents: 1",
        "- Cause: connection pool too small",
        "- Workaround: restart the gateway",
        "- Tasks (2 open of 2):",
        f"T1 · open · Raise the pool size · owner <@{BOB}> · due ",
        "problem P1",
        "T2 · open · Alert on pool usage · no owner",
        "incident 1",
        "Opened by <@U0ADMIN>: Card processor times out",
        "Incident 1 linked by <@U0ADMIN>",
        "Cause set by <@U0ADMIN>: pool too small",
        "Status investigating → known-error by <@U0ADMIN>: pool size found",
        "Task T1 added by <@U0ADMIN>: Raise the pool size",
    ):
        assert expected in shown, expected
    # The incident's timeline tells the problem's story too.
    timeline = say(testbot, "!incident timeline 1")
    assert "Linked to problem P1 (Card processor times out)" in timeline
    assert "Problem P1 investigating → known-error by <@U0ADMIN>: pool size found" in timeline
    assert "Problem P1 cause set by <@U0ADMIN>: connection pool too small" in timeline
    time.advance(10)  # the summary's edits are coalesced (SUMMARY_UPDATE_SECONDS): the last lands at its end
    assert "*Problem*\\nP1 (known-error)" in summary_text(slack, testbot, 1)


def test_only_owners_commanders_and_admins_change_the_status(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, f"!incident lead 1 <@{ALICE}>")
    say(testbot, "!problem open Card processor times out 1", user=CAROL, channel="D0CAROL")
    refused = say(testbot, "!problem status P1 resolved", user=BOB, channel="D0BOB")
    assert refused == (
        "Only whoever opened problem P1, the commanders of the incidents its owners linked and admins may change its "
        "status."
    )
    assert store(testbot).problems.get(1).status == "investigating"
    assert say(testbot, "!problem status P1 known-error", user=ALICE, channel="D0ALICE").startswith("Problem P1 is now")
    assert say(testbot, "!problem status P1 resolved", user=CAROL, channel="D0CAROL").startswith("Problem P1 is now")
    # Anyone may still record what is known.
    assert say(testbot, "!problem cause P1 pool", user=BOB, channel="D0BOB") == "Cause of problem P1 recorded."
    say(testbot, "!plugin config RedAlert {'PROBLEM_STATUS_ALLOWED': 'admins'}")
    assert say(testbot, "!problem status P1 investigating", user=CAROL, channel="D0CAROL") == (
        "Only admins may change the status of problem P1."
    )
    say(testbot, "!plugin config RedAlert {'PROBLEM_STATUS_ALLOWED': 'anyone'}")
    assert say(testbot, "!problem status P1 investigating", user=BOB, channel="D0BOB").startswith("Problem P1 is now")
    assert "PROBLEM_STATUS_ALLOWED must be one of" in say(
        testbot, "!plugin config RedAlert {'PROBLEM_STATUS_ALLOWED': 'x'}"
    )


def test_problem_refusals_change_nothing(testbot, slack):
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, "!incident open sev3 other")
    say(testbot, "!problem open First 1")
    before = (kinds(testbot, 1), kinds(testbot, 2), store(testbot).events.list_problem(1))
    cases = {
        "!problem show P9": "There is no problem P9. See !problem list all.",
        "!problem status P9 resolved": "There is no problem P9. See !problem list all.",
        "!problem link P9 2": "There is no problem P9. See !problem list all.",
        "!problem cause P9 x": "There is no problem P9. See !problem list all.",
        "!problem link P1 7": "There is no incident 7. See !incident list all.",
        "!problem link P1 1": "Problem P1 already has incident 1.",
        "!problem unlink P1 2": "Incident 2 is not linked to problem P1.",
        "!problem status P1 fixed": '"fixed" is not a problem status: investigating, known-error, resolved.',
        "!problem status P1 investigating": "Problem P1 is already investigating.",
        "!problem status T1 resolved": "Usage: !problem status P<n> <investigating|known-error|resolved> [note].",
        "!problem cause P1": "Usage: !problem cause P<n> <text>.",
        "!problem open": "Usage: !problem open <title> [<incident numbers…>], "
        "e.g. `!problem open Disk fills up 12 14`.",
        "!problem open Second 2 1": "Incident 1 already belongs to problem P1; unlink it first with "
        "`!problem unlink P1 1`. Nothing changed.",
        "!problem open Third 2 8": "There is no incident 8. See !incident list all.",
        "!problem list some": "Usage: !problem list (open problems) or !problem list all.",
    }
    for command, expected in cases.items():
        assert say(testbot, command) == expected.replace("`", ""), command  # the test backend drops Markdown
    assert (kinds(testbot, 1), kinds(testbot, 2), store(testbot).events.list_problem(1)) == before
    assert [p.number for p in store(testbot).problems.list(include_resolved=True)] == [1]
    assert "!problem open <title>" in say(testbot, "!problem")


def test_linking_your_own_incident_does_not_let_you_move_the_problem(testbot, slack):
    say(testbot, "!problem open Card processor times out", user=CAROL, channel="D0CAROL")
    say(testbot, "!incident open sev3 checkout slow", user=BOB, channel="D0BOB")  # BOB commands incident 1
    assert say(testbot, "!problem link P1 1", user=BOB, channel="D0BOB") == "Problem P1 now has incident 1."
    refused = (
        "Only whoever opened problem P1, the commanders of the incidents its owners linked and admins may change its "
        "status."
    )
    assert say(testbot, "!problem status P1 resolved", user=BOB, channel="D0BOB") == refused
    say(testbot, "!task add P1 Raise the pool", user=CAROL, channel="D0CAROL")
    assert say(testbot, "!task done T1", user=BOB, channel="D0BOB").startswith("Only the owner of task T1")
    assert store(testbot).problems.get(1).status == "investigating" and store(testbot).tasks.get(1).is_open
    # Linked by the problem's opener, a commander counts; and a counted commander's links count in turn.
    say(testbot, "!incident open sev2 card errors", user=ALICE, channel="D0ALICE")
    say(testbot, "!problem link P1 2", user=CAROL, channel="D0CAROL")
    say(testbot, "!problem unlink P1 1", user=ALICE, channel="D0ALICE")
    say(testbot, "!problem link P1 1", user=ALICE, channel="D0ALICE")
    assert say(testbot, "!problem status P1 known-error", user=BOB, channel="D0BOB").startswith("Problem P1 is now")
