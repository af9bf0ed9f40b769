"""response_url: the per-interaction webhook Slack hands out with slash commands and message block_actions.

POSTs are recorded per envelope and applied: response_type "ephemeral" (default) or "in_channel",
replace_original / delete_original on the clicked message. At most 5 uses within 30 minutes
(slack-interactivity.md §4).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .clock import EmulatorClock
from .web_api import ApiError, _message_content
from .workspace import Workspace

MAX_USES = 5
VALID_SECONDS = 30 * 60


@dataclass
class ResponseTarget:
    envelope_id: str
    user: str
    channel: str
    message_ts: str | None  # the clicked message; None for a slash command
    issued_at: float
    ephemeral: bool = False  # the clicked message was an ephemeral one shown to user
    uses: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)


class ResponseUrls:
    def __init__(self, cond: threading.Condition, ws: Workspace, clock: EmulatorClock) -> None:
        self._cond = cond
        self._ws = ws
        self._clock = clock
        self.targets: dict[str, ResponseTarget] = {}  # token -> target

    def issue(
        self,
        base_url: str,
        envelope_id: str,
        user: str,
        channel: str,
        message_ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        token = secrets.token_urlsafe(16)
        self.targets[token] = ResponseTarget(envelope_id, user, channel, message_ts, self._clock.now(), ephemeral)
        return f"{base_url}response/{token}"

    def posts_for(self, envelope_id: str) -> list[dict[str, Any]]:
        return [dict(p) for t in self.targets.values() if t.envelope_id == envelope_id for p in t.posts]

    def _original(self, target: ResponseTarget) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The clicked message and the list holding it (channel history, or the ephemerals)."""
        ws = self._ws
        if target.message_ts is None:
            return None, []
        if target.ephemeral:
            key = (target.user, target.channel, target.message_ts)
            found = next((m for m in ws.ephemeral if (m["user"], m["channel"], m["ts"]) == key), None)
            return found, ws.ephemeral
        return ws.find_message(target.channel, target.message_ts), ws.messages.get(target.channel, [])

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        with self._cond:
            status, answer = self._apply(request.match_info["token"], body)
            self._cond.notify_all()
        return web.json_response(answer, status=status)

    def _apply(self, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        target = self.targets.get(token)
        if target is None or self._clock.now() - target.issued_at > VALID_SECONDS:
            return 404, {"ok": False, "error": "expired_url"}
        if target.uses >= MAX_USES:
            return 404, {"ok": False, "error": "used_url"}
        target.uses += 1
        record: dict[str, Any] = {"body": body, "at": self._clock.now(), "applied": None}
        target.posts.append(record)
        ws = self._ws
        original, holder = self._original(target)
        if body.get("delete_original") in (True, "true"):
            if original is not None:
                holder.remove(original)
            record["applied"] = "delete_original"
            return 200, {"ok": True}
        try:
            text, blocks, _attachments = _message_content(body)
        except ApiError as err:
            record["applied"] = err.error
            return 400, {"ok": False, "error": err.error}
        if body.get("replace_original") in (True, "true") and original is not None:
            original.update(text=text, blocks=blocks)
            if not target.ephemeral:
                original.update(edited=True, edited_ts=ws.new_ts())
            record["applied"] = "replace_original"
        elif body.get("response_type") == "in_channel":
            msg = ws.store_message(target.channel, ws.bot_user_id, text, blocks, body.get("thread_ts"), ws.bot_id)
            record["applied"], record["ts"] = "in_channel", msg["ts"]
        else:
            ws.ephemeral.append(
                {"channel": target.channel, "user": target.user, "text": text, "blocks": blocks, "ts": ws.new_ts()}
            )
            record["applied"] = "ephemeral"
        return 200, {"ok": True}
