"""Web API method handlers.

Every handler runs synchronously under the emulator lock, takes (ctx, args) and returns the success body (without
"ok") or raises ApiError. The METHODS registry carries each method's bot scopes, rate tier and token kind, copied
from the slack-api-ref JSON files.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .workspace import Channel, Workspace

if TYPE_CHECKING:
    from .views import ViewStore

MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_TOPIC = 250
MAX_INVITE = 100
NAME_RE = re.compile(r"^[a-z0-9_-]{1,80}$")

CONV_READ = ("groups:read", "im:read", "mpim:read", "channels:read")
CONV_WRITE = ("groups:write", "im:write", "mpim:write", "channels:write", "channels:manage")
CONV_HISTORY = ("groups:history", "im:history", "mpim:history", "channels:history")
INVITE_SCOPES = (
    "channels:write.invites",
    "groups:write.invites",
    "channels:manage",
    "groups:write",
    "im:write",
    "mpim:write",
)
TOPIC_WRITE = (
    "channels:write.topic",
    "groups:write.topic",
    "mpim:write.topic",
    "im:write.topic",
    "channels:manage",
    "groups:write",
    "im:write",
    "mpim:write",
)


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class ApiContext:
    ws: Workspace
    base_url: str  # "http://127.0.0.1:PORT/"
    new_ticket: Callable[[], str]
    views: ViewStore | None = None


Handler = Callable[[ApiContext, dict[str, Any]], dict[str, Any]]


@dataclass
class MethodSpec:
    name: str
    handler: Handler
    scopes: tuple[str, ...]  # any one suffices; empty = no scope needed
    tier: str
    token_kind: str = "bot"  # "bot" or "app"


METHODS: dict[str, MethodSpec] = {}


def method(
    name: str, scopes: tuple[str, ...] = (), tier: str = "t3", token_kind: str = "bot"
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = MethodSpec(name, fn, scopes, tier, token_kind)
        return fn

    return register


# --- argument helpers ---------------------------------------------------------------------------------------


def _str(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    return "" if value is None else str(value)


def _need(args: dict[str, Any], key: str, error: str = "missing_argument") -> str:
    value = _str(args, key)
    if not value:
        raise ApiError(error)
    return value


def _flag(args: dict[str, Any], key: str, default: bool = False) -> bool:
    value = args.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes")


def _int(args: dict[str, Any], key: str, default: int, error: str = "invalid_arg_name") -> int:
    value = args.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(error) from None


def _json_arg(args: dict[str, Any], key: str, error: str) -> Any:
    """Form bodies carry blocks/attachments as JSON text, JSON bodies as real arrays."""
    value = args.get(key)
    if isinstance(value, str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(error) from None
    return value


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _page(items: list[Any], args: dict[str, Any], default_limit: int = 100) -> tuple[list[Any], str]:
    limit = _int(args, "limit", default_limit, "invalid_limit")
    if limit == 0:
        limit = default_limit
    if limit < 0 or limit >= 1000:
        raise ApiError("invalid_limit")
    cursor = _str(args, "cursor")
    offset = 0
    if cursor:
        try:
            kind, _, num = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
            offset = int(num)
            if kind != "offset" or offset < 0:
                raise ValueError
        except ValueError:
            raise ApiError("invalid_cursor") from None
    chunk = items[offset : offset + limit]
    next_cursor = _encode_cursor(offset + limit) if offset + limit < len(items) else ""
    return chunk, next_cursor


def _channel(ctx: ApiContext, args: dict[str, Any], key: str = "channel") -> Channel:
    cid = _str(args, key)
    ch = ctx.ws.channels.get(cid)
    # A bot only sees private conversations it belongs to.
    if ch is None or (ch.is_private and ctx.ws.bot_user_id not in ch.members):
        raise ApiError("channel_not_found")
    return ch


def _require_member(ctx: ApiContext, ch: Channel) -> None:
    if ctx.ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")


def _not_im(ch: Channel) -> None:
    if ch.is_im:
        raise ApiError("method_not_supported_for_channel_type")


def validate_channel_name(ws: Workspace, name: str, current: Channel | None = None) -> None:
    """Slack's conversations.create/rename rules (slack-platform.md §4)."""
    if not name:
        raise ApiError("invalid_name_required")
    if len(name) > 80:
        raise ApiError("invalid_name_maxlength")
    if not any(c.isalnum() for c in name):
        raise ApiError("invalid_name_punctuation")
    if not NAME_RE.match(name):
        if any(c.isupper() or c.isspace() or c == "." or not c.isascii() for c in name):
            raise ApiError("invalid_name_specials")
        raise ApiError("invalid_name")
    existing = ws.channel_by_name(name)
    if existing is not None and existing is not current:
        raise ApiError("name_taken")


