"""A Trello card's change applied to its task (the webhook's handler, after the application verified it).

Once only: the Trello action id is claimed in the same transaction as the task's change and its message, so a
redelivered webhook changes nothing, and a crash before the commit leaves it to Trello's retry. No echo: RedAlert's
own Trello member, or a state the task already has, changes nothing (domain/trello_inbound.decide).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import trello_inbound as inbound
from ..domain.text import escape
from ..domain.trello_inbound import CardChange, Verdict
from ..slack import messages
from .outbox_delivery import notice, notice_channel
from .tasks import TaskService

TRELLO_ACTOR = "api:trello"  # who did it when the Trello member maps to no Slack user (named, never mentioned)


@dataclass(frozen=True)
class Applied:
    """What became of one webhook: `changed` names the task's change, else `why` nothing changed."""

    task: int | None = None
    changed: str | None = None
    why: str = ""


class TrelloInbound:
    def __init__(self, tasks: TaskService) -> None:
        self.tasks = tasks

    @property
    def store(self):
        return self.tasks.store

    def task_of(self, card_id: str) -> int | None:
        known = self.store.remote.get(inbound.card_key(card_id))
        if known is not None:
            return int(known["task"])
        for key, data in self.store.remote.with_prefix("trello:task:").items():  # cards made before the reverse key
            if data.get("card_id") == card_id:
                return int(key.rsplit(":", 1)[1])
        return None

    def apply(self, change: CardChange) -> Applied:
        number = self.task_of(change.card_id)
        if number is None:
            return Applied(why="not a card of RedAlert's")
        integrations = self.tasks.settings.integrations
        me = (self.store.remote.get(inbound.WEBHOOK_LINK) or {}).get("member_id")
        now = self.tasks.now()
        with self.store.transaction():
            if not self.store.sent_once.claim(f"trello-action:{change.action_id}", at=now):
                return Applied(number, why="already applied")
            task = self.store.tasks.get(number)
            if task is None:
                return Applied(number, why="no such task")
            members = integrations.trello_members
            verdict = inbound.decide(change, is_open=task.is_open, owner=task.owner, members=members, me=me)
            if verdict is None:
                return Applied(number, why="nothing to change")
            what, owner = verdict
            by, about = escape(change.by_name), escape(task.text)
            back = {member: user for user, member in members.items()}
            actor = back.get(change.by_member, TRELLO_ACTOR)
            if what is Verdict.DONE:
                task = self.store.tasks.done(number, actor=actor, note="in Trello", at=now)
                text = f"{task.label} done in Trello by {by}: {about}"
            elif what is Verdict.REOPEN:
                task = self.store.tasks.reopen(number, actor=actor, at=now)
                text = f"{task.label} reopened in Trello by {by}: {about}"
            else:
                assert owner is not None, "an assignment names its owner"
                task = self.store.tasks.assign(number, owner, actor=actor, at=now)
                text = f"{task.label} is now owned by {messages.user(owner)} (in Trello, by {by})"
            incident = self.store.incidents.get(task.incident_number) if task.incident_number else None
            channel = notice_channel(incident)
            if channel:
                key = f"trello-back:{change.action_id}"
                self.store.outbox.add(notice(channel, text, key, task.incident_number), now)
        if task.incident_number is not None:
            self.tasks.refresh([task.incident_number])
        return Applied(number, changed=str(what))
