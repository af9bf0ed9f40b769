"""The application's one clock: every service reads the time from the same object (bootstrap.py injects it).

It follows the system clock; a test freezes it once (`set`) and moves it on (`advance`) instead of setting a clock
per service or sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen_at = frozen_at
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        frozen_at = self._frozen_at
        return frozen_at if frozen_at is not None else datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        """Stop the clock at `moment` (timezone-aware)."""
        with self._lock:
            self._frozen_at = moment

    def advance(self, delta: timedelta | float) -> datetime:
        """Move the clock on by `delta` (a timedelta or seconds; from now if it was not frozen) and keep it there."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            moved = (self._frozen_at or datetime.now(UTC)) + step
            self._frozen_at = moved
            return moved

    def follow_system(self) -> None:
        with self._lock:
            self._frozen_at = None
