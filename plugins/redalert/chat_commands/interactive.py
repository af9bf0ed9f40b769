"""`/incident`, the summary's buttons and the modals (a mixin of the RedAlert plugin).

The RedAlertSlack backend hands slash commands and interactive payloads to the handlers registered here:
- `/incident` with no text opens the "Open an incident" modal; `/incident <text>` runs exactly what
  `!incident <text>` runs (same command methods, same permission checks) and answers only the person who typed it;
- buttons and modal submissions go to the interaction service (redalert_core/services/interactions.py).
Errbot's ACLs never see these, so admin-only commands and ACCESS_CONTROLS are checked here the way Errbot would.
"""

from __future__ import annotations

import inspect
from fnmatch import fnmatch
from typing import Any

from errbot import CommandError
from errbot.backends.base import Message, Person

from redalert_core.domain import text as texts
from redalert_core.services.interactions import InteractionService

SLASH_COMMAND = "/incident"
MAX_COMMAND_WORDS = 3  # the longest command name after "incident" is one word; leave room like Errbot does


class SlashCommandUser(Person):
    """The person who typed a slash command, as Errbot identifiers look to RedAlert's commands and ACLs."""

    def __init__(self, user_id: str, name: str = "") -> None:
        self.userid = user_id
        self._name = name or user_id

    person = property(lambda self: self.userid)
    client = property(lambda self: "")
    nick = property(lambda self: self._name)
    username = property(lambda self: self._name)
    aclattr = property(lambda self: self.userid)
    fullname = property(lambda self: self._name)
    email = property(lambda self: "")

    def __str__(self) -> str:
        return f"<@{self.userid}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlashCommandUser) and other.userid == self.userid

    def __hash__(self) -> int:
        return hash(self.userid)


class InteractiveCommands:
    interactions: InteractionService | None = None

    # --- lifecycle (called from RedAlert.activate / deactivate) ---------------------------------------------
    def _start_interactions(self) -> None:
        if self.interactions is None:
            self.interactions = InteractionService(self.service, self.workflow, self._is_admin_id)
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

    def _is_admin_id(self, user_id: str) -> bool:
        return any(fnmatch(user_id, pattern) for pattern in getattr(self.bot_config, "BOT_ADMINS", ()))

    # --- handlers (run by the backend's interaction router; the return value is the ack payload) --------------
    def _on_interaction(self, payload: dict) -> dict | None:
        return self.interactions.interactive(payload)

    def _on_slash_command(self, payload: dict) -> dict | None:
        if payload.get("command") != SLASH_COMMAND:
            return None
        text = (payload.get("text") or "").strip()
        if not text:
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
        msg = Message(
            body=body,
            frm=SlashCommandUser(user, payload.get("user_name", "")),
            to=self.bot_identifier,
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
        if getattr(func, "_err_command_admin_only", False) and not self._is_admin_id(msg.frm.userid):
            return "This command requires bot-admin privileges."
        for command_filter in self._bot.command_filters:
            if getattr(command_filter, "__self__", None) is self:
                continue  # RedAlert's own filters claim chat messages and rewrite `!plugin config`: not for this
            try:
                checked = command_filter(msg, name, args, True)
            except Exception:
                self.log.exception("A command filter failed on a slash command")
                return "Sorry, that could not be checked; try the `!incident` command."
            if not checked or checked[0] is None:
                return "You are not allowed to run this command."
        return None

    def _usage(self) -> str:
        return f"Severities: {', '.join(self.settings.severity_values)}. `/incident` alone opens a form."

    def _to_slack(self, text: str) -> str:
        """Errbot replies are Markdown; Slack shows mrkdwn (the backend converts its own replies the same way)."""
        converter = getattr(self._bot, "md", None)
        converted = converter.convert(text) if converter is not None else text
        return texts.clip(converted, 8000)
