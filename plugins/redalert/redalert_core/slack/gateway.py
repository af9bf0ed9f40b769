"""Every Slack Web API call RedAlert makes, with retries and Slack error codes turned into clear messages.

The gateway wraps a slack_sdk WebClient: the slackv3 backend's own client when the bot runs on Slack (it is rebuilt
on every reconnect, hence the provider callable), or one built from SLACK_BOT_TOKEN and SLACK_API_URL otherwise.
Calls use keyword arguments only; the backend's own helpers are broken (see the reference notes) and never used.
"""

from __future__ import annotations

import json
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
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from ..domain.text import defuse_payload
from .call_observer import NoObserver, SlackCallObserver, method_of
from .rate_pacing import Priority, RatePacer

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
INVITE_CHUNK = 100  # conversations.invite takes "up to 100 users"
# Arguments whose text people read in Slack: nothing in them may notify a channel, the workspace or a group.
_READ_BY_PEOPLE = ("text", "blocks", "attachments", "topic", "purpose", "initial_comment", "title", "content")
# A trigger_id works once and for 3 s after Slack sent it: views.open gets one short try and no retry.
TRIGGER_CALL_TIMEOUT_SECONDS = 2.5
# Whether Slack is back after an outage is asked with one short call (`answers`).
PROBE_TIMEOUT_SECONDS = 5.0
RESPONSE_URL_TIMEOUT_SECONDS = 10
# Codes that say nothing about the request itself: the same call may well succeed a moment later.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "http_error",
        "connection_error",
    }
)
# Pauses between the gateway's own attempts of an idempotent call (after the SDK's retries of 429/500/503 and
# dropped connections): Slack's `internal_error`/`fatal_error` come with HTTP 200, which no SDK handler retries.
TRANSIENT_PAUSES_SECONDS = (0.5, 1.0, 2.0)

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
    "expired_trigger_id": "Slack took too long to pass on the request; try again",
    "exchanged_trigger_id": "that request was already answered; try again",
    "invalid_trigger_id": "Slack did not recognise the request; try again",
    "view_too_large": "the form is larger than Slack allows",
    "user_not_in_channel": "the person is not in that channel",
    "expired_url": "the reply link expired (Slack keeps it for 30 minutes)",
    "used_url": "the reply link was used too often (Slack allows 5 replies)",
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


class _Observed(RetryHandler):
    """A retry handler that tells the client's observer (set by the gateway, see install_retry_handlers).
    Mixed in before one of slack_sdk's handlers, which does the retrying."""

    observer: SlackCallObserver = NoObserver()
    reason = "retry"

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        self.observer.retry(method_of(request.url), self.reason)
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)


class ObservedConnectionErrorRetry(_Observed, ConnectionErrorRetryHandler):
    reason = "connection_error"


class ObservedServerErrorRetry(_Observed, ServerErrorRetryHandler):
    reason = "server_error"


class HonestRateLimitRetry(RateLimitErrorRetryHandler):
    """Retries a 429 after exactly Retry-After seconds plus a little jitter (slack_sdk's adds up to 1 s).

    The limit is a total wait budget per request, not a retry count: Retry-After 0 or 1 repeated many times under a
    burst is still well within what a person waits for.
    """

    observer: SlackCallObserver = NoObserver()

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
        limited = super()._can_retry(state=state, request=request, response=response, error=error)
        if limited and waited >= self.wait_budget:
            self.observer.rate_limited(method_of(request.url))
        return limited and waited < self.wait_budget

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error
        self.observer.retry(method_of(request.url), "ratelimited")
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


