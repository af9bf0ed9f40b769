"""The summary's buttons: Join, Update (a modal), Resolve, Close (confirmed); permissions, double clicks, repeats."""

from __future__ import annotations

import dataclasses

import pytest
from slack_workspace import ADMIN, ALICE, BOB

from redalert_core.domain.incident import Phase

from .conftest import DAVE, ERIN, Stack


@pytest.fixture
def incident(stack: Stack) -> tuple[str, str]:
    """Incident 1, opened by alice from the form with bob; (its channel, its pinned summary's ts)."""
    channel = stack.emu.channel_by_name("ops").id
    stack.slash(ALICE, channel)
    [view] = stack.emu.open_views(ALICE)
    stack.handle(
        stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow", "people": [BOB]})
    )
    stack.done()
    cid = stack.incidents.store.incidents.get(1).channel_id
    [summary_ts] = stack.emu.pins(cid)
    stack.emu.clear_calls()
    return cid, summary_ts


def summary(stack: Stack, cid: str, ts: str) -> dict:
    return next(m for m in stack.emu.messages(cid) if m["ts"] == ts)


def buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def click(stack: Stack, user: str, cid: str, ts: str, action: str) -> str:
    envelope_id = stack.emu.click_button(user, cid, ts, action)
    assert stack.handle(envelope_id) is None  # a click's ack is always empty
    return envelope_id


def answers(stack: Stack, envelope_id: str) -> list[str]:
    return [post["body"]["text"] for post in stack.emu.responses_for(envelope_id)]


def test_the_summary_has_its_buttons(stack, incident):
    cid, ts = incident
    pinned = summary(stack, cid, ts)
    assert buttons(pinned) == ["incident_join", "incident_update", "incident_resolve", "incident_close"]
    [actions] = [b for b in pinned["blocks"] if b["type"] == "actions"]
    close = actions["elements"][-1]
    assert (close["value"], close["style"], close["confirm"]["confirm"]["text"]) == ("1", "danger", "Close incident")


def test_join_invites_the_clicker_and_updates_the_summary(stack, incident):
    cid, ts = incident
    envelope_id = click(stack, DAVE, cid, ts, "incident_join")
    stack.done()
    assert DAVE in stack.emu.channel(cid).members
    assert answers(stack, envelope_id) == [f"You joined incident 1: <#{cid}>."]
    assert f"<@{DAVE}>" in repr(summary(stack, cid, ts)["blocks"])
    assert stack.incidents.store.participants.contains(1, DAVE)


def test_a_double_click_or_a_redelivery_does_one_thing(stack, incident):
    cid, ts = incident
    first = click(stack, DAVE, cid, ts, "incident_join")
    second = click(stack, DAVE, cid, ts, "incident_join")  # the same message, as shown before the first took effect
    assert stack.handle(first) is None  # the first envelope delivered again
    stack.done()
    assert len(stack.emu.calls_to("conversations.invite")) == 1
    assert answers(stack, first) == [f"You joined incident 1: <#{cid}>."] and answers(stack, second) == []
    # a minute later the same click is a new request again
    stack.clock.advance(61)
    later = stack.emu.click_button(DAVE, cid, ts, "incident_join")
    stack.handle(later)
    stack.done()
    assert answers(stack, later) == [f"You are already in incident 1: <#{cid}>."]


def test_resolve_sets_the_status_and_the_summary_keeps_its_other_buttons(stack, incident):
    cid, ts = incident
    envelope_id = click(stack, BOB, cid, ts, "incident_resolve")
    stack.done()
    assert stack.incidents.store.response.get(1).status == "resolved"
    [text] = answers(stack, envelope_id)
    assert text.startswith("Incident 1 is now resolved (was investigating).")
    assert any(
        m["text"].startswith("Incident 1 is now *resolved* (was investigating), set by <@U0BOB>")
        for m in stack.emu.messages(cid)
    )
    pinned = summary(stack, cid, ts)
    assert "*Status*\\nresolved" in repr(pinned["blocks"])
    assert buttons(pinned) == ["incident_join", "incident_update", "incident_close"]


def test_close_by_someone_not_allowed_is_refused_privately_and_changes_nothing(stack, incident):
    cid, ts = incident
    for _ in range(2):  # refused again on a second try: a refusal is not remembered as done
        envelope_id = click(stack, ERIN, cid, ts, "incident_close")
        stack.done()
        assert answers(stack, envelope_id) == ["Only members of its channel and admins may close incident 1."]
    assert not stack.emu.channel(cid).is_archived
    assert not stack.incidents.store.incidents.get(1).is_closed
    assert buttons(summary(stack, cid, ts))  # still open, still with buttons


