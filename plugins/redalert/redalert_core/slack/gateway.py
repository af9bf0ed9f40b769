"""Every Slack Web API call RedAlert makes, with retries and Slack error codes turned into clear messages.

The gateway wraps a slack_sdk WebClient: the slackv3 backend's own client when the bot runs on Slack (it is rebuilt
on every reconnect, hence the provider callable), or one built from SLACK_BOT_TOKEN and SLACK_API_URL otherwise.
Calls use keyword arguments only; the backend's own helpers are broken (see the reference notes) and never used.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from .rate_pacing import RatePacer

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
INVITE_CHUNK = 100  # conversations.invite takes "up to 100 users"

# Slack error code -> what to tell a person. Codes not listed fall back to the code itself.
ERROR_MESSAGES = {
    "not_authed": "no Slack token was sent: set SLACK_BOT_TOKEN",
    "invalid_auth": "Slack rejected the bot token: check SLACK_BOT_TOKEN",
    "token_revoked": "the bot token was revoked: reinstall the Slack app and update SLACK_BOT_TOKEN",
    "account_inactive": "the bot's Slack account is deactivated",
    "ratelimited": "Slack is rate-limiting the bot; try again in a minute",
    "rate_limited": "Slack is rate-limiting the bot; try again in a minute",
    "channel_not_found": "the channel does not exist or the bot cannot see it",
    "not_in_channel": "the bot is not a member of that channel",
    "is_archived": "the channel is archived",
    "already_archived": "the channel is already archived",
    "cant_archive_general": "the workspace's general channel cannot be archived",
    "name_taken": "a channel with that name already exists (archived channels count)",
    "restricted_action": "a workspace setting does not let the bot do this",
    "cannot_create_channel": "Slack would not create the channel",
    "too_long": "the text is longer than Slack allows (250 characters)",
    "user_not_found": "no such user",
    "user_is_restricted": "the user is a guest who cannot be added",
    "cant_invite": "the user cannot be invited to this channel",
    "cant_invite_self": "the bot is already in the channel",
    "already_in_channel": "already in the channel",
    "ura_max_channels": "the guest is already in the maximum number of channels",
    "no_such_subteam": "no such user group",
    "plan_upgrade_required": "user groups need a paid Slack plan",
    "already_pinned": "the message is already pinned",
    "too_many_pins": "the channel has too many pinned items",
    "message_not_found": "the message no longer exists",
    "internal_error": "Slack had an internal error; try again",
    "fatal_error": "Slack had an internal error; try again",
    "http_error": "Slack answered with a server error; try again",
    "connection_error": "Slack could not be reached; try again",
}


def describe_error(code: str, needed: str | None = None) -> str:
    """A Slack error code as a person would want to read it."""
    if code == "missing_scope":
        scope = f" `{needed}`" if needed else ""
        return f"the Slack app lacks the scope{scope}: add it under OAuth & Permissions and reinstall the app"
    return ERROR_MESSAGES.get(code, f"Slack said {code}")


class SlackError(Exception):
    """A Slack call that failed for good (after retries). `code` is Slack's error code."""

    def __init__(self, method: str, code: str, *, needed: str | None = None, errors: list[dict] | None = None):
        self.method = method
        self.code = code
        self.needed = needed
        self.errors = errors or []
        super().__init__(f"{method}: {self.describe()}")

    def describe(self) -> str:
        return describe_error(self.code, self.needed)


# A rate-limited request is retried until Slack lets it through or this much waiting has been spent: being limited
# must never drop a request (an invite or a summary), yet a Slack that keeps refusing must not hang a worker forever.
RATE_LIMIT_WAIT_BUDGET_SECONDS = 120.0
_WAITED = "redalert_rate_limit_waited"


