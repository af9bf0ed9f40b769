"""Answers in the order their commands were sent in a channel, whichever worker finishes first."""

from __future__ import annotations

import threading

from reply_order import ReplyOrder


def test_answers_of_a_burst_come_out_in_ts_order_and_a_lone_command_answers_at_once():
    order = ReplyOrder(grace=0.0)
    posted: list[float] = []
    done = threading.Event()
    for ts in (3.0, 1.0, 2.0):  # Socket Mode hands a burst's envelopes over in a shuffled order
        order.register("C1", ts)
    assert not order.alone("C1", 3.0)
    order.finish("C1", 3.0, lambda: posted.append(3.0))
    order.finish("C1", 2.0, lambda: posted.append(2.0))
    assert posted == []  # 1.0 is still running
    order.finish("C1", 1.0, lambda: (posted.append(1.0), done.set()))
    assert order.wait_idle(5) and done.is_set()
    assert posted == [1.0, 2.0, 3.0]
    order.register("C1", 4.0)
    assert order.alone("C1", 4.0)


def test_a_command_dropped_or_silent_does_not_hold_the_others():
    order = ReplyOrder(grace=0.0)
    posted: list[float] = []
    order.register("C1", 1.0)
    order.register("C1", 2.0)
    order.finish("C1", 2.0, lambda: posted.append(2.0))
    order.finish("C1", 1.0)  # answered nothing
    assert order.wait_idle(5)
    assert posted == [2.0]


def test_a_command_stuck_past_the_wait_limit_is_overtaken():
    order = ReplyOrder(wait_limit=0.0, grace=0.0)
    posted: list[float] = []
    order.register("C1", 1.0)
    order.register("C1", 2.0)
    order.finish("C1", 2.0, lambda: posted.append(2.0))
    assert order.wait_idle(5)
    assert posted == [2.0]
