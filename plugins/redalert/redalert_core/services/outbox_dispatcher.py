"""Delivers outbox rows off the chat path: one background thread, oldest first per ordering key, with retries.

- A row waits until the rows before it with the same ordering key are delivered (or dead): a PagerDuty trigger is
  never overtaken by its resolve, webhooks of one incident arrive in order.
- 429 (after Retry-After), 5xx, timeouts and connection errors are retried with exponential backoff and jitter;
  after the give-up time (OUTBOX_GIVE_UP_HOURS, default 24) the row is dead. Other 4xx are dead at once.
- A dead row posts one warning in its incident's channel (through the outbox too).

`start()`/`stop()` hold the loop; `deliver_due(now)` is one round (tests call it with their own clock).
With several replicas every process runs the loop, but a round runs only where `may_deliver()` says so (the leader),
and under a lock held across processes, so two replicas never deliver the same row during a leadership handover.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime

from ..domain.outbox import SLACK, DeliveryFailed, OutboxRow, State, after_failure
from ..domain.settings import Settings
from ..store import Store
from .outbox_delivery import Deliverers, Delivery, notice, notice_channel

log = logging.getLogger(__name__)

# Rows written by another process (or missed wake-ups) are found by polling at least this often.
POLL_SECONDS = 30.0


class OutboxDispatcher:
    def __init__(
        self,
        store: Store,
        deliverers: Deliverers,
        settings: Callable[[], Settings],
        *,
        clock: Callable[[], datetime],
        jitter: Callable[[], float] = random.random,
        poll_seconds: float = POLL_SECONDS,
        may_deliver: Callable[[], bool] = lambda: True,
    ) -> None:
        self.store = store
        self.deliverers = deliverers
        self._settings = settings
        self.clock = clock
        self.jitter = jitter
        self.poll_seconds = poll_seconds
        self.may_deliver = may_deliver
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round = threading.Lock()  # one round at a time (the loop, deliver_due from a test or a command)
        store.outbox.on_added(self.wake)

    # --- the loop -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Deliver in a background thread until stop(); a second start() while running does nothing."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="redalert-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wake(self) -> None:
        """Something new is due (called after the commit that wrote it): deliver now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if self.may_deliver():
                    with self.store.locks.hold("outbox-dispatcher"):
                        self.deliver_due(self.clock(), stoppable=True)
            except Exception:  # the database may be briefly away: keep the loop alive
                log.exception("Outbox round failed")
            self._wake.wait(self._pause())

    def _pause(self) -> float:
        try:
            next_due = self.store.outbox.next_due_at()
        except Exception:
            return self.poll_seconds
        if next_due is None:
            return self.poll_seconds
        seconds = (next_due - self.clock()).total_seconds()
        return min(self.poll_seconds, max(0.0, seconds))

    # --- one round ----------------------------------------------------------------------------------------------
    def deliver_due(self, now: datetime, *, stoppable: bool = False) -> int:
        """Attempt every row due at `now` that is first in its ordering key; repeat while that makes others due.
        Returns the number of attempts. `stoppable`: stop() ends the round between two rows (the loop's rounds)."""
        attempts = 0
        with self._round:
            while True:
                rows = self.store.outbox.due(now)
                delivered_any = False
                for row in rows:
                    if stoppable and self._stop.is_set():
                        return attempts
                    attempts += 1
                    delivered_any |= self._attempt(row, now)
                if not delivered_any:
                    return attempts  # nothing due, or everything due failed: next round at the retry time

    def _attempt(self, row: OutboxRow, now: datetime) -> bool:
        try:
            delivery = self.deliverers.deliver(row)
        except DeliveryFailed as failure:
            self._failed(row, failure, now)
            return False
        except Exception as exc:  # a bug in a deliverer must not stop the others; retried like an outage
            log.exception("Delivering outbox row %s (%s) raised", row.id, row.destination)
            self._failed(row, DeliveryFailed(f"internal error: {type(exc).__name__}", retryable=True), now)
            return False
        self._delivered(row, delivery, now)
        return True

    def _delivered(self, row: OutboxRow, delivery: Delivery, now: datetime) -> None:
        with self.store.transaction():
            self.store.outbox.delivered(row.id, now)
            for key, data in delivery.remember.items():
                self.store.remote.set(key, data, now)
            for message in delivery.follow_ups:
                self.store.outbox.add(message, now)
        log.info("Outbox row %s delivered to %s (attempt %s)", row.id, row.destination, row.attempts + 1)

    def _failed(self, row: OutboxRow, failure: DeliveryFailed, now: datetime) -> None:
        give_up = self._settings().integrations.outbox_give_up
        verdict = after_failure(row, failure, now, give_up, self.jitter())
        with self.store.transaction():
            self.store.outbox.failed(
                row.id, state=verdict.state, next_attempt_at=verdict.next_attempt_at, error=verdict.stored
            )
            if verdict.state is State.DEAD and not failure.quiet:
                self._warn(row, verdict.error, now)
        if verdict.state is State.DEAD:
            log.warning("Outbox row %s to %s is dead: %s", row.id, row.destination, verdict.error)
        else:
            wait = (verdict.next_attempt_at - now).total_seconds()
            log.info("Outbox row %s to %s failed (%s); retry in %.0f s", row.id, row.destination, verdict.error, wait)

    def _warn(self, row: OutboxRow, error: str, now: datetime) -> None:
        """One warning in the incident's channel per dead row (not for the warnings themselves)."""
        if row.destination == SLACK or row.incident_number is None:
            return
        channel = notice_channel(self.store.incidents.get(row.incident_number))
        if not channel:
            return
        text = (
            f":warning: RedAlert could not deliver to {row.destination} for incident {row.incident_number} "
            f"(outbox row {row.id}): {error}. An admin sees why in `!incident outbox` and can retry with "
            f"`!incident outbox retry {row.id}`."
        )
        # Everyone in the channel reads this: the short reason only; admins see the answer in `!incident outbox`.
        # Keyed by the attempt run: a row requeued and dead again warns again, a redelivery of this one does not.
        key = f"dead:{row.id}:{row.attempts_since.isoformat()}"
        self.store.outbox.add(notice(channel, text, key, row.incident_number), now)