class HonestRateLimitRetry(RateLimitErrorRetryHandler):
    """Retries a 429 after exactly Retry-After seconds plus a little jitter (slack_sdk's adds up to 1 s).

    The limit is a total wait budget per request, not a retry count: Retry-After 0 or 1 repeated many times under a
    burst is still well within what a person waits for.
    """

    def __init__(
        self,
        max_retry_count: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
        wait_budget: float = RATE_LIMIT_WAIT_BUDGET_SECONDS,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self.wait_budget = wait_budget

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        waited = (state.custom_values or {}).get(_WAITED, 0.0)
        return waited < self.wait_budget and super()._can_retry(
            state=state, request=request, response=response, error=error
        )

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        headers = {k.lower(): v for k, v in response.headers.items()}
        value = headers.get("retry-after", ["1"])
        value = value[0] if isinstance(value, list) else value
        try:
            delay = max(0.0, float(value))
        except (TypeError, ValueError):
            delay = 1.0
        delay += random.uniform(0, 0.05)
        if state.custom_values is None:
            state.custom_values = {}
        state.custom_values[_WAITED] = state.custom_values.get(_WAITED, 0.0) + delay
        state.next_attempt_requested = True
        self._sleep(delay)
        state.increment_current_attempt()


def install_retry_handlers(client: WebClient) -> WebClient:
    """Add RedAlert's retry policy to a client once: connection errors, 429 with Retry-After, HTTP 500/503."""
    kinds = {type(handler) for handler in client.retry_handlers}
    if HonestRateLimitRetry not in kinds:
        client.retry_handlers[:] = [
            h
            for h in client.retry_handlers
            if not isinstance(h, (RateLimitErrorRetryHandler, ConnectionErrorRetryHandler))
        ]
        client.retry_handlers.extend(
            [
                ConnectionErrorRetryHandler(max_retry_count=3),
                HonestRateLimitRetry(),
                ServerErrorRetryHandler(max_retry_count=3),
            ]
        )
    return client


def build_client(token: str, api_url: str | None = None) -> WebClient:
    """A WebClient for `token`, talking to `api_url` (Slack, GovSlack or the local emulator)."""
    url = api_url or DEFAULT_API_URL
    return install_retry_handlers(WebClient(token=token, base_url=url if url.endswith("/") else url + "/"))


@dataclass
class InviteOutcome:
    invited: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # user id -> Slack error code


@dataclass
class Channel:
    id: str
    name: str
    creator: str = ""
    purpose: str = ""


class SlackGateway:
    """The one place that talks to Slack. Each method is one small named operation."""

    def __init__(self, client_provider: Callable[[], WebClient], pacer: RatePacer | None = None) -> None:
        self._client_provider = client_provider
        # Waits for the method's rate-limit tier before each call; tests pass the emulator's scale.
        self.pacer = pacer or RatePacer()
        self._bot_user_id: str | None = None
        self._lock = threading.Lock()
        self._handles: dict[str, str] = {}

    @property
    def client(self) -> WebClient:
        return install_retry_handlers(self._client_provider())

    def _call(self, method: str, **kwargs: Any) -> Any:
        func = getattr(self.client, method.replace(".", "_"))
        self.pacer.wait_turn(method, kwargs.get("channel"))
        try:
            return func(**kwargs)
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            code = data.get("error") or ("http_error" if exc.response.status_code >= 500 else "unknown_error")
            needed = data.get("needed")
            raise SlackError(method, code, needed=needed, errors=data.get("errors")) from None
        except SlackClientError as exc:
            raise SlackError(method, "connection_error") from exc
        except OSError as exc:  # dropped connections that outlived the retries
            raise SlackError(method, "connection_error") from exc

    # --- identity -------------------------------------------------------------------------------------------
    def auth_test(self) -> dict:
        response = self._call("auth.test")
        return {**response.data, "scopes": response.headers.get("x-oauth-scopes", "")}

    def bot_user_id(self) -> str:
        if self._bot_user_id is None:
            self._bot_user_id = self.auth_test()["user_id"]
        return self._bot_user_id

    # --- channels -------------------------------------------------------------------------------------------
    def create_channel(self, name: str, *, is_private: bool = False) -> Channel:
        response = self._call("conversations.create", name=name, is_private=is_private)
        channel = response["channel"]
        return Channel(id=channel["id"], name=channel["name"])

    def find_channel(self, name: str) -> Channel | None:
        """The non-archived channel called `name` that the bot can see (conversations.list, paged), or None.

        name_taken does not say which channel holds the name (python-slack-sdk#1158), so this is how a channel that
        Slack created for us, whose id never reached the database, is found again.
        """
        cursor = None
        while True:
            response = self._call(
                "conversations.list",
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=200,
                cursor=cursor,
            )
            for channel in response.get("channels") or []:
                if channel.get("name") == name and not channel.get("is_archived"):
                    purpose = (channel.get("purpose") or {}).get("value", "")
                    return Channel(channel["id"], channel["name"], channel.get("creator", ""), purpose)
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    def set_topic(self, channel_id: str, topic: str) -> None:
        self._call("conversations.setTopic", channel=channel_id, topic=topic)

    def set_purpose(self, channel_id: str, purpose: str) -> None:
        self._call("conversations.setPurpose", channel=channel_id, purpose=purpose)

    def archive(self, channel_id: str) -> None:
        try:
            self._call("conversations.archive", channel=channel_id)
        except SlackError as exc:
            if exc.code != "already_archived":
                raise

    def is_member(self, channel_id: str, user_id: str) -> bool:
        """Whether `user_id` is in the channel (conversations.members, paged)."""
        cursor = None
        while True:
            response = self._call("conversations.members", channel=channel_id, limit=200, cursor=cursor)
            if user_id in (response.get("members") or []):
                return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False

    def invite(self, channel_id: str, user_ids: Iterable[str]) -> InviteOutcome:
        """Invite in chunks with force=true; one bad ID never blocks the others."""
        outcome = InviteOutcome()
        ids = list(dict.fromkeys(user_ids))
        for start in range(0, len(ids), INVITE_CHUNK):
            chunk = ids[start : start + INVITE_CHUNK]
            try:
                self._call("conversations.invite", channel=channel_id, users=chunk, force=True)
            except SlackError as exc:
                # With force=true Slack invites the valid IDs and lists the others in `errors`.
                per_user = {e.get("user"): e.get("error", exc.code) for e in exc.errors if e.get("user")}
                if not per_user and exc.code != "already_in_channel":
                    outcome.failed.update(dict.fromkeys(chunk, exc.code))
                    continue
                for uid in chunk:
                    code = per_user.get(uid)
                    if code in (None, "already_in_channel"):
                        outcome.invited.append(uid)
                    else:
                        outcome.failed[uid] = code
                continue
            outcome.invited.extend(chunk)
        return outcome

    # --- people ---------------------------------------------------------------------------------------------
    def user_exists(self, user_id: str) -> bool:
        """True for an active user; False for an unknown or deactivated one."""
        try:
            user = self._call("users.info", user=user_id)["user"]
        except SlackError as exc:
            if exc.code in ("user_not_found", "user_not_visible"):
                return False
            raise
        return not user.get("deleted", False)

    def usergroup_members(self, group_id: str) -> list[str]:
        response = self._call("usergroups.users.list", usergroup=group_id)
        return list(response.get("users") or [])

    def usergroup_id(self, handle: str) -> str | None:
        """The ID of a user group given its handle (with or without @); usergroups.list is read once per gateway."""
        wanted = handle.lstrip("@").lower()
        with self._lock:
            if wanted not in self._handles:
                response = self._call("usergroups.list")
                self._handles = {g["handle"].lower(): g["id"] for g in response.get("usergroups") or []}
            return self._handles.get(wanted)

    def forget_usergroups(self) -> None:
        with self._lock:
            self._handles = {}

    # --- messages -------------------------------------------------------------------------------------------
    def open_dm(self, user_id: str) -> str:
        """The id of the bot's DM with the user (conversations.open; an open one is returned as it is)."""
        return self._call("conversations.open", users=user_id)["channel"]["id"]

    def post_message(self, channel_id: str, text: str, *, blocks: list[dict] | None = None) -> str:
        kwargs: dict[str, Any] = {"channel": channel_id, "text": text, "unfurl_links": False, "unfurl_media": False}
        if blocks:
            kwargs["blocks"] = blocks
        return self._call("chat.postMessage", **kwargs)["ts"]

    def find_own_message(self, channel_id: str, prefix: str, *, limit: int = 50) -> str | None:
        """The ts of the newest recent message the bot posted in the channel starting with `prefix`, or None."""
        response = self._call("conversations.history", channel=channel_id, limit=limit)
        bot = self.bot_user_id()
        for message in response.get("messages") or []:
            if message.get("user") == bot and (message.get("text") or "").startswith(prefix):
                return message["ts"]
        return None

    def send_dm(self, user_id: str, text: str) -> str:
        """A direct message from the bot to one person (conversations.open, then chat.postMessage)."""
        channel_id = self._call("conversations.open", users=user_id)["channel"]["id"]
        return self.post_message(channel_id, text)

    def pin(self, channel_id: str, ts: str) -> None:
        try:
            self._call("pins.add", channel=channel_id, timestamp=ts)
        except SlackError as exc:
            if exc.code != "already_pinned":
                raise

    # --- incident workflow (workflow.py) --------------------------------------------------------------------
    def post_reply(self, channel_id: str, thread_ts: str, text: str) -> str:
        """Post `text` in the thread under `thread_ts` (announcement updates)."""
        kwargs = {"channel": channel_id, "thread_ts": thread_ts, "text": text, "unfurl_links": False}
        return self._call("chat.postMessage", **kwargs)["ts"]

    def update_message(self, channel_id: str, ts: str, text: str, *, blocks: list[dict] | None = None) -> None:
        """Replace a message the bot posted (the pinned summary)."""
        kwargs: dict[str, Any] = {"channel": channel_id, "ts": ts, "text": text}
        if blocks:
            kwargs["blocks"] = blocks
        self._call("chat.update", **kwargs)

    def rename_channel(self, channel_id: str, name: str) -> Channel:
        channel = self._call("conversations.rename", channel=channel_id, name=name)["channel"]
        return Channel(id=channel["id"], name=channel["name"])

    def message(self, channel_id: str, ts: str) -> dict | None:
        """The message at `ts` in the channel, top-level or in a thread; None when it is gone."""
        history = self._call("conversations.history", channel=channel_id, latest=ts, inclusive=True, limit=1)
        for found in history.get("messages") or []:
            if found.get("ts") == ts:
                return found
        try:  # a thread reply is not in the history: conversations.replies with its ts returns it
            replies = self._call("conversations.replies", channel=channel_id, ts=ts, inclusive=True, limit=1)
        except SlackError as exc:
            if exc.code == "thread_not_found":
                return None
            raise
        return next((m for m in replies.get("messages") or [] if m.get("ts") == ts), None)

    def add_reaction(self, channel_id: str, ts: str, name: str) -> None:
        try:
            self._call("reactions.add", channel=channel_id, timestamp=ts, name=name)
        except SlackError as exc:
            if exc.code != "already_reacted":
                raise

    def upload_file(self, channel_id: str, *, filename: str, content: str | bytes, title: str, comment: str) -> str:
        """Upload a text or binary (PNG) file to the channel (files_upload_v2: URL, upload, complete); its file id."""
        response = self._call(
            "files_upload_v2",
            channel=channel_id,
            filename=filename,
            content=content,
            title=title,
            initial_comment=comment,
            request_file_info=False,
        )
        files = response.get("files") or [response.get("file") or {}]
        return files[0].get("id", "")
