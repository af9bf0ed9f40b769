"""Trello REST API emulator (cards, lists, members/me, webhooks) per Trello's REST reference: key + token auth,
POST/PUT/GET /1/cards; webhooks and their signed deliveries in trello_webhooks.py.

Errors are plain text like Trello's ("invalid key", "invalid token", "invalid value for idList", "invalid id");
a 429 is JSON (`{"error":"API_TOKEN_LIMIT_EXCEEDED",...}`) after 100 requests in 10 s per token."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .base import EmulatorBase, RollingLimit, json_response
from .trello_webhooks import TrelloWebhooks, card_actions

HEX24 = re.compile(r"^[0-9a-f]{24}$")
OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
NOT_FOUND = "The requested resource was not found."
MAX_DESC = 16384
_ids = iter(range(1, 1 << 40))
_ids_lock = threading.Lock()


def new_id() -> str:
    """A 24-hex id shaped like Trello's (a timestamp, then a counter)."""
    with _ids_lock:
        n = next(_ids)
    return f"{int(time.time()):08x}{n:016x}"


@dataclass
class Card:
    id: str
    idShort: int
    name: str
    desc: str
    idList: str
    idBoard: str
    idMembers: list[str]
    due: str | None
    dueComplete: bool
    pos: float
    closed: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # the parameters of each accepted create/update

    @property
    def shortLink(self) -> str:
        return self.id[-8:]

    @property
    def shortUrl(self) -> str:
        return f"https://trello.com/c/{self.shortLink}"

    def to_json(self) -> dict[str, Any]:
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        fields = ("id", "idShort", "name", "desc", "idList", "idBoard", "due", "dueComplete", "pos", "closed")
        out = {name: getattr(self, name) for name in fields}
        out.update(idMembers=list(self.idMembers), shortLink=self.shortLink, shortUrl=self.shortUrl)
        out["url"] = f"{self.shortUrl}/{self.idShort}-{slug}"
        return out