def test_close_after_confirmation_archives_and_the_summary_loses_its_buttons(stack, incident):
    cid, ts = incident
    envelope_id = click(stack, ADMIN, cid, ts, "incident_close")  # an admin, not in the channel
    stack.done()
    incident = stack.incidents.store.incidents.get(1)
    assert incident.is_closed and incident.closed_by == ADMIN
    assert stack.emu.channel(cid).is_archived
    assert any(m["text"].startswith(f"Incident 1 closed by <@{ADMIN}> after") for m in stack.emu.messages(cid))
    pinned = summary(stack, cid, ts)
    assert buttons(pinned) == [] and "is closed" in pinned["text"]
    [text] = answers(stack, envelope_id)
    assert text.startswith("Incident 1 closed after") and text.endswith("its channel is archived.")


def test_update_opens_a_form_and_its_submission_sets_the_status_and_posts(stack, incident):
    cid, ts = incident
    envelope_id = click(stack, BOB, cid, ts, "incident_update")
    [view] = stack.emu.open_views(BOB)
    assert view["title"]["text"] == "Update incident 1"
    status = next(b for b in view["blocks"] if b.get("block_id") == "status")["element"]
    assert status["initial_option"]["value"] == "investigating"
    assert stack.handle(stack.emu.submit_view(BOB, view["id"], {"text": "  "})) == {
        "response_action": "errors",
        "errors": {"text": "Write an update or pick a new status."},
    }
    values = {"status": "identified", "text": "Rolling back the deploy"}
    assert stack.handle(stack.emu.submit_view(BOB, view["id"], values)) is None
    stack.done()
    assert stack.incidents.store.response.get(1).status == "identified"
    assert any("Rolling back the deploy" in m["text"] for m in stack.emu.messages(cid))
    assert answers(stack, envelope_id) == [
        f"Incident 1 is now identified (was investigating). Update posted in <#{cid}>."
    ]
    stack.summary_time.advance(10)  # coalesced: the summary's last state lands at SUMMARY_UPDATE_SECONDS
    pinned = summary(stack, cid, ts)
    assert "Rolling back the deploy" in repr(pinned["blocks"]) and "incident_update" in buttons(pinned)


def test_update_double_click_opens_one_form_and_cancelling_frees_the_button(stack, incident):
    cid, ts = incident
    click(stack, BOB, cid, ts, "incident_update")
    click(stack, BOB, cid, ts, "incident_update")
    [view] = stack.emu.open_views(BOB)
    closed = stack.emu.close_view(BOB, view["id"])  # notify_on_close: the app hears about the cancel
    assert closed is not None and stack.handle(closed) is None
    click(stack, BOB, cid, ts, "incident_update")
    assert len(stack.emu.open_views(BOB)) == 1


def test_update_with_an_expired_trigger_tells_the_person_and_can_be_clicked_again(stack, incident):
    cid, ts = incident
    envelope_id = stack.emu.click_button(BOB, cid, ts, "incident_update")
    stack.emu.advance_clock(4)
    assert stack.handle(envelope_id) is None
    stack.done()
    assert stack.emu.open_views(BOB) == []
    assert answers(stack, envelope_id) == [
        "I could not open the update form: Slack took too long to pass on the request; try again. "
        "Click Update again, or type `!incident update <text>` in the channel."
    ]
    click(stack, BOB, cid, ts, "incident_update")
    assert len(stack.emu.open_views(BOB)) == 1


def test_a_click_on_a_closed_incident_is_refused(stack, incident):
    cid, ts = incident
    old = stack.emu.click_button(BOB, cid, ts, "incident_resolve")  # clicked before the close reached the client
    stack.incidents.close(number=1, channel_id=None, here=cid, actor=ALICE, resolution=None)
    stack.handle(old)
    stack.done()
    assert answers(stack, old) == ["Incident 1 is closed; its channel is archived."]


def test_once_the_closing_summary_is_out_no_late_refresh_puts_buttons_back(stack, incident):
    cid, ts = incident
    closing = stack.incidents.store.incidents.get(1)
    closing = dataclasses.replace(closing, phase=Phase.CLOSED, closed_at=closing.opened_at, closed_by=ALICE)
    assert stack.response.refresh_summary(1, closing) == []
    stack.emu.clear_calls()
    assert stack.response.refresh_summary(1) == []  # e.g. a click's refresh that was still queued
    assert stack.emu.calls_to("chat.update") == []
    assert buttons(summary(stack, cid, ts)) == []
