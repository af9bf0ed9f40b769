"""Every chat command is durable and answered once (a mixin; RedAlert lists it among its bases).

A command is stored in the command inbox (store/command_inbox.py) by `RedAlert.take_command`, in the thread that
received it and before its Socket Mode envelope is acknowledged; the row's key (channel + event ts) is also the
claim, so a message Slack delivers twice, or to two replicas, is answered once — unknown commands too, whose
"not found" answer the backend (backends/redalert_slack) sends only after `claim_unknown`. While the command runs,
its first database change marks the row applied in the same transaction; once answered, the row is done.

The leading replica re-runs, through Errbot's normal dispatch and once, every command a dead process left
unanswered (`_finish_unanswered_commands`): one whose change never happened runs again and answers with a
"(late reply, the bot restarted)" prefix; one whose change happened but whose answer was lost is not run again,
and the late reply says so (an open is answered by the open's own recovery, services/recovery.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redalert_core.application.results import APPLIED, InboxCommand
from redalert_core.domain import text as texts

from .base import ChatBase

LATE_PREFIX = "(late reply, the bot restarted) "  # also backends/redalert_slack (LATE_REPLY_PREFIX)
INBOX_KEY = "redalert_inbox_key"  # msg.extras: the command's inbox row
READY_WAIT_SECONDS = 60.0
LATE = "redalert_late_reply"  # msg.extras: a re-run of a command a dead process left unanswered


class InboxCommands(ChatBase):
    _rerun = threading.local()  # the inbox key being re-run on this thread, and whether the filter saw it

    # --- receipt: one answer per message --------------------------------------------------------------------
    def _claim(self, msg, cmd: str | None) -> bool:
        """Whether this replica runs the message's command: True for the first to store it in the inbox.

        The key is the message's channel and the ts of the event itself, so Slack's redelivery of an envelope (to
        this replica or another) is dropped, while an edit of a command (a new event) still reaches its command.
        """
        key = self._claim_key(msg)
        if key is None:
            return True
        if getattr(self._rerun, "key", None) == key:  # the re-run of an unanswered command (below)
            self._rerun.seen = True
            msg.extras[INBOX_KEY], msg.extras[LATE] = key, True
            return True
        event = msg.extras["slack_event"]
        if self.app.inbox.receive(key, event=event, command=cmd, instance=self._instance(), at=self.app.clock()):
            msg.extras[INBOX_KEY] = key
            return True
        self.log.info("Command %s already taken by a replica; not running it again", texts.clip(key, 80))
        return False

    def _instance(self) -> str:
        replica = self.app.incidents.replica
        return replica.instance if replica else "-"

    def _claim_key(self, msg) -> str | None:
        event = msg.extras.get("slack_event") if getattr(msg, "extras", None) else None
        if not event:
            return None
        ts = event.get("event_ts") or event.get("ts")
        if not event.get("channel") or not ts:
            return None
        return f"{event['channel']}:{ts}"

    # --- hooks the backend calls (RedAlertSlack.command_hooks) ----------------------------------------------
    def claim_unknown(self, msg) -> bool:
        """Whether this replica answers an unknown command ("not found"): the same claim as a known one."""
        return self._app is None or self._claim(msg, None)

    @contextmanager
    def command_running(self, msg) -> Iterator[None]:
        """Around a command on its worker thread: its first database change marks its inbox row applied."""
        key = msg.extras.get(INBOX_KEY) if getattr(msg, "extras", None) else None
        if key is None or self._app is None:
            yield
            return
        with self.app.command_scope(key):
            yield

    def command_answered(self, msg) -> None:
        key = msg.extras.get(INBOX_KEY) if getattr(msg, "extras", None) else None
        if key is not None and self._app is not None:
            self.app.inbox.finish(key, at=self.app.clock())

    @staticmethod
    def late(msg) -> bool:
        return bool(getattr(msg, "extras", None) and msg.extras.get(LATE))

    # --- recovery (a leader job, chat_commands/replicas.py) --------------------------------------------------
    def _finish_unanswered_commands(self) -> None:
        """Re-run, once, the commands whose process died before answering them."""
        ready = getattr(self._bot, "_ready", None)  # RedAlertSlack: every plugin active, commands can run
        if ready is not None and not ready.wait(READY_WAIT_SECONDS):
            return  # the next round (REDALERT_RESUME_INTERVAL) tries again
        inbox = self.app.inbox
        instance = self._instance()
        leadership = self.app.leadership
        live = leadership.live_instances() if leadership else {instance}
        for item in inbox.unfinished(live):
            if not inbox.take_over(item, instance=instance):
                continue  # another leader took it
            try:
                self._finish_unanswered(item)
            except Exception:  # left claimed by this process: the next leader tries again if it dies
                self.log.exception("Could not re-run the unanswered command %s", texts.clip(item.key, 80))

    def _finish_unanswered(self, item: InboxCommand) -> None:
        inbox = self.app.inbox
        if item.state == APPLIED:  # its change happened; running it again would make it twice
            if item.command != "incident_open":  # the open's recovery posts where the incident stands
                self._post_lost_answer(item)
            inbox.finish(item.key, at=self.app.clock())
            return
        handle = getattr(self._bot, "_handle_message", None)
        if handle is None:
            inbox.finish(item.key, at=self.app.clock())
            return
        self._rerun.key, self._rerun.seen = item.key, False
        try:
            handle(self._bot.slack_web, item.event)  # Errbot's normal dispatch; take_command lets this key through
        finally:
            seen, self._rerun.key = self._rerun.seen, None
        if not seen:  # Errbot did not take it as a command this time (nothing to answer)
            inbox.finish(item.key, at=self.app.clock())
        self.log.info("Re-ran the command %s left unanswered by a stopped process", texts.clip(item.key, 80))

    def _post_lost_answer(self, item: InboxCommand) -> None:
        event = item.event.get("message") or item.event
        asked = texts.unping(texts.clip(event.get("text") or "your command", 200))
        text = f"{LATE_PREFIX}`{asked}` was carried out before the restart, but its answer was lost."
        channel, thread = str(item.event.get("channel")), event.get("thread_ts")  # the inbox key has a channel
        gateway = self.app.gateway
        if thread:
            gateway.post_reply(channel, thread, text)
        else:
            gateway.post_message(channel, text)
