"""Test-side interactivity: people running slash commands, clicking buttons and submitting or closing modals.

InteractionsMixin is part of SlackEmulator. Each helper sends a Socket Mode envelope (slash_commands or interactive)
with a fresh trigger_id (and response_url for slash commands and message clicks) and returns its envelope_id; the
app's ack payload is read back with wait_for_ack / ack_payload (ack_effects.py applies it as Slack would).
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING, Any

from . import payloads

if TYPE_CHECKING:
    from .clock import EmulatorClock
    from .response_urls import ResponseUrls
    from .socket_mode import Ack, SocketHub
    from .views import ViewStore
    from .workspace import Workspace


class InteractionsMixin:
    _cond: threading.Condition
    _ws: Workspace
    _hub: SocketHub
    _views: ViewStore
    _responses: ResponseUrls
    _clock: EmulatorClock
    _base_url: str

    # --- the clock -------------------------------------------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        """Move the emulator clock forward: expires trigger ids (3 s) and response_urls (30 min), makes acks late."""
        self._clock.advance(seconds)
        with self._cond:
            self._cond.notify_all()

    # --- people interacting ----------------------------------------------------------------------------------
    def _send(self, kind: str, payload: dict[str, Any], envelope_id: str | None = None) -> str:
        envelope = self._hub.make_interactive_envelope(kind, payload)
        if envelope_id:
            envelope["envelope_id"] = envelope_id
        self._hub.enqueue(envelope)
        self._cond.notify_all()
        return str(envelope["envelope_id"])

    def send_slash_command(self, user: str, channel: str, command: str = "/incident", text: str = "") -> str:
        """A person runs `command text` in channel; returns the envelope_id."""
        with self._cond:
            if channel not in self._ws.channels:
                raise KeyError(f"unknown channel {channel!r}")
            envelope_id = self._hub.new_envelope_id()
            response_url = self._responses.issue(self._base_url, envelope_id, user, channel)
            trigger_id = self._views.issue_trigger(user)
            payload = payloads.slash_command(self._ws, user, channel, command, text, response_url, trigger_id)
            return self._send("slash_commands", payload, envelope_id)

    def click_button(
        self,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
    ) -> str:
        """A person clicks button action_id on a message, or on an ephemeral message shown to them (value defaults
        to the button's own); KeyError if there is no such message or button."""
        with self._cond:
            msg = self._ws.find_message(channel, message_ts)
            shown = self._ephemeral(user, channel, message_ts) if msg is None else None
            if msg is None and shown is None:
                raise KeyError(f"no message {message_ts} in {channel} (nor an ephemeral one shown to {user})")
            found_block, element = payloads.find_element((msg or shown or {}).get("blocks") or [], action_id, block_id)
            envelope_id = self._hub.new_envelope_id()
            message = None
            if msg is not None:  # Slack sends no message body for a click on an ephemeral message
                message = self._ws.message_json(msg)
                message.setdefault("blocks", [])
            container = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": shown is not None,
            }
            response_url = self._responses.issue(
                self._base_url, envelope_id, user, channel, message_ts, ephemeral=shown is not None
            )
            payload = payloads.block_actions(
                self._ws,
                user,
                container,
                payloads.button_action(found_block, element, value),
                self._views.issue_trigger(user),
                channel=channel,
                message=message,
                response_url=response_url,
            )
            return self._send("interactive", payload, envelope_id)

    def click_view_button(
        self, user: str, view_id: str, action_id: str, value: str | None = None, block_id: str | None = None
    ) -> str:
        """A person clicks a button inside an open modal (block_actions with a view container, no response_url);
        its trigger_id can views.push onto that modal's stack."""
        with self._cond:
            view = copy.deepcopy(self._owned_open_view(user, view_id))
            found_block, element = payloads.find_element(view["blocks"], action_id, block_id)
            payload = payloads.block_actions(
                self._ws,
                user,
                {"type": "view", "view_id": view_id},
                payloads.button_action(found_block, element, value),
                self._views.issue_trigger(user, view_id),
                view=view,
            )
            return self._send("interactive", payload)

    def _ephemeral(self, user: str, channel: str, ts: str) -> dict[str, Any] | None:
        return next(
            (m for m in self._ws.ephemeral if (m["user"], m["channel"], m["ts"]) == (user, channel, ts)),
            None,
        )

    def _owned_open_view(self, user: str, view_id: str) -> dict[str, Any]:
        if self._views.stack_of(view_id) is None:
            raise KeyError(f"view {view_id!r} is not open")
        if self._views.owner[view_id] != user:
            raise KeyError(f"view {view_id!r} belongs to {self._views.owner[view_id]}, not {user}")
        return self._views.views[view_id]

    def enter_in_view(self, user: str, view_id: str, key: str, value: Any) -> str | None:
        """A person picks or types a value in an input of an open modal (key: its block_id or action_id; value as
        for submit_view). It stays in the form, across views.update while the input keeps its block_id and
        action_id. An input block with `dispatch_action: true` sends block_actions (a view container, the view with
        its state and hash, no response_url): its envelope_id is returned; other inputs send nothing (None)."""
        with self._cond:
            view = self._owned_open_view(user, view_id)
            block_id, element = payloads.input_block(view, key)
            payloads.element_state(element, value)  # KeyError for an option the select does not offer
            self._views.enter(view_id, block_id, str(element.get("action_id", "")), str(element.get("type")), value)
            block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
            if not block.get("dispatch_action"):
                return None
            shown = copy.deepcopy(view)
            shown["state"] = {"values": payloads.state_values(shown, {}, self._views.entries(view_id))}
            payload = payloads.block_actions(
                self._ws,
                user,
                {"type": "view", "view_id": view_id},
                payloads.entry_action(block_id, element, value),
                self._views.issue_trigger(user, view_id),
                view=shown,
            )
            return self._send("interactive", payload)

    def submit_view(self, user: str, view_id: str, values: dict[str, Any] | None = None) -> str:
        """A person presses Submit. values maps an input block_id (or action_id) to the entry: a string for
        plain_text_input, number_input and url_text_input, an option value for static_select, a list of option
        values for multi_static_select and checkboxes, a user id for users_select, a list of user ids for
        multi_users_select. Other inputs keep what enter_in_view put there, else their initial values."""
        with self._cond:
            view = copy.deepcopy(self._owned_open_view(user, view_id))
            view["state"] = {"values": payloads.state_values(view, values or {}, self._views.entries(view_id))}
            trigger_id = self._views.issue_trigger(user, view_id)
            payload = payloads.view_payload(
                self._ws, user, "view_submission", view, trigger_id=trigger_id, response_urls=[]
            )
            return self._send("interactive", payload)

    def close_view(self, user: str, view_id: str) -> str | None:
        """A person presses Close (or Esc): the view closes; view_closed is sent only with notify_on_close."""
        with self._cond:
            view = copy.deepcopy(self._owned_open_view(user, view_id))
            self._views.close(view_id)
            self._cond.notify_all()
            if not view["notify_on_close"]:
                return None
            payload = payloads.view_payload(self._ws, user, "view_closed", view, is_cleared=False)
            return self._send("interactive", payload)

    # --- the app's acks --------------------------------------------------------------------------------------
    def ack(self, envelope_id: str) -> Ack | None:
        """The first ack for envelope_id (payload, connection, delay, late), or None if none arrived yet."""
        with self._cond:
            return self._hub.acks.get(envelope_id)

    def ack_payload(self, envelope_id: str) -> dict[str, Any] | None:
        """The payload the app acked with ({} for an empty ack), or None if not acked yet."""
        found = self.ack(envelope_id)
        return None if found is None else copy.deepcopy(found.payload)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        """Block until the app acks envelope_id; returns the ack payload ({} for an empty ack)."""
        try:
            self.wait_for(lambda: envelope_id in self._hub.acks, timeout)  # type: ignore[attr-defined]
        except TimeoutError:
            with self._cond:
                sent = [d for d in self._hub.deliveries if d[0] == envelope_id]
            raise TimeoutError(f"no ack for {envelope_id} within {timeout}s (deliveries: {sent})") from None
        return copy.deepcopy(self._hub.acks[envelope_id].payload)

    def late_acks(self) -> list[str]:
        """Envelopes whose ack came more than 3 s (emulator clock) after their latest delivery."""
        with self._cond:
            return [a.envelope_id for a in self._hub.acks.values() if a.late]

    # --- inspection ------------------------------------------------------------------------------------------
    def envelope(self, envelope_id: str) -> dict[str, Any]:
        with self._cond:
            return copy.deepcopy(self._hub.stored(envelope_id))

    def responses_for(self, envelope_id: str) -> list[dict[str, Any]]:
        """POSTs to the envelope's response_url: {"body", "at", "applied"} ("ephemeral", "in_channel",
        "replace_original", "delete_original" or the error code)."""
        with self._cond:
            return self._responses.posts_for(envelope_id)

    def ephemerals_for(self, user: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages shown to user (chat.postEphemeral, slash-command acks, response_url), oldest first."""
        with self._cond:
            shown = [m for m in self._ws.ephemeral if m["user"] == user]
            return [dict(m) for m in shown if channel is None or m["channel"] == channel]

    def open_views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Modals currently open (every stack, root first), optionally only user's."""
        with self._cond:
            return self._views.open_views(user)

    def view(self, view_id: str) -> dict[str, Any]:
        """The latest version of a view, open or closed."""
        with self._cond:
            return copy.deepcopy(self._views.views[view_id])

    def view_errors(self, view_id: str) -> dict[str, str]:
        """The inline errors the last response_action "errors" put on the view ({} if none)."""
        with self._cond:
            return dict(self._views.errors_shown.get(view_id, {}))
