"""Slash commands and interactive payloads (buttons, modals) for the plugin that registered for them.

The slackv3 backend acks every Socket Mode envelope empty and drops those without an `event` (errbot-backend-slackv3
issues 40, 41, 94). RedAlertSlack hands `slash_commands` and `interactive` envelopes to this router instead, which
runs the registered handler and returns what the envelope's single ack must carry:

- a slash command's ack is its reply (`response_type: ephemeral`);
- a modal submission's ack closes the modal or shows errors in it (`response_action`);
- a button's ack is empty (Slack ignores a message in it).

Slack wants the ack within 3 s of sending the envelope. The handler runs on the router's pool and gets ACK_BUDGET
seconds; a slash command that takes longer is acked with "Working on it" and its reply goes to the command's
response_url when it is ready. Handlers are expected to be quick otherwise (they push slow work to the background).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

log = logging.getLogger(__name__)

SLASH_COMMANDS = "slash_commands"
INTERACTIVE = "interactive"
KINDS = (SLASH_COMMANDS, INTERACTIVE)
# Slack's deadline is 3 s after it sent the envelope; what is left covers the network both ways.
ACK_BUDGET_SECONDS = 2.0

Handler = Callable[[dict], "dict | None"]
Responder = Callable[[str, dict], None]


def ephemeral(text: str) -> dict:
    return {"response_type": "ephemeral", "text": text}


WORKING = ephemeral(":hourglass_flowing_sand: Working on it; the answer follows here.")
NOT_READY = ephemeral("RedAlert is starting up or reloading its configuration; try again in a moment.")
FAILED = ephemeral("Sorry, that failed on my side (the bot's log says why). Nothing more was done.")


class InteractionRouter:
    def __init__(self, respond: Responder, *, budget: float = ACK_BUDGET_SECONDS, workers: int = 8) -> None:
        self._respond = respond
        self.budget = budget
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert-ack")

    def register(self, kind: str, handler: Handler) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown interaction kind {kind!r}; known: {', '.join(KINDS)}")
        with self._lock:
            self._handlers[kind] = handler

    def unregister(self, kind: str) -> None:
        with self._lock:
            self._handlers.pop(kind, None)

    def handle(self, kind: str, payload: dict[str, Any]) -> dict | None:
        """The ack payload for one envelope (None: an empty ack). Never raises."""
        with self._lock:
            handler = self._handlers.get(kind)
        slash = kind == SLASH_COMMANDS
        if handler is None:
            return NOT_READY if slash else None
        future = self._pool.submit(handler, payload)
        try:
            return future.result(timeout=self.budget)
        except FutureTimeout:
            if slash and payload.get("response_url"):
                future.add_done_callback(lambda done: self._answer_late(payload["response_url"], done))
                return WORKING
            log.warning("A %s handler took longer than %.1f s; acked empty.", kind, self.budget)
            return None
        except Exception:
            log.exception("Handling a %s envelope failed", kind)
            return FAILED if slash else None

    def _answer_late(self, response_url: str, future: Future) -> None:
        try:
            answer = future.result()
        except Exception:
            log.exception("A slow slash command failed")
            answer = FAILED
        if not answer or not (answer.get("text") or answer.get("blocks")):
            return
        try:
            self._respond(response_url, answer)
        except Exception:
            log.exception("Could not post a slow slash command's answer to its response_url")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