def install_retry_handlers(client: WebClient, observer: SlackCallObserver | None = None) -> WebClient:
    """Add RedAlert's retry policy to a client once: connection errors, 429 with Retry-After, HTTP 500/503.

    With `observer`, the client's retries (the backend's own replies included) are reported to it.
    """
    kinds = {type(handler) for handler in client.retry_handlers}
    if HonestRateLimitRetry not in kinds:
        client.retry_handlers[:] = [
            h
            for h in client.retry_handlers
            if not isinstance(h, (RateLimitErrorRetryHandler, ConnectionErrorRetryHandler, ServerErrorRetryHandler))
        ]
        client.retry_handlers.extend(
            [
                ObservedConnectionErrorRetry(max_retry_count=3),
                HonestRateLimitRetry(),
                ObservedServerErrorRetry(max_retry_count=3),
            ]
        )
    if observer is not None:
        for handler in client.retry_handlers:
            if isinstance(handler, (_Observed, HonestRateLimitRetry)) and handler.observer is not observer:
                handler.observer = observer
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


def _without_broadcasts(method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: RedAlert never writes <!channel>, <!here>, <!everyone> or <!subteam^…>, so one found
    here came from user text that escaped its quoting; it is made inert (and logged) rather than sent."""
    safe = {key: defuse_payload(value) if key in _READ_BY_PEOPLE else value for key, value in kwargs.items()}
    if safe != kwargs:
        log.warning("Defused a broadcast mention in the text of a %s call.", method)
    return safe


class SlackGateway:
    """The one place that talks to Slack. Each method is one small named operation."""

    def __init__(self, client_provider: Callable[[], WebClient], pacer: RatePacer | None = None) -> None:
        self._client_provider = client_provider
        # Waits for the method's rate-limit tier before each call; tests pass the emulator's scale.
        self.pacer = pacer or RatePacer()
        self._bot_user_id: str | None = None
        self.transient_pauses: tuple[float, ...] = TRANSIENT_PAUSES_SECONDS
        self.sleep: Callable[[float], None] = time.sleep
        self._lock = threading.Lock()
        self._handles: dict[str, str] = {}
        # Told about every call, retry and pacing wait (the plugin sets the metrics here).
        self.observer: SlackCallObserver = NoObserver()

    @property
    def client(self) -> WebClient:
        return install_retry_handlers(self._client_provider(), self.observer)

    def _call(self, method: str, **kwargs: Any) -> Any:
        """One Web API call (`_send`), its result reported to the observer."""
        try:
            response = self._send(method, **kwargs)
        except SlackError as exc:
            self.observer.call(method, exc.code)
            raise
        self.observer.call(method, "ok")
        return response

    def _send(
        self, method: str, *, _client: WebClient | None = None, _priority: Priority = Priority.URGENT, **kwargs: Any
    ) -> Any:
        func = getattr(_client or self.client, method.replace(".", "_"))
        kwargs = _without_broadcasts(method, kwargs)
        if _client is None:  # trigger calls are never made to wait: the trigger would expire
            self.observer.paced(method, self.pacer.wait_turn(method, kwargs.get("channel"), _priority))
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

    def _call_idempotent(self, method: str, **kwargs: Any) -> Any:
        """`_call`, repeated after a pause while Slack fails transiently; only for calls safe to send twice."""
        for pause in self.transient_pauses:
            try:
                return self._call(method, **kwargs)
            except SlackError as exc:
                if exc.code not in TRANSIENT_ERRORS:
                    raise
                log.warning("%s failed transiently (%s); trying again in %.1f s", method, exc.code, pause)
            self.sleep(pause)
        return self._call(method, **kwargs)

    # --- identity -------------------------------------------------------------------------------------------
    def auth_test(self) -> dict:
        response = self._call("auth.test")
        return {**response.data, "scopes": response.headers.get("x-oauth-scopes", "")}

    def answers(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
        """Whether Slack's Web API answers now: one auth.test, one short try, no retries (after an outage, the
        work that waited for Slack starts only once this says yes)."""
        try:
            self._call("auth.test", _client=self._short_client(timeout))
        except SlackError as exc:
            return exc.code not in TRANSIENT_ERRORS  # Slack answered, if only to refuse
        return True

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
        """Archive the channel; an archived one counts as done, and transient failures are tried again (bounded)."""
        try:
            self._call_idempotent("conversations.archive", channel=channel_id)
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
    def _user(self, user_id: str) -> dict | None:
        """users.info's user, or None when Slack has no such user (or it is not visible to the bot)."""
        try:
            return self._call("users.info", user=user_id)["user"]
        except SlackError as exc:
            if exc.code in ("user_not_found", "user_not_visible"):
                return None
            raise

    def user_exists(self, user_id: str) -> bool:
        """True for an active user; False for an unknown or deactivated one."""
        user = self._user(user_id)
        return user is not None and not user.get("deleted", False)

    def user_id_by_email(self, email: str) -> str | None:
        """users.lookupByEmail: the active user with that email, or None."""
        try:
            user = self._call("users.lookupByEmail", email=email)["user"]
        except SlackError as exc:
            if exc.code in ("users_not_found", "user_not_found"):
                return None
            raise
        return None if user.get("deleted") else user.get("id")

    def user_email(self, user_id: str) -> str | None:
        """The person's email from users.info: Slack includes it only when the app has users:read.email."""
        user = self._user(user_id)
        return ((user or {}).get("profile") or {}).get("email") or None

    def user_name(self, user_id: str) -> str | None:
        """How Slack shows a person: display name, else real name, else user name (None if Slack has no such user)."""
        user = self._user(user_id)
        if user is None:
            return None
        profile = user.get("profile") or {}
        return profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")

    def user_by_email(self, email: str) -> str | None:
        """The Slack id of the active user with this email (users.lookupByEmail, scope users:read.email), or None."""
        try:
            user = self._call("users.lookupByEmail", email=email)["user"]
        except SlackError as exc:
            if exc.code == "users_not_found":
                return None
            raise
        return None if user.get("deleted") else str(user["id"])

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

    # --- messages -------------------------------------------------------------------------------------------
    def open_dm(self, user_id: str) -> str:
        """The id of the bot's DM with the user (conversations.open; an open one is returned as it is)."""
        return self._call("conversations.open", users=user_id)["channel"]["id"]

    def post_message(
        self, channel_id: str, text: str, *, blocks: list[dict] | None = None, priority: Priority = Priority.URGENT
    ) -> str:
        """`priority=Priority.BULK` for digests, reminders and the like: they yield to replies when the budget is
        short (slack/rate_pacing.py)."""
        kwargs: dict[str, Any] = {"channel": channel_id, "text": text, "unfurl_links": False, "unfurl_media": False}
        if blocks:
            kwargs["blocks"] = blocks
        return self._call("chat.postMessage", _priority=priority, **kwargs)["ts"]

    def find_own_message(self, channel_id: str, prefix: str, *, limit: int = 50) -> str | None:
        """The ts of the newest recent message the bot posted in the channel starting with `prefix`, or None."""
        response = self._call("conversations.history", channel=channel_id, limit=limit)
        bot = self.bot_user_id()
        for message in response.get("messages") or []:
            if message.get("user") == bot and (message.get("text") or "").startswith(prefix):
                return message["ts"]
        return None

    def send_dm(self, user_id: str, text: str, *, priority: Priority = Priority.URGENT) -> str:
        """A direct message from the bot to one person (conversations.open, then chat.postMessage)."""
        return self.post_message(self.open_dm(user_id), text, priority=priority)

    def pin(self, channel_id: str, ts: str) -> None:
        try:
            self._call("pins.add", channel=channel_id, timestamp=ts)
        except SlackError as exc:
            if exc.code != "already_pinned":
                raise

    # --- incident workflow (response.py) --------------------------------------------------------------------
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

    def add_bookmark(self, channel_id: str, title: str, link: str) -> None:
        """A link on the channel's bookmarks bar (bookmarks.add, scope bookmarks:write)."""
        self._call("bookmarks.add", channel_id=channel_id, title=title, type="link", link=link)

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

    def upload_file(
        self,
        channel_id: str,
        *,
        filename: str,
        content: str | bytes,
        title: str,
        comment: str,
        priority: Priority = Priority.URGENT,
    ) -> str:
        """Upload a text or binary (PNG) file to the channel (files_upload_v2: URL, upload, complete); its file id."""
        response = self._call(
            "files_upload_v2",
            _priority=priority,
            channel=channel_id,
            filename=filename,
            content=content,
            title=title,
            initial_comment=comment,
            request_file_info=False,
        )
        files = response.get("files") or [response.get("file") or {}]
        return files[0].get("id", "")

    # --- interactivity: modals, ephemeral messages, response_url ---------------------------------------------
    def _trigger_client(self) -> WebClient:
        """A client that tries once, briefly: a trigger_id is single-use and expires 3 s after Slack sent it."""
        return self._short_client(TRIGGER_CALL_TIMEOUT_SECONDS)

    def _short_client(self, timeout: float) -> WebClient:
        """A client that tries once and waits at most `timeout` seconds."""
        client = self._client_provider()
        return WebClient(
            token=client.token,
            base_url=client.base_url,
            # slack_sdk annotates an int, but hands it to urlopen, which takes seconds as a float.
            timeout=timeout,  # type: ignore[arg-type]
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers or {}),
            retry_handlers=[],
        )

    def open_view(self, trigger_id: str, view: dict) -> dict:
        """views.open: show a modal to the person whose action carried `trigger_id`. Returns the view (id, hash)."""
        return dict(self._call("views.open", _client=self._trigger_client(), trigger_id=trigger_id, view=view)["view"])

    def update_view(self, view_id: str, view: dict, view_hash: str | None = None) -> dict:
        """views.update: replace an open modal. With `view_hash` (the hash of the view the person acted on) Slack
        answers `hash_conflict` when the view changed since. One short try, never paced: the person is looking at
        the form and Slack's 3 s window is running. Returns the view (its new hash)."""
        kwargs: dict[str, Any] = {"view_id": view_id, "view": view}
        if view_hash:
            kwargs["hash"] = view_hash
        return dict(self._call("views.update", _client=self._trigger_client(), **kwargs)["view"])

    def post_ephemeral(self, channel_id: str, user_id: str, text: str, *, blocks: list[dict] | None = None) -> None:
        """A message only `user_id` sees in the channel (the bot must be able to post there)."""
        kwargs: dict[str, Any] = {"channel": channel_id, "user": user_id, "text": text}
        if blocks:
            kwargs["blocks"] = blocks
        self._call("chat.postEphemeral", **kwargs)

    def respond(self, response_url: str, body: dict) -> None:
        """POST a message to an interaction's response_url (ephemeral unless body says response_type in_channel).

        Not retried: Slack allows five uses per URL, and a retried POST that had arrived would show twice.
        """
        client = self._client_provider()
        webhook = WebhookClient(
            response_url,
            timeout=RESPONSE_URL_TIMEOUT_SECONDS,
            ssl=client.ssl,
            proxy=client.proxy,
            retry_handlers=[],
        )
        try:
            response = webhook.send_dict(_without_broadcasts("response_url", body))
        except (SlackClientError, OSError) as exc:
            raise SlackError("response_url", "connection_error") from exc
        if response.status_code != 200:
            code = "http_error" if response.status_code >= 500 else _webhook_error(response.body)
            raise SlackError("response_url", code)


def _webhook_error(body: str) -> str:
    """The error code in a response_url refusal: JSON {"error": …} or a bare word such as "expired_url"."""
    try:
        data = json.loads(body or "")
    except ValueError:
        return (body or "unknown_error").strip()[:60] or "unknown_error"
    return str(data.get("error") or "unknown_error") if isinstance(data, dict) else "unknown_error"
