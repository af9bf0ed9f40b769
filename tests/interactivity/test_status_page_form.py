"""The `/incident` Update modal publishes on the status page too: public text, component states, a title."""

from __future__ import annotations

import pytest
from slack_workspace import ALICE, BOB

from .test_buttons import answers, click


@pytest.fixture
def published(stack):
    stack.config["STATUS_COMPONENTS"] = [{"name": "api"}, {"name": "web"}]
    return stack


@pytest.fixture
def opened(published) -> tuple[str, str]:
    """Incident 1, opened by alice from the form; (its channel, its pinned summary's ts)."""
    stack = published
    stack.slash(ALICE, stack.emu.channel_by_name("ops").id)
    [view] = stack.emu.open_views(ALICE)
    stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow"}))
    stack.done()
    cid = stack.incidents.store.incidents.get(1).channel_id
    [summary_ts] = stack.emu.pins(cid)
    return cid, summary_ts


def form(stack, user, cid, ts):
    envelope_id = click(stack, user, cid, ts, "incident_update")
    return envelope_id, stack.emu.open_views(user)[-1]


def test_the_update_form_publishes_with_the_new_status(published, opened):
    stack, (cid, ts) = published, opened
    envelope_id, view = form(stack, ALICE, cid, ts)  # alice opened it: the commander
    ids = [b.get("block_id") for b in view["blocks"]]
    wanted = ["public", "components", "public_title"]
    assert [i for i in ids if i in wanted] == wanted
    values = {"status": "identified", "public": "We found the cause.", "components": ["api=partial_outage"],
              "public_title": "Slow API"}  # fmt: skip
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], values)) is None
    stack.done()
    entry = stack.incidents.store.status_page.get(1)
    assert (entry.title, entry.status, entry.components) == ("Slow API", "identified", {"api": "partial_outage"})
    assert answers(stack, envelope_id) == [
        "Incident 1 is now identified (was investigating). Published on the status page as “Slow API” (identified)."
    ]


def test_publish_only_bad_fields_and_someone_who_may_not(published, opened):
    stack, (cid, ts) = published, opened
    _, view = form(stack, ALICE, cid, ts)
    refused = stack.handle(stack.emu.submit_view(ALICE, view["id"], {"components": ["web=major_outage"]}))
    assert refused["errors"] == {
        "public": "Write the text the public reads (components and a title are published with it)."
    }
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], {"public": "Looking into it."})) is None
    stack.done()
    entry = stack.incidents.store.status_page.get(1)
    assert entry.title == "Service disruption" and [u.body for u in entry.updates] == ["Looking into it."]
    assert stack.incidents.store.response.get(1).status is None  # nothing else changed
    envelope_id, view = form(stack, BOB, cid, ts)
    assert stack.handle(stack.emu.submit_view(BOB, view["id"], {"public": "All good."})) is None
    stack.done()
    assert any("Only the commander" in a for a in answers(stack, envelope_id))
    assert len(stack.incidents.store.status_page.get(1).updates) == 1
