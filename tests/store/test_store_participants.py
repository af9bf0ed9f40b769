"""Participants: each person once per incident, whoever adds them first."""

from __future__ import annotations

import threading


def test_add_returns_only_new_people(store, new_incident) -> None:
    number = new_incident().number
    assert store.participants.add(number, ["U_OPENER"], source="opener") == ["U_OPENER"]
    assert store.participants.add(number, ["U_B", "U_OPENER", "U_A", "U_B"], source="mention") == [
        "U_B",
        "U_A",
    ]
    assert store.participants.add(number, [], source="always") == []
    assert set(store.participants.list(number)) == {"U_OPENER", "U_A", "U_B"}
    assert store.participants.list(number)[0] == "U_OPENER"


def test_participants_are_per_incident(store, new_incident) -> None:
    first, second = new_incident().number, new_incident().number
    store.participants.add(first, ["U_A"], source="invite")
    assert store.participants.add(second, ["U_A"], source="invite") == ["U_A"]
    assert store.participants.list(first) == ["U_A"]
    assert store.participants.list(99) == []


def test_concurrent_adds_report_each_person_new_once(store, new_incident) -> None:
    number = new_incident().number
    start = threading.Barrier(4)
    reported: list[str] = []

    def add() -> None:
        start.wait()
        reported.extend(store.participants.add(number, ["U_A", "U_B"], source="severity"))

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reported) == ["U_A", "U_B"]
