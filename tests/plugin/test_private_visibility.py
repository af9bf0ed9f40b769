"""Private stays private (issue 18, items 1, 3, 4, 16): every path naming an incident by number sees one rule.

To a non-member who is no admin, a private incident does not exist (the same answer as an unused number); in a
channel, answers show only what everyone there may see.
"""

from __future__ import annotations

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, plugin, store
from slack_workspace import ADMIN, ALICE, BOB, CAROL

NO_SUCH = "There is no incident {}. See !incident list all."


def open_two(testbot, slack) -> tuple[str, str]:
    """Incident 1 (public) and incident 2 (private, alice's); their channels."""
    say(testbot, "!incident open sev2 Checkout slow", user=ALICE, channel=slack.open_dm(ALICE))
    say(testbot, "!incident open --private sev2 Payroll data leaked", user=ALICE, channel=slack.open_dm(ALICE))
    return channel_of(testbot, 1), channel_of(testbot, 2)


def test_a_non_member_cannot_invite_themselves_to_a_private_incident(testbot, slack):
    _, secret = open_two(testbot, slack)
    dm = slack.open_dm(BOB)
    assert say(testbot, f"!incident invite 2 <@{BOB}>", user=BOB, channel=dm) == NO_SUCH.format(2)
    assert say(testbot, f"!incident invite 99 <@{BOB}>", user=BOB, channel=dm) == NO_SUCH.format(99)
    assert BOB not in slack.channel(secret).members
    assert not store(testbot).participants.contains(2, BOB)
    # Its members and admins still can.
    assert say(testbot, f"!incident invite 2 <@{CAROL}>", user=ALICE, channel=slack.open_dm(ALICE)).startswith(
        f"Invited <@{CAROL}> to incident 2"
    )


def test_slash_invite_by_number_is_refused_as_for_an_unused_number(testbot, slack):
    _, secret = open_two(testbot, slack)
    ops = slack.channel_by_name("ops").id
    envelope = slack.send_slash_command(BOB, ops, "/incident", f"invite 2 <@{BOB}|bob>")
    ack = plugin(testbot)._on_slash_command(slack.envelope(envelope)["payload"])
    assert ack == {"response_type": "ephemeral", "text": NO_SUCH.format(2)}
    assert BOB not in slack.channel(secret).members
    # An answer only the person sees may show their private incident, even typed in a channel.
    envelope = slack.send_slash_command(ALICE, ops, "/incident", "list")
    assert "Incident 2" in plugin(testbot)._on_slash_command(slack.envelope(envelope)["payload"])["text"]


def test_a_close_button_naming_a_private_incident_answers_as_for_an_unused_number(testbot, slack):
    public, _ = open_two(testbot, slack)
    summary_ts = store(testbot).incidents.get(1).summary_ts
    bot = plugin(testbot)

    def click_close(value: str) -> list[str]:
        envelope = slack.click_button(CAROL, public, summary_ts, "incident_close", value=value)
        assert bot._on_interaction(slack.envelope(envelope)["payload"]) is None
        assert bot.interactions.drain()
        return [post["body"]["text"] for post in slack.responses_for(envelope)]

    assert click_close("2") == [NO_SUCH.format(2)]
    assert click_close("99") == [NO_SUCH.format(99)]
    assert not store(testbot).incidents.get(2).is_closed


def test_retry_and_close_answer_a_non_member_as_for_an_unused_number(testbot, slack):
    open_two(testbot, slack)
    dm = slack.open_dm(BOB)
    for command in ("!incident close {}", "!incident close {} fixed", "!incident retry {}"):
        assert say(testbot, command.format(2), user=BOB, channel=dm) == NO_SUCH.format(2), command
        assert say(testbot, command.format(99), user=BOB, channel=dm) == NO_SUCH.format(99), command
    say(testbot, "!incident close 2 done", user=ALICE, channel=slack.open_dm(ALICE))
    assert store(testbot).incidents.get(2).is_closed
    for command in ("!incident close {}", "!incident retry {}"):  # closed now: still nothing to learn
        assert say(testbot, command.format(2), user=BOB, channel=dm) == NO_SUCH.format(2), command
    assert say(testbot, "!incident retry 2", channel=slack.open_dm(ADMIN)).startswith("Incident 2 was closed")


