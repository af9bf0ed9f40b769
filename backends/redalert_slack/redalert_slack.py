"""RedAlertSlack: errbot's slackv3 backend, with cached identifier lookups and retried replies.

Everything is the slackv3 backend's (connection, events, sending, formatting); this subclass only
- builds identifiers through an in-process cache (cached_identifiers.py, identifier_cache.py), so chatter in a busy
  incident channel costs no Slack call once its people and the channel have been seen;
- drops cache entries when Slack says a name changed (rename, user and team events, the bot's own join or leave),
  provided the Slack app subscribes to those events; entries also expire after ten minutes;
- points the backend's WebClient at SLACK_API_URL (Slack, GovSlack or the local emulator) and gives it RedAlert's
  retry policy, so a reply hit by a 429 is sent late rather than lost;
- defuses <!channel>, <!here>, <!everyone> and <!subteam^…> in every reply after Markdown conversion (the converter
  turns `&lt;` back into `<`, which would re-activate a mention quoted from user text); RedAlert never writes them.
- turns no Markdown `[label](url)` into Slack's `<url|label>`: a label can disguise where a link leads, and RedAlert
  never writes Markdown links (user text gets a word joiner in `](` too); such a link reads `label (url)`.
- acknowledges a Socket Mode event after handing it to Errbot, not before as slackv3 does: the command is then
  claimed, and an `!incident open` stored, before Slack considers the envelope delivered;
- routes Socket Mode `slash_commands` and `interactive` envelopes (which slackv3 acks empty and drops) to the plugin
  that registered for them through `interaction_router`, and acks each with the payload its handler returns.
- claims unknown commands like known ones before answering "not found", marks each command's inbox row done once
  answered, and prefixes the answer of a command re-run after a restart (`command_hooks`, set by the plugin);
- with several replicas: shares what it forgets with the other replicas (`on_cache_forget`, set by the plugin) and
  forgets what they report (`forget_cached`); and stops cleanly: on shutdown it stops acknowledging envelopes (Slack
  redelivers them to another replica), closes its Socket Mode connection and lets the commands it already accepted
  finish before the plugins are deactivated.

Errbot loads this file by path; its directory is put on sys.path first, which makes the sibling modules importable.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

# Imported as a module, never `from ... import SlackBackend`: errbot takes every ErrBot subclass found in this
# module's namespace for a backend, and refuses to choose between two.
import slackv3.slackv3 as slackv3_backend
from cached_identifiers import use_cached_identifiers
from command_answers import CommandAnswers
from identifier_cache import IdentifierCache
from interaction_router import KINDS, InteractionRouter
from reply_order import ReplyOrder
from slack_sdk.socket_mode.response import SocketModeResponse

from redalert_core.domain.text import defuse_broadcasts, defuse_payload
from redalert_core.observability import log_context
from redalert_core.slack.gateway import SlackGateway, install_retry_handlers
from redalert_core.slack.rate_pacing import RatePacer

log = logging.getLogger(__name__)

# How long a stopping replica waits for the commands it accepted (Kubernetes allows 30 s before SIGKILL).
SHUTDOWN_DRAIN_SECONDS = 20.0
# How long an envelope that arrives while the plugins are still being activated waits for them before it is left
# unacknowledged for Slack to redeliver (Slack wants an ack within 3 s).
READY_WAIT_SECONDS = 2.5


class BroadcastSafeConverter:
    """The backend's Markdown converter, whose output can never notify a channel, the workspace or a group."""

    def __init__(self, converter: Any) -> None:
        self._converter = converter

    def convert(self, text: str) -> str:
        converted = self._converter.convert(text)
        safe = defuse_broadcasts(converted)
        if safe != converted:
            log.warning("Defused a broadcast mention in a reply.")
        return safe

    def __getattr__(self, name: str) -> Any:
        return getattr(self._converter, name)


def without_labelled_links(converter: Any) -> Any:
    """slackv3's converter without its step that rewrites `[label](url)` into `<url|label>`."""
    if "LinkPreProcessor" in converter.preprocessors:
        converter.preprocessors.deregister("LinkPreProcessor")
    return converter


