"""The second door through the real `errbot -c config.py` process, RedAlertSlack backend and Socket Mode.

/incident → the modal → submit with two people and a group → the channel with them → Join by a third person →
Update (modal) → Resolve → Close with its confirmation; every envelope acked once, in time, with the right payload.
"""

from __future__ import annotations

import pytest
from chat import channel_id
from slack_workspace import ADMIN, ALICE, BOB, CAROL

pytestmark = pytest.mark.e2e

DAVE = "U0DAVE"


def pinned_summary(slack, cid: str) -> dict:
    slack.wait_for(lambda: len(slack.pins(cid)) == 1)  # the pin runs alongside the reply
    [ts] = slack.pins(cid)
    return next(m for m in slack.messages(cid) if m["ts"] == ts)


def buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]}


def test_incident_from_the_form_to_the_close_button(bot, slack):
    slack.add_user(DAVE, "dave", real_name="Dave")
    ops = channel_id(slack, "ops")

    # /incident: the modal opens, the command is acked empty
    envelope = slack.send_slash_command(ALICE, ops, "/incident", "")
    assert slack.wait_for_ack(envelope, timeout=10) == {}
    slack.wait_for(lambda: slack.open_views(ALICE) != [])
    [view] = slack.open_views(ALICE)
    assert view["title"]["text"] == "Open an incident"

    # a submission with an empty description comes back with the error in the form
    bad = slack.submit_view(ALICE, view["id"], {"severity": "sev2", "description": " "})
    assert slack.wait_for_ack(bad, timeout=10) == {
        "response_action": "errors",
        "errors": {"description": "Say what is happening."},
    }
    assert slack.view_errors(view["id"]) == {"description": "Say what is happening."}

    # submitted with two people and a group: the channel has them all, alice is told privately in #ops
    values = {"severity": "sev2", "description": "Checkout errors", "people": [ADMIN, DAVE], "groups": "@sre"}
    submitted = slack.submit_view(ALICE, view["id"], values)
    assert slack.wait_for_ack(submitted, timeout=10) == {}
    assert slack.open_views(ALICE) == []
    slack.wait_for(lambda: len(slack.responses_for(envelope)) == 1, timeout=15)
    [answer] = slack.responses_for(envelope)
    assert answer["applied"] == "ephemeral" and answer["body"]["text"].startswith("Incident 1 (SEV2 - Major) is open")
    cid = answer["body"]["text"].split("<#")[1].split(">")[0]
    assert {ALICE, ADMIN, DAVE, BOB, CAROL} <= set(slack.channel(cid).members)
    slack.wait_for(lambda: len(slack.pins(cid)) == 1)
    summary = pinned_summary(slack, cid)
    assert list(buttons(summary)) == ["incident_join", "incident_update", "incident_resolve", "incident_close"]

    # Join by a third person
    erin = "U0ERIN"
    slack.add_user(erin, "erin", real_name="Erin")
    join = slack.click_button(erin, cid, summary["ts"], "incident_join")
    assert slack.wait_for_ack(join, timeout=10) == {}
    slack.wait_for(lambda: erin in slack.channel(cid).members)
    slack.wait_for(lambda: f"<@{erin}>" in repr(pinned_summary(slack, cid)["blocks"]))

    # Update: the modal, then a new status and a text
    update = slack.click_button(BOB, cid, summary["ts"], "incident_update")
    assert slack.wait_for_ack(update, timeout=10) == {}
    slack.wait_for(lambda: slack.open_views(BOB) != [])
    [form] = slack.open_views(BOB)
    posted = slack.submit_view(BOB, form["id"], {"status": "identified", "text": "Rolling back the deploy"})
    assert slack.wait_for_ack(posted, timeout=10) == {}
    slack.wait_for_message(cid, lambda m: "Rolling back the deploy" in m["text"], timeout=15)
    slack.wait_for(lambda: "*Status*\\nidentified" in repr(pinned_summary(slack, cid)["blocks"]))

    # Resolve
    summary = pinned_summary(slack, cid)
    resolve = slack.click_button(BOB, cid, summary["ts"], "incident_resolve")
    assert slack.wait_for_ack(resolve, timeout=10) == {}
    slack.wait_for(lambda: "incident_resolve" not in buttons(pinned_summary(slack, cid)), timeout=15)
    assert "*Status*\\nresolved" in repr(pinned_summary(slack, cid)["blocks"])

    # Close: Slack asks for confirmation first (the button carries the dialog), then the click arrives
    summary = pinned_summary(slack, cid)
    close_button = buttons(summary)["incident_close"]
    assert close_button["confirm"]["title"]["text"] == "Close incident 1?"
    close = slack.click_button(ALICE, cid, summary["ts"], "incident_close")
    assert slack.wait_for_ack(close, timeout=10) == {}
    slack.wait_for(lambda: slack.channel(cid).is_archived, timeout=15)
    assert buttons(pinned_summary(slack, cid)) == {}
    assert any(m["text"].startswith("Incident 1 closed by <@U0ALICE>") for m in slack.messages(cid))

    assert slack.late_acks() == []


def test_slash_command_text_is_answered_in_the_ack(bot, slack):
    ops = channel_id(slack, "ops")
    envelope = slack.send_slash_command(BOB, ops, "/incident", "list all")
    ack = slack.wait_for_ack(envelope, timeout=10)
    assert ack["response_type"] == "ephemeral" and ack["text"].startswith(("1 incident", "No incidents", "2 incidents"))
    assert slack.ephemerals_for(BOB, ops)[-1]["text"] == ack["text"]
    assert envelope not in slack.late_acks()


def test_a_slow_slash_command_is_acked_at_once_and_answered_through_its_response_url(bot, slack):
    ops = channel_id(slack, "ops")
    # Every Slack call now takes 1.5 s: opening (the create, then a wave of topic, invites and summary) needs at
    # least 3 s, over the 2 s the bot gives itself before acking. A lower bound: no machine is too fast for it.
    slack.latency = 1.5
    try:
        envelope = slack.send_slash_command(CAROL, ops, "/incident", "open sev3 Search is slow")
        ack = slack.wait_for_ack(envelope, timeout=10)
        assert ack == {
            "response_type": "ephemeral",
            "text": ":hourglass_flowing_sand: Working on it; the answer follows here.",
        }
        slack.wait_for(lambda: slack.responses_for(envelope) != [], timeout=30)
    finally:
        slack.latency = 0.0
    [answer] = slack.responses_for(envelope)
    assert answer["applied"] == "ephemeral"
    assert "(SEV3 - Minor) is open in <#" in answer["body"]["text"]
    assert envelope not in slack.late_acks()
