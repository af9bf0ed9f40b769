"""A tiny Socket Mode "app" on slack_sdk's builtin client: records requests and acks with what a responder says."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from slack_emulator import SlackEmulator

from .conftest import APP_TOKEN, BOT_TOKEN

Responder = Callable[[SocketModeRequest], dict[str, Any] | None]


class SocketApp:
    def __init__(self, responder: Responder | None = None) -> None:
        self.responder: Responder = responder or (lambda req: None)
        self.requests: list[SocketModeRequest] = []
        self.ack = True
        self.connection_id = ""  # the emulator's id for this client's first connection
        self._lock = threading.Lock()

    def on_request(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        with self._lock:
            self.requests.append(req)
        if self.ack:
            client.send_socket_mode_response(SocketModeResponse(req.envelope_id, payload=self.responder(req)))


@contextmanager
def connected_app(emulator: SlackEmulator, app: SocketApp | None = None) -> Iterator[SocketApp]:
    """Connect one Socket Mode client; the emulator has one more open connection when this yields."""
    app = app or SocketApp()
    before = set(emulator.connection_ids())
    client = SocketModeClient(app_token=APP_TOKEN, web_client=WebClient(base_url=emulator.api_url, token=BOT_TOKEN))
    client.socket_mode_request_listeners.append(app.on_request)
    client.connect()
    emulator.wait_for(lambda: bool(set(emulator.connection_ids()) - before), 5)
    app.connection_id = (set(emulator.connection_ids()) - before).pop()
    try:
        yield app
    finally:
        # close() joins worker loops for ~1-3 s; don't make tests wait.
        threading.Thread(target=_close_quietly, args=(client,), daemon=True).start()


def _close_quietly(client: SocketModeClient) -> None:
    # slack_sdk's connection can drop its socket while close() runs (a race inside it): nothing is left to close.
    with suppress(AttributeError):
        client.close()
