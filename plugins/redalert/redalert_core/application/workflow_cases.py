"""RedAlertApp's use cases of REDALERT_WORKFLOWS_FILE (issue 22): load at start, reload, show.

A mixin so app.py stays one screen per area; RedAlertApp supplies `workflows` (services/workflows.py).
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.requester import Requester
from ..domain.workflow_model import WorkflowsFile
from ..domain.yaml_nodes import Fault
from ..services.incidents import IncidentService, ServiceError
from ..services.response import ResponseService
from ..services.workflows import ActiveWorkflows, WorkflowsService
from .results import TypeSet


class WorkflowCases:
    workflows: WorkflowsService
    incidents: IncidentService
    response: ResponseService
    find: Callable[[Requester, int | None, str], Incident]
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

    def set_field(self, requester: Requester, number: int | None, name: str, value: str) -> tuple[Incident, str, str]:
        """`!incident set [<n>] <field> <value>`: checked against the field's kind, stored, in the timeline; the
        incident, the field's name and the value as stored."""
        incident = self.find(requester, number, "set a field of")
        if incident.is_closing_or_closed:
            raise ServiceError(f"Incident {incident.number} is closed: its fields stay as they were.")
        stored = self.workflows.set_field(incident.number, name, value, requester.user)
        return incident, name.lower(), stored

    def set_type(self, requester: Requester, number: int | None, name: str) -> TypeSet:
        """`!incident set [<n>] type <name>`: the incident becomes that type (`when: type_changed` workflows follow
        it); the new type's people, user groups and on-call are invited. A type that is private by default cannot
        make a public channel private (Slack does not let a bot): the answer says so."""
        incident = self.find(requester, number, "change the type of")
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