def test_in_a_channel_private_incidents_are_shown_only_in_their_own_channel(testbot, slack):
    _, secret = open_two(testbot, slack)
    ops, dm = slack.channel_by_name("ops").id, slack.open_dm(ALICE)
    listed = say(testbot, "!incident list", user=ALICE, channel=ops)
    assert "Incident 1" in listed and "Incident 2" not in listed and listed.startswith("1 open incident")
    assert "Incident 2" in say(testbot, "!incident list", user=ALICE, channel=dm)
    assert "Incident 2" in say(testbot, "!incident list", user=ALICE, channel=secret)
    assert "Incident 2" not in say(testbot, "!incident list all", channel=ops)  # an admin too: ops reads it
    for command in ("show", "timeline"):
        refused = say(testbot, f"!incident {command} 2", user=ALICE, channel=ops)
        assert refused == f"Incident 2 is private: ask in a DM with me or in its own channel (<#{secret}>).", command
        assert say(testbot, f"!incident {command} 2", user=BOB, channel=ops) == NO_SUCH.format(2), command
        assert "Payroll data leaked" in say(testbot, f"!incident {command} 2", user=ALICE, channel=dm), command
    assert say(testbot, "!incident show", user=ALICE, channel=secret).startswith("Incident 2: Payroll data leaked")
    assert "): 1 (sev2 1)\n" in say(testbot, "!incident stats", user=ALICE, channel=ops)
    assert "): 2 (sev2 2)\n" in say(testbot, "!incident stats", user=ALICE, channel=dm)
    assert say(testbot, "!incident export csv", user=ALICE, channel=ops).startswith("Exported 1 incident(s)")
    [upload] = [f for f in slack.files(ops) if f["filename"].endswith(".csv")]
    content = upload["content"].decode() if isinstance(upload["content"], bytes) else upload["content"]
    assert "Payroll" not in content and "Checkout slow" in content
    assert say(testbot, "!incident export csv", user=ALICE, channel=dm).startswith("Exported 2 incident(s)")


def test_help_says_where_private_incidents_are_shown(testbot, slack):
    for command in ("list", "show", "timeline", "stats", "export"):
        text = say(testbot, f"!help incident {command}")
        assert "private" in text.lower() and "DM" in text, command


def test_a_public_postmortem_lists_no_tasks_of_private_incidents_of_its_problem(testbot, slack):
    public, secret = open_two(testbot, slack)
    dm = slack.open_dm(ALICE)
    say(testbot, "!problem open Card data handling 1 2", user=ALICE, channel=dm)
    say(testbot, "!task add 1 Add a checkout alert", user=ALICE, channel=dm)
    say(testbot, "!task add 2 Rotate the leaked payroll keys", user=ALICE, channel=dm)
    say(testbot, "!task add P1 Review card flows", user=ALICE, channel=dm)
    assert say(testbot, "!incident postmortem 1", user=ALICE, channel=public).startswith("Post-mortem draft")
    [upload] = slack.files(public)
    document = upload["content"].decode() if isinstance(upload["content"], bytes) else upload["content"]
    assert "Review card flows" in document and "Add a checkout alert" in document
    assert "payroll" not in document.lower() and "**Other incidents:** none" in document
    # In its own channel the private incident's draft lists the public one's work.
    say(testbot, "!incident postmortem 2", user=ALICE, channel=secret)
    [private_upload] = slack.files(secret)
    private_document = private_upload["content"]
    private_document = private_document.decode() if isinstance(private_document, bytes) else private_document
    assert "Add a checkout alert" in private_document and "**Other incidents:** 1" in private_document
    # The problem's follow-up list in a channel leaves the private incident out too.
    shown = say(testbot, "!problem show P1", user=ALICE, channel=slack.channel_by_name("ops").id)
    assert "Rotate" not in shown and "- Incidents: 1\n" in shown and "Incident 2 linked" not in shown
    assert "Rotate" in say(testbot, "!problem show P1", user=ALICE, channel=dm)
    listed = say(testbot, "!problem list", user=ALICE, channel=slack.channel_by_name("ops").id)
    assert "incidents 1 · 2 open tasks" in listed
    assert "incidents 1, 2 · 3 open tasks" in say(testbot, "!problem list", user=ALICE, channel=dm)


def test_every_command_naming_a_private_incident_answers_a_non_member_as_for_an_unused_number(testbot, slack):
    """Item 16 across the board: nothing a non-member types by number tells a private incident from no incident."""
    open_two(testbot, slack)
    dm = slack.open_dm(BOB)
    commands = (
        "!incident show {}",
        "!incident timeline {}",
        "!incident invite {} <@" + BOB + ">",
        "!incident close {} done",
        "!incident retry {}",
        "!incident export {}",
        "!incident postmortem {}",
    )
    for command in commands:
        private = say(testbot, command.format(2), user=BOB, channel=dm)
        unused = say(testbot, command.format(99), user=BOB, channel=dm)
        assert private == unused.replace("99", "2"), command
        assert "Payroll" not in private and "private" not in private.lower(), command
    assert not store(testbot).participants.contains(2, BOB)
