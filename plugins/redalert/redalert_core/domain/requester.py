"""Who asks, where and through which front end: the one request context every use case takes.

Chat commands, `/incident`, buttons and forms (and the HTTP API) each build a Requester and hand it to the
application (redalert_core/application); what the person may see follows from it (domain/visibility.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from . import visibility
from .visibility import Viewer


class FrontEnd(enum.StrEnum):
    CHAT = "chat"  # a `!` command in a channel or a DM
    SLASH = "slash"  # `/incident <text>`: the answer is shown to the person only
    INTERACTIVITY = "interactivity"  # a button, a form, a reaction
    API = "api"  # the HTTP API
    SYSTEM = "system"  # the bot itself: recovery, reminders


@dataclass(frozen=True)
class Requester:
    """The person (a Slack user id) and where they asked: private incidents are visible to their people and admins.

    `here` is the channel the request was typed in (None: a click, a form or an API call); `member_of` a channel the
    person is known to be in without typing there (a button clicked in a private channel); `reply_url` where an
    answer only they see goes (Slack's response_url).
    """

    user: str
    here: str | None = None
    is_admin: bool = False
    member_of: str | None = None
    front_end: FrontEnd = FrontEnd.CHAT
    reply_url: str | None = None
    # The HTTP API: the token's name (`user` is then its actor, "api:<name>") and whether it sees private incidents.
    token: str | None = None
    sees_private: bool = False

    @property
    def private_reply(self) -> bool:
        """The answer is shown to the person only (/incident <text>): changes are also told to the incident channel."""
        return self.front_end is FrontEnd.SLASH

    def person(self) -> Viewer:
        """The person, for what they may act on (domain/visibility.py)."""
        if self.token is not None:  # an API token sees every incident with the private scope, else public ones only
            return visibility.Viewer(self.user if self.sees_private else None, self.sees_private)
        return visibility.person(self.user, self.is_admin, self.here, self.member_of)

    def audience(self) -> Viewer:
        """Who reads the answer: the person in a DM or a reply only they see, else everyone in the channel."""
        if self.here is None:  # a click, a form or an API call: answered to the person only
            return self.person()
        return visibility.audience(self.user, self.is_admin, self.here, shown_to_person_only=self.private_reply)
