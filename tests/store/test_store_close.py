"""Closing: exactly once, even when two people close at the same moment."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from redalert_core.domain.incident import EventKind, Phase
from redalert_core.store import AlreadyClosed, IncidentNotFound

CLOSED_AT = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


def test_close_records_who_when_and_why(store, new_incident) -> None:
    number = new_incident().number
    closed = store.incidents.close(number, closed_by="U_CLOSER", closed_at=CLOSED_AT, resolution="rolled back")
    assert closed.phase is Phase.CLOSED
    assert (closed.closed_by, closed.closed_at, closed.resolution) == ("U_CLOSER", CLOSED_AT, "rolled back")
    assert store.incidents.get(number) == closed
    event = store.events.list(number)[-1]
    assert (event.kind, event.actor, event.at, event.data) == (
        EventKind.CLOSED,
        "U_CLOSER",
        CLOSED_AT,
        {"resolution": "rolled back"},
    )


def test_second_close_raises_already_closed_and_changes_nothing(store, new_incident) -> None:
    number = new_incident().number
    first = store.incidents.close(number, closed_by="U_FIRST", closed_at=CLOSED_AT, resolution="fixed")
    with pytest.raises(AlreadyClosed) as raised:
        store.incidents.close(number, closed_by="U_SECOND", closed_at=CLOSED_AT, resolution="dup")
    assert raised.value.incident == first
    assert store.incidents.get(number) == first
    assert [e.kind for e in store.events.list(number)].count(EventKind.CLOSED) == 1


def test_close_missing_incident(store) -> None:
    with pytest.raises(IncidentNotFound):
        store.incidents.close(5, closed_by="U", closed_at=CLOSED_AT, resolution=None)


def test_concurrent_closes_have_exactly_one_winner(store, new_incident) -> None:
    number = new_incident().number
    closers = [f"U_{i}" for i in range(6)]
    start = threading.Barrier(len(closers))
    winners: list[str] = []
    losers: list[str] = []

    def close(user: str) -> None:
        start.wait()
        try:
            winners.append(
                store.incidents.close(number, closed_by=user, closed_at=CLOSED_AT, resolution=user).closed_by
            )
        except AlreadyClosed as already:
            losers.append(already.incident.closed_by)

    threads = [threading.Thread(target=close, args=(user,)) for user in closers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert losers == winners * (len(closers) - 1)
    assert store.incidents.get(number).closed_by == winners[0]
    assert [e.kind for e in store.events.list(number)].count(EventKind.CLOSED) == 1
