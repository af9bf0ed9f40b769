"""Publishing an incident on the public status page (`!incident publish`, `!incident unpublish`) and asking the
commander once for a final public update when a published incident is resolved or closed.

Only what the publisher writes is published: the public text, a title (given, or made from the components) and the
components' states. Statuspage and the `status.published` webhook follow through the outbox (status_outbox.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import status_page as sp
from ..domain.incident import Incident
from ..domain.requester import Requester
from ..domain.settings import Settings
from ..domain.status_parsing import PublishRequest, parse_publish
from ..slack import messages
from ..slack.gateway import SlackError
from ..store import PrivateIncident
from .incidents import ServiceError
from .response import ResponseService


@dataclass
class Published:
    incident: Incident
    entry: sp.PublicEntry
    first: bool
    warnings: list[str] = field(default_factory=list)


def private_refusal(number: int) -> str:
    return f"Incident {number} is private: private incidents are never published. Nothing was published or sent."


class StatusPageService:
    def __init__(self, response: ResponseService, clock: Callable[[], datetime]) -> None:
        self.response = response
        self.store = response.store
        self.gateway = response.gateway
        self.clock = clock

    @property
    def settings(self) -> Settings:
        return self.response.settings

    def _allowed(self, incident: Incident, asker: Requester, verb: str) -> None:
        state = self.store.response.get(incident.number)
        commander = state.commander(incident.opened_by)
        page = self.settings.status_page
        if sp.may_publish(asker.user, state.roles, commander, page.publish_roles, asker.is_admin):
            return
        roles = ", ".join(r for r in page.publish_roles if r != sp.COMMANDER)
        others = f", the {roles}" if roles else ""
        raise ServiceError(
            f"Only the commander ({messages.user(commander)}){others} or an admin may {verb} incident "
            f"{incident.number}. Nothing changed."
        )

    # --- !incident publish ----------------------------------------------------------------------------------------
    def publish(self, number: int | None, asker: Requester, text: str) -> Published:
        """`!incident publish`: the arguments as typed (ParseError when they are wrong)."""
        return self.publish_request(number, asker, lambda: parse_publish(text, self.settings.status_page.names))

    def publish_request(self, number: int | None, asker: Requester, request: Callable[[], PublishRequest]) -> Published:
        """Publish what `request()` gives; it is only read once the incident and the asker's right are checked."""
        incident = self.response.find(number, asker, "publish", open_only=False)
        if incident.is_private:
            raise ServiceError(private_refusal(incident.number))
        self._allowed(incident, asker, "publish")
        settings = self.settings
        asked = request()
        state = self.store.response.get(incident.number)
        status = sp.public_status(state.current_status(settings.statuses), settings.resolved_status, incident.is_closed)
        existing = self.store.status_page.get(incident.number)
        live = existing if existing is not None and existing.withdrawn_at is None else None
        title = asked.title
        if title is None and live is None:
            title = sp.default_title(asked.components)
        try:
            entry, first = self.store.status_page.publish(
                incident.number,
                title=title,
                status=status,
                components=asked.components,
                body=asked.text,
                actor=asker.user,
                at=self.clock(),
            )
        except PrivateIncident:
            raise ServiceError(private_refusal(incident.number)) from None
        return Published(incident=incident, entry=entry, first=first)

    # --- !incident unpublish --------------------------------------------------------------------------------------
    def unpublish(self, number: int | None, asker: Requester) -> Incident:
        incident = self.response.find(number, asker, "unpublish", open_only=False)
        self._allowed(incident, asker, "unpublish")
        if not self.store.status_page.unpublish(incident.number, actor=asker.user, at=self.clock()):
            raise ServiceError(f"Incident {incident.number} is not on the status page. Nothing changed.")
        return incident

    # --- the final public update --------------------------------------------------------------------------------
    def after_status(self, incident: Incident, status: str) -> list[str]:
        """ResponseService hook: a published incident just resolved asks for its final update."""
        if status != self.settings.resolved_status:
            return []
        return self.ask_final_update(incident)

    def before_archive(self, incident: Incident, actor: str, closed_at: datetime, resolution: str | None) -> list[str]:
        """IncidentService hook, before the channel is archived: the last moment to ask in the channel."""
        return self.ask_final_update(incident)

    def ask_final_update(self, incident: Incident) -> list[str]:
        """One message in the incident's channel, once across replicas (recorded before it is posted)."""
        if not incident.channel_id or not self.store.status_page.ask_final_once(incident.number, self.clock()):
            return []
        entry = self.store.status_page.get(incident.number)
        assert entry is not None, "ask_final_once just marked this incident's entry"
        commander = self.store.response.get(incident.number).commander(incident.opened_by)
        text = (
            f"{messages.user(commander)} incident {incident.number} is still shown as *{entry.status}* on the status "
            f"page. Publish the final public update: `!incident publish {incident.number} <what the public should "
            "know>`; its components go back to operational."
        )
        try:
            self.gateway.post_message(incident.channel_id, text)
        except SlackError as exc:
            return [f"I could not ask for the final status page update: {exc.describe()}."]
        return []
