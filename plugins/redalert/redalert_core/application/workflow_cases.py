"""RedAlertApp's use cases of REDALERT_WORKFLOWS_FILE (issue 22): load at start, reload, show; an open's type and
fields; setting fields later.

A mixin so app.py stays one screen per area; RedAlertApp supplies `workflows` (services/workflows.py). Chat, the
"Open an incident" modal and the HTTP API all shape an open with `typed_open` and set fields with `set_fields`, so
the rules (and the words of a refusal) are the same wherever an incident starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.incident_fields import check_open, from_labels
from ..domain.requester import Requester
from ..domain.workflow_model import IncidentType, WorkflowsFile
from ..domain.yaml_nodes import Fault
from ..services.incidents import IncidentService, OpenRequest, ServiceError
from ..services.response import ResponseService
from ..services.workflows import ActiveWorkflows, WorkflowsService
from .results import TypeSet


class WorkflowCases:
    workflows: WorkflowsService
    incidents: IncidentService
    response: ResponseService
    _invite_oncall: Callable[[Incident], list[str]]

    def load_workflows_at_start(self) -> list[Fault]:
        """The file named by REDALERT_WORKFLOWS_FILE becomes the active version; its faults (logged) when it has
        some, and then the version already active (or none) stays."""
        return self.workflows.load_at_start()

    def reload_workflows(self, requester: Requester) -> ActiveWorkflows:
        """`!incident workflows reload` (admins): validated in full; a fault refuses it (WorkflowsRefused, a
        ServiceError listing every fault) and nothing changes."""
        if not requester.is_admin:
            raise ServiceError("Only RedAlert admins can reload the workflows file.")
        return self.workflows.reload(requester.user)

    def show_workflows(self, requester: Requester) -> ActiveWorkflows:
        """`!incident workflows show`: the active version (hash, who loaded it, when) and what it holds."""
        return self.workflows.active()

    def workflows_file(self) -> WorkflowsFile:
        """The file in force (the empty file without REDALERT_WORKFLOWS_FILE)."""
        return self.workflows.current()

    def typed_open(self, request: OpenRequest) -> OpenRequest:
        """An open as the workflows file shapes it: the type named (else the file's first) and the field values,
        each checked, those required at open present — else FieldsRefused (a ParseError) naming every bad one,
        keyed `type` / `fields.<name>` — then what the type brings: private by default, its people and user groups
        invited after those asked for. Without types or fields the request stays as it is (and naming a type or a
        field is refused)."""
        file = self.workflows.current()
        if not (file.types or file.fields or request.incident_type or request.fields):
            return request
        kind, values = check_open(file, request.incident_type, request.fields)
        return self._with_type(request, kind, values)

    def alert_open(self, request: OpenRequest, labels: Mapping[str, str]) -> OpenRequest:
        """An incident an alert opens (services/alert_intake.py): the file's first type, with what it brings, and
        the fields its common labels give (domain/incident_fields.from_labels); never refused."""
        file = self.workflows.current()
        if not (file.types or file.fields):
            return request
        kind, values = from_labels(file, labels)
        return self._with_type(request, kind, values)

    @staticmethod
    def _with_type(request: OpenRequest, kind: IncidentType | None, values: dict[str, str]) -> OpenRequest:
        if kind is None:
            return replace(request, fields=values)
        asked = request.mentions
        mentions = Mentions(
            users=list(dict.fromkeys([*asked.users, *kind.invite_users])),
            groups=list(dict.fromkeys([*asked.groups, *kind.invite_groups])),
        )
        private = request.is_private or kind.private
        return replace(request, incident_type=kind.name, fields=values, is_private=private, mentions=mentions)

    def set_field(self, requester: Requester, number: int | None, name: str, value: str) -> tuple[Incident, str, str]:
        """`!incident set [<n>] <field> <value>`: checked against the field's kind, stored, in the timeline; the
        incident, the field's name and the value as stored."""
        incident = self._settable(requester, number)
        stored = self.workflows.set_field(incident.number, name, value, requester.user)
        return incident, name.strip().lower(), stored

    def set_fields(self, requester: Requester, number: int | None, values: Mapping[str, str]) -> Incident:
        """Several fields at once (the HTTP API): every value checked first — FieldsRefused names each bad one by
        its name and nothing changes — then each stored with its timeline entry naming who set it."""
        incident = self._settable(requester, number)
        self.workflows.set_fields(incident.number, values, requester.user)
        return incident

    def _settable(self, requester: Requester, number: int | None) -> Incident:
        # No channel needed: a field waits for nothing in Slack.
        incident = self.response.find(number, requester, "set a field of", needs_channel=False)
        if incident.is_closing_or_closed:
            raise ServiceError(f"Incident {incident.number} is closed: its fields stay as they were.")
        return incident

    def set_type(self, requester: Requester, number: int | None, name: str) -> TypeSet:
        """`!incident set [<n>] type <name>`: the incident becomes that type (`when: type_changed` workflows follow
        it); the new type's people, user groups and on-call are invited. A type that is private by default cannot
        make a public channel private (Slack does not let a bot): the answer says so."""
        incident = self.response.find(number, requester, "change the type of", needs_channel=False)
        if incident.is_closing_or_closed:
            raise ServiceError(f"Incident {incident.number} is closed: its type stays as it was.")
        kind = self.workflows.set_type(incident.number, name, requester.user)
        if kind is None:
            return TypeSet(incident, None, [])
        warnings: list[str] = []
        if kind.private and not incident.is_private:
            warnings.append(f"{kind.name} incidents are private by default, but this channel stays public.")
        if incident.channel_id and (kind.invite_users or kind.invite_groups):
            mentions = Mentions(users=list(kind.invite_users), groups=list(kind.invite_groups))
            try:
                warnings += self.incidents.invite(
                    number=incident.number, here=None, mentions=mentions, actor=requester.user, actor_is_admin=True
                )[2]
            except ServiceError as exc:
                warnings.append(str(exc))
        if incident.channel_id:
            warnings += self._invite_oncall(incident)
            warnings += self.response.refresh_summary(incident.number)
        return TypeSet(incident, kind, warnings)

    def field_values(self, number: int) -> dict[str, str]:
        """An incident's custom field values, by field name."""
        return self.workflows.fields_of(number)
