"""This replica's heartbeat and whether it leads: the one place background work asks "is it my turn?".

Every replica writes a heartbeat row (store/replicas.py) every `Timing.heartbeat` seconds, and tries to take the
leadership lock (store/locks.py: a PostgreSQL advisory lock on a connection of its own) every `Timing.leader_poll`
seconds. The leader keeps it until it stops or its connection ends; a killed leader's lock is released by
PostgreSQL at once, and a follower takes it on its next poll. On SQLite the single process always leads.

Background work that must run on one replica only uses one of:

    leader.every(60, send_digest_if_due, "digest")   # a thread that runs the job on the leader only
    if leader.is_leader(): ...                        # inside an existing poller
    leader.on_gain(resume_everything)                 # once each time this replica becomes the leader

Jobs should still make their effect idempotent in the database (a unique key written before the outside call):
leadership can change in the middle of a round.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.replica import ReplicaIdentity
from ..store import Store
from .incidents import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    """Seconds. Tests shorten them (REDALERT_HEARTBEAT_INTERVAL etc., read by the plugin)."""

    heartbeat: float = 10.0  # between two heartbeats
    stale_after: float = 30.0  # a replica whose heartbeat is older is taken for dead
    leader_poll: float = 5.0  # how often a follower tries to lead, and a leader checks it still does


def identify(replica_id: str | None = None, clock: Callable[[], datetime] = utcnow) -> ReplicaIdentity:
    """This process: `replica_id` (default the host name) and a fresh instance token."""
    hostname = socket.gethostname()
    return ReplicaIdentity(
        replica_id=(replica_id or "").strip() or hostname,
        instance=uuid.uuid4().hex,
        hostname=hostname,
        pid=os.getpid(),
        started_at=clock(),
    )


class Leadership:
    def __init__(
        self,
        store: Store,
        identity: ReplicaIdentity,
        timing: Timing | None = None,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.identity = identity
        self.timing = timing or Timing()
        self._clock = clock
        self._lock = store.leader_lock()
        self._leading = False
        self._leader_since: datetime | None = None
        self._on_gain: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._beating = threading.Lock()  # a heartbeat in flight must not re-create the row stop() removes
        self._threads: list[threading.Thread] = []

    # --- the API background jobs use ----------------------------------------------------------------------------
    def is_leader(self) -> bool:
        return self._leading and not self._stop.is_set()

    def on_gain(self, callback: Callable[[], None]) -> None:
        """Run `callback` (in a thread of its own) whenever this replica becomes the leader; now if it leads."""
        with self._guard:
            self._on_gain.append(callback)
            leading = self._leading
        if leading:
            self._run_callbacks([callback])

    def every(self, seconds: float, job: Callable[[], object], name: str) -> threading.Thread:
        """Run `job` every `seconds` on whichever replica leads (a daemon thread on every replica)."""

        def loop() -> None:
            while not self._stop.wait(seconds):
                if not self.is_leader():
                    continue
                try:
                    job()
                except Exception:  # a background job has nobody to raise to; the next round tries again
                    log.exception("Leader job %s failed", name)

        thread = threading.Thread(target=loop, name=f"redalert-leader-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return thread

    def live_instances(self) -> set[str]:
        """Instances of the replicas whose heartbeat is fresh (this one included)."""
        fresh_since = self._clock() - timedelta(seconds=self.timing.stale_after)
        return self.store.replicas.live_instances(fresh_since) | {self.identity.instance}

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Beat and try to lead once now (so a single replica leads at once), then keep at it in a thread."""
        self._beat()
        self._poll_leadership()
        thread = threading.Thread(target=self._run, name="redalert-replica", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Hand over: release the lock and remove the heartbeat row, so another replica leads and finishes this
        one's unfinished opens without waiting for the heartbeat to go stale."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._leading = False
        self._lock.release()
        try:
            with self._beating:
                self.store.replicas.leave(self.identity.replica_id, self.identity.instance)
        except Exception:
            log.warning("Could not remove this replica's heartbeat row", exc_info=True)

    def _run(self) -> None:
        next_beat = next_poll = 0.0
        elapsed = 0.0
        step = min(self.timing.heartbeat, self.timing.leader_poll) / 2
        while not self._stop.wait(step):
            elapsed += step
            if elapsed >= next_poll:
                next_poll = elapsed + self.timing.leader_poll
                self._poll_leadership()
            if elapsed >= next_beat:
                next_beat = elapsed + self.timing.heartbeat
                self._beat()

    def _beat(self) -> None:
        identity = self.identity
        try:
            with self._beating:
                if self._stop.is_set():
                    return
                self._write_beat(identity)
        except Exception as error:  # the database may be restarting; the next beat tries again
            log.warning("Heartbeat failed: %s", error)

    def _write_beat(self, identity: ReplicaIdentity) -> None:
        self.store.replicas.beat(
            replica_id=identity.replica_id,
            instance=identity.instance,
            hostname=identity.hostname,
            pid=identity.pid,
            started_at=identity.started_at,
            at=self._clock(),
            leader_since=self._leader_since if self._leading else None,
        )

    def _poll_leadership(self) -> None:
        if self._stop.is_set():
            return
        held = self._lock.try_hold()
        with self._guard:
            changed = held != self._leading
            self._leading = held
            callbacks = list(self._on_gain)
        if not changed:
            return
        if not held:
            self._leader_since = None
            log.warning("Replica %s no longer leads", self.identity.replica_id)
            return
        self._leader_since = self._clock()
        log.info("Replica %s now leads (background work runs here)", self.identity.replica_id)
        self._beat()  # so that `!incident doctor` shows the new leader at once
        self._run_callbacks(callbacks)

    def _run_callbacks(self, callbacks: list[Callable[[], None]]) -> None:
        def run() -> None:
            for callback in callbacks:
                try:
                    callback()
                except Exception:
                    log.exception("Leadership gain callback %r failed", callback)

        threading.Thread(target=run, name="redalert-leader-gain", daemon=True).start()