class RedAlertSlackBackend(CommandAnswers, slackv3_backend.SlackBackend):
    """The slackv3 backend, with identifier lookups cached per process and retries on its own Slack calls."""

    # config.py's SLACK_API_URL (checked there); None: the WebClient keeps Slack's own URL.
    api_url: str | None = None
    md: BroadcastSafeConverter  # slackv3's Markdown converter, wrapped in __init__

    def __init__(self, config: Any) -> None:
        self.api_url = getattr(config, "SLACK_API_URL", None)
        self.identifier_cache = IdentifierCache()
        self.on_cache_forget: Callable[[str, str | None], None] | None = None
        # The plugin's command inbox (chat_commands/inbox.py): claim_unknown, command_running, command_answered, late.
        self.command_hooks: Any = None
        # Replies are paced with the plugin's posts (one per-channel budget; the plugin sets its gateway's pacer).
        self.reply_pacer: RatePacer | None = None
        self.reply_order = ReplyOrder()
        self._executing = threading.local()  # the command this worker runs, and the answers it holds back
        self._stopping = threading.Event()
        self._ready = threading.Event()  # the plugins are active: commands can run
        self._stopped_receiving = False
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, self._stop_signal_handler(signal.getsignal(signum)))
        # Before the backend's __init__, which registers pickling for the identifier classes it names.
        use_cached_identifiers(slackv3_backend, self.identifier_cache)
        super().__init__(config)
        self.md = BroadcastSafeConverter(without_labelled_links(self.md))
        # Plugins register their slash-command and interaction handlers here (RedAlert does in activate()).
        self.interaction_router = InteractionRouter(SlackGateway(lambda: self.slack_web).respond)

    def send_message(self, msg: Any) -> Any:
        # Blocks and attachments skip the converter; they get the same defence.
        for key in ("blocks", "attachments"):
            if key in msg.extras:
                msg.extras[key] = defuse_payload(msg.extras[key])
        self._pace(msg)
        return super().send_message(msg)

    # --- slash commands, buttons and modals ------------------------------------------------------------------------
    def _sm_generic_event_handler(self, client: Any, req: Any) -> None:
        """Events go to slackv3 as before; slash commands and interactions get one ack carrying their answer.

        The connection opens before the plugins are activated, and stays open while they are deactivated on a stop:
        an event acknowledged then would meet no command. Events are left unacknowledged instead, and Slack
        redelivers them, to another replica's connection if there is one. Slash commands and clicks are never
        redelivered by Slack, so they wait for the plugins and are answered.
        """
        ready = self._ready.wait(READY_WAIT_SECONDS)
        if req.type not in KINDS:
            if not ready or self._stopping.is_set():
                log.info("Not ready or stopping: left envelope %s unacknowledged for redelivery", req.envelope_id)
                return
            # Dispatched first, acknowledged after (slackv3 does the reverse): by the time Slack hears the ack, the
            # command is claimed and an `!incident open` stored (RedAlert.take_command), so a crash in between
            # leaves the envelope for Slack to redeliver instead of losing it. Only the queueing is waited for,
            # never the command: Errbot runs commands on its worker threads.
            try:
                self._generic_wrapper(req.payload)
            finally:
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        payload = self.interaction_router.handle(req.type, req.payload or {})
        if payload and not req.accepts_response_payload:
            log.warning("A %s envelope accepts no response payload; its answer is dropped.", req.type)
            payload = None
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=payload))

    def _generic_wrapper(self, event_data: Any) -> Any:
        """Each event is a request of its own: what it logs on this thread, and the command it starts on a worker
        (RedAlert's `begin_request` passes the id on), share one request id."""
        with log_context.request_scope():
            return super()._generic_wrapper(event_data)

    # serve_once builds a new WebClient on every (re)connect, without a base URL, and assigns it here before its
    # first call (auth.test): that is where it gets SLACK_API_URL and its retries. The Socket Mode client is then
    # handed this same WebClient, so apps.connections.open goes to SLACK_API_URL too.
    @property
    def slack_web(self) -> Any:
        return self._slack_web

    @slack_web.setter
    def slack_web(self, client: Any) -> None:
        if client is not None and self.api_url:
            client.base_url = self.api_url if self.api_url.endswith("/") else self.api_url + "/"
        self._slack_web = install_retry_handlers(client) if client is not None else None

    # --- a clean stop loses no command -----------------------------------------------------------------------------
    def connect_callback(self) -> None:
        super().connect_callback()  # activates the plugins
        self._ready.set()

    def _stop_signal_handler(self, previous: Any) -> Callable[[int, Any], None]:
        """Mark the stop before errbot learns of it: it deactivates the plugins first, while the connection is
        still open, and an envelope acknowledged then would be lost."""

        def handler(signum: int, frame: Any) -> None:
            self._stopping.set()
            if callable(previous):
                previous(signum, frame)
            else:
                raise KeyboardInterrupt

        return handler

    def disconnect_callback(self) -> None:
        self._ready.clear()  # the plugins are about to be deactivated
        if self._stopping.is_set():
            self._stop_receiving()
        super().disconnect_callback()

    def shutdown(self) -> None:
        self._stopping.set()
        self._stop_receiving()
        super().shutdown()

    def _stop_receiving(self) -> None:
        """Close the connection, then let the commands already accepted answer (once)."""
        if self._stopped_receiving:
            return
        self._stopped_receiving = True
        socket_mode = getattr(self, "slack_socket_mode", None)
        if socket_mode is not None:
            try:
                socket_mode.close()  # waits for the handlers in progress: every accepted command is dispatched
            except Exception:
                log.warning("Closing the Socket Mode connection failed", exc_info=True)
        self._drain_commands()

    def _drain_commands(self) -> None:
        """Wait (bounded) for the commands running in errbot's thread pool to answer."""
        pool = getattr(self, "thread_pool", None)
        if pool is None:
            return
        pool.close()
        waiter = threading.Thread(target=pool.join, name="redalert-drain", daemon=True)
        waiter.start()
        waiter.join(SHUTDOWN_DRAIN_SECONDS)
        if waiter.is_alive():
            log.warning("Commands still running after %.0f s; stopping anyway", SHUTDOWN_DRAIN_SECONDS)
        elif not self.reply_order.wait_idle(SHUTDOWN_DRAIN_SECONDS):  # answers held for their turn
            log.warning("Answers still waiting after %.0f s; stopping anyway", SHUTDOWN_DRAIN_SECONDS)

    # --- events that make cached lookups stale (dispatched by the backend as _handle_<event type>) -----------------
    def _handle_channel_rename(self, webclient: Any, event: dict) -> None:
        self._forget_channel(event["channel"]["id"], event["type"])

    _handle_group_rename = _handle_channel_rename

    def _handle_member_joined_channel(self, webclient: Any, event: dict) -> None:
        # Only the bot's own membership matters: what is cached about a channel (name, topic, type) does not change
        # when someone else joins, and incident channels see many joins.
        if self._is_me(event.get("user")):
            self._forget_channel(event["channel"], event["type"])
        super()._handle_member_joined_channel(webclient, event)

    def _handle_member_left_channel(self, webclient: Any, event: dict) -> None:
        if self._is_me(event.get("user")):
            self._forget_channel(event["channel"], event["type"])

    def _handle_channel_left(self, webclient: Any, event: dict) -> None:
        self._forget_channel(event["channel"], event["type"])

    _handle_group_left = _handle_channel_left

    def _handle_user_change(self, webclient: Any, event: dict) -> None:
        user_id = event["user"]["id"]
        self.identifier_cache.forget_user(user_id)
        self._share("user", user_id)
        log.debug("Forgot cached user %s (user_change).", user_id)

    def _handle_team_rename(self, webclient: Any, event: dict) -> None:
        self.identifier_cache.forget_teams()
        self._share("team", None)
        log.debug("Forgot cached team info (%s).", event.get("type"))

    _handle_team_domain_change = _handle_team_rename

    def _is_me(self, user_id: str | None) -> bool:
        return self.bot_identifier is not None and user_id == self.bot_identifier.userid

    def _forget_channel(self, channel_id: str, reason: str) -> None:
        self.forget_cached("channel", channel_id)
        self._share("channel", channel_id)
        log.debug("Forgot cached channel %s (%s).", channel_id, reason)

    # --- the other replicas' caches -------------------------------------------------------------------------------
    def _share(self, kind: str, key: str | None) -> None:
        """The event reached this replica only: tell the others (the plugin records it in the database)."""
        if self.on_cache_forget is not None:
            self.on_cache_forget(kind, key)

    def forget_cached(self, kind: str, key: str | None) -> None:
        """Forget an entry another replica (or this one) learnt is stale; never shared again."""
        if kind == "channel" and key is not None:
            self.identifier_cache.forget_channel(key)
            # channelid_to_channelname memoises names for good; a renamed channel must not keep its old one there.
            slackv3_backend.SlackBackend.channelid_to_channelname.cache_clear()
        elif kind == "user" and key is not None:
            self.identifier_cache.forget_user(key)
        elif kind == "team":
            self.identifier_cache.forget_teams()
