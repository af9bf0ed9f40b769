"""Changes made in Jira, applied to their tasks (from POST /redalert/api/v1/hooks/jira through the application).

Each delivery is applied once (its identity is claimed in the same transaction as the change) and only when it
changes something RedAlert does not already hold: a webhook about RedAlert's own change (its own account, or a
state the task already has) changes nothing and posts nothing. Changes are made as `jira:<accountId>`, so the Jira
policy sends nothing back (domain/jira_outbox_policies.py); one message in the incident channel says what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import text as texts
from ..domain.jira_outbox_policies import FROM_JIRA, issue_link, task_of_issue
from ..domain.jira_webhooks import UNSET, JiraChange
from ..domain.settings import Settings
from ..slack import messages
from ..slack.gateway import SlackError, SlackGateway
from ..store import Store
from .jira_delivery import SELF
from .outbox_delivery import notice, notice_channel


@dataclass
class JiraApplied:
    task: int | None = None
    changes: list[str] = field(default_factory=list)  # what changed, as told in the channel
    duplicate: bool = False


class JiraInbound:
    def __init__(
        self,
        store: Store,
        gateway: SlackGateway | None,
        settings: Callable[[], Settings],
        clock: Callable[[], datetime],
    ) -> None:
        self.store, self.gateway, self.settings, self.clock = store, gateway, settings, clock

    def apply(self, delivery: str, change: JiraChange) -> JiraApplied:
        linked = self.store.remote.get(task_of_issue(change.issue_key)) or {}
        number = linked.get("task")
        own = (self.store.remote.get(SELF) or {}).get("account_id")
        if number is None or (own and change.actor_account == own):
            return JiraApplied(number)
        owner = self._owner(change) if change.assignee is not UNSET else None
        now, actor = self.clock(), f"{FROM_JIRA}{change.actor_account or 'unknown'}"
        with self.store.transaction():
            if not self.store.sent_once.claim(f"jira-webhook:{delivery}", at=now):
                return JiraApplied(number, duplicate=True)
            task = self.store.tasks.get(number)
            if task is None:
                return JiraApplied(number)
            done: list[str] = []
            by = texts.escape(change.actor_name)
            if change.deleted:
                link = self.store.remote.get(issue_link(number)) or {}
                if not link.get("deleted"):
                    self.store.remote.set(issue_link(number), {**link, "deleted": True}, now)
                    done.append(f"T{number}'s Jira issue {change.issue_key} was deleted in Jira by {by}")
            if change.category == "done" and task.is_open:
                self.store.tasks.done(number, actor=actor, note=None, at=now)
                done.append(f"T{number} done in Jira by {by}")
            elif change.category not in (None, "done") and not task.is_open:
                self.store.tasks.reopen(number, actor=actor, at=now)
                done.append(f"T{number} reopened in Jira by {by}")
            if owner and owner != task.owner:
                self.store.tasks.assign(number, owner, actor=actor, at=now)
                done.append(f"T{number} assigned to {messages.user(owner)} in Jira by {by}")
            if change.due not in (UNSET, None) and change.due != task.due:
                self.store.tasks.set_due(number, change.due, actor=actor, at=now)
                done.append(f"T{number} due {change.due.isoformat()} (set in Jira by {by})")
            channel = notice_channel(self.store.incidents.get(task.incident_number)) if task.incident_number else None
            if done and channel:
                text = ". ".join(done) + "."
                self.store.outbox.add(notice(channel, text, f"jira-in:{delivery}", task.incident_number), now)
        return JiraApplied(number, done)

    def _owner(self, change: JiraChange) -> str | None:
        """The Slack user of the new assignee: JIRA_USERS mapped back, else by the email Jira shows, else None."""
        assignee = change.assignee if isinstance(change.assignee, dict) else {}
        account = assignee.get("accountId")
        if not account:
            return None
        mapped = self.settings().integrations.jira.slack_user(account)
        email = assignee.get("emailAddress")
        if mapped or not email or self.gateway is None:
            return mapped
        try:
            return self.gateway.user_id_by_email(email)
        except SlackError:
            return None
