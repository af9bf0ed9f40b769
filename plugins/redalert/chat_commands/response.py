"""The incident workflow commands of the RedAlert plugin (a mixin; RedAlert lists it among its bases).

Errbot registers every @botcmd method of the plugin instance, inherited ones included. Each command is framed by
`answers` (chat_commands/base.py) and calls one use case of `self.app`.
"""

from __future__ import annotations

import os

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from redalert_core.application.results import PIN_REACTION, Outcome
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.requester import Requester
from redalert_core.domain.response_parsing import free_text, one_user, role_and_user, target, word_and_note
from redalert_core.frontends import replies
from redalert_core.slack import messages

DEFAULT_REMINDER_INTERVAL_SECONDS = 60.0


def reminder_interval() -> float:
    """How often reminders are checked: REDALERT_REMINDER_INTERVAL seconds (tests use less), default 60."""
    try:
        return max(0.05, float(os.environ.get("REDALERT_REMINDER_INTERVAL", DEFAULT_REMINDER_INTERVAL_SECONDS)))
    except ValueError:
        return DEFAULT_REMINDER_INTERVAL_SECONDS


class ResponseCommands(ChatBase):
    # --- lifecycle (called from RedAlert.activate) ------------------------------------------------------------
    def _start_response(self) -> None:
        self.start_poller(reminder_interval(), self._send_reminders)  # restarted on every activation

    def _send_reminders(self) -> None:
        try:
            self.app.send_reminders()  # from the leading replica only
        except Exception:  # a poller that raises is not rescheduled: log and keep reminding
            self.log.exception("Sending reminders failed")

    # --- helpers --------------------------------------------------------------------------------------------
    def _number_and_text(self, asker: Requester, text: str, word: str, what: str) -> tuple[int | None, str]:
        """`[<number>] <free text>` of an update or a note; ParseError when the text is missing."""
        parsed = self.free_target(asker, text)
        said = free_text(parsed.rest)
        if not said:
            raise ParseError(f"Usage: !incident {word} [<number>] {what}.")
        return parsed.number, said

    @staticmethod
    def _outcome_reply(text: str, outcome: Outcome) -> str:
        return text + replies.failed_invites_line(outcome.invited.failed) + replies.warnings_lines(outcome.warnings)

    # --- roles ----------------------------------------------------------------------------------------------
    @botcmd
    @answers
    def incident_lead(self, asker: Requester, text: str):
        """Make someone the incident commander (by default the person who opened it); they are invited.

        Example: `!incident lead @alice` in the incident channel, or `!incident lead 12 @alice`
        """
        parsed = target(text)
        user_id = one_user(parsed.rest, "!incident lead [<number>] @person")
        outcome = self.app.assign_role(asker, parsed.number, "commander", user_id)
        return self._role_reply(outcome, "commander", user_id)

    @botcmd
    @answers
    def incident_role(self, asker: Requester, text: str):
        """Give someone an incident role (configurable: commander, communications, scribe); they are invited.

        Example: `!incident role scribe @bob`, or `!incident role 12 communications @carol`; `lead` = commander
        """
        parsed = target(text)
        role, user_id = role_and_user(parsed.rest, self.settings.roles)
        outcome = self.app.assign_role(asker, parsed.number, role, user_id)
        return self._role_reply(outcome, role, user_id)

    def _role_reply(self, outcome: Outcome, role: str, user_id: str) -> str:
        text = f"{messages.user(user_id)} is now the {role} of incident {outcome.incident.number}"
        if outcome.previous and outcome.previous != user_id:
            text += f" (was {messages.user(outcome.previous)})"
        return self._outcome_reply(text + ".", outcome)

    # --- status and severity --------------------------------------------------------------------------------
    @botcmd
    @answers
    def incident_status(self, asker: Requester, text: str):
        """Set the incident's status, with an optional note; `resolved` records when it was resolved.

        Example: `!incident status identified bad deploy of api` or `!incident status 12 resolved`
        """
        statuses = ", ".join(self.settings.statuses)
        parsed = target(text)
        status, note = word_and_note(parsed.rest, f"!incident status [<number>] <status> [note] ({statuses})")
        outcome = self.app.set_status(asker, parsed.number, status, note)
        reply = f"Incident {outcome.incident.number} is now {status} (was {outcome.previous})."
        if status == self.settings.resolved_status:
            reply += " Resolution time recorded; close it with `!incident close [resolution]`."
        return self._outcome_reply(reply, outcome)

    @botcmd
    @answers
    def incident_severity(self, asker: Requester, text: str):
        """Change the incident's severity: invites that severity's people, renames the channel, updates the topic.

        Example: `!incident severity sev1` or `!incident severity 12 sev2`
        """
        known = ", ".join(self.settings.severity_values)
        parsed = target(text)
        words = parsed.rest.split()
        if len(words) != 1:
            raise ParseError(f"Usage: !incident severity [<number>] <severity> ({known}).")
        outcome = self.app.change_severity(asker, parsed.number, words[0])
        incident = outcome.incident
        label = texts.severity_label(self.settings, incident.severity)
        reply = f"Incident {incident.number} is now {label} (was {outcome.previous}); channel #{incident.channel_name}."
        if outcome.invited.invited:
            reply += f"\nInvited: {', '.join(messages.user(u) for u in outcome.invited.invited)}."
        return self._outcome_reply(reply, outcome)

    # --- updates, notes, timeline ---------------------------------------------------------------------------
    @botcmd
    @answers
    def incident_update(self, asker: Requester, text: str):
        """Post a status update in the incident channel and, if configured, in the severity's announcement thread.

        Example: `!incident update Rollback done, error rate back to normal`
        """
        number, said = self._number_and_text(asker, text, "update", "<what is happening>")
        outcome = self.app.post_update(asker, number, said)
        elsewhere = [c for c in outcome.where if c != asker.here]
        if not elsewhere and not outcome.warnings:
            return None  # typed in the incident channel: the posted update is the answer
        where = " and ".join(messages.channel(c) for c in elsewhere) or "the incident channel"
        warnings = replies.warnings_lines(outcome.warnings)
        return f"Update for incident {outcome.incident.number} posted in {where}.{warnings}"

    @botcmd
    @answers
    def incident_note(self, asker: Requester, text: str):
        """Add a note to the incident's timeline (a 📌 reaction on a message in the channel does the same).

        Example: `!incident note Customer support says EU users are affected`
        """
        number, said = self._number_and_text(asker, text, "note", "<text>")
        incident = self.app.add_note(asker, number, said)
        return f"Added to the timeline of incident {incident.number}."

    @botcmd
    @answers
    def incident_timeline(self, asker: Requester, text: str):
        """Show the incident's timeline: opening, invites, roles, statuses, updates, notes, links, problem, tasks.

        A private incident's timeline is shown to its members and admins, in a DM with me or in its own channel.
        Example: `!incident timeline` in the incident channel, or `!incident timeline 12`
        """
        parsed = target(text)
        if parsed.rest:
            raise ParseError("Usage: !incident timeline [<number>].")
        incident, entries = self.app.timeline(asker, parsed.number)
        lines = [f"Timeline of incident {incident.number} (UTC):"]
        lines += [f"- `{at.strftime('%Y-%m-%d %H:%M')}` {line}" for at, line in entries]
        return "\n".join(lines)

    @botcmd
    @answers
    def incident_postmortem(self, asker: Requester, text: str):
        """Upload a Markdown post-mortem draft (summary, roles, timeline, durations; impact left to fill in).

        Example: `!incident postmortem` in the incident channel, or `!incident postmortem 12` for a closed one
        """
        parsed = target(text)
        if parsed.rest:
            raise ParseError("Usage: !incident postmortem [<number>].")
        outcome = self.app.postmortem(asker, parsed.number)
        where = messages.channel(outcome.where[0])
        reply = f"Post-mortem draft for incident {outcome.incident.number} uploaded to {where}."
        if self.settings.integrations.confluence and not outcome.incident.is_private:
            reply += " It is being published to Confluence too; the page link follows in the incident's channel."
        return reply

    # --- 📌 reactions -----------------------------------------------------------------------------------------
    def callback_reaction(self, reaction) -> None:
        """A 📌 (pushpin) added to a message in an incident channel puts that message on the timeline."""
        if reaction.reaction_name != PIN_REACTION or getattr(reaction, "action", "added") != "added":
            return
        item = reaction.reacted_to or {}
        if item.get("type", "message") != "message" or not item.get("channel") or not item.get("ts"):
            return
        reactor = getattr(reaction.reactor, "userid", None) or str(reaction.reactor)
        if self._app is None:
            return
        try:
            self.app.note_from_reaction(item["channel"], item["ts"], reactor)
        except Exception:  # an event handler must not take the backend's event loop down
            self.log.exception("Adding a pinned message to the timeline failed")
