"""The webhook side of the Trello emulator, as Trello's webhook guide describes it (developer.atlassian.com/cloud/
trello/guides/rest-api/webhooks/) and its REST reference declares the routes (tests/specs/trello-openapi.json):

- POST /1/webhooks/ (or /1/tokens/{token}/webhooks) checks the callback with a HEAD request first: anything but
  200 → 400 `URL (<callback>) did not return 200 status code, got <n>`; the same callback, model and token again →
  400 `A webhook with that callback, model, and token already exists`.
- GET/DELETE /1/webhooks/{id}, GET /1/tokens/{token}/webhooks.
- Each change of a card on a watched board is POSTed to the callback as `{"action", "model", "webhook"}` with
  `X-Trello-Webhook`: base64 HMAC-SHA1 over the raw body followed by the callback URL, keyed with the app's secret.
  One action per changed field (`updateCard` with `old`, `listBefore`/`listAfter` for a move, `addMemberToCard`,
  `removeMemberFromCard`), made by the member whose token made the change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx
from aiohttp import web


@dataclass(frozen=True)
class HookDelivery:
    """One POST to a callback: the action it carried and the callback's answer (0: unreachable)."""

    webhook_id: str
    action: dict[str, Any]
    status: int


def trello_signature(body: bytes, callback: str, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body + callback.encode(), hashlib.sha1).digest()).decode()


def card_actions(before: dict[str, Any], after: dict[str, Any], member: dict[str, str], lists: dict) -> list[dict]:
    """The actions Trello records for a card that changed from `before` to `after` (Card.to_json() each)."""
    from .trello import new_id

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    card = {k: after[k] for k in ("id", "name", "idShort", "shortLink", "idList", "dueComplete")}
    board = {"id": after["idBoard"]}

    def action(kind: str, **data: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "idMemberCreator": member["id"],
            "type": kind,
            "date": stamp,
            "data": {"card": card, "board": board, **data},
            "memberCreator": member,
        }

    found = []
    if before["dueComplete"] != after["dueComplete"]:
        found.append(action("updateCard", old={"dueComplete": before["dueComplete"]}))
    if before["idList"] != after["idList"]:
        ends = (before["idList"], after["idList"])
        named = {key: {"id": lists[key]["id"], "name": lists[key]["name"]} for key in ends}
        found.append(
            action(
                "updateCard", old={"idList": before["idList"]}, listBefore=named[before["idList"]],
                listAfter=named[after["idList"]],
            )
        )  # fmt: skip
    for kind, members in (
        ("addMemberToCard", [m for m in after["idMembers"] if m not in before["idMembers"]]),
        ("removeMemberFromCard", [m for m in before["idMembers"] if m not in after["idMembers"]]),
    ):
        found += [action(kind, idMember=m, member={"id": m}) for m in members]
    return found


