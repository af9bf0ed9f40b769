"""Injected faults (queued per method, or random for soak tests)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("ratelimited", "http500", "http502", "http503", "http504", "drop", "error")


@dataclass
class Fault:
    method: str
    kind: str
    remaining: int
    retry_after: int = 1
    error: str | None = None


# A held response is sent at the latest after this long, so a test that forgets to release cannot hang the server.
HOLD_LIMIT_SECONDS = 20.0


class Hold:
    """One response held back: the emulator has done what the call asked, the caller has not heard yet.

    `wait_arrived()` returns once the request was handled (state changed) and its response is waiting;
    `release()` sends it.
    """

    def __init__(self, method: str) -> None:
        self.method = method
        self._arrived = threading.Event()
        self._released = threading.Event()

    def arrive(self) -> None:
        self._arrived.set()

    def wait_arrived(self, timeout: float = 10.0) -> bool:
        return self._arrived.wait(timeout)

    def release(self) -> None:
        self._released.set()

    def wait_released(self) -> bool:
        return self._released.wait(HOLD_LIMIT_SECONDS)


class RequestHold(Hold):
    """One request held back before Slack carries it out (a slow Slack, a call in flight).

    `wait_arrived()` returns once the request is waiting; `release()` lets it be carried out. If its caller goes
    away meanwhile (its connection closed: the process was killed), it is never carried out: `wait_dropped()`.
    """

    def __init__(self, method: str, matches: Callable[[dict[str, Any]], bool]) -> None:
        super().__init__(method)
        self.matches = matches
        self._dropped = threading.Event()

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def drop(self) -> None:
        self._dropped.set()

    def wait_dropped(self, timeout: float = 10.0) -> bool:
        return self._dropped.wait(timeout)


class FaultPlan:
    """Queued faults are consumed in order of injection; a random rate applies after the queue."""

    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._methods: set[str] | None = None
        self._rng = random.Random(0)
        self._holds: list[Hold] = []
        self._request_holds: list[RequestHold] = []

    def hold(self, method: str) -> Hold:
        """Hold the response to the next call of `method` until released (see Hold)."""
        hold = Hold(method)
        self._holds.append(hold)
        return hold

    def hold_request(self, method: str, matches: Callable[[dict[str, Any]], bool]) -> RequestHold:
        """Hold the next call of `method` whose arguments `matches` before it is carried out (see RequestHold)."""
        hold = RequestHold(method, matches)
        self._request_holds.append(hold)
        return hold

    def take_request_hold(self, method: str, args: dict[str, Any]) -> RequestHold | None:
        for hold in self._request_holds:
            if hold.method == method and hold.matches(args):
                self._request_holds.remove(hold)
                return hold
        return None

    def take_hold(self, method: str) -> Hold | None:
        for hold in self._holds:
            if hold.method == method:
                self._holds.remove(hold)
                return hold
        return None

    def inject(self, method: str, kind: str, times: int = 1, retry_after: int = 1, error: str | None = None) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if kind == "error" and not error:
            raise ValueError("kind='error' needs error='<code>'")
        self._queue.append(Fault(method, kind, times, int(retry_after), error))

    def set_rate(self, rate: float, kinds: Iterable[str], seed: int = 0, methods: Iterable[str] | None = None) -> None:
        kinds = tuple(kinds)
        for kind in kinds:
            if kind not in FAULT_KINDS or kind == "error":
                raise ValueError(f"unsupported random fault kind {kind!r}")
        self._rate = rate
        self._kinds = kinds
        self._methods = set(methods) if methods is not None else None
        self._rng = random.Random(seed)

    def clear(self) -> None:
        self._queue.clear()
        self._rate = 0.0
        for hold in self._holds:
            hold.release()
        self._holds.clear()
        for request_hold in self._request_holds:
            request_hold.release()
        self._request_holds.clear()

    def next_for(self, method: str) -> Fault | None:
        for fault in self._queue:
            if fault.method in (method, "*"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._queue.remove(fault)
                return fault
        applies = self._rate > 0 and self._kinds and (self._methods is None or method in self._methods)
        if applies and self._rng.random() < self._rate:
            return Fault(method, self._rng.choice(self._kinds), 0, 1)
        return None
