"""Injected faults (queued per method, or random for soak tests)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

FAULT_KINDS = ("ratelimited", "http500", "http503", "drop", "error")


@dataclass
class Fault:
    method: str
    kind: str
    remaining: int
    retry_after: int = 1
    error: str | None = None


class FaultPlan:
    """Queued faults are consumed in order of injection; a random rate applies after the queue."""

    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._methods: set[str] | None = None
        self._rng = random.Random(0)

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
