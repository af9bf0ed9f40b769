"""What every chat command shares: the request context, its arguments, and refusals turned into replies.

A command is a `@botcmd` method with `@answers` under it: it gets the `Requester` (who typed it, where, admin or
not, `/incident` or `!`) and its arguments as typed in Slack (mention markup intact), calls one method of the
application (`self.app`) and renders the result. A `ParseError` or `ServiceError` it raises becomes the reply,
inert (no ping), and nothing changed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from redalert_core.application.app import RedAlertApp
from redalert_core.application.errors import ServiceError
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError, command_tail
from redalert_core.domain.requester import FrontEnd, Requester
from redalert_core.domain.response_parsing import Targeted, target
from redalert_core.domain.settings import Settings

Reply = str | None


def answers(handler: Callable[..., Reply]) -> Callable[[Any, Any, str], Reply]:
    """The frame of a chat command (see the module's docstring). The handler takes (requester, text) and, if it
    names one, `msg` (Errbot's message) as a keyword; its words are its Errbot name (`task_add`: `!task add`)."""
    words = handler.__name__.split("_")
    wants_msg = "msg" in inspect.signature(handler).parameters

    @functools.wraps(handler)
    def command(self: ChatBase, msg: Any, args: str) -> Reply:
        extra = {"msg": msg} if wants_msg else {}
        try:
            return handler(self, self.requester(msg), self.arguments(msg, args, *words), **extra)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))

    return command


class ChatBase:
    """The base of the plugin's mixins: the application and the helpers every command uses."""

    _app: RedAlertApp | None = None  # built by RedAlert.activate (redalert_core/application/bootstrap.py)
    settings: Settings
    if TYPE_CHECKING:  # from Errbot's BotPlugin, which RedAlert lists last among its bases
        log: logging.Logger
        _bot: Any
        bot_config: Any
        name: str
        mode: str
        bot_identifier: Any

        def start_poller(self, interval: float, method: Callable[..., None], times: int | None = None) -> None: ...

        def configure(self, configuration: Any) -> None: ...

    @property
    def app(self) -> RedAlertApp:
        if self._app is None:
            raise AttributeError("RedAlert is not activated yet: it has no application")
        return self._app

    # --- the request context --------------------------------------------------------------------------------
    def requester(self, msg: Any) -> Requester:
        slash = bool(msg.extras.get("slash_command"))  # /incident <text>: only the person sees the answer
        return Requester(
            user=self.sender(msg),
            here=self.here(msg),
            is_admin=self.is_admin(msg),
            front_end=FrontEnd.SLASH if slash else FrontEnd.CHAT,
        )

    def arguments(self, msg: Any, args: str, *words: str) -> str:
        """The command's arguments from the raw Slack text, which keeps the mention markup the backend rewrites;
        Errbot's `args` when there is no Slack text (another backend, a test)."""
        raw = (self.slack_event(msg).get("message") or self.slack_event(msg)).get("text")
        tail = command_tail(raw, *words) if raw else None
        return tail if tail is not None else args

    def free_target(self, asker: Requester, text: str) -> Targeted:
        """`[<number>] <free text>` (an update, a note, a public text): free text may start with a number ("500
        errors…"); in an incident's channel it is text, unless it is that incident's own number."""
        parsed = target(text)
        current = self.app.incident_in(asker.here) if parsed.number is not None else None
        if current is not None and current.number != parsed.number:
            return Targeted(number=None, rest=parsed.whole, whole=parsed.whole)
        return parsed

    @staticmethod
    def slack_event(msg: Any) -> dict:
        return msg.extras.get("slack_event") or {}

    @staticmethod
    def sender(msg: Any) -> str:
        return getattr(msg.frm, "userid", None) or str(getattr(msg.frm, "person", msg.frm))

    def here(self, msg: Any) -> str | None:
        channel = self.slack_event(msg).get("channel")
        if channel:
            return channel
        room = getattr(msg.frm, "room", None) if msg.is_group else None
        return getattr(room, "id", None) or (str(room) if room else None)

    def is_admin(self, msg: Any) -> bool:
        return self.is_admin_id(getattr(msg.frm, "aclattr", str(msg.frm)))

    def is_admin_id(self, user: str) -> bool:
        return any(fnmatch(user, pattern) for pattern in getattr(self.bot_config, "BOT_ADMINS", ()))

    def admin_ids(self) -> list[str]:
        """The admins that are plain Slack user ids (BOT_ADMINS may hold patterns, which no DM can reach)."""
        admins = getattr(self.bot_config, "BOT_ADMINS", ())
        return [a for a in admins if isinstance(a, str) and a[:1] in "UW" and a.isalnum()]
