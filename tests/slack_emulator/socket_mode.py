"""Socket Mode: tickets, the /link/ WebSocket, envelopes, acks and redelivery (slack-platform.md §8).

Like Slack, each envelope goes to ONE open connection chosen at random (seedable), and an unacked events_api
envelope is redelivered after redelivery_seconds, to another connection when there is one. Every delivery is
logged as (envelope_id, connection_id, attempt); acks are recorded with their payload and lateness.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from .clock import EmulatorClock

log = logging.getLogger(__name__)

MAX_SOCKETS = 10
MAX_RETRIES = 3
ACK_SECONDS = 3.0  # Slack's ack deadline for every envelope type


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict[str, Any]  # {} for an ack without payload
    connection_id: str
    delay: float  # emulator-clock seconds since the latest delivery
    late: bool


class SocketHub:
    """Lives on the server's event loop; shared state is guarded by the emulator's Condition."""

    def __init__(self, cond: threading.Condition, app_id: str, clock: EmulatorClock | None = None) -> None:
        self._cond = cond
        self.app_id = app_id
        self.clock = clock or EmulatorClock()
        self.rng = random.Random(0)
        self.conn_ids: dict[web.WebSocketResponse, str] = {}
        self.deliveries: list[tuple[str, str, int]] = []  # (envelope_id, connection_id, attempt)
        self.acks: dict[str, Ack] = {}  # first ack per envelope
        self.on_ack: Callable[[dict[str, Any], dict[str, Any]], None] | None = None  # called under the lock
        self._conn_counter = 0
        self._sent_at: dict[str, float] = {}
        self._last_conn: dict[str, str] = {}
        self.tickets: set[str] = set()
        self.all_sockets: list[web.WebSocketResponse] = []
        self.ready: list[web.WebSocketResponse] = []  # sockets that got hello, oldest first
        self.envelopes: list[dict[str, Any]] = []  # every frame sent (redeliveries included)
        self.acked: set[str] = set()
        self.hellos_sent = 0
        self.redelivery_seconds = 3.0
        self.ack_drop = 0
        self._store: dict[str, dict[str, Any]] = {}
        self._pending: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[str] | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._timers: set[asyncio.TimerHandle] = set()

    # --- lifecycle (called on the loop) ----------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue()
        # A single consumer keeps envelopes in order even though sends await.
        self._pump_task = asyncio.create_task(self._pump())

    async def shutdown(self) -> None:
        for timer in list(self._timers):
            timer.cancel()
        if self._pump_task:
            self._pump_task.cancel()
        with self._cond:
            socks = list(self.all_sockets)
        for ws in socks:
            await self._close(ws, code=1001)

    # --- tickets ---------------------------------------------------------------------------------------------
    def new_ticket(self) -> str:
        ticket = str(uuid.uuid4())
        self.tickets.add(ticket)  # caller holds the lock
        return ticket

    # --- envelopes ---------------------------------------------------------------------------------------------
    def make_envelope(self, team_id: str, event: dict[str, Any]) -> dict[str, Any]:
        envelope_id = str(uuid.uuid4())
        return {
            "envelope_id": envelope_id,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": {
                "token": "verification-token",
                "team_id": team_id,
                "api_app_id": self.app_id,
                "type": "event_callback",
                "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": team_id, "is_bot": True}],
                "is_ext_shared_channel": False,
            },
        }

    @staticmethod
    def new_envelope_id() -> str:
        return str(uuid.uuid4())

    def make_interactive_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """kind is "slash_commands" or "interactive"; both accept a response payload in the ack."""
        envelope_id = self.new_envelope_id()
        return {"envelope_id": envelope_id, "type": kind, "accepts_response_payload": True, "payload": payload}

    def stored(self, envelope_id: str) -> dict[str, Any]:
        return self._store[envelope_id]

    def enqueue(self, envelope: dict[str, Any]) -> None:
        """Thread-safe; the caller holds the lock."""
        self._store[envelope["envelope_id"]] = envelope
        if self._loop is None or self._outbox is None:
            self._pending.append(envelope["envelope_id"])
            return
        self._loop.call_soon_threadsafe(self._outbox.put_nowait, envelope["envelope_id"])

    async def _pump(self) -> None:
        assert self._outbox is not None
        while True:
            envelope_id = await self._outbox.get()
            try:
                await self._send(envelope_id)
            except Exception:  # keep the pump alive whatever one send does
                log.exception("socket mode send failed")

    async def _send(self, envelope_id: str) -> None:
        with self._cond:
            if envelope_id in self.acked:
                return
            if not self.ready:
                self._pending.append(envelope_id)
                return
            frame = copy.deepcopy(self._store[envelope_id])
            candidates = list(self.ready)
            previous = self._last_conn.get(envelope_id)
            if len(candidates) > 1 and previous is not None:
                candidates = [w for w in candidates if self.conn_ids.get(w) != previous]  # retry elsewhere
            # Draw only when there is a choice, so a seed gives the same spread whatever redeliveries interleave.
            ws = self.rng.choice(candidates) if len(candidates) > 1 else candidates[0]
            conn_id = self.conn_ids[ws]
        try:
            await ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            with self._cond:
                self._pending.append(envelope_id)
            return
        with self._cond:
            self.envelopes.append(frame)
            self.deliveries.append((envelope_id, conn_id, int(frame.get("retry_attempt", 0))))
            self._sent_at[envelope_id] = self.clock.now()
            self._last_conn[envelope_id] = conn_id
            self._cond.notify_all()
        if frame["type"] == "events_api":  # Slack retries only events (slack-interactivity.md §1)
            self._schedule_redelivery(envelope_id)

    def _schedule_redelivery(self, envelope_id: str) -> None:
        assert self._loop is not None

        def fire() -> None:
            self._timers.discard(timer)
            with self._cond:
                env = self._store[envelope_id]
                if envelope_id in self.acked or env["retry_attempt"] >= MAX_RETRIES:
                    return
                env["retry_attempt"] += 1
                env["retry_reason"] = "timeout"
            assert self._outbox is not None
            self._outbox.put_nowait(envelope_id)

        timer = self._loop.call_later(self.redelivery_seconds, fire)
        self._timers.add(timer)

    def _flush_pending(self) -> None:
        # Caller holds the lock and runs on the loop.
        assert self._outbox is not None
        pending, self._pending = self._pending, []
        for envelope_id in pending:
            self._outbox.put_nowait(envelope_id)

    # --- the WebSocket endpoint ---------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            valid = ticket in self.tickets
            self.tickets.discard(ticket)  # single use
        if not valid:
            return web.json_response({"ok": False, "error": "invalid_auth"}, status=401)
        ws = web.WebSocketResponse(autoping=True, compress=False, timeout=2.0)
        await ws.prepare(request)
        with self._cond:
            too_many = len(self.all_sockets) >= MAX_SOCKETS
            if not too_many:
                self.all_sockets.append(ws)
        if too_many:
            await ws.send_str(json.dumps(self._disconnect_frame("too_many_websockets")))
            await self._close(ws)
            return ws
        try:
            await ws.send_str(json.dumps(self._hello()))
            with self._cond:
                self.ready.append(ws)
                self._conn_counter += 1
                self.conn_ids[ws] = f"conn-{self._conn_counter}"
                self.hellos_sent += 1
                self._flush_pending()
                self._cond.notify_all()
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(ws, msg.data)
                # Binary and other frames are ignored; aiohttp answers pings with the same payload.
        finally:
            with self._cond:
                self._forget(ws)
                self._cond.notify_all()
        return ws

    def _hello(self) -> dict[str, Any]:
        with self._cond:
            count = len(self.all_sockets)
        return {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "applink-1", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    @staticmethod
    def _disconnect_frame(reason: str) -> dict[str, Any]:
        return {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-1"}}

    def _on_text(self, ws: web.WebSocketResponse, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if not isinstance(frame, dict) or not frame.get("envelope_id"):
            return
        with self._cond:
            if self.ack_drop > 0:
                self.ack_drop -= 1  # pretend this ack got lost
                return
            envelope_id = str(frame["envelope_id"])
            self.acked.add(envelope_id)
            if envelope_id not in self.acks and envelope_id in self._sent_at:
                payload = frame.get("payload") if isinstance(frame.get("payload"), dict) else {}
                delay = self.clock.now() - self._sent_at[envelope_id]
                conn_id = self.conn_ids.get(ws, "")
                self.acks[envelope_id] = Ack(envelope_id, payload, conn_id, delay, delay > ACK_SECONDS)
                envelope = self._store[envelope_id]
                if self.on_ack is not None and envelope["accepts_response_payload"]:
                    self.on_ack(envelope, payload)
            self._cond.notify_all()

    def _forget(self, ws: web.WebSocketResponse) -> None:
        if ws in self.all_sockets:
            self.all_sockets.remove(ws)
        if ws in self.ready:
            self.ready.remove(ws)
        self.conn_ids.pop(ws, None)

    async def _close(self, ws: web.WebSocketResponse, code: int = 1000) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.close(code=code)

    async def disconnect(self, connection_id: str, reason: str) -> None:
        with self._cond:
            socks = [ws for ws, cid in self.conn_ids.items() if cid == connection_id]
            if not socks:
                raise KeyError(f"no open connection {connection_id!r}")
            self._forget(socks[0])
            self._cond.notify_all()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await socks[0].send_str(json.dumps(self._disconnect_frame(reason)))
        await self._close(socks[0])

    async def disconnect_all(self, reason: str) -> None:
        with self._cond:
            socks = list(self.all_sockets)
            for ws in socks:
                self._forget(ws)
            self._cond.notify_all()
        for ws in socks:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(self._disconnect_frame(reason)))
            await self._close(ws)
