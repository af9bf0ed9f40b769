"""The pacer's priorities on a manual clock: urgent calls go before bulk ones when a channel's budget is short."""

from __future__ import annotations

import threading

from redalert_core.slack.rate_pacing import Priority, RatePacer, TokenBucket


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_burst_of_three_then_one_a_second_per_channel():
    clock = ManualClock()
    pacer = RatePacer(clock=clock, sleep=clock.sleep)
    waits = [pacer.wait_turn("chat.postMessage", "C1") for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert all(1.0 < wait < 1.1 for wait in waits[3:])  # then one turn about a second after the last
    assert pacer.wait_turn("chat.postMessage", "C2") == 0.0  # another channel has its own budget


def test_bulk_leaves_the_bursts_last_token_to_urgent_calls():
    clock = ManualClock()
    bucket = TokenBucket(per_second=1.0, capacity=3.0, clock=clock)
    assert bucket.take_if_free(headroom=1.0) == 0.0
    assert bucket.take_if_free(headroom=1.0) == 0.0
    assert bucket.take_if_free(headroom=1.0) > 0  # one token left: it is kept for an urgent call
    assert bucket.reserve() == 0.0


def test_a_bulk_post_waits_behind_urgent_ones_that_arrive_while_it_waits():
    clock = ManualClock()
    order: list[str] = []
    urgent_sent = threading.Event()

    def sleep(seconds: float) -> None:
        if not urgent_sent.is_set():  # while the bulk caller waits, replies come in and are served first
            urgent_sent.set()
            for _ in range(2):
                pacer.wait_turn("chat.postMessage", "C1", Priority.URGENT)
                order.append("reply")
        clock.sleep(seconds)

    pacer = RatePacer(clock=clock, sleep=sleep)
    for _ in range(3):
        pacer.wait_turn("chat.postMessage", "C1")  # the burst is spent
    pacer.wait_turn("chat.postMessage", "C1", Priority.BULK)
    order.append("digest")
    assert order == ["reply", "reply", "digest"]
