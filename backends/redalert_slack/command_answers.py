"""The backend's side of answering every command once, in order, paced and, after a restart, marked late.

A mixin of RedAlertSlackBackend (before slackv3's SlackBackend): it claims unknown commands before answering "not
found" (`command_hooks.claim_unknown`, set by the plugin, chat_commands/inbox.py), runs each command inside its inbox
scope and marks it answered, prefixes the answers of re-run commands, keeps a channel's answers in the order of its
commands (reply_order.py) and paces every post under the channel's chat.postMessage budget (`reply_pacer`, the
plugin's gateway pacer).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from redalert_core.slack.rate_pacing import Priority

if TYPE_CHECKING:  # the methods this mixin extends are slackv3's (untyped: mypy sees Any)
    from slackv3.slackv3 import SlackBackend as _Backend
else:
    _Backend = object

log = logging.getLogger(__name__)

# Starts a command's answer when it comes from a re-run after a restart (chat_commands/inbox.py).
LATE_REPLY_PREFIX = "(late reply, the bot restarted) "
REPLY_TICKET = "redalert_reply_ticket"  # msg.extras: (channel, ts) of the command's place in reply_order


class CommandAnswers(_Backend):
    # Set by RedAlertSlackBackend.__init__ and by the plugin.
    command_hooks: Any
    reply_pacer: Any
    reply_order: Any
    _executing: Any

    def _pace(self, msg: Any) -> None:
        """Wait for the channel's chat.postMessage turn: a reply is urgent, but Slack's 1 a second holds for it too."""
        pacer = self.reply_pacer
        if pacer is None or "ts" in msg.extras or msg.extras.get("ephemeral"):
            return  # edits and ephemeral messages are other methods
        channel = getattr(msg.to, "id", None) if msg.is_group else getattr(msg.to, "channelid", None)
        if isinstance(channel, str):  # a DM diverted from a room has no channel id yet: Slack paces it apart
            pacer.wait_turn("chat.postMessage", channel, Priority.URGENT)

    def _process_command(self, msg, cmd, args, match) -> None:
        ticket = self._ticket(msg)
        if ticket is not None:
            msg.extras[REPLY_TICKET] = ticket
            self.reply_order.register(*ticket)
        super()._process_command(msg, cmd, args, match)

    @staticmethod
    def _ticket(msg: Any) -> tuple[str, float] | None:
        """(channel, ts) of the command's message: its place among the channel's answers."""
        event = msg.extras.get("slack_event") or {}
        original = event.get("message") or event
        try:
            return event["channel"], float(original["ts"])
        except (KeyError, TypeError, ValueError):
            return None

    def _process_command_filters(self, msg, cmd, args, dry_run: bool = False):
        result = super()._process_command_filters(msg, cmd, args, dry_run)
        if not dry_run and result[0] is None and msg is not None:  # dropped: the next need not wait for it
            ticket = msg.extras.pop(REPLY_TICKET, None)
            if ticket is not None:
                self.reply_order.finish(*ticket)
        return result

    def _execute_and_send(self, cmd, args, match, msg, template_name=None) -> None:
        hooks = self.command_hooks
        held: list[tuple] = []
        self._executing.msg, self._executing.held = msg, held
        try:
            if hooks is None:
                super()._execute_and_send(cmd, args, match, msg, template_name)
            else:
                with hooks.command_running(msg):
                    super()._execute_and_send(cmd, args, match, msg, template_name)  # errors become the answer
        finally:
            self._executing.msg = self._executing.held = None
            self._answered(msg, held)

    def _answered(self, msg: Any, held: list[tuple]) -> None:
        """Post what the command held back, in its channel's order, then mark it answered."""
        hooks = self.command_hooks

        def answer() -> None:
            for reply in held:
                super(CommandAnswers, self).send_simple_reply(*reply)
            if hooks is not None:
                hooks.command_answered(msg)

        ticket = msg.extras.pop(REPLY_TICKET, None)
        if ticket is None:
            answer()
        elif held:
            self.reply_order.finish(*ticket, answer)
        else:
            answer()
            self.reply_order.finish(*ticket)

    def send_simple_reply(self, msg: Any, text: str, private: bool = False, threaded: bool = False) -> None:
        if self.command_hooks is not None and self.command_hooks.late(msg):
            text = LATE_REPLY_PREFIX + text
        ticket = msg.extras.get(REPLY_TICKET)
        held = getattr(self._executing, "held", None)
        mine = ticket is not None and getattr(self._executing, "msg", None) is msg
        if mine and held is not None and (held or not self.reply_order.alone(*ticket)):
            held.append((msg, text, private, threaded))  # posted in the channel's order (reply_order.py)
            return
        super().send_simple_reply(msg, text, private, threaded)

    def unknown_command(self, msg: Any, cmd: str, args: str | None) -> str | None:
        """ "Command not found", claimed like any command: a message delivered twice gets one answer."""
        hooks = self.command_hooks
        if hooks is None:
            return super().unknown_command(msg, cmd, args)
        if not hooks.claim_unknown(msg):
            return None  # another delivery (or replica) answers it
        self.send_simple_reply(msg, super().unknown_command(msg, cmd, args))
        hooks.command_answered(msg)
        return None
