"""Trello, both ways (issue 21): the board's webhook registered once, Trello's signed changes applied to tasks once,
and RedAlert's own changes coming back through the webhook change nothing (Trello emulator, a real HTTP callback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from outbox_support import TRELLO_KEY, TRELLO_TOKEN, make_core
from slack_workspace import ADMIN, ALICE, BOB
from werkzeug.serving import make_server

from outside_emulators import TrelloEmulator
from outside_emulators.trello_webhooks import card_actions, trello_signature
from redalert_core.domain.outbox import TRELLO, State
from redalert_core.domain.requester import Requester
from redalert_core.frontends.api import ApiRoutes

ALICE_TRELLO, CAROL_TRELLO = "a1" * 12, "c3" * 12
HOOK = "/redalert/api/v1/hooks/trello"


@pytest.fixture
def trello() -> Iterator[TrelloEmulator]:
    with TrelloEmulator(api_key=TRELLO_KEY, token=TRELLO_TOKEN) as emulator:
        board = "b0" * 12
        emulator.todo = emulator.add_list(name="To do", board_id=board)
        emulator.done = emulator.add_list(name="Done", board_id=board)
        emulator.board = board
        emulator.add_member(ALICE_TRELLO, username="alice", full_name="Alice Smith")
        emulator.add_member(CAROL_TRELLO, username="carol", full_name="Carol Jones")
        yield emulator


class Callback:
    """RedAlert's API routes on a real port, so the emulator's HEAD check and webhooks reach them."""

    def __init__(self) -> None:
        self.app = None
        self.up = True  # False: the web port answers 503, as while the bot is still starting
        flask_app = Flask("redalert-trello-hooks")
        flask_app.before_request(lambda: None if self.up else ("starting", 503))
        ApiRoutes(lambda: self.app).register(flask_app)
        self.server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def callback(monkeypatch, trello) -> Iterator[Callback]:
    served = Callback()
    monkeypatch.setenv("REDALERT_WEB_URL", served.url + "/")
    monkeypatch.setenv("TRELLO_APP_SECRET", trello.app_secret)
    yield served
    served.close()


def start(emulator, tmp_path, trello, callback):
    """The bot's start: the webhook's check goes through the outbox, delivered here."""
    config = {
        "TRELLO_LIST_ID": trello.todo,
        "TRELLO_DONE_LIST_ID": trello.done,
        "TRELLO_MEMBERS": {ALICE: ALICE_TRELLO},
    }
    core = make_core(emulator, tmp_path, trello=trello, config=config)
    callback.app = core.app
    assert core.app.register_trello_webhook()
    core.deliver()
    return core


@pytest.fixture
def core(emulator, tmp_path, trello, callback):
    return start(emulator, tmp_path, trello, callback)


def task_with_card(core, trello, **fields):
    incident = core.open()
    task = core.store.tasks.add(
        created_by=ADMIN, at=core.clock(), incident_number=incident.number, text="Add a retry budget", **fields
    )
    core.deliver()
    card = trello.wait_for_card(lambda c: c.name.endswith("Add a retry budget"))
    return incident, task, card


def trello_notes(emulator, incident) -> list[str]:
    return [m["text"] for m in emulator.messages(incident.channel_id) if "in Trello" in m["text"]]


def task_events(core, incident) -> list[str]:
    return [str(e.kind) for e in core.store.events.list(incident.number) if str(e.kind).startswith("task")]


def test_the_webhook_is_registered_once_even_after_a_restart(core, trello, callback, emulator, tmp_path):
    [hook] = trello.webhooks.values()
    assert hook["callbackURL"] == callback.url + HOOK and hook["idModel"] == trello.board
    remembered = core.store.remote.get("trello:webhook")
    assert remembered["id"] == hook["id"] and remembered["member_id"] == trello.me["id"]
    core.app.store.dispose()
    again = start(emulator, tmp_path, trello, callback)  # a restart: checked again, not made twice
    assert len(trello.webhooks) == 1
    assert all(r.state is State.DELIVERED for r in again.rows(TRELLO))
    trello.webhooks.clear()  # deleted in Trello (or dropped by Trello after failing): the next start makes it again
    again.app.register_trello_webhook()
    again.clock.advance(1)
    again.deliver()
    assert len(trello.webhooks) == 1


def test_a_callback_not_up_yet_is_retried_not_dead(emulator, tmp_path, trello, callback):
    callback.up = False
    config = {"TRELLO_LIST_ID": trello.todo}
    core = make_core(emulator, tmp_path, trello=trello, config=config)
    core.app.register_trello_webhook()
    core.deliver()
    [row] = core.rows(TRELLO)
    assert row.state is State.RETRYING and trello.webhooks == {}
    callback.up, callback.app = True, core.app
    core.deliver_until_quiet()
    assert len(trello.webhooks) == 1


def test_no_webhook_without_the_secret_or_the_web_url(emulator, tmp_path, trello, monkeypatch):
    monkeypatch.delenv("TRELLO_APP_SECRET", raising=False)
    monkeypatch.setenv("REDALERT_WEB_URL", "https://redalert.example.com")
    core = make_core(emulator, tmp_path, trello=trello, config={"TRELLO_LIST_ID": trello.todo})
    assert not core.app.register_trello_webhook() and core.rows(TRELLO) == []


def test_trellos_head_check_is_answered(callback, core):
    assert httpx.head(callback.url + HOOK).status_code == 200


def test_done_in_trello_is_done_in_redalert_with_one_message(core, trello, emulator):
    incident, task, card = task_with_card(core, trello)
    assert trello.act(card.id, by=CAROL_TRELLO, idList=trello.done) == [200]
    done = core.store.tasks.get(task.number)
    assert not done.is_open and done.done_by == "api:trello"
    core.deliver()  # the notice, and the card marked complete by RedAlert, whose webhook comes back
    trello.wait_for_deliveries(2)
    assert [d.status for d in trello.deliveries] == [200, 200]
    core.deliver()
    assert trello_notes(emulator, incident) == [f"T{task.number} done in Trello by Carol Jones: Add a retry budget"]
    assert task_events(core, incident) == ["task_created", "task_done"]
    assert trello.card(card.id).dueComplete


def test_unmarked_in_trello_reopens_and_marked_complete_closes(core, trello, emulator):
    incident, task, card = task_with_card(core, trello)
    trello.act(card.id, by=ALICE_TRELLO, dueComplete=True)
    assert core.store.tasks.get(task.number).done_by == ALICE  # mapped back to the Slack user
    core.deliver()
    trello.wait_for_deliveries(2)  # RedAlert moved it to the done list: its own change, ignored
    trello.act(card.id, by=ALICE_TRELLO, dueComplete=False)
    assert core.store.tasks.get(task.number).is_open
    core.deliver()
    trello.wait_for_deliveries(4)
    core.deliver()
    card = trello.card(card.id)
    assert card.idList == trello.todo and not card.dueComplete
    assert task_events(core, incident) == ["task_created", "task_done", "task_reopened"]
    assert trello_notes(emulator, incident) == [
        f"T{task.number} done in Trello by Alice Smith: Add a retry budget",
        f"T{task.number} reopened in Trello by Alice Smith: Add a retry budget",
    ]


def test_a_mapped_member_becomes_the_owner_an_unmapped_one_changes_nothing(core, trello, emulator):
    incident, task, card = task_with_card(core, trello, owner=BOB)
    trello.act(card.id, by=CAROL_TRELLO, idMembers=[CAROL_TRELLO])
    assert core.store.tasks.get(task.number).owner == BOB
    trello.act(card.id, by=CAROL_TRELLO, idMembers=[CAROL_TRELLO, ALICE_TRELLO])
    assert core.store.tasks.get(task.number).owner == ALICE
    core.deliver()
    assert trello.card(card.id).idMembers == [ALICE_TRELLO]  # RedAlert's update: Carol's removal comes back, ignored
    trello.wait_for_deliveries(3)
    core.deliver()
    assert task_events(core, incident) == ["task_created", "task_assigned"]
    assert trello_notes(emulator, incident) == [
        f"T{task.number} is now owned by <@{ALICE}> (in Trello, by Carol Jones)"
    ]


def test_done_in_slack_moves_the_card_and_its_webhook_changes_nothing(core, trello, emulator):
    incident, task, card = task_with_card(core, trello)
    core.app.finish_task(Requester(ADMIN, is_admin=True), task.number, None)
    core.deliver()
    card = trello.card(card.id)
    assert card.dueComplete and card.idList == trello.done
    deliveries = trello.wait_for_deliveries(2)  # dueComplete and the move, both by RedAlert's member
    assert [d.status for d in deliveries] == [200, 200]
    assert all(d.action["idMemberCreator"] == trello.me["id"] for d in deliveries)
    core.deliver()
    assert task_events(core, incident) == ["task_created", "task_done"]
    assert trello_notes(emulator, incident) == [] and core.waiting() == []


def test_a_state_redalert_holds_changes_nothing_even_from_a_person(core, trello, emulator):
    incident, task, card = task_with_card(core, trello)
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    before = card.to_json()
    after = {**before, "dueComplete": True}
    [action] = card_actions(before, after, trello.member(CAROL_TRELLO), trello.lists)
    assert trello.send_action(action) == [200]
    assert task_events(core, incident) == ["task_created", "task_done"]


def test_forged_and_replayed_webhooks(core, trello, emulator, callback):
    incident, task, card = task_with_card(core, trello)
    before = card.to_json()
    [done] = card_actions(before, {**before, "dueComplete": True}, trello.member(CAROL_TRELLO), trello.lists)
    assert trello.send_action(done, signature="") == [401]
    assert trello.send_action(done, signature="c2lnbmVk") == [401]
    [hook] = trello.webhooks.values()
    elsewhere = {**hook, "callbackURL": "https://elsewhere.example.com/hook"}  # signed for another address

    body = json.dumps({"action": done, "model": {"id": hook["idModel"]}, "webhook": hook}).encode()
    assert (
        trello.post_action(
            hook, done, signature=trello_signature(body, elsewhere["callbackURL"], trello.app_secret), body=body
        )
        == 401
    )
    assert trello.post_action(hook, done, body=body + b" ") == 200  # signed over what was sent: fine
    assert not core.store.tasks.get(task.number).is_open
    trello.act(card.id, by=CAROL_TRELLO, dueComplete=True)  # a state RedAlert holds: nothing
    trello.act(card.id, by=CAROL_TRELLO, dueComplete=False)
    assert core.store.tasks.get(task.number).is_open
    assert trello.send_action(done) == [200]  # the first "done" again: applied once already
    assert core.store.tasks.get(task.number).is_open
    assert task_events(core, incident) == ["task_created", "task_done", "task_reopened"]
    core.deliver()
    assert len(trello_notes(emulator, incident)) == 2
