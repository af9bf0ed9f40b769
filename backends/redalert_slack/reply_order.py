"""Answers in the order their commands were sent, per channel, though Errbot runs commands on parallel workers and
Socket Mode hands envelopes to several threads at once.

A command is registered by its message ts when it is dispatched. A command alone in its channel answers at once,
from its worker. Otherwise its answers are handed over when it finishes (the worker is free again, so a worker never
waits for a command still queued behind it) and the channel's poster thread posts them in ts order, once every
earlier command of the channel has finished (or `wait_limit` seconds have passed) and the channel has received no
new command for `grace` seconds (envelopes of one burst arrive in a shuffled order).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class _Command:
    registered_at: float
    answer: Callable[[], None] | None = None  # set when the command has finished


@dataclass
class _Channel:
    commands: dict[float, _Command] = field(default_factory=dict)
    last_registered: float = 0.0
    poster: bool = False


class ReplyOrder:
    def __init__(self, wait_limit: float = 30.0, grace: float = 0.1, clock: Callable[[], float] = time.monotonic):
        self._wait_limit = wait_limit
        self._grace = grace
        self._clock = clock
        self._changed = threading.Condition()
        self._channels: dict[str, _Channel] = {}

    def register(self, channel: str, ts: float) -> None:
        with self._changed:
            state = self._channels.setdefault(channel, _Channel())
            now = self._clock()
            state.commands[ts] = _Command(now)
            state.last_registered = now

    def alone(self, channel: str, ts: float) -> bool:
        """Whether the command may answer at once: no other command of its channel is in flight."""
        with self._changed:
            state = self._channels.get(channel)
            return state is None or set(state.commands) <= {ts}

    def finish(self, channel: str, ts: float, answer: Callable[[], None] | None = None) -> None:
        """The command has finished; `answer` (posting its held answers) runs in its turn, None: nothing to post."""
        with self._changed:
            state = self._channels.get(channel)
            unknown = state is None or ts not in state.commands
            if state is not None and not unknown:
                self._finish(channel, state, ts, answer)
        if unknown and answer is not None:  # never registered: nothing to wait for
            answer()

    def _finish(self, channel: str, state: _Channel, ts: float, answer: Callable[[], None] | None) -> None:
        """Under the lock: forget a command with nothing to post, or hand its answer to the channel's poster."""
        if answer is None:
            del state.commands[ts]
            self._forget_if_idle(channel, state)
        else:
            state.commands[ts].answer = answer
            if not state.poster:
                state.poster = True
                poster = threading.Thread(target=self._post, args=(channel, state), name="redalert-replies")
                poster.daemon = True
                poster.start()
        self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        deadline = self._clock() + timeout
        with self._changed:
            while any(state.poster for state in self._channels.values()):
                left = deadline - self._clock()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def _post(self, channel: str, state: _Channel) -> None:
        while True:
            with self._changed:
                answer = self._next_answer(state)
                while answer is None and any(c.answer is not None for c in state.commands.values()):
                    self._changed.wait(self._grace)
                    answer = self._next_answer(state)
                if answer is None:
                    state.poster = False
                    self._forget_if_idle(channel, state)
                    self._changed.notify_all()
                    return
            try:
                answer()
            except Exception:
                log.exception("Posting an answer in %s failed", channel)
            with self._changed:
                self._changed.notify_all()

    def _next_answer(self, state: _Channel) -> Callable[[], None] | None:
        """The earliest finished command's answer, taken out, if its turn has come."""
        now = self._clock()
        if now - state.last_registered < self._grace:
            return None
        for ts in sorted(state.commands):
            command = state.commands[ts]
            if command.answer is not None:
                del state.commands[ts]
                return command.answer
            if now - command.registered_at < self._wait_limit:
                return None  # an earlier command is still running
        return None

    def _forget_if_idle(self, channel: str, state: _Channel) -> None:
        if not state.commands and not state.poster and self._channels.get(channel) is state:
            del self._channels[channel]
