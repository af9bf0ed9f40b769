"""The command inbox (migration 0013): receipt is the claim, applied rides on the command's first
change, and only what dead processes left unanswered is handed over, to one taker."""

from __future__ import annotations

import threading
from datetime import timedelta

from store.conftest import T0

from redalert_core.store.command_inbox import APPLIED, DONE, RECEIVED

EVENT = {"type": "message", "channel": "C1", "user": "U1", "text": "!incident list", "ts": "1.000"}


def receive(store, key: str = "C1:1.000", instance: str = "i1") -> bool:
    return store.commands.receive(key, event=EVENT, command="incident_list", instance=instance, at=T0)


def test_one_of_many_deliveries_is_received(store):
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(receive(store))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.commands.state("C1:1.000") == RECEIVED


def test_the_first_change_of_a_command_marks_it_applied_in_its_transaction(store, new_incident):
    receive(store)
    with store.db.command_scope("C1:1.000"):
        try:
            with store.transaction():
                new_incident()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert store.commands.state("C1:1.000") == RECEIVED  # rolled back with the change
        new_incident()
        assert store.commands.state("C1:1.000") == APPLIED
        new_incident()  # a later change of the same command changes nothing more
        assert store.commands.state("C1:1.000") == APPLIED
    store.commands.finish("C1:1.000", at=T0)
    assert store.commands.state("C1:1.000") == DONE


def test_only_the_dead_processes_unfinished_commands_are_handed_over_once(store):
    receive(store, "C1:1.000", "dead")
    receive(store, "C1:2.000", "alive")
    receive(store, "C1:3.000", "dead")
    store.commands.finish("C1:3.000", at=T0)
    [orphan] = store.commands.unfinished({"alive"})
    assert (orphan.key, orphan.event, orphan.command) == ("C1:1.000", EVENT, "incident_list")
    assert store.commands.take_over(orphan, instance="alive") is True
    assert store.commands.take_over(orphan, instance="other") is False  # a second leader does not get it
    assert store.commands.unfinished({"alive"}) == []


def test_purge_forgets_answered_commands_only(store):
    receive(store, "C1:1.000")
    receive(store, "C1:2.000")
    store.commands.finish("C1:1.000", at=T0)
    assert store.commands.purge(T0 + timedelta(seconds=1)) == 1
    assert store.commands.state("C1:2.000") == RECEIVED
