"""SlackEmulator: the thread-safe public facade over workspace state, the server and Socket Mode.

Interactivity helpers (slash commands, clicks, modals, acks, response_url) come from InteractionsMixin; replicas
(several Socket Mode connections of the app) are observed with connection_ids(), deliveries() and disconnect().
"""

from __future__ import annotations

import pprint
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .ack_effects import apply_ack
from .clock import EmulatorClock
from .faults import FaultPlan, Hold, RequestHold
from .interactivity import InteractionsMixin
from .rate_limits import RateLimiter
from .response_urls import ResponseUrls
from .server import EmulatorServer
from .socket_mode import SocketHub
from .views import ViewStore
from .workspace import DEFAULT_BOT_SCOPES, Call, Channel, Workspace

EXTERNAL_RECHECK = 0.1


class SlackEmulator(InteractionsMixin):
    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        scopes: Iterable[str] = DEFAULT_BOT_SCOPES,
        bot_user_id: str = "U0BOT",
        bot_name: str = "redalert",
        team_id: str = "T0TEAM",
        port: int = 0,
        host: str = "127.0.0.1",
        team_name: str = "RedAlert Test",
        bot_id: str = "B0BOT",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.scopes: tuple[str, ...] = tuple(scopes)
        self.latency = 0.0
        # RLock: handlers that already hold the lock may record calls or notify.
        self._cond = threading.Condition(threading.RLock())
        self._ws = Workspace(team_id, team_name, bot_user_id, bot_name, bot_id)
        self._clock = EmulatorClock()
        self._hub = SocketHub(self._cond, self._ws.app_id, self._clock)
        self._views = ViewStore(self._ws, self._clock)
        self._hub.on_ack = lambda envelope, payload: apply_ack(self._ws, self._views, envelope, payload)
        self._responses = ResponseUrls(self._cond, self._ws, self._clock)
        self._faults = FaultPlan()
        self._limiter: RateLimiter | None = None
        self._calls: list[Call] = []
        self._server = EmulatorServer(self, host, port)
        self._base_url = ""
        self._started = False

    # --- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        self._server.start()
        self._base_url = f"http://{self._server.host}:{self._server.port}/"
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._server.stop()

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def api_url(self) -> str:
        return f"{self._base_url}api/"

    @property
    def bot_user_id(self) -> str:
        return self._ws.bot_user_id

    @property
    def team_id(self) -> str:
        return self._ws.team_id

    # --- seeding -------------------------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> str:
        with self._cond:
            bot_id = f"B{user_id[1:]}" if is_bot else None
            return self._mutated(self._ws.add_user(user_id, name, real_name, is_bot, deleted, email, bot_id))

    def add_usergroup(
        self, group_id: str, handle: str, users: list[str], name: str | None = None, disabled: bool = False
    ) -> str:
        with self._cond:
            return self._mutated(self._ws.add_usergroup(group_id, handle, users, name, disabled))

    def add_channel(
        self,
        name: str,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_archived: bool = False,
        channel_id: str | None = None,
        is_general: bool = False,
    ) -> str:
        with self._cond:
            cid = self._ws.add_channel(name, set(members), is_private, is_archived, channel_id, is_general)
            return self._mutated(cid)

    def open_dm(self, user_id: str) -> str:
        with self._cond:
            return self._mutated(self._ws.open_dm(user_id))

    def _mutated(self, value: Any) -> Any:
        self._cond.notify_all()
        return value

    # --- inspection ----------------------------------------------------------------------------------------------
    def channel(self, channel_id: str) -> Channel:
        with self._cond:
            return self._ws.channels[channel_id].snapshot()

    def channel_by_name(self, name: str) -> Channel | None:
        with self._cond:
            ch = self._ws.channel_by_name(name)
            return ch.snapshot() if ch else None

    def channels(self) -> list[Channel]:
        with self._cond:
            return [c.snapshot() for c in self._ws.channels.values()]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return [self._ws.public_message(m) for m in self._ws.messages.get(channel_id, [])]

    def pins(self, channel_id: str) -> list[str]:
        with self._cond:
            return list(self._ws.pins.get(channel_id, []))

    def bookmarks(self, channel_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(b) for b in self._ws.bookmarks.get(channel_id, [])]

    def files(self, channel_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(f) for f in self._ws.files.get(channel_id, [])]

    def ephemeral_messages(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(m) for m in self._ws.ephemeral]

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    # --- faults and limits ---------------------------------------------------------------------------------------
    def inject_fault(
        self, method: str, kind: str, times: int = 1, retry_after: int = 1, error: str | None = None
    ) -> None:
        with self._cond:
            self._faults.inject(method, kind, times, retry_after, error)

    def hold_request(self, method: str, matches: Callable[[dict[str, Any]], bool] = lambda args: True) -> RequestHold:
        """The next call of `method` whose arguments `matches` waits before it is carried out, until
        `hold.release()`; if its caller's connection closes meanwhile, it is never carried out."""
        with self._cond:
            return self._faults.hold_request(method, matches)

    def hold_response(self, method: str) -> Hold:
        """The next call of `method` is carried out at once but answered only on `hold.release()`."""
        with self._cond:
            return self._faults.hold(method)

    def fault_rate(
        self,
        rate: float,
        kinds: Iterable[str] = ("ratelimited", "http500", "drop"),
        seed: int = 0,
        methods: Iterable[str] | None = None,
    ) -> None:
        with self._cond:
            self._faults.set_rate(rate, kinds, seed, methods)

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()

    def enable_rate_limits(self, per_minute_scale: float = 1.0) -> None:
        with self._cond:
            self._limiter = RateLimiter(per_minute_scale)

    def disable_rate_limits(self) -> None:
        with self._cond:
            self._limiter = None

    # --- Socket Mode and events ---------------------------------------------------------------------------------
    @property
    def redelivery_seconds(self) -> float:
        return self._hub.redelivery_seconds

    @redelivery_seconds.setter
    def redelivery_seconds(self, value: float) -> None:
        self._hub.redelivery_seconds = value

    @property
    def envelopes(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._hub.envelopes)

    @property
    def acked(self) -> set[str]:
        with self._cond:
            return set(self._hub.acked)

    @property
    def connection_count(self) -> int:
        """Sockets that received hello and are still open."""
        with self._cond:
            return len(self._hub.ready)

    @property
    def hellos_sent(self) -> int:
        with self._cond:
            return self._hub.hellos_sent

    def ack_drop_next(self, n: int) -> None:
        with self._cond:
            self._hub.ack_drop += n

    def push_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """Push any Events API event in an events_api envelope; returns the envelope."""
        with self._cond:
            envelope = self._hub.make_envelope(self._ws.team_id, event)
            self._hub.enqueue(envelope)
            self._cond.notify_all()
            return envelope

    def _channel_or_raise(self, channel: str) -> Channel:
        ch = self._ws.channels.get(channel)
        if ch is None:
            raise KeyError(f"unknown channel {channel!r}")
        return ch

    def post_user_message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        with self._cond:
            ch = self._channel_or_raise(channel)
            msg = self._ws.store_message(channel, user, text, None, thread_ts)
            event: dict[str, Any] = {
                "type": "message",
                "channel": channel,
                "channel_type": self._ws.channel_type(ch),
                "user": user,
                "text": text,
                "ts": msg["ts"],
                "event_ts": msg["ts"],
                "team": self._ws.team_id,
            }
            if thread_ts:
                event["thread_ts"] = thread_ts
            self.push_event(event)
            return msg["ts"]

    def edit_message(self, channel: str, ts: str, new_text: str) -> None:
        with self._cond:
            ch = self._channel_or_raise(channel)
            msg = self._ws.find_message(channel, ts)
            if msg is None:
                raise KeyError(f"no message {ts} in {channel}")
            old_text = msg["text"]
            edit_ts = self._ws.new_ts()
            msg.update(text=new_text, edited=True, edited_ts=edit_ts)
            inner: dict[str, Any] = {
                "type": "message",
                "user": msg["user"],
                "text": new_text,
                "ts": ts,
                "edited": {"user": msg["user"], "ts": edit_ts},
                "team": self._ws.team_id,
            }
            previous: dict[str, Any] = {"type": "message", "user": msg["user"], "text": old_text, "ts": ts}
            if msg["thread_ts"]:
                inner["thread_ts"] = previous["thread_ts"] = msg["thread_ts"]
            self.push_event(
                {
                    "type": "message",
                    "subtype": "message_changed",
                    "hidden": True,
                    "channel": channel,
                    "channel_type": self._ws.channel_type(ch),
                    "message": inner,
                    "previous_message": previous,
                    "ts": edit_ts,
                    "event_ts": edit_ts,
                }
            )

    def rename_channel(self, channel: str, name: str, send_event: bool = True) -> None:
        """Rename a channel as a person would in Slack; channel_rename (group_rename if private) tells the bot."""
        with self._cond:
            ch = self._channel_or_raise(channel)
            if name != ch.name:
                ch.previous_names.insert(0, ch.name)
                ch.name = name
            if send_event:
                self.push_event(
                    {
                        "type": "group_rename" if ch.is_private else "channel_rename",
                        "channel": {"id": ch.id, "name": name, "created": ch.created},
                        "event_ts": self._ws.new_ts(),
                    }
                )
            self._cond.notify_all()

    def add_reaction(self, user: str, channel: str, ts: str, name: str) -> None:
        with self._cond:
            self._channel_or_raise(channel)
            msg = self._ws.find_message(channel, ts)
            if msg is None:
                raise KeyError(f"no message {ts} in {channel}")
            users = msg["reactions"].setdefault(name, [])
            if user not in users:
                users.append(user)
            self.push_event(
                {
                    "type": "reaction_added",
                    "user": user,
                    "reaction": name,
                    "item": {"type": "message", "channel": channel, "ts": ts},
                    "item_user": msg["user"],
                    "event_ts": self._ws.new_ts(),
                }
            )

    def disconnect_clients(self, reason: str = "refresh_requested") -> None:
        self._server.run_coro(self._hub.disconnect_all(reason))

    # --- replicas: several Socket Mode connections of the app -----------------------------------------------------
    def seed_deliveries(self, seed: int) -> None:
        """Seed the RNG that picks which open connection gets each envelope (Slack picks at random)."""
        with self._cond:
            self._hub.rng.seed(seed)

    def connection_ids(self) -> list[str]:
        """Ids ("conn-1", "conn-2", ...) of the connections that got hello and are open, oldest first."""
        with self._cond:
            return [self._hub.conn_ids[ws] for ws in self._hub.ready]

    def deliveries(self) -> list[tuple[str, str, int]]:
        """Every envelope sent: (envelope_id, connection_id, attempt), attempt 0 first, redeliveries after."""
        with self._cond:
            return list(self._hub.deliveries)

    def disconnect(self, connection_id: str, reason: str = "refresh_requested") -> None:
        """Send one connection a disconnect frame and close it (KeyError if it is not open)."""
        self._server.run_coro(self._hub.disconnect(connection_id, reason))

    # --- waiting ---------------------------------------------------------------------------------------------
    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Block until predicate() is true; it is re-evaluated on every state change.

        Predicates over state outside the emulator are also re-checked every EXTERNAL_RECHECK seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met within {timeout}s")
                self._cond.wait(min(remaining, EXTERNAL_RECHECK))

    def wait_for_connection(self, timeout: float = 10) -> None:
        try:
            self.wait_for(lambda: bool(self._hub.ready), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no Socket Mode client connected within {timeout}s "
                f"(apps.connections.open calls: {len(self.calls_to('apps.connections.open'))})"
            ) from None

    def wait_for_message(
        self,
        channel: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda m: True,
        timeout: float = 10,
        after_ts: str | None = None,
    ) -> dict[str, Any]:
        """Wait for a message the bot posted in `channel` (newer than after_ts) that matches predicate."""
        found: list[dict[str, Any]] = []
        bot = self._ws.bot_user_id

        def check() -> bool:
            for msg in self._ws.messages.get(channel, []):
                if msg["user"] != bot or (after_ts and float(msg["ts"]) <= float(after_ts)):
                    continue
                public = self._ws.public_message(msg)
                if predicate(public):
                    found.append(public)
                    return True
            return False

        try:
            self.wait_for(check, timeout)
        except TimeoutError:
            with self._cond:
                dump = pprint.pformat(
                    [{k: m[k] for k in ("ts", "user", "text", "thread_ts")} for m in self._ws.messages.get(channel, [])]
                )
                recent = [(c.method, c.response.get("error")) for c in self._calls[-15:]]
            raise TimeoutError(
                f"no matching bot message in {channel} within {timeout}s.\n"
                f"messages in channel:\n{dump}\nlast calls: {recent}"
            ) from None
        return found[0]
