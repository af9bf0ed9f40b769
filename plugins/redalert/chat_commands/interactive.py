"""`/incident`, the summary's buttons and the modals (a mixin of the RedAlert plugin).

The RedAlertSlack backend hands slash commands and interactive payloads to the handlers registered here:
- `/incident` with no text opens the "Open an incident" modal; `/incident <text>` runs exactly what
  `!incident <text>` runs (same command methods, same permission checks) and answers only the person who typed it;
- buttons and modal submissions go to the interactivity front end (redalert_core/frontends/interactivity.py).
Errbot's ACLs never see these, so admin-only commands and ACCESS_CONTROLS are checked here the way Errbot would,
on a message from the channel the command was typed in (slash_identifiers.py): room-scoped rules apply.
"""

from __future__ import annotations

import inspect
from typing import Any

from errbot import CommandError
from errbot.backends.base import Message

from redalert_core.domain import text as texts
from redalert_core.frontends.interactivity import Interactivity

from .base import ChatBase
from .slash_identifiers import sender_and_place

SLASH_COMMAND = "/incident"
MAX_COMMAND_WORDS = 3  # the longest command name after "incident" is one word; leave room like Errbot does


class InteractiveCommands(ChatBase):
    interactions: Interactivity | None = None

    # --- lifecycle (called from RedAlert.activate / deactivate) ---------------------------------------------
    def _start_interactions(self) -> None:
        if self.interactions is None:
            self.interactions = Interactivity(self.app)
        router = getattr(self._bot, "interaction_router", None)
        if router is not None:  # the RedAlertSlack backend; other backends have no slash commands or buttons
            router.register("slash_commands", self._on_slash_command)
            router.register("interactive", self._on_interaction)

    def _stop_interactions(self) -> None:
        router = getattr(self._bot, "interaction_router", None)
        if router is not None:
            router.unregister("slash_commands")
            router.unregister("interactive")
        if self.interactions is not None:
            self.interactions.drain()

    # --- handlers (run by the backend's interaction router; the return value is the ack payload) --------------
    def _on_interaction(self, payload: dict) -> dict | None:
        assert self.interactions is not None  # registered with the router only once it exists
        return self.interactions.interactive(payload)

    def _on_slash_command(self, payload: dict) -> dict | None:
        if payload.get("command") != SLASH_COMMAND:
            return None
        text = (payload.get("text") or "").strip()
        if not text:
            assert self.interactions is not None  # registered with the router only once it exists
            return self.interactions.show_open_form(
                trigger_id=payload.get("trigger_id", ""),
                user=payload.get("user_id", ""),
                channel=payload.get("channel_id"),
                response_url=payload.get("response_url"),
            )
        answer = self._run_as_text_command(payload, text)
        return {"response_type": "ephemeral", "text": answer} if answer else None

    def _run_as_text_command(self, payload: dict, text: str) -> str | None:
        """Run `!incident <text>` for the person who typed `/incident <text>`; the reply as Slack text."""
        words = text.split()
        name, rest = self._command_for(words)
        func = self._bot.all_commands.get(name)
        if func is None:
            return f"Unknown command. Try `/incident help`.\n{self._usage()}"
        user = payload.get("user_id", "")
        body = f"!incident {text}"
        frm, to = sender_and_place(user, payload.get("user_name", ""), payload.get("channel_id"), self.bot_identifier)
        msg = Message(
            body=body,
            frm=frm,
            to=to,
            extras={
                # What RedAlert's commands read from a Slack event: where, who, the raw text, and a ts that
                # makes a repeated delivery of this command recognisable (the trigger is unique per command).
                "slack_event": {
                    "channel": payload.get("channel_id"),
                    "user": user,
                    "text": body,
                    "ts": f"slash-{payload.get('trigger_id', '')}",
                },
                "slash_command": True,
            },
        )
        refusal = self._refusal(msg, name, rest, func)
        if refusal:
            return refusal
        try:
            result = func(msg, rest)
            if inspect.isgenerator(result):
                result = "\n\n".join(str(part) for part in result if part)
        except CommandError as exc:
            result = str(exc.reason)
        if not result:
            return None
        return self._to_slack(str(result))

    def _command_for(self, words: list[str]) -> tuple[str, str]:
        """Errbot's rule: the longest run of leading words that names a command wins (`open`, then `incident`)."""
        for count in range(min(len(words), MAX_COMMAND_WORDS), 0, -1):
            name = "_".join(["incident", *(w.lower() for w in words[:count])])
            if name in self._bot.all_commands:
                return name, " ".join(words[count:])
        if words and words[0].lower() == "help":
            return "incident", ""
        return "incident_" + (words[0].lower() if words else ""), " ".join(words[1:])

    def _refusal(self, msg: Message, name: str, args: str, func: Any) -> str | None:
        """Errbot's checks for a command that never went through Errbot: admin-only, then the ACL filters."""
        if getattr(func, "_err_command_admin_only", False) and not self.is_admin_id(msg.frm.userid):
            return "This command requires bot-admin privileges."
        allowed = self._filters_allow(msg, name, args)
        if allowed is None:
            return "Sorry, that could not be checked; try the `!incident` command."
        if allowed:
            return None
        direct = Message(body=msg.body, frm=msg.frm, to=self.bot_identifier, extras=msg.extras)
        if msg.is_group and self._filters_allow(direct, name, args):
            # A room rule (denyrooms, allowrooms, allowmuc, admin commands in DMs only): say where it works.
            return "You are not allowed to run this command in this channel; try it in a DM with me."
        return "You are not allowed to run this command."

    def _filters_allow(self, msg: Message, name: str, args: str) -> bool | None:
        """Whether Errbot's command filters (the ACLs) let `msg` run `name`; None when one of them failed."""
        for command_filter in self._bot.command_filters:
            if getattr(command_filter, "__self__", None) is self:
                continue  # RedAlert's own filters claim chat messages and rewrite `!plugin config`: not for this
            try:
                checked = command_filter(msg, name, args, True)
            except Exception:
                self.log.exception("A command filter failed on a slash command")
                return None
            if not checked or checked[0] is None:
                return False
        return True

    def _usage(self) -> str:
        return f"Severities: {', '.join(self.settings.severity_values)}. `/incident` alone opens a form."

    def _to_slack(self, text: str) -> str:
        """Errbot replies are Markdown; Slack shows mrkdwn (the backend converts its own replies the same way)."""
        converter = getattr(self._bot, "md", None)
        converted = converter.convert(text) if converter is not None else text
        return texts.clip(converted, 8000)
