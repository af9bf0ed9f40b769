"""The pinned summary's edits coalesced on a manual clock: one edit per interval, and the last state lands."""

from __future__ import annotations

from manual_time import ManualTime

from redalert_core.services.summary_coalescing import SummaryCoalescer


def test_twenty_rapid_changes_make_two_edits_and_the_last_shows_the_last_state():
    time = ManualTime()
    coalescer = SummaryCoalescer(lambda: 10.0, clock=time, schedule=time.schedule)
    state = {"status": 0}
    edits: list[int] = []

    def refresh() -> list[str]:
        edits.append(state["status"])  # what the summary shows: the state when the edit is made
        return []

    for change in range(1, 21):
        state["status"] = change
        coalescer.request(1, refresh)
        time.advance(0.1)
    assert edits == [1]  # the first at once; the other 19 wait for the interval
    assert len(time.jobs) == 1  # one trailing edit, not 19
    time.advance(10)
    assert edits == [1, 20]
    time.advance(10)
    coalescer.request(1, refresh)  # 10 s after the trailing edit: at once again
    assert edits == [1, 20, 20] and coalescer.deferred == 19


def test_incidents_are_coalesced_apart_and_the_closing_summary_goes_at_once():
    time = ManualTime()
    coalescer = SummaryCoalescer(lambda: 10.0, clock=time, schedule=time.schedule)
    edits: list[str] = []
    coalescer.request(1, lambda: edits.append("1") or [])
    coalescer.request(2, lambda: edits.append("2") or [])
    coalescer.final(1, lambda: edits.append("1 closed") or [])
    assert edits == ["1", "2", "1 closed"]


def test_zero_seconds_edits_on_every_change():
    time = ManualTime()
    coalescer = SummaryCoalescer(lambda: 0.0, clock=time, schedule=time.schedule)
    edits: list[int] = []
    for change in range(3):
        coalescer.request(1, lambda c=change: edits.append(c) or [])
    assert edits == [0, 1, 2] and time.jobs == []
