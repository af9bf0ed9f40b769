"""Tasks become Trello cards, and tasks and problems reach webhooks, through the outbox (Trello emulator)."""

from __future__ import annotations

from datetime import date

import pytest
from outbox_support import TRELLO_KEY, TRELLO_TOKEN, make_core, webhook_config
from slack_workspace import ADMIN, ALICE, BOB

from outside_emulators import TrelloEmulator
from redalert_core.domain.outbox import TRELLO, State
from redalert_core.domain.problems import ProblemStatus

ALICE_TRELLO = "a1" * 12


@pytest.fixture
def trello(request):
    reads = getattr(request, "param", "any")  # where the emulator takes parameters from (see TrelloEmulator)
    with TrelloEmulator(api_key=TRELLO_KEY, token=TRELLO_TOKEN, reads=reads) as emulator:
        emulator.todo = emulator.add_list(name="To do")
        emulator.done = emulator.add_list(name="Done")
        emulator.add_member(ALICE_TRELLO, username="alice")
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, trello, hooks):
    config = {
        "TRELLO_LIST_ID": trello.todo,
        "TRELLO_DONE_LIST_ID": trello.done,
        "TRELLO_MEMBERS": {ALICE: ALICE_TRELLO},
        "WEBHOOKS": [webhook_config(hooks, ["task.created", "task.done", "problem.updated"])],
    }
    core = make_core(emulator, tmp_path, trello=trello, config=config)
    hooks.clock = lambda: core.clock.now.timestamp()
    return core


def add_task(core, **fields):
    return core.store.tasks.add(created_by=ADMIN, at=core.clock(), **fields)


# A server that reads only the query string (as the reference declares the parameters) or only a JSON body gets the
# same card: the client sends both.
@pytest.mark.parametrize("trello", ["any", "query", "json"], indirect=True)
def test_a_task_card_follows_the_task(core, trello, hooks, emulator):
    incident = core.open()
    task = add_task(core, text="Add a retry budget", incident_number=incident.number, owner=ALICE, due=date(2030, 2, 1))
    core.deliver()
    [card] = trello.cards.values()
    assert card.name == f"[INC-{incident.number}] Add a retry budget"
    assert card.idList == trello.todo and card.idMembers == [ALICE_TRELLO] and card.due.startswith("2030-02-01")
    assert f"Incident {incident.number} (sev1): Checkout is down" in card.desc and incident.channel_id in card.desc
    link = core.store.remote.get(f"trello:task:{task.number}")
    assert link["card_id"] == card.id
    posted = [m["text"] for m in emulator.messages(incident.channel_id) if "Trello card" in m["text"]]
    assert posted == [f"Trello card for task T{task.number}: {card.shortUrl}"]
    core.store.tasks.assign(task.number, BOB, actor=ADMIN, at=core.clock())  # Bob has no Trello member
    core.store.tasks.set_due(task.number, date(2030, 3, 1), actor=ADMIN, at=core.clock())
    core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
    core.deliver()
    card = trello.card(card.id)
    assert card.idMembers == [] and card.due.startswith("2030-03-01")
    assert card.dueComplete and card.idList == trello.done
    core.store.tasks.reopen(task.number, actor=ADMIN, at=core.clock())
    core.deliver()
    card = trello.card(card.id)
    assert not card.dueComplete and card.idList == trello.todo
    assert len(trello.cards) == 1 and all(r.state is State.DELIVERED for r in core.rows(TRELLO))
    assert [d.type for d in hooks.unique] == ["task.created", "task.done"]
    assert hooks.unique[0].json()["data"]["text"] == "Add a retry budget"


def test_a_card_created_just_before_a_crash_is_found_not_duplicated(core, trello):
    incident = core.open()
    add_task(core, text="Another task", incident_number=incident.number)
    core.deliver()  # that task's card sits in the same list
    task = add_task(core, text="Rotate the keys", incident_number=incident.number)
    [row] = [r for r in core.rows(TRELLO) if r.payload["task"] == task.number]
    core.integrations.deliverers.deliver(row)  # created, then the process dies before remembering the card
    core.deliver()
    [card] = trello.cards_named(f"[INC-{incident.number}] Rotate the keys")
    assert len(trello.cards) == 2
    assert core.store.remote.get(f"trello:task:{task.number}")["card_id"] == card.id
    assert all(r.state is State.DELIVERED for r in core.rows(TRELLO))


def test_problem_tasks_and_problem_changes(core, trello, hooks):
    incident = core.open()
    problem = core.store.problems.create(
        title="Retry storms", opened_by=ADMIN, at=core.clock(), incidents=[incident.number]
    )
    add_task(core, text="Cap retries", problem_number=problem.number)
    core.store.problems.set_status(problem.number, ProblemStatus.KNOWN_ERROR, note=None, actor=ADMIN, at=core.clock())
    core.deliver()
    [card] = trello.cards.values()
    assert card.name == f"[P{problem.number}] Cap retries" and "Problem P1: Retry storms" in card.desc
    assert [d.type for d in hooks.unique].count("task.created") == 1
    updates = [d.json()["data"] for d in hooks.unique if d.type == "problem.updated"]
    assert [u["change"]["what"] for u in updates] == ["problem_opened", "incident_added", "status_changed"]
    assert updates[-1]["status"] == "known-error" and updates[-1]["incidents"] == [incident.number]


def test_a_ten_minute_outage_during_five_incidents_creates_each_card_once_and_in_order(core, trello):
    trello.outage(True, mode="refuse")
    tasks = []
    for i in range(5):
        incident = core.open(description=f"Outage {i}")
        task = add_task(core, text=f"Write runbook {i}", incident_number=incident.number)
        tasks.append(task)
        core.deliver()
        core.clock.advance(60)
        core.store.tasks.assign(task.number, ALICE, actor=ADMIN, at=core.clock())
        core.store.tasks.done(task.number, actor=ADMIN, note=None, at=core.clock())
        core.deliver()
        core.clock.advance(60)
    assert trello.cards == {}
    trello.outage(False)
    core.deliver_until_quiet()
    assert len(trello.cards) == 5
    for i, task in enumerate(tasks):
        [card] = trello.cards_named(f"[INC-{task.incident_number}] Write runbook {i}")
        assert card.dueComplete and card.idList == trello.done and card.idMembers == [ALICE_TRELLO]
        assert "name" in card.history[0]  # the create came first, then the two updates, each once
        assert card.history[1:] == [{"idMembers": ALICE_TRELLO}, {"dueComplete": True, "idList": trello.done}]
    [create, *_] = [r for r in core.rows(TRELLO) if r.payload["action"] == "create"]
    core.integrations.deliverers.deliver(create)  # a redelivery after a crash
    assert len(trello.cards) == 5


def test_a_wrong_token_is_dead_with_a_reason_free_of_secrets(core, trello):
    trello.token = "ATTA" + "9" * 60
    incident = core.open()
    add_task(core, text="Check alerts", incident_number=incident.number)
    core.deliver()
    [row] = core.rows(TRELLO)
    assert row.state is State.DEAD and row.error_reason == "HTTP 401 (Unauthorized)"
    assert row.error_detail == "invalid token"