# --- auth, apps, team, users, bots --------------------------------------------------------------------------


@method("auth.test", tier="t5")
def auth_test(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    return {
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.users[ws.bot_user_id].name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@method("apps.connections.open", tier="t3", token_kind="app")
def apps_connections_open(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ticket = ctx.new_ticket()
    ws_url = ctx.base_url.replace("http://", "ws://", 1)
    return {"url": f"{ws_url}link/?ticket={ticket}&app_id={ctx.ws.app_id}"}


@method("team.info", scopes=("team:read",), tier="t3")
def team_info(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    team = _str(args, "team")
    if team and team != ws.team_id:
        raise ApiError("team_not_found")
    return {
        "team": {
            "id": ws.team_id,
            "name": ws.team_name,
            "domain": ws.team_domain,
            "email_domain": "example.com",
            "icon": {"image_default": True},
        }
    }


@method("users.info", scopes=("users:read",), tier="t4")
def users_info(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    user = ctx.ws.users.get(_need(args, "user", "user_not_found"))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": ctx.ws.user_json(user)}


@method("users.list", scopes=("users:read",), tier="t2")
def users_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    members, next_cursor = _page(list(ctx.ws.users.values()), args, default_limit=200)
    return {
        "members": [ctx.ws.user_json(u) for u in members],
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("users.lookupByEmail", scopes=("users:read.email",), tier="t3")
def users_lookup_by_email(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    email = _need(args, "email").lower()
    for user in ctx.ws.users.values():
        if user.email and user.email.lower() == email and not user.deleted:
            return {"user": ctx.ws.user_json(user)}
    raise ApiError("users_not_found")


@method("users.conversations", scopes=CONV_READ, tier="t3")
def users_conversations(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    user = _str(args, "user") or ctx.ws.bot_user_id
    chans = [c for c in _filter_channels(ctx, args) if user in c.members]
    page, next_cursor = _page(chans, args)
    return {
        "channels": [ctx.ws.channel_json(c) for c in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("users.setPresence", tier="t2")
def users_set_presence(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    # Real Slack wants users:write; errbot calls this on connect, so it is accepted without a scope check here.
    if _need(args, "presence") not in ("auto", "away"):
        raise ApiError("invalid_presence")
    return {}


@method("bots.info", scopes=("users:read",), tier="t3")
def bots_info(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    bot_id = _need(args, "bot", "bot_not_found")
    for user in ctx.ws.users.values():
        if user.bot_id == bot_id:
            return {
                "bot": {
                    "id": bot_id,
                    "deleted": user.deleted,
                    "name": user.name,
                    "updated": 1700000000,
                    "app_id": ctx.ws.app_id,
                    "user_id": user.id,
                    "icons": {"image_36": "", "image_48": "", "image_72": ""},
                }
            }
    raise ApiError("bot_not_found")


# --- conversations ----------------------------------------------------------------------------------------


@method("conversations.create", scopes=CONV_WRITE, tier="t2")
def conversations_create(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    name = _str(args, "name")
    validate_channel_name(ctx.ws, name)
    cid = ctx.ws.add_channel(name, members={ctx.ws.bot_user_id}, is_private=_flag(args, "is_private"))
    return {"channel": ctx.ws.channel_json(ctx.ws.channels[cid])}


@method("conversations.rename", scopes=CONV_WRITE, tier="t2")
def conversations_rename(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    _not_im(ch)
    name = _str(args, "name")
    validate_channel_name(ctx.ws, name, current=ch)
    if ch.is_archived:
        raise ApiError("is_archived")
    _require_member(ctx, ch)
    if name != ch.name:
        ch.previous_names.insert(0, ch.name)
        ch.name = name
    return {"channel": ctx.ws.channel_json(ch)}


@method("conversations.info", scopes=CONV_READ, tier="t3")
def conversations_info(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    return {"channel": ctx.ws.channel_json(ch, include_num_members=_flag(args, "include_num_members"))}


VALID_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def _filter_channels(ctx: ApiContext, args: dict[str, Any]) -> list[Channel]:
    types = set(_split(args.get("types"))) or {"public_channel"}
    if not types <= VALID_TYPES:
        raise ApiError("invalid_types")
    exclude_archived = _flag(args, "exclude_archived")
    bot = ctx.ws.bot_user_id
    out = []
    for ch in ctx.ws.channels.values():
        if exclude_archived and ch.is_archived:
            continue
        if ch.is_im:
            wanted = "im" in types
        elif ch.is_private:
            wanted = "private_channel" in types and bot in ch.members
        else:
            wanted = "public_channel" in types
        if wanted:
            out.append(ch)
    return out


@method("conversations.list", scopes=CONV_READ, tier="t2")
def conversations_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    page, next_cursor = _page(_filter_channels(ctx, args), args)
    return {
        "channels": [ctx.ws.channel_json(c) for c in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("conversations.members", scopes=CONV_READ, tier="t4")
def conversations_members(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    page, next_cursor = _page(sorted(ch.members), args)
    return {"members": page, "response_metadata": {"next_cursor": next_cursor}}


def _set_text_field(ctx: ApiContext, args: dict[str, Any], field_name: str) -> Channel:
    ch = _channel(ctx, args)
    if field_name not in args:
        raise ApiError("missing_argument")
    value = _str(args, field_name)
    if len(value) > MAX_TOPIC:
        raise ApiError("too_long")
    if ch.is_archived:
        raise ApiError("is_archived")
    _require_member(ctx, ch)
    now = int(time.time())
    setattr(ch, field_name, value)
    setattr(ch, f"{field_name}_creator", ctx.ws.bot_user_id)
    setattr(ch, f"{field_name}_last_set", now)
    return ch


@method("conversations.setTopic", scopes=TOPIC_WRITE, tier="t2")
def conversations_set_topic(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": ctx.ws.channel_json(_set_text_field(ctx, args, "topic"))}


@method("conversations.setPurpose", scopes=TOPIC_WRITE, tier="t2")
def conversations_set_purpose(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": ctx.ws.channel_json(_set_text_field(ctx, args, "purpose"))}


@method(
    "conversations.invite",
    scopes=INVITE_SCOPES,
    tier="t3",
)
def conversations_invite(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    ch = _channel(ctx, args)
    _not_im(ch)
    users = list(dict.fromkeys(_split(args.get("users"))))
    if not users:
        raise ApiError("no_user")
    if len(users) > MAX_INVITE:
        raise ApiError("too_many_users")
    if ch.is_archived:
        raise ApiError("is_archived")
    _require_member(ctx, ch)
    errors: list[dict[str, Any]] = []
    valid: list[str] = []
    for uid in users:
        user = ws.users.get(uid)
        if user is None or user.deleted:
            code = "user_not_found"
        elif uid == ws.bot_user_id:
            code = "cant_invite_self"
        elif uid in ch.members:
            code = "already_in_channel"
        else:
            valid.append(uid)
            continue
        errors.append({"user": uid, "ok": False, "error": code})
    # Without force one failure blocks the whole call; with force the valid ones still get in.
    if not errors or _flag(args, "force"):
        ch.members.update(valid)
    if errors:
        raise ApiError(errors[0]["error"], errors=errors)
    return {"channel": ws.channel_json(ch)}


@method("conversations.kick", scopes=("groups:write", "channels:manage"), tier="t3")
def conversations_kick(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    _not_im(ch)
    uid = _need(args, "user", "user_not_found")
    if uid == ctx.ws.bot_user_id:
        raise ApiError("cant_kick_self")
    if uid not in ctx.ws.users:
        raise ApiError("user_not_found")
    if ch.is_general:
        raise ApiError("cant_kick_from_general")
    _require_member(ctx, ch)
    if uid not in ch.members:
        raise ApiError("not_in_channel")
    ch.members.discard(uid)
    return {"errors": {}}


@method("conversations.join", scopes=("channels:join",), tier="t3")
def conversations_join(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    if ch.is_im or ch.is_private:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    body: dict[str, Any] = {}
    if ctx.ws.bot_user_id in ch.members:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    ch.members.add(ctx.ws.bot_user_id)
    body["channel"] = ctx.ws.channel_json(ch)
    return body


@method("conversations.archive", scopes=CONV_WRITE, tier="t2")
def conversations_archive(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    _not_im(ch)
    if ch.is_archived:
        raise ApiError("already_archived")
    if ch.is_general:
        raise ApiError("cant_archive_general")
    _require_member(ctx, ch)
    ch.is_archived = True
    return {}


@method("conversations.unarchive", scopes=CONV_WRITE, tier="t2")
def conversations_unarchive(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    _not_im(ch)
    if not ch.is_archived:
        raise ApiError("not_archived")
    ch.is_archived = False
    return {}


@method("conversations.open", scopes=("channels:manage", "groups:write", "im:write", "mpim:write"), tier="t3")
def conversations_open(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    if _str(args, "channel"):
        ch = _channel(ctx, args)
        return {"channel": ws.channel_json(ch) if _flag(args, "return_im") else {"id": ch.id}}
    users = _split(args.get("users"))
    if not users:
        raise ApiError("users_list_not_supplied")
    others = [u for u in users if u != ws.bot_user_id] or [ws.bot_user_id]
    if len(others) > 1:
        raise ApiError("method_not_supported_for_channel_type")  # group DMs (mpim) are not emulated
    user = ws.users.get(others[0])
    if user is None:
        raise ApiError("user_not_found")
    if user.deleted:
        raise ApiError("user_disabled")
    existed = any(c.is_im and c.im_user == user.id for c in ws.channels.values())
    ch = ws.channels[ws.open_dm(user.id)]
    body: dict[str, Any] = {"channel": ws.channel_json(ch) if _flag(args, "return_im") else {"id": ch.id}}
    if existed:
        body["no_op"] = True
        body["already_open"] = True
    return body


def _history_view(ctx: ApiContext, ch: Channel, msgs: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    oldest, latest = _str(args, "oldest"), _str(args, "latest")
    inclusive = _flag(args, "inclusive")

    def in_range(ts: str) -> bool:
        t = float(ts)
        if oldest and (t < float(oldest) or (t == float(oldest) and not inclusive)):
            return False
        return not (latest and (t > float(latest) or (t == float(latest) and not inclusive)))

    try:
        selected = [m for m in msgs if in_range(m["ts"])]
    except ValueError:
        raise ApiError("invalid_ts_oldest") from None
    page, next_cursor = _page(selected, args)
    return {
        "messages": [ctx.ws.message_json(m) for m in page],
        "has_more": bool(next_cursor),
        "pin_count": len(ctx.ws.pins.get(ch.id, [])),
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("conversations.history", scopes=CONV_HISTORY, tier="t3")
def conversations_history(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    _require_member(ctx, ch)
    top = [m for m in ctx.ws.messages.get(ch.id, []) if not m["thread_ts"] or m["thread_ts"] == m["ts"]]
    # Required by Slack's schema; a channel without channel actions has these empty.
    return {**_history_view(ctx, ch, list(reversed(top)), args), "channel_actions_ts": None, "channel_actions_count": 0}


@method("conversations.replies", scopes=CONV_HISTORY, tier="t3")
def conversations_replies(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    ts = _need(args, "ts", "thread_not_found")
    parent = ctx.ws.find_message(ch.id, ts)
    if parent is None:
        raise ApiError("thread_not_found")
    replies = [m for m in ctx.ws.messages.get(ch.id, []) if m["thread_ts"] == ts and m is not parent]
    body = _history_view(ctx, ch, [parent, *replies], args)
    # Slack's schema: the parent carries the thread summary, each reply names the parent's author.
    for message in body["messages"]:
        if message["ts"] == parent["ts"]:
            users = list(dict.fromkeys(m["user"] for m in replies))
            message.update(thread_ts=ts, reply_count=len(replies), subscribed=False, reply_users=users)
            message.update(reply_users_count=len(users), **({"latest_reply": replies[-1]["ts"]} if replies else {}))
        else:
            message["parent_user_id"] = parent["user"]
    return body


# --- chat ---------------------------------------------------------------------------------------------------


def _post_target(ctx: ApiContext, args: dict[str, Any]) -> Channel:
    target = _need(args, "channel", "channel_not_found")
    ws = ctx.ws
    if target.startswith("#"):
        named = ws.channel_by_name(target[1:])
        if named is None:
            raise ApiError("channel_not_found")
        args = {**args, "channel": named.id}
    elif target in ws.users and not ws.users[target].deleted:
        # Posting to a user ID lands in the app's DM with that user.
        args = {**args, "channel": ws.open_dm(target)}
    return _channel(ctx, args)


# Block Kit's published text limits (https://api.slack.com/reference/block-kit/blocks).
_HEADER_TEXT = 150
_SECTION_TEXT = 3000
_SECTION_FIELDS = 10
_FIELD_TEXT = 2000


def _block_fits(block: Any) -> bool:
    """Whether a header or section block keeps to Slack's text limits (other block types are not checked)."""
    if not isinstance(block, dict):
        return False
    text = block.get("text") if isinstance(block.get("text"), dict) else {}
    if block.get("type") == "header":
        return text.get("type") == "plain_text" and 0 < len(text.get("text") or "") <= _HEADER_TEXT
    if block.get("type") == "section":
        fields = block.get("fields") or []
        if not text and not fields:
            return False
        if text and not 0 < len(text.get("text") or "") <= _SECTION_TEXT:
            return False
        return len(fields) <= _SECTION_FIELDS and all(len(f.get("text") or "") <= _FIELD_TEXT for f in fields)
    return True


def _message_content(args: dict[str, Any]) -> tuple[str, list[Any] | None, list[Any] | None]:
    blocks = _json_arg(args, "blocks", "invalid_blocks_format")
    attachments = _json_arg(args, "attachments", "invalid_attachments")
    text = _str(args, "text")
    markdown = _str(args, "markdown_text")
    if markdown:
        if text or blocks:
            raise ApiError("markdown_text_conflict")
        text = markdown
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if blocks is not None and (len(blocks) > MAX_BLOCKS or not all(_block_fits(b) for b in blocks)):
        raise ApiError("invalid_blocks")
    if attachments is not None and not isinstance(attachments, list):
        raise ApiError("invalid_attachments")
    if attachments is not None and len(attachments) > 100:
        raise ApiError("too_many_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    return text[:MAX_TEXT], blocks or None, attachments or None


@method("chat.postMessage", scopes=("chat:write",), tier="t5")
def chat_post_message(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    ch = _post_target(ctx, args)
    text, blocks, attachments = _message_content(args)
    if ch.is_archived:
        raise ApiError("is_archived")
    _require_member(ctx, ch)
    thread_ts = _str(args, "thread_ts") or None
    msg = ws.store_message(ch.id, ws.bot_user_id, text, blocks, thread_ts, bot_id=ws.bot_id)
    if attachments:
        msg["attachments"] = attachments
    out = ws.message_json(msg)
    out["team"] = ws.team_id
    out["app_id"] = ws.app_id
    if attachments:
        out["attachments"] = attachments
    return {"channel": ch.id, "ts": msg["ts"], "message": out}


@method("chat.update", scopes=("chat:write",), tier="t3")
def chat_update(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    ch = _channel(ctx, args)
    msg = ws.find_message(ch.id, _need(args, "ts", "message_not_found"))
    if msg is None:
        raise ApiError("message_not_found")
    if msg["user"] != ws.bot_user_id:
        raise ApiError("cant_update_message")
    text, blocks, _attachments = _message_content(args)
    msg.update(text=text, blocks=blocks, edited=True, edited_ts=ws.new_ts())
    return {"channel": ch.id, "ts": msg["ts"], "text": text, "message": ws.message_json(msg)}


@method("chat.delete", scopes=("chat:write",), tier="t3")
def chat_delete(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    ch = _channel(ctx, args)
    msg = ws.find_message(ch.id, _need(args, "ts", "message_not_found"))
    if msg is None:
        raise ApiError("message_not_found")
    if msg["user"] != ws.bot_user_id:
        raise ApiError("cant_delete_message")
    ws.messages[ch.id].remove(msg)
    if msg["ts"] in ws.pins.get(ch.id, []):
        ws.pins[ch.id].remove(msg["ts"])
    return {"channel": ch.id, "ts": msg["ts"]}


@method("chat.postEphemeral", scopes=("chat:write",), tier="t4")
def chat_post_ephemeral(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    ch = _post_target(ctx, args)
    uid = _need(args, "user", "user_not_in_channel")
    text, blocks, _attachments = _message_content(args)
    if ch.is_archived:
        raise ApiError("is_archived")
    _require_member(ctx, ch)
    if uid not in ch.members:
        raise ApiError("user_not_in_channel")
    ts = ws.new_ts()
    ws.ephemeral.append({"channel": ch.id, "user": uid, "text": text, "blocks": blocks, "ts": ts})
    return {"message_ts": ts}


# --- pins, reactions, bookmarks --------------------------------------------------------------------------------


def _message_arg(ctx: ApiContext, args: dict[str, Any]) -> tuple[Channel, dict[str, Any]]:
    ch = _channel(ctx, args)
    ts = _need(args, "timestamp", "no_item_specified")
    msg = ctx.ws.find_message(ch.id, ts)
    if msg is None:
        raise ApiError("message_not_found")
    return ch, msg


@method("pins.add", scopes=("pins:write",), tier="t2")
def pins_add(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch, msg = _message_arg(ctx, args)
    _require_member(ctx, ch)
    pins = ctx.ws.pins.setdefault(ch.id, [])
    if msg["ts"] in pins:
        raise ApiError("already_pinned")
    pins.append(msg["ts"])
    return {}


@method("pins.remove", scopes=("pins:write",), tier="t2")
def pins_remove(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch, msg = _message_arg(ctx, args)
    pins = ctx.ws.pins.setdefault(ch.id, [])
    if msg["ts"] not in pins:
        raise ApiError("not_pinned")
    pins.remove(msg["ts"])
    return {}


@method("pins.list", scopes=("pins:read",), tier="t2")
def pins_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args)
    items = []
    for ts in ctx.ws.pins.get(ch.id, []):
        msg = ctx.ws.find_message(ch.id, ts)
        if msg is None:
            continue
        body = ctx.ws.message_json(msg)
        body["pinned_to"] = [ch.id]
        body["permalink"] = f"https://{ctx.ws.team_domain}.slack.com/archives/{ch.id}/p{ts.replace('.', '')}"
        items.append(
            {
                "type": "message",
                "channel": ch.id,
                "created": int(float(ts)),
                "created_by": msg["user"],
                "message": body,
            }
        )
    return {"items": items}


@method("reactions.add", scopes=("reactions:write",), tier="t3")
def reactions_add(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch, msg = _message_arg(ctx, args)
    name = _need(args, "name", "invalid_name").strip(":")
    if ch.is_archived:
        raise ApiError("is_archived")
    users = msg["reactions"].setdefault(name, [])
    if ctx.ws.bot_user_id in users:
        raise ApiError("already_reacted")
    users.append(ctx.ws.bot_user_id)
    return {}


@method("reactions.remove", scopes=("reactions:write",), tier="t2")
def reactions_remove(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    _ch, msg = _message_arg(ctx, args)
    name = _need(args, "name", "invalid_name").strip(":")
    users = msg["reactions"].get(name, [])
    if ctx.ws.bot_user_id not in users:
        raise ApiError("no_reaction")
    users.remove(ctx.ws.bot_user_id)
    if not users:
        del msg["reactions"][name]
    return {}


@method("reactions.get", scopes=("reactions:read",), tier="t3")
def reactions_get(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch, msg = _message_arg(ctx, args)
    body = ctx.ws.message_json(msg)
    body["team"] = ctx.ws.team_id
    body["permalink"] = f"https://{ctx.ws.team_domain}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    return {"type": "message", "channel": ch.id, "message": body}


@method("bookmarks.add", scopes=("bookmarks:write",), tier="t2")
def bookmarks_add(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args, key="channel_id")
    title = _need(args, "title")
    kind = _need(args, "type")
    if kind != "link":
        raise ApiError("invalid_bookmark_type")
    link = _str(args, "link")
    if not re.match(r"^https?://[^\s/]+", link):
        raise ApiError("invalid_link")
    now = int(time.time())
    bookmark = {
        "id": ctx.ws.new_id("Bk"),
        "channel_id": ch.id,
        "title": title,
        "link": link,
        "emoji": _str(args, "emoji") or None,
        "icon_url": None,
        "type": "link",
        "entity_id": None,
        "date_created": now,
        "date_updated": 0,
        "rank": "g",
        "last_updated_by_user_id": ctx.ws.bot_user_id,
        "last_updated_by_team_id": ctx.ws.team_id,
        "shortcut_id": None,
        "app_id": None,
    }
    ctx.ws.bookmarks.setdefault(ch.id, []).append(bookmark)
    return {"bookmark": dict(bookmark)}


@method("bookmarks.list", scopes=("bookmarks:read",), tier="t3")
def bookmarks_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel(ctx, args, key="channel_id")
    return {"bookmarks": [dict(b) for b in ctx.ws.bookmarks.get(ch.id, [])]}


# --- usergroups -----------------------------------------------------------------------------------------------


@method("usergroups.list", scopes=("usergroups:read",), tier="t2")
def usergroups_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    include_users = _flag(args, "include_users")
    include_disabled = _flag(args, "include_disabled")
    groups = []
    for g in ctx.ws.usergroups.values():
        if g.disabled and not include_disabled:
            continue
        item: dict[str, Any] = {
            "id": g.id,
            "team_id": ctx.ws.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": g.name,
            "description": "",
            "handle": g.handle,
            "is_external": False,
            "date_create": g.created,
            "date_update": g.created,
            "date_delete": g.created if g.disabled else 0,
            "auto_type": None,
            "auto_provision": False,
            "enterprise_subteam_id": "",
            "created_by": ctx.ws.bot_user_id,
            "updated_by": ctx.ws.bot_user_id,
            "deleted_by": ctx.ws.bot_user_id if g.disabled else None,
            "prefs": {"channels": [], "groups": []},
            "user_count": len(g.users),
        }
        if include_users:
            item["users"] = list(g.users)
        groups.append(item)
    return {"usergroups": groups}


@method("usergroups.users.list", scopes=("usergroups:read",), tier="t2")
def usergroups_users_list(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    group = ctx.ws.usergroups.get(_need(args, "usergroup", "no_such_subteam"))
    if group is None or (group.disabled and not _flag(args, "include_disabled")):
        raise ApiError("no_such_subteam")
    return {"users": list(group.users)}


# --- files (upload v2) -------------------------------------------------------------------------------------------


@method("files.getUploadURLExternal", scopes=("files:write",), tier="t4")
def files_get_upload_url_external(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    filename = _need(args, "filename")
    length = _int(args, "length", -1)
    if length < 0:
        raise ApiError("missing_argument")
    file_id = ctx.ws.new_id("F")
    ctx.ws.pending_uploads[file_id] = {"id": file_id, "filename": filename, "length": length, "content": None}
    return {"upload_url": f"{ctx.base_url}upload/v1/{file_id}", "file_id": file_id}


@method("files.completeUploadExternal", scopes=("files:write",), tier="t4")
def files_complete_upload_external(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    ws = ctx.ws
    files = _json_arg(args, "files", "invalid_arg_name")
    if not isinstance(files, list) or not files:
        raise ApiError("missing_argument")
    targets: list[Channel] = []
    channel_ids = ([_str(args, "channel_id")] if _str(args, "channel_id") else []) + _split(args.get("channels"))
    for cid in channel_ids:
        ch = _channel(ctx, {"channel": cid})
        _require_member(ctx, ch)
        targets.append(ch)
    records = []
    for item in files:
        pending = ws.pending_uploads.get(str(item.get("id")))
        if pending is None or pending["content"] is None:
            raise ApiError("file_not_found")
        records.append({**pending, "title": item.get("title") or pending["filename"]})
    out = []
    for rec in records:
        del ws.pending_uploads[rec["id"]]
        out.append({"id": rec["id"], "title": rec["title"], "name": rec["filename"], "size": len(rec["content"])})
        for ch in targets:
            ws.files.setdefault(ch.id, []).append(
                {
                    "id": rec["id"],
                    "title": rec["title"],
                    "filename": rec["filename"],
                    "content": rec["content"],
                }
            )
    thread_ts = _str(args, "thread_ts") or None
    for ch in targets:
        msg = ws.store_message(ch.id, ws.bot_user_id, _str(args, "initial_comment"), None, thread_ts, ws.bot_id)
        msg["files"] = [{"id": r["id"], "title": r["title"], "filename": r["filename"]} for r in records]
    return {"files": out}
