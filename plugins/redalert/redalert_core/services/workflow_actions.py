"""What each workflow action does (issue 22), through the services that already do it by hand: post, invite
(people, groups, on-call), page, task, set_field, assign_role, remind, webhook, bookmark.

`run` returns a line for the run's record, or raises `NotYet` when the incident has no channel yet (the engine
tries again next round; a webhook does not wait for Slack). Every text put in Slack comes from
`domain/workflow_engine.render`: values are inert.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.oncall import OnCallTarget
from ..domain.problem_commands import TaskAdd, TaskTarget
from ..domain.requester import FrontEnd, Requester
from ..domain.response_state import COMMANDER
from ..domain.text import plain
from ..domain.workflow_engine import Facts, inert, render
from ..domain.workflow_model import (
    Action,
    AssignRoleAction,
    BookmarkAction,
    InviteAction,
    PageAction,
    PostAction,
    RemindAction,
    SetFieldAction,
    TaskAction,
    WebhookAction,
)
from ..store.workflow_runs import WorkflowRun
from .integrations import IntegrationsService
from .oncall import OnCallService
from .response import ResponseService
from .tasks import TaskService

WORKFLOWS = "workflows"  # the actor of what a workflow does, in the timeline


class NotYet(Exception):
    """The incident has no channel yet; run the action later."""


class ActionRunner:
    def __init__(
        self,
        response: ResponseService,
        integrations: IntegrationsService,
        tasks: TaskService,
        oncall: OnCallService,
    ) -> None:
        self.response = response
        self.integrations = integrations
        self.tasks = tasks
        self.oncall = oncall
        self.gateway = response.gateway
        # wf-core's custom fields: set_field(number, field, value, actor); None until they are wired.
        self.set_field: Callable[[int, str, str, str], object] | None = None
        # Queue a delivery to a webhook of WEBHOOKS by name (services/workflow_webhooks.py, wired by bootstrap.py):
        # (incident, name, the run, facts) -> what the run records; None: not wired.
        self.send_webhook: Callable[[Incident, str, WorkflowRun, Facts], str] | None = None

    def run(self, action: Action, incident: Incident, facts: Facts, run: WorkflowRun) -> str | None:
        if isinstance(action, WebhookAction):  # an outbox row: it needs no channel (outside systems never wait)
            if self.send_webhook is None:
                return f"webhook {action.name}: webhooks are not available"
            return self.send_webhook(incident, action.name, run, facts)
        if not incident.channel_id:
            raise NotYet()
        channel = incident.channel_id
        system = Requester(user=incident.opened_by, is_admin=True, front_end=FrontEnd.SYSTEM)
        if isinstance(action, PostAction):
            self.gateway.post_message(channel, render(action.template, facts))
        elif isinstance(action, InviteAction):
            return self._invite(action, incident)
        elif isinstance(action, PageAction):
            # PagerDuty shows the summary as plain text: no Slack mention can ping there.
            summary = render(action.summary, facts, plain=True) if action.summary else None
            self.integrations.page(incident, WORKFLOWS, None, routing_key=action.routing_key, summary=summary)
        elif isinstance(action, TaskAction):
            due = (self.response.clock() + action.due).date() if action.due else None
            owner = self._holder(incident, action.owner_role) if action.owner_role else None
            text = inert(render(action.text, facts, plain=True))
            self.tasks.add(TaskAdd(TaskTarget(incident=incident.number), text, owner, due), system)
        elif isinstance(action, SetFieldAction):
            if self.set_field is None:
                return "set_field: custom fields are not available"
            self.set_field(incident.number, action.field, render(action.value, facts, plain=True), WORKFLOWS)
        elif isinstance(action, AssignRoleAction):
            self.response.assign_role(incident.number, system, action.role, action.user)
        elif isinstance(action, RemindAction):
            holder = self._holder(incident, action.role)
            self.gateway.send_dm(holder, render(action.text, facts))
        elif isinstance(action, BookmarkAction):
            link = render(action.link, facts, plain=True)
            self.gateway.add_bookmark(channel, plain(render(action.title, facts, plain=True))[:100], link)
        return None

    def _invite(self, action: InviteAction, incident: Incident) -> str:
        users = list(action.users)
        missing: list[str] = []
        if action.oncall:
            target = OnCallTarget(action.oncall.escalation_policies, action.oncall.schedules)
            found = self.oncall.lookup(target)
            users += [u for u in found.found if u not in users]
            missing = found.missing
        if users or action.groups:
            mentions = Mentions(users=users, groups=list(action.groups))
            self.response.incidents.invite(
                number=incident.number, here=None, mentions=mentions, actor=incident.opened_by, actor_is_admin=True
            )
        if missing:
            text = "I could not invite " + "; ".join(inert(m) for m in missing) + "."
            self.gateway.post_message(incident.channel_id or "", text)
        said = f"invited {len(users)} people and {len(action.groups)} groups"
        return said + (f"; not found: {'; '.join(missing)}" if missing else "")

    def _holder(self, incident: Incident, role: str) -> str:
        state = self.response.store.response.get(incident.number)
        return state.commander(incident.opened_by) if role == COMMANDER else state.roles.get(role) or incident.opened_by
