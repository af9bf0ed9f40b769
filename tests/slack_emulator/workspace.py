"""In-memory workspace state: users, usergroups, channels, messages, pins, bookmarks, files.

Nothing here locks: the emulator holds its lock around every access.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "chat:write",
    "channels:manage",
    "groups:write",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "users:read",
    "team:read",
    "im:write",
    "usergroups:read",
    "pins:write",
    "bookmarks:write",
    "reactions:read",
    "reactions:write",
    "files:write",
    "channels:join",
)


@dataclass
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None
    bot_id: str | None = None


@dataclass
class Usergroup:
    id: str
    handle: str
    name: str
    users: list[str]
    disabled: bool = False
    created: int = 0


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_general: bool = False
    topic: str = ""
    purpose: str = ""
    members: set[str] = field(default_factory=set)
    creator: str = ""
    created: int = 0
    is_im: bool = False
    im_user: str | None = None
    topic_creator: str = ""
    topic_last_set: int = 0
    purpose_creator: str = ""
    purpose_last_set: int = 0
    previous_names: list[str] = field(default_factory=list)

    def snapshot(self) -> Channel:
        return dataclasses.replace(self, members=set(self.members), previous_names=list(self.previous_names))


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    content_type: str
    http_status: int
    response: dict[str, Any]
    at: float  # time.monotonic() when the response was ready
    started: float = 0.0  # time.monotonic() when the request arrived (before any latency): at - started = its span


class Workspace:
    """Plain state container plus id and timestamp generators."""

    def __init__(self, team_id: str, team_name: str, bot_user_id: str, bot_name: str, bot_id: str) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_name.lower().replace(" ", "-")
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = "A0APP"
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, Usergroup] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.pins: dict[str, list[str]] = {}
        self.bookmarks: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, list[dict[str, Any]]] = {}
        self.pending_uploads: dict[str, dict[str, Any]] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self._counter = itertools.count(1)
        self._last_ts_us = 0
        self.add_user(bot_user_id, bot_name, bot_name, is_bot=True, bot_id=bot_id)

    # --- generators ---------------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._counter):08X}"

    def new_ts(self) -> str:
        # Strictly increasing even when called twice in the same microsecond.
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    # --- seeding ------------------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
        bot_id: str | None = None,
    ) -> str:
        if email is None and not is_bot:
            email = f"{name}@example.com"
        self.users[user_id] = User(user_id, name, real_name or name, is_bot, deleted, email, bot_id)
        return user_id

    def add_usergroup(
        self, group_id: str, handle: str, users: list[str], name: str | None = None, disabled: bool = False
    ) -> str:
        self.usergroups[group_id] = Usergroup(group_id, handle, name or handle, list(users), disabled, int(time.time()))
        return group_id

    def add_channel(
        self,
        name: str,
        members: Any = (),
        is_private: bool = False,
        is_archived: bool = False,
        channel_id: str | None = None,
        is_general: bool = False,
        creator: str | None = None,
    ) -> str:
        cid = channel_id or self.new_id("C")
        self.channels[cid] = Channel(
            id=cid,
            name=name,
            is_private=is_private,
            is_archived=is_archived,
            is_general=is_general,
            members=set(members),
            creator=creator or self.bot_user_id,
            created=int(time.time()),
        )
        self.messages.setdefault(cid, [])
        return cid

    def open_dm(self, user_id: str) -> str:
        for ch in self.channels.values():
            if ch.is_im and ch.im_user == user_id:
                return ch.id
        cid = self.new_id("D")
        self.channels[cid] = Channel(
            id=cid,
            name=user_id,
            is_private=True,
            members={self.bot_user_id, user_id},
            creator=self.bot_user_id,
            created=int(time.time()),
            is_im=True,
            im_user=user_id,
        )
        self.messages.setdefault(cid, [])
        return cid

    # --- lookups ------------------------------------------------------------------------------------------
    def channel_by_name(self, name: str) -> Channel | None:
        for ch in self.channels.values():
            if not ch.is_im and ch.name == name:
                return ch
        return None

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for msg in self.messages.get(channel_id, []):
            if msg["ts"] == ts:
                return msg
        return None

    def store_message(
        self,
        channel_id: str,
        user: str,
        text: str,
        blocks: list[Any] | None = None,
        thread_ts: str | None = None,
        bot_id: str | None = None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "ts": self.new_ts(),
            "user": user,
            "text": text,
            "blocks": blocks,
            "thread_ts": thread_ts,
            "edited": False,
            "bot_id": bot_id,
            "reactions": {},
        }
        self.messages.setdefault(channel_id, []).append(msg)
        return msg

    def channel_type(self, ch: Channel) -> str:
        if ch.is_im:
            return "im"
        return "group" if ch.is_private else "channel"

    # --- JSON renderings ----------------------------------------------------------------------------------
    def user_json(self, user: User) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "email": user.email,
            "team": self.team_id,
            # Fields Slack's user profile schema requires; an empty profile in the real workspace has them blank.
            "avatar_hash": ("g" + user.id.encode().hex())[:12],
            "title": "",
            "phone": "",
            "skype": "",
            "status_text": "",
            "status_emoji": "",
            "fields": {},
        }
        if user.bot_id:
            profile["bot_id"] = user.bot_id
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "color": "9f69e7",
            "real_name": user.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }

    def channel_json(self, ch: Channel, include_num_members: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": ch.id,
            "name": ch.name,
            "is_channel": not ch.is_im and not ch.is_private,
            "is_group": not ch.is_im and ch.is_private,
            "is_im": ch.is_im,
            "is_mpim": False,
            "is_private": ch.is_private,
            "created": ch.created,
            "creator": ch.creator,
            "is_archived": ch.is_archived,
            "is_general": ch.is_general,
            "unlinked": 0,
            "name_normalized": ch.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "is_member": self.bot_user_id in ch.members,
            "topic": {"value": ch.topic, "creator": ch.topic_creator, "last_set": ch.topic_last_set},
            "purpose": {"value": ch.purpose, "creator": ch.purpose_creator, "last_set": ch.purpose_last_set},
            "previous_names": list(ch.previous_names),
        }
        if ch.is_im:
            data["user"] = ch.im_user
        if include_num_members:
            data["num_members"] = len(ch.members)
        return data

    def message_json(self, msg: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "user": msg["user"], "text": msg["text"], "ts": msg["ts"]}
        if msg.get("blocks") is not None:
            data["blocks"] = msg["blocks"]
        if msg.get("thread_ts"):
            data["thread_ts"] = msg["thread_ts"]
        if msg.get("bot_id"):
            data["bot_id"] = msg["bot_id"]
        if msg.get("edited"):
            data["edited"] = {"user": msg["user"], "ts": msg.get("edited_ts", msg["ts"])}
        if msg.get("reactions"):
            data["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)} for name, users in msg["reactions"].items()
            ]
        if msg.get("files"):
            data["files"] = [{"id": f["id"], "title": f["title"], "name": f["filename"]} for f in msg["files"]]
        return data

    def public_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        """The copy handed to tests via emu.messages()."""
        out = dict(msg)
        out["reactions"] = {k: list(v) for k, v in msg.get("reactions", {}).items()}
        return out
