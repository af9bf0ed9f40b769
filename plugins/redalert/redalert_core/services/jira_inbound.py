"""Changes made in Jira, applied to their tasks (from POST /redalert/api/v1/hooks/jira through the application).

Each delivery is applied once (its identity is claimed in the same transaction as the change) and only when it
changes something RedAlert does not already hold: a webhook about RedAlert's own change (its own account, or a
state the task already has) changes nothing and posts nothing. Changes are made as `jira:<accountId>`, so the Jira
policy sends nothing back (domain/jira_outbox_policies.py); the name Jira gives the person is kept on each event
(and as the account's latest name) so timelines and task lines say who; one message in the incident channel says
what happened.

A change to an issue RedAlert does not know yet, whose labels name a task whose create still waits in the outbox
(Jira made the issue, RedAlert has not stored its key), is `pending`: nothing is claimed, the route answers 503, and
Jira's retry applies it once the link is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import text as texts
from ..domain.jira_outbox_policies import issue_link, marked_task, task_of_issue
from ..domain.jira_webhooks import UNSET, JiraChange
from ..domain.outside_actors import jira_actor, name_key
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
    pending: bool = False  # about a task whose issue link is not stored yet: Jira should retry


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
        if number is None:
            return self._unlinked(change)
        if own and change.actor_account == own:
            return JiraApplied(number)
        owner = self._owner(change) if change.assignee is not UNSET else None
        now, actor = self.clock(), jira_actor(change.actor_account)
        name = change.actor_name
        with self.store.transaction():
            if not self.store.sent_once.claim(f"jira-webhook:{delivery}", at=now):
                return JiraApplied(number, duplicate=True)
            task = self.store.tasks.get(number)
            if task is None:
                return JiraApplied(number)
            if change.actor_account:
                self.store.remote.set(name_key(actor), {"name": name}, now)
            done: list[str] = []
            by = texts.escape(name)
            if change.deleted:
                link = self.store.remote.get(issue_link(number)) or {}
                if not link.get("deleted"):
                    self.store.remote.set(issue_link(number), {**link, "deleted": True}, now)
                    done.append(f"T{number}'s Jira issue {change.issue_key} was deleted in Jira by {by}")
            if change.category == "done" and task.is_open:
                self.store.tasks.done(number, actor=actor, note=None, at=now, by_name=name)
                done.append(f"T{number} done in Jira by {by}")
            elif change.category not in (None, "done") and not task.is_open:
                self.store.tasks.reopen(number, actor=actor, at=now, by_name=name)
                done.append(f"T{number} reopened in Jira by {by}")
            if owner and owner != task.owner:
                self.store.tasks.assign(number, owner, actor=actor, at=now, by_name=name)
                done.append(f"T{number} assigned to {messages.user(owner)} in Jira by {by}")
            if change.due not in (UNSET, None) and change.due != task.due:
                self.store.tasks.set_due(number, change.due, actor=actor, at=now, by_name=name)
                done.append(f"T{number} due {change.due.isoformat()} (set in Jira by {by})")
            channel = notice_channel(self.store.incidents.get(task.incident_number)) if task.incident_number else None
            if done and channel:
                text = ". ".join(done) + "."
                self.store.outbox.add(notice(channel, text, f"jira-in:{delivery}", task.incident_number), now)
        return JiraApplied(number, done)

    def _unlinked(self, change: JiraChange) -> JiraApplied:
        """An issue RedAlert has not linked: pending when its labels name a task whose create is still queued
        (that create is made due now, so the link is stored before Jira's next retry), else nothing to do."""
        number = marked_task(change.labels)
        if number is None or self.store.tasks.get(number) is None:
            return JiraApplied()
        link = issue_link(number)
        if (self.store.remote.get(link) or {}).get("key") or not self.store.outbox.waiting(link):
            return JiraApplied()  # linked to another issue (a copy), or its create is not coming
        self.store.outbox.due_now(link, self.clock())
        return JiraApplied(number, pending=True)

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
