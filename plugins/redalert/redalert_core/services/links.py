"""Linking incidents (related, duplicate, caused-by) and `!incident show`, the one-glance view of an incident."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.incident import Incident
from ..domain.links import Link, LinkKind
from ..domain.problems import Problem
from ..domain.requester import Requester
from ..domain.response_state import ResponseState
from ..domain.tasks import Task
from ..slack import messages
from ..slack.gateway import SlackError
from .follow_up import FollowUpBase
from .incidents import ServiceError


@dataclass
class LinkOutcome:
    incident: Incident
    other: Incident
    link: Link
    previous: Link | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IncidentView:
    incident: Incident
    state: ResponseState
    commander: str
    people: int
    links: list[Link]
    problem: Problem | None
    tasks: list[Task]


class LinkService(FollowUpBase):
    def link(self, number: int | None, other: int, kind: LinkKind, asker: Requester) -> LinkOutcome:
        incident = self.incident(number, asker, "link")
        if incident.number == other:
            raise ServiceError(f"Incident {other} cannot be linked to itself.")
        target = self.incident(other, asker, "link")
        existing = self.store.links.get(incident.number, target.number)
        if existing is not None and existing.kind == kind and existing.source == incident.number:
            raise ServiceError(
                f"Incident {incident.number} is already {existing.describe_from(incident.number)}; nothing changed."
            )
        previous = self.store.links.link(incident.number, target.number, kind, actor=asker.user, at=self.now())
        link = self.store.links.get(incident.number, target.number)
        assert link is not None, "link() just wrote it"
        outcome = LinkOutcome(incident, target, link, previous)
        # Typed in n's channel, the reply says it there already.
        if (
            kind == LinkKind.DUPLICATE
            and incident.channel_id
            and not incident.is_closed
            and asker.here != incident.channel_id
        ):
            text = (
                f":link: This incident is a duplicate of incident {target.number}"
                f" ({messages.channel(target.channel_id)}), marked by {messages.user(asker.user)}."
            )
            try:
                self.response.gateway.post_message(incident.channel_id, text)
            except SlackError as exc:
                outcome.warnings.append(
                    f"I could not say so in {messages.channel(incident.channel_id)}: {exc.describe()}."
                )
        return outcome

    def unlink(self, number: int | None, other: int, asker: Requester) -> tuple[Incident, Link]:
        incident = self.incident(number, asker, "unlink")
        if incident.number == other:
            raise ServiceError(f"Incident {other} cannot be linked to itself, so there is nothing to unlink.")
        target = self.incident(other, asker, "unlink")
        removed = self.store.links.unlink(incident.number, target.number, actor=asker.user, at=self.now())
        if removed is None:
            raise ServiceError(f"Incidents {incident.number} and {target.number} are not linked.")
        return incident, removed

    def show(self, number: int | None, asker: Requester) -> IncidentView:
        incident = self.incident(number, asker, "show", shown=True)
        state = self.store.response.get(incident.number)
        links = self.store.links.for_incident(incident.number)
        return IncidentView(
            incident=incident,
            state=state,
            commander=state.commander(incident.opened_by),
            people=len(self.store.participants.list(incident.number)),
            links=[k for k in links if self.may_see_number(k.other(incident.number), asker, shown=True)],
            problem=self.store.problems.for_incident(incident.number),
            tasks=self.store.tasks.for_incident(incident.number),
        )