class TrelloWebhooks:
    """Mixed into TrelloEmulator: webhook registration, the HEAD check and signed deliveries."""

    app_secret: str
    token: str
    lists: dict[str, dict[str, str]]
    _cond: threading.Condition

    def _init_webhooks(self, app_secret: str) -> None:
        self.app_secret = app_secret
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.deliveries: list[HookDelivery] = []
        self._outgoing: queue.Queue[tuple[dict[str, Any], list[dict[str, Any]]] | None] = queue.Queue()
        self._sender: threading.Thread | None = None

    def _webhook_routes(self, app: web.Application) -> None:
        app.router.add_post("/1/webhooks", self._create_webhook)
        app.router.add_post("/1/webhooks/", self._create_webhook)
        app.router.add_post("/1/tokens/{token}/webhooks", self._create_webhook)
        app.router.add_get("/1/webhooks/{id}", self._get_webhook)
        app.router.add_delete("/1/webhooks/{id}", self._delete_webhook)
        app.router.add_get("/1/tokens/{token}/webhooks", self._token_webhooks)

    # --- registration ------------------------------------------------------------------------------------------
    async def _create_webhook(self, request: web.Request) -> web.Response:
        from .trello import HEX24, new_id

        params = await self._params(request)  # type: ignore[attr-defined]
        with self._cond:
            denied = self._auth_error(request, params)  # type: ignore[attr-defined]
        if denied is not None:
            return denied
        callback, model = params.get("callbackURL"), params.get("idModel")
        if not isinstance(callback, str) or not callback.startswith(("http://", "https://")):
            return web.Response(status=400, text="invalid value for callbackURL")
        if not isinstance(model, str) or not HEX24.match(model):
            return web.Response(status=400, text="invalid value for idModel")
        with self._cond:
            if any(h["callbackURL"] == callback and h["idModel"] == model for h in self.webhooks.values()):
                return web.Response(status=400, text="A webhook with that callback, model, and token already exists")
        status = await _head(callback)
        if status != 200:
            return web.Response(status=400, text=f"URL ({callback}) did not return 200 status code, got {status}")
        hook = {
            "id": new_id(),
            "description": str(params.get("description", "")),
            "idModel": model,
            "callbackURL": callback,
            "active": str(params.get("active", "true")).lower() != "false",
            "consecutiveFailures": 0,
            "firstConsecutiveFailDate": None,
        }
        with self._cond:
            self.webhooks[hook["id"]] = hook
            self._cond.notify_all()
        return web.json_response(hook)

    async def _get_webhook(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda params: self._webhook(request.match_info["id"]))  # type: ignore[attr-defined]

    async def _delete_webhook(self, request: web.Request) -> web.Response:
        def delete(params: dict[str, Any]) -> dict[str, Any]:
            self.webhooks.pop(self._webhook(request.match_info["id"])["id"])
            return {"_value": None}

        return await self._handle(request, delete)  # type: ignore[attr-defined]

    async def _token_webhooks(self, request: web.Request) -> web.Response:
        def mine(params: dict[str, Any]) -> list[dict[str, Any]]:
            from .trello import _BadValue

            if request.match_info["token"] != self.token:
                raise _BadValue(401, "invalid token")
            return [dict(h) for h in self.webhooks.values()]

        return await self._handle(request, mine)  # type: ignore[attr-defined]

    def _webhook(self, hook_id: str) -> dict[str, Any]:
        from .trello import NOT_FOUND, _BadValue

        hook = self.webhooks.get(hook_id)
        if hook is None:
            raise _BadValue(404, NOT_FOUND)
        return dict(hook)

    # --- deliveries --------------------------------------------------------------------------------------------
    def _watching(self, board_id: str, card_id: str) -> list[dict[str, Any]]:
        return [h for h in self.webhooks.values() if h["active"] and h["idModel"] in (board_id, card_id)]

    def _queue_actions(self, board_id: str, card_id: str, actions: list[dict[str, Any]]) -> None:
        """Called under the lock after a change through the API: Trello delivers after it answered."""
        for hook in self._watching(board_id, card_id):
            for action in actions:
                self._outgoing.put((dict(hook), [action]))
        if self._sender is None and not self._outgoing.empty():
            self._sender = threading.Thread(target=self._send_loop, name="trello-webhooks", daemon=True)
            self._sender.start()

    def _send_loop(self) -> None:
        while (item := self._outgoing.get()) is not None:
            hook, actions = item
            for action in actions:
                self.post_action(hook, action)

    def post_action(
        self, hook: dict[str, Any], action: dict[str, Any], signature: str | None = None, body: bytes | None = None
    ) -> int:
        """POST one action to a webhook's callback as Trello does (or with the given signature/body: a forgery)."""
        if body is None:
            body = json.dumps({"action": action, "model": {"id": hook["idModel"]}, "webhook": hook}).encode()
        signed = signature if signature is not None else trello_signature(body, hook["callbackURL"], self.app_secret)
        headers = {"Content-Type": "application/json", "X-Trello-Webhook": signed}
        try:
            status = httpx.post(hook["callbackURL"], content=body, headers=headers, timeout=10).status_code
        except httpx.HTTPError:
            status = 0
        with self._cond:
            self.deliveries.append(HookDelivery(hook["id"], action, status))
            self._cond.notify_all()
        return status

    def send_action(self, action: dict[str, Any], **forgery: Any) -> list[int]:
        """Deliver `action` now to every webhook watching its card's board (a redelivery, a test's own action)."""
        data = action["data"]
        with self._cond:
            hooks = [dict(h) for h in self._watching(data["board"]["id"], data["card"]["id"])]
        return [self.post_action(hook, action, **forgery) for hook in hooks]

    def wait_for_deliveries(self, n: int, timeout: float = 10.0) -> list[HookDelivery]:
        return self.wait_for(lambda: list(self.deliveries) if len(self.deliveries) >= n else None, timeout)  # type: ignore[attr-defined]

    def _stop_sender(self) -> None:
        if self._sender is not None:
            self._outgoing.put(None)
            self._sender.join(10)
            self._sender = None


async def _head(url: str) -> int:
    """Trello's check of a new callback: a HEAD request that must answer 200."""
    try:
        async with aiohttp.ClientSession() as session, session.head(url, timeout=aiohttp.ClientTimeout(10)) as answer:
            return answer.status
    except (aiohttp.ClientError, TimeoutError):
        return 0
