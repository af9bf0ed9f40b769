"""The emulator's clock: real monotonic time plus an offset tests can advance (trigger expiry, ack deadlines)."""

from __future__ import annotations

import threading
import time


class EmulatorClock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
