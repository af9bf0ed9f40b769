"""At most one chat.update of an incident's pinned summary every SUMMARY_UPDATE_SECONDS, and the last state lands.

A change made when the summary was edited less than the interval ago is not sent at once: one trailing refresh is
scheduled for the end of the interval, and it reads the incident as it is then, so every change made meanwhile is
in it. A burst of 20 changes makes two edits (the first and the trailing one), not 20. The interval is per
process: two replicas may each edit once in an interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# (delay in seconds, job) -> None: runs `job` after `delay` (a threading.Timer; tests pass a manual scheduler).
Schedule = Callable[[float, Callable[[], None]], None]


def timer_schedule(delay: float, job: Callable[[], None]) -> None:
    timer = threading.Timer(delay, job)
    timer.daemon = True
    timer.start()


class SummaryCoalescer:
    def __init__(
        self,
        interval: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
        schedule: Schedule = timer_schedule,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._schedule = schedule
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}  # incident number -> when its summary was last edited
        self._pending: set[int] = set()  # incidents with a trailing refresh scheduled
        self.deferred = 0  # changes folded into a later edit, for tests and logs

    def request(self, number: int, refresh: Callable[[], list[str]]) -> list[str]:
        """Refresh now if the interval has passed (its warnings are returned), else make sure a trailing refresh
        is scheduled (its warnings are logged)."""
        interval = self._interval()
        with self._lock:
            now = self._clock()
            last = self._last.get(number)
            if number not in self._pending and (last is None or now - last >= interval):
                self._last[number] = now
                run_now = True
            else:
                run_now = False
                self.deferred += 1
                if number not in self._pending:
                    assert last is not None, "not pending and not due: it ran before"
                    self._pending.add(number)
                    self._schedule(max(0.0, last + interval - now), lambda: self._trailing(number, refresh))
        return refresh() if run_now else []

    def final(self, number: int, refresh: Callable[[], list[str]]) -> list[str]:
        """The closing summary: at once, whatever the interval (a trailing refresh then finds it closed)."""
        with self._lock:
            self._last[number] = self._clock()
        return refresh()

    def _trailing(self, number: int, refresh: Callable[[], list[str]]) -> None:
        with self._lock:
            self._pending.discard(number)
            self._last[number] = self._clock()
        try:
            for warning in refresh():
                log.warning("Incident %s: %s", number, warning)
        except Exception:
            log.exception("The trailing refresh of incident %s's summary failed", number)
