"""`!incident link|unlink|show` through the plugin against the emulator: replies, both timelines, refusals."""

from plugin_support import extra_config, extra_plugin_dir, loglevel  # noqa: F401
from plugin_support import say_visible as say
from response_support import channel_of, kinds, store
from slack_workspace import ALICE


def open_two(testbot) -> None:
    say(testbot, "!incident open sev2 checkout errors")
    say(testbot, "!incident open sev3 payment latency")


def test_link_in_the_channel_and_from_anywhere(testbot, slack):
    open_two(testbot)
    reply = say(testbot, "!incident link 1", channel=channel_of(testbot, 2))
    assert reply == "Linked incident 2 and incident 1 (related)."
    assert say(testbot, "!incident link 2 1 caused-by") == (
        "Linked: incident 2 was caused by incident 1. It was related to incident 1 before."
    )
    assert "incident_linked" in kinds(testbot, 1) and "incident_linked" in kinds(testbot, 2)
    # Symmetric in listings: each side reads the link its own way.
    assert "Links: caused by incident 1" in say(testbot, "!incident show 2")
    assert "Links: caused incident 2" in say(testbot, "!incident show 1")
    assert "Linked by <@U0ADMIN>: caused by incident 1" in say(testbot, "!incident timeline 2")
    assert say(testbot, "!incident unlink 1 2") == "Incidents 1 and 2 are no longer linked."
    assert "Links: none" in say(testbot, "!incident show 2")
    assert "incident_unlinked" in kinds(testbot, 2)


def test_duplicate_says_so_in_the_duplicates_channel(testbot, slack):
    open_two(testbot)
    assert say(testbot, "!incident link 2 1 duplicate") == "Incident 2 is now marked as a duplicate of incident 1."
    said = [m["text"] for m in slack.messages(channel_of(testbot, 2)) if ":link:" in m["text"]]
    assert said == [
        f":link: This incident is a duplicate of incident 1 (<#{channel_of(testbot, 1)}>), marked by <@U0ADMIN>."
    ]
    assert not [m for m in slack.messages(channel_of(testbot, 1)) if ":link:" in m["text"]]
    # Typed in the duplicate's own channel, the reply is the message there (nothing posted twice).
    say(testbot, "!incident unlink 2 1")
    reply = say(testbot, "!incident link 1 duplicate", channel=channel_of(testbot, 2))
    assert reply == "Incident 2 is now marked as a duplicate of incident 1."
    assert len([m for m in slack.messages(channel_of(testbot, 2)) if ":link:" in m["text"]]) == 1


def test_link_refusals_change_nothing(testbot, slack):
    open_two(testbot)
    before = kinds(testbot, 1)
    assert say(testbot, "!incident link 1 1") == "Incident 1 cannot be linked to itself."
    assert say(testbot, "!incident link 1", channel=channel_of(testbot, 1)) == "Incident 1 cannot be linked to itself."
    assert say(testbot, "!incident link 1 7") == "There is no incident 7. See !incident list all."
    assert say(testbot, "!incident link 1 2 blocks").startswith('"blocks" is not a kind of link: related, duplicate')
    assert say(testbot, "!incident link").startswith("Usage: !incident link [<n>] <m>")
    assert say(testbot, "!incident link 2").startswith("This is not an incident channel.")
    assert say(testbot, "!incident unlink 1 2") == "Incidents 1 and 2 are not linked."
    say(testbot, "!incident link 1 2")
    assert say(testbot, "!incident link 1 2") == "Incident 1 is already related to incident 2; nothing changed."
    assert kinds(testbot, 1) == [*before, "incident_linked"]
    assert store(testbot).links.for_incident(1)[0].kind == "related"


def test_show_gives_the_incident_at_a_glance(testbot, slack):
    open_two(testbot)
    cid = channel_of(testbot, 1)
    say(testbot, f"!incident lead <@{ALICE}>", channel=cid)
    say(testbot, "!incident status resolved", channel=cid)
    say(testbot, "!incident link 2", channel=cid)
    say(testbot, "!problem open Card processor timeouts", channel=cid)
    say(testbot, f"!task add Add a timeout alert <@{ALICE}> due in 3d", channel=cid)
    say(testbot, "!task add Write the runbook", channel=cid)
    say(testbot, "!task done T2 written", channel=cid)
    reply = say(testbot, "!incident show", channel=cid)
    assert reply.startswith("Incident 1: checkout errors\n- Severity: SEV2 - Major · Status: resolved")
    for expected in (
        f"Commander: <@{ALICE}>",
        "Opened ",
        "Resolved ",
        "Duration: ",
        "People: 2",
        "Links: related to incident 2",
        "Problem: P1 (investigating): Card processor timeouts",
        "Open tasks (1):",
        f"T1 · open · Add a timeout alert · owner <@{ALICE}> · due ",
        "Done tasks (1):",
        "T2 · done · Write the runbook · no owner",
    ):
        assert expected in reply, expected
    assert say(testbot, "!incident show 9") == "There is no incident 9. See !incident list all."
    assert say(testbot, "!incident show two") == "Usage: !incident show [<number>]."
