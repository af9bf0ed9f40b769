"""The gateway's interactivity calls against the emulator: views.open/update/push, chat.postEphemeral, response_url."""

from __future__ import annotations

import pytest
from slack_workspace import ALICE, BOB

from redalert_core.domain.requester import Requester
from redalert_core.slack import modals
from redalert_core.slack.gateway import SlackError

from .conftest import Stack


def trigger_and_url(stack: Stack, user: str = ALICE) -> tuple[str, str]:
    payload = stack.payload(stack.emu.send_slash_command(user, stack.emu.channel_by_name("ops").id, "/incident", ""))
    return payload["trigger_id"], payload["response_url"]


def test_views_open_once_per_trigger(stack):
    gateway = stack.incidents.gateway
    trigger, _ = trigger_and_url(stack)
    opened = gateway.open_view(trigger, modals.open_incident(stack.settings, "{}"))
    with pytest.raises(SlackError) as used:
        gateway.open_view(trigger, modals.open_incident(stack.settings, "{}"))
    assert used.value.code == "exchanged_trigger_id"
    assert [v["id"] for v in stack.emu.open_views(ALICE)] == [opened["id"]]


def test_an_expired_trigger_is_tried_once(stack):
    trigger, _ = trigger_and_url(stack)
    stack.emu.advance_clock(3.5)
    with pytest.raises(SlackError) as expired:
        stack.incidents.gateway.open_view(trigger, modals.open_incident(stack.settings, "{}"))
    assert expired.value.code == "expired_trigger_id"
    assert len(stack.emu.calls_to("views.open")) == 1


def test_ephemeral_messages_and_response_urls(stack):
    gateway = stack.incidents.gateway
    ops = stack.emu.channel_by_name("ops").id
    gateway.post_ephemeral(ops, ALICE, "only for alice")
    assert [m["text"] for m in stack.emu.ephemerals_for(ALICE, ops)] == ["only for alice"]
    _, url = trigger_and_url(stack, BOB)
    gateway.respond(url, {"response_type": "ephemeral", "text": "answer"})
    assert stack.emu.ephemerals_for(BOB, ops)[-1]["text"] == "answer"
    for _ in range(4):
        gateway.respond(url, {"text": "again"})
    with pytest.raises(SlackError) as used:  # Slack allows five uses of one response_url
        gateway.respond(url, {"text": "a sixth time"})
    assert used.value.code == "used_url"
    _, old = trigger_and_url(stack, BOB)
    stack.emu.advance_clock(31 * 60)
    with pytest.raises(SlackError) as expired:
        gateway.respond(old, {"text": "too late"})
    assert expired.value.code == "expired_url" and "30 minutes" in expired.value.describe()


def test_the_answer_falls_back_to_an_ephemeral_message_then_a_dm(stack):
    ops = stack.emu.channel_by_name("ops").id
    _, url = trigger_and_url(stack)
    stack.emu.advance_clock(31 * 60)  # the response_url expired: chat.postEphemeral instead
    assert stack.interactions.tell(Requester(ALICE, member_of=ops, reply_url=url), "via ephemeral")
    assert stack.emu.ephemerals_for(ALICE, ops)[-1]["text"] == "via ephemeral"
    quiet = stack.emu.add_channel("quiet", members=[ALICE])
    assert stack.interactions.tell(Requester(ALICE, member_of=quiet), "via DM")
    dm = stack.emu.open_dm(ALICE)
    assert stack.emu.messages(dm)[-1]["text"] == "via DM"
