"""RedAlertSlack: errbot's slackv3 backend, with cached identifier lookups and retried replies.

Everything is the slackv3 backend's (connection, events, sending, formatting); this subclass only
- builds identifiers through an in-process cache (cached_identifiers.py, identifier_cache.py), so chatter in a busy
  incident channel costs no Slack call once its people and the channel have been seen;
- drops cache entries when Slack says a name changed (rename, user and team events, the bot's own join or leave),
  provided the Slack app subscribes to those events; entries also expire after ten minutes;
- gives the backend's WebClient RedAlert's retry policy, so a reply hit by a 429 is sent late rather than lost;
- defuses <!channel>, <!here>, <!everyone> and <!subteam^…> in every reply after Markdown conversion (the converter
  turns `&lt;` back into `<`, which would re-activate a mention quoted from user text); RedAlert never writes them.
- routes Socket Mode `slash_commands` and `interactive` envelopes (which slackv3 acks empty and drops) to the plugin
  that registered for them through `interaction_router`, and acks each with the payload its handler returns.

Errbot loads this file by path; its directory is put on sys.path first, which makes the sibling modules importable.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

# Imported as a module, never `from ... import SlackBackend`: errbot takes every ErrBot subclass found in this
# module's namespace for a backend, and refuses to choose between two. Being imported here, after config.py ran,
# the backend binds config.py's WebClient (the one that knows SLACK_API_URL).
import slackv3.slackv3 as slackv3_backend
from cached_identifiers import use_cached_identifiers
from identifier_cache import IdentifierCache
from interaction_router import KINDS, InteractionRouter
from slack_sdk.socket_mode.response import SocketModeResponse

# The retry policy lives with RedAlert's Slack gateway (plugins/redalert/redalert_core), outside any package here.
_PLUGIN_DIR = str(Path(__file__).resolve().parents[2] / "plugins" / "redalert")
if _PLUGIN_DIR not in sys.path:
    sys.path.insert(0, _PLUGIN_DIR)
from redalert_core.domain.text import defuse_broadcasts, defuse_payload  # noqa: E402
from redalert_core.slack.gateway import SlackGateway, install_retry_handlers  # noqa: E402

log = logging.getLogger(__name__)


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


class RedAlertSlackBackend(slackv3_backend.SlackBackend):
    """The slackv3 backend, with identifier lookups cached per process and retries on its own Slack calls."""

    def __init__(self, config: Any) -> None:
        self.identifier_cache = IdentifierCache()
        # Before the backend's __init__, which registers pickling for the identifier classes it names.
        use_cached_identifiers(slackv3_backend, self.identifier_cache)
        super().__init__(config)
        self.md = BroadcastSafeConverter(self.md)
        # Plugins register their slash-command and interaction handlers here (RedAlert does in activate()).
        self.interaction_router = InteractionRouter(SlackGateway(lambda: self.slack_web).respond)

    def send_message(self, msg: Any) -> Any:
        # Blocks and attachments skip the converter; they get the same defence.
        for key in ("blocks", "attachments"):
            if key in msg.extras:
                msg.extras[key] = defuse_payload(msg.extras[key])
        return super().send_message(msg)

    # --- slash commands, buttons and modals ------------------------------------------------------------------------
    def _sm_generic_event_handler(self, client: Any, req: Any) -> None:
        """Events go to slackv3 as before; slash commands and interactions get one ack carrying their answer."""
        if req.type not in KINDS:
            super()._sm_generic_event_handler(client, req)
            return
        payload = self.interaction_router.handle(req.type, req.payload or {})
        if payload and not req.accepts_response_payload:
            log.warning("A %s envelope accepts no response payload; its answer is dropped.", req.type)
            payload = None
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=payload))

    # serve_once builds a new WebClient on every (re)connect and assigns it here: that is where it gets its retries.
    @property
    def slack_web(self) -> Any:
        return self._slack_web

    @slack_web.setter
    def slack_web(self, client: Any) -> None:
        self._slack_web = install_retry_handlers(client) if client is not None else None

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
        log.debug("Forgot cached user %s (user_change).", user_id)

    def _handle_team_rename(self, webclient: Any, event: dict) -> None:
        self.identifier_cache.forget_teams()
        log.debug("Forgot cached team info (%s).", event.get("type"))

    _handle_team_domain_change = _handle_team_rename

    def _is_me(self, user_id: str | None) -> bool:
        return self.bot_identifier is not None and user_id == self.bot_identifier.userid

    def _forget_channel(self, channel_id: str, reason: str) -> None:
        self.identifier_cache.forget_channel(channel_id)
        # channelid_to_channelname memoises names for good; a renamed channel must not keep its old one there.
        slackv3_backend.SlackBackend.channelid_to_channelname.cache_clear()
        log.debug("Forgot cached channel %s (%s).", channel_id, reason)