class _BadValue(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class TrelloEmulator(EmulatorBase, TrelloWebhooks):
    """`api_key`/`token`: the credentials that are valid; the token acts as member `me` (RedAlert's own), and
    `app_secret` signs webhook deliveries. Lists and members are seeded with add_list/add_member; `act` is a person
    changing a card in Trello's UI.

    `reads`: where parameters are taken from. "any" (Trello's servers: query string, form or JSON body, credentials
    also from an OAuth header); "query" (only the query string, as the API reference declares every parameter);
    "json" (credentials from the query string, card fields only from a JSON body). A client that works against all
    three does not depend on one reading of the reference.
    """

    name = "trello"
    url_suffix = "/1/"

    def __init__(
        self,
        api_key: str = "0123456789abcdef0123456789abcdef",
        token: str = "ATTA" + "0" * 60,
        requests_per_10s: int = 100,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
        reads: str = "any",
        app_secret: str = "trello-app-secret-" + "5" * 46,
    ) -> None:
        super().__init__(port=port)
        if reads not in ("any", "query", "json"):
            raise ValueError('reads is "any", "query" or "json"')
        self.reads = reads
        self.api_key = api_key
        self.token = token
        self.limit = RollingLimit(requests_per_10s, 10, clock)
        self.lists: dict[str, dict[str, str]] = {}
        self.members: dict[str, str] = {}
        self._cards: dict[str, Card] = {}
        self.me = {"id": new_id(), "username": "redalert", "fullName": "RedAlert"}
        self.members[self.me["id"]] = self.me["username"]
        self.full_names: dict[str, str] = {self.me["id"]: self.me["fullName"]}
        self._init_webhooks(app_secret)

    def add_list(self, list_id: str | None = None, name: str = "To do", board_id: str | None = None) -> str:
        list_id = list_id or new_id()
        if not HEX24.match(list_id):
            raise ValueError("Trello ids are 24 lower-case hex digits")
        with self._cond:
            self.lists[list_id] = {"id": list_id, "name": name, "idBoard": board_id or new_id()}
        return list_id

    def add_member(self, member_id: str | None = None, username: str = "member", full_name: str = "") -> str:
        member_id = member_id or new_id()
        if not HEX24.match(member_id):
            raise ValueError("Trello ids are 24 lower-case hex digits")
        with self._cond:
            self.members[member_id] = username
            self.full_names[member_id] = full_name or username.capitalize()
        return member_id

    def member(self, member_id: str) -> dict[str, str]:
        return {"id": member_id, "username": self.members[member_id], "fullName": self.full_names[member_id]}

    def act(self, card_id: str, by: str, **changes: Any) -> list[int]:
        """A person (member `by`) changes a card in Trello: idList, dueComplete, idMembers (a list). Its actions are
        delivered to the watching webhooks now; the callbacks' statuses come back."""
        with self._cond:
            card = self._cards[card_id]
            before = card.to_json()
            for name, value in changes.items():
                setattr(card, name, list(value) if name == "idMembers" else value)
            if "idList" in changes:
                card.idBoard = self.lists[card.idList]["idBoard"]
            actions = card_actions(before, card.to_json(), self.member(by), self.lists)
            hooks = [dict(h) for h in self._watching(card.idBoard, card.id)]
            self._cond.notify_all()
        return [self.post_action(hook, action) for action in actions for hook in hooks]

    # --- state for tests ---------------------------------------------------------------------------------------
    @property
    def cards(self) -> dict[str, Card]:
        with self._cond:
            return dict(self._cards)

    def card(self, card_id: str) -> Card | None:
        with self._cond:
            return self._cards.get(card_id)

    def cards_named(self, name: str) -> list[Card]:
        with self._cond:
            return [c for c in self._cards.values() if c.name == name]

    def wait_for_cards(self, n: int, timeout: float = 10.0) -> list[Card]:
        return self.wait_for(lambda: list(self._cards.values()) if len(self._cards) >= n else None, timeout)

    def wait_for_card(self, predicate: Callable[[Card], bool], timeout: float = 10.0) -> Card:
        return self.wait_for(lambda: next((c for c in self._cards.values() if predicate(c)), None), timeout)

    # --- HTTP --------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post("/1/cards", self._create)
        app.router.add_put("/1/cards/{id}", self._update)
        app.router.add_get("/1/cards/{id}", self._get)
        app.router.add_get("/1/lists/{id}/cards", self._list_cards)
        app.router.add_get("/1/lists/{id}", self._get_list)
        app.router.add_get("/1/members/{id}", self._get_member)
        self._webhook_routes(app)

    def _error_body(self, status: int) -> Any:
        if status == 429:
            return {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
        return {400: "invalid request", 401: "invalid token", 404: NOT_FOUND}.get(status, "Internal server error")

    async def _params(self, request: web.Request) -> dict[str, Any]:
        """Trello takes parameters from the query string, a form body or a JSON body alike (see `reads`)."""
        params: dict[str, Any] = dict(request.query)
        if self.reads == "json":
            params = {k: v for k, v in params.items() if k in ("key", "token")}
        raw = await request.read()
        if raw.strip() and self.reads != "query":
            if request.content_type == "application/json":
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise _BadValue(400, "invalid request")
                params.update(body)
            else:
                params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        return params

    def _auth_error(self, request: web.Request, params: dict[str, Any]) -> web.Response | None:
        key, token = params.get("key"), params.get("token")
        header = request.headers.get("Authorization", "")
        if header.startswith("OAuth ") and self.reads == "any":
            oauth = dict(OAUTH_PARAM.findall(header))
            key, token = oauth.get("oauth_consumer_key", key), oauth.get("oauth_token", token)
        if key != self.api_key:
            return web.Response(status=401, text="invalid key")
        if token != self.token:
            return web.Response(status=401, text="invalid token")
        retry_after = self.limit.hit(str(token))
        if retry_after is not None:
            body = self._error_body(429)
            return json_response(429, body, {"Retry-After": str(retry_after)})
        return None

    async def _handle(self, request: web.Request, action: Callable[[dict[str, Any]], Any]) -> web.Response:
        """Parameters, credentials and the rate limit, then `action` under the lock: a Card or a JSON-able answer."""
        try:
            params = await self._params(request)
        except (ValueError, _BadValue):
            return web.Response(status=400, text="invalid request")
        with self._cond:
            denied = self._auth_error(request, params)
            if denied is not None:
                return denied
            try:
                result = action(params)
            except _BadValue as exc:
                return web.Response(status=exc.status, text=exc.text)
            self._cond.notify_all()
            return json_response(200, result.to_json() if isinstance(result, Card) else result)

    async def _create(self, request: web.Request) -> web.Response:
        def create(params: dict[str, Any]) -> Card:
            id_list = self._list_id(params.get("idList"))
            values = self._values(params)
            if "due" in params and values["due"] is None:
                raise _BadValue(400, "invalid value for due")  # create's `due` is a date, not nullable (update's is)
            siblings = [c.pos for c in self._cards.values() if c.idList == id_list]
            pos = self._pos(params.get("pos", "bottom"), siblings)
            card = Card(new_id(), len(self._cards) + 1, values.get("name", ""), values.get("desc", ""), id_list,
                        self.lists[id_list]["idBoard"], values.get("idMembers", []), values.get("due"),
                        values.get("dueComplete", False), pos)  # fmt: skip
            card.history.append(_public(params))
            self._cards[card.id] = card
            return card

        return await self._handle(request, create)

    async def _update(self, request: web.Request) -> web.Response:
        def update(params: dict[str, Any]) -> Card:
            card = self._find(request.match_info["id"])
            before = card.to_json()
            values = self._values(params)
            if "idList" in params:
                values["idList"] = self._list_id(params["idList"])
                values["idBoard"] = self.lists[values["idList"]]["idBoard"]
            if "pos" in params:
                values["pos"] = self._pos(params["pos"], [c.pos for c in self._cards.values() if c is not card])
            for name, value in values.items():
                setattr(card, name, value)
            card.history.append(_public(params))
            self._queue_actions(card.idBoard, card.id, card_actions(before, card.to_json(), self.me, self.lists))
            return card

        return await self._handle(request, update)

    async def _get_list(self, request: web.Request) -> web.Response:
        def get(params: dict[str, Any]) -> dict[str, Any]:
            found = dict(self.lists[self._list_id(request.match_info["id"])])
            return {**found, "closed": False, "pos": 65536}

        return await self._handle(request, get)

    async def _get_member(self, request: web.Request) -> web.Response:
        def get(params: dict[str, Any]) -> dict[str, str]:
            member_id = request.match_info["id"]
            member_id = self.me["id"] if member_id == "me" else member_id
            if member_id not in self.members:
                raise _BadValue(404, NOT_FOUND)
            return self.member(member_id)

        return await self._handle(request, get)

    def stop(self) -> None:
        self._stop_sender()
        super().stop()

    async def _get(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda params: self._find(request.match_info["id"]))

    async def _list_cards(self, request: web.Request) -> web.Response:
        """The list's open cards, oldest first; `fields` (comma-separated) narrows each card as Trello does."""

        def cards(params: dict[str, Any]) -> list[dict[str, Any]]:
            list_id = self._list_id(request.match_info["id"])
            found = [c.to_json() for c in self._cards.values() if c.idList == list_id and not c.closed]
            wanted = [f for f in str(params.get("fields", "all")).split(",") if f]
            if "all" in wanted:
                return found
            return [{name: card[name] for name in ["id", *wanted] if name in card} for card in found]

        return await self._handle(request, cards)

    # --- parameter checks (called under the lock) --------------------------------------------------------------
    def _find(self, card_id: str) -> Card:
        if not HEX24.match(card_id):
            raise _BadValue(400, "invalid id")
        card = self._cards.get(card_id)
        if card is None:
            raise _BadValue(404, NOT_FOUND)
        return card

    def _list_id(self, value: Any) -> str:
        if not isinstance(value, str) or not HEX24.match(value):
            raise _BadValue(400, "invalid value for idList")
        if value not in self.lists:
            raise _BadValue(404, NOT_FOUND)
        return value

    def _values(self, params: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("name", "desc"):
            if name in params:
                if not isinstance(params[name], str) or (name == "desc" and len(params[name]) > MAX_DESC):
                    raise _BadValue(400, f"invalid value for {name}")
                values[name] = params[name]
        if "due" in params:
            values["due"] = _due(params["due"])
        for name in ("dueComplete", "closed"):
            if name in params:
                flag = str(params[name]).lower()
                if flag not in ("true", "false"):
                    raise _BadValue(400, f"invalid value for {name}")
                values[name] = flag == "true"
        if "idMembers" in params:
            raw = params["idMembers"]
            ids = raw if isinstance(raw, list) else [m for m in str(raw).split(",") if m]
            if any(m not in self.members for m in ids):
                raise _BadValue(400, "invalid value for idMembers")
            values["idMembers"] = list(dict.fromkeys(ids))
        return values

    @staticmethod
    def _pos(value: Any, siblings: list[float]) -> float:
        if value == "top":
            return min(siblings, default=65536.0) / 2
        if value == "bottom":
            return max(siblings, default=0.0) + 65536.0
        try:
            pos = float(value)
        except (TypeError, ValueError):
            raise _BadValue(400, "invalid value for pos") from None
        if pos < 0:
            raise _BadValue(400, "invalid value for pos")
        return pos


def _due(value: Any) -> str | None:
    if value in (None, "", "null"):
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _BadValue(400, "invalid value for due") from None
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _public(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters without the credentials, for tests to inspect."""
    return {k: v for k, v in params.items() if k not in ("key", "token")}
