"""The incident workflow commands of the RedAlert plugin (a mixin; RedAlert lists it among its bases).

Errbot registers every @botcmd method of the plugin instance, inherited ones included. The methods rely on the
RedAlert helpers `_raw_args`, `_sender`, `_here`, `_is_admin` and `_warnings`, and on `self.service`.
"""

from __future__ import annotations

import os

from errbot import botcmd

from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.workflow_parsing import Targeted, free_text, one_user, role_and_user, target, word_and_note
from redalert_core.services.incidents import ServiceError
from redalert_core.services.workflow import PIN_REACTION, Asker, Outcome, WorkflowService
from redalert_core.slack import messages

DEFAULT_REMINDER_INTERVAL_SECONDS = 60.0


def reminder_interval() -> float:
    """How often reminders are checked: REDALERT_REMINDER_INTERVAL seconds (tests use less), default 60."""
    try:
        return max(0.05, float(os.environ.get("REDALERT_REMINDER_INTERVAL", DEFAULT_REMINDER_INTERVAL_SECONDS)))
    except ValueError:
        return DEFAULT_REMINDER_INTERVAL_SECONDS


class WorkflowCommands:
    workflow: WorkflowService | None = None

    # --- lifecycle (called from RedAlert.activate once the incident service exists) --------------------------
    def _start_workflow(self) -> None:
        if self.workflow is None:  # once; the reminder poller restarts on every activation
            self.workflow = WorkflowService(self.service)
            self.service.before_archive.append(self.workflow.before_archive)
        self.start_poller(reminder_interval(), self._send_reminders)

    def _send_reminders(self) -> None:
        workflow = self.workflow
        if workflow is None or not self._leads():  # reminders come from the leading replica only
            return
        try:
            workflow.send_reminders()
        except Exception:  # a poller that raises is not rescheduled: log and keep reminding
            self.log.exception("Sending reminders failed")

    # --- helpers --------------------------------------------------------------------------------------------
    def _asker(self, msg) -> Asker:
        private = bool(msg.extras.get("slash_command"))  # /incident <text>: only the person sees the answer
        return Asker(user=self._sender(msg), here=self._here(msg), is_admin=self._is_admin(msg), private_reply=private)

    def _free_target(self, msg, args: str, word: str) -> Targeted:
        """Update and note texts may start with a number ("500 errors…"): in an incident's channel it is text,
        unless it is that incident's own number."""
        parsed = target(self._raw_args(msg, args, word))
        here = self._here(msg)
        current = self.service.store.incidents.get_by_channel(here) if here and parsed.number is not None else None
        if current is not None and current.number != parsed.number:
            return Targeted(number=None, rest=parsed.whole, whole=parsed.whole)
        return parsed

    def _number_and_text(self, msg, args: str, word: str, what: str) -> tuple[int | None, str]:
        """`[<number>] <free text>` of an update or a note; ParseError when the text is missing."""
        parsed = self._free_target(msg, args, word)
        text = free_text(parsed.rest)
        if not text:
            raise ParseError(f"Usage: !incident {word} [<number>] {what}.")
        return parsed.number, text

    def _outcome_reply(self, text: str, outcome: Outcome) -> str:
        return text + self._failed_invites(outcome.invited.failed) + self._warnings(outcome.warnings)

    # --- roles ----------------------------------------------------------------------------------------------
    @botcmd
    def incident_lead(self, msg, args):
        """Make someone the incident commander (by default the person who opened it); they are invited.

        Example: `!incident lead @alice` in the incident channel, or `!incident lead 12 @alice`
        """
        try:
            parsed = target(self._raw_args(msg, args, "lead"))
            user_id = one_user(parsed.rest, "!incident lead [<number>] @person")
            outcome = self.workflow.assign_role(parsed.number, self._asker(msg), "commander", user_id)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        return self._role_reply(outcome, "commander", user_id)

    @botcmd
    def incident_role(self, msg, args):
        """Give someone an incident role (configurable: commander, communications, scribe); they are invited.

        Example: `!incident role scribe @bob`, or `!incident role 12 communications @carol`; `lead` = commander
        """
        try:
            parsed = target(self._raw_args(msg, args, "role"))
            role, user_id = role_and_user(parsed.rest, self.settings.roles)
            outcome = self.workflow.assign_role(parsed.number, self._asker(msg), role, user_id)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        return self._role_reply(outcome, role, user_id)

    def _role_reply(self, outcome: Outcome, role: str, user_id: str) -> str:
        text = f"{messages.user(user_id)} is now the {role} of incident {outcome.incident.number}"
        if outcome.previous and outcome.previous != user_id:
            text += f" (was {messages.user(outcome.previous)})"
        return self._outcome_reply(text + ".", outcome)

    # --- status and severity --------------------------------------------------------------------------------
    @botcmd
    def incident_status(self, msg, args):
        """Set the incident's status, with an optional note; `resolved` records when it was resolved.

        Example: `!incident status identified bad deploy of api` or `!incident status 12 resolved`
        """
        statuses = ", ".join(self.settings.statuses)
        try:
            parsed = target(self._raw_args(msg, args, "status"))
            status, note = word_and_note(parsed.rest, f"!incident status [<number>] <status> [note] ({statuses})")
            outcome = self.workflow.set_status(parsed.number, self._asker(msg), status, note)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        text = f"Incident {outcome.incident.number} is now {status} (was {outcome.previous})."
        if status == self.settings.resolved_status:
            text += " Resolution time recorded; close it with `!incident close [resolution]`."
        return self._outcome_reply(text, outcome)

    @botcmd
    def incident_severity(self, msg, args):
        """Change the incident's severity: invites that severity's people, renames the channel, updates the topic.

        Example: `!incident severity sev1` or `!incident severity 12 sev2`
        """
        known = ", ".join(self.settings.severity_values)
        try:
            parsed = target(self._raw_args(msg, args, "severity"))
            words = parsed.rest.split()
            if len(words) != 1:
                raise ParseError(f"Usage: !incident severity [<number>] <severity> ({known}).")
            outcome = self.workflow.change_severity(parsed.number, self._asker(msg), words[0])
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        incident = outcome.incident
        label = texts.severity_label(self.settings, incident.severity)
        text = f"Incident {incident.number} is now {label} (was {outcome.previous}); channel #{incident.channel_name}."
        if outcome.invited.invited:
            text += f"\nInvited: {', '.join(messages.user(u) for u in outcome.invited.invited)}."
        return self._outcome_reply(text, outcome)

    # --- updates, notes, timeline ---------------------------------------------------------------------------
    @botcmd
    def incident_update(self, msg, args):
        """Post a status update in the incident channel and, if configured, in the severity's announcement thread.

        Example: `!incident update Rollback done, error rate back to normal`
        """
        try:
            number, text = self._number_and_text(msg, args, "update", "<what is happening>")
            outcome = self.workflow.post_update(number, self._asker(msg), text)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        elsewhere = [c for c in outcome.where if c != self._here(msg)]
        if not elsewhere and not outcome.warnings:
            return None  # typed in the incident channel: the posted update is the answer
        where = " and ".join(messages.channel(c) for c in elsewhere) or "the incident channel"
        return f"Update for incident {outcome.incident.number} posted in {where}.{self._warnings(outcome.warnings)}"

    @botcmd
    def incident_note(self, msg, args):
        """Add a note to the incident's timeline (a 📌 reaction on a message in the channel does the same).

        Example: `!incident note Customer support says EU users are affected`
        """
        try:
            number, text = self._number_and_text(msg, args, "note", "<text>")
            incident = self.workflow.add_note(number, self._asker(msg), text)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        return f"Added to the timeline of incident {incident.number}."

    @botcmd
    def incident_timeline(self, msg, args):
        """Show the incident's timeline: opening, invites, roles, statuses, updates, notes, links, problem, tasks.

        A private incident's timeline is shown to its members and admins, in a DM with me or in its own channel.
        Example: `!incident timeline` in the incident channel, or `!incident timeline 12`
        """
        try:
            parsed = target(args)
            if parsed.rest:
                raise ParseError("Usage: !incident timeline [<number>].")
            incident, entries = self.workflow.timeline(parsed.number, self._asker(msg))
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        lines = [f"Timeline of incident {incident.number} (UTC):"]
        lines += [f"- `{at.strftime('%Y-%m-%d %H:%M')}` {text}" for at, text in entries]
        return "\n".join(lines)

    @botcmd
    def incident_postmortem(self, msg, args):
        """Upload a Markdown post-mortem draft (summary, roles, timeline, durations; impact left to fill in).

        Example: `!incident postmortem` in the incident channel, or `!incident postmortem 12` for a closed one
        """
        try:
            parsed = target(args)
            if parsed.rest:
                raise ParseError("Usage: !incident postmortem [<number>].")
            outcome = self.workflow.postmortem(parsed.number, self._asker(msg))
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        where = messages.channel(outcome.where[0])
        text = f"Post-mortem draft for incident {outcome.incident.number} uploaded to {where}."
        if self.settings.integrations.confluence and not outcome.incident.is_private:
            text += " It is being published to Confluence too; the page link follows in the incident's channel."
        return text

    # --- 📌 reactions -----------------------------------------------------------------------------------------
    def callback_reaction(self, reaction) -> None:
        """A 📌 (pushpin) added to a message in an incident channel puts that message on the timeline."""
        if reaction.reaction_name != PIN_REACTION or getattr(reaction, "action", "added") != "added":
            return
        item = reaction.reacted_to or {}
        if item.get("type", "message") != "message" or not item.get("channel") or not item.get("ts"):
            return
        reactor = getattr(reaction.reactor, "userid", None) or str(reaction.reactor)
        workflow = self.workflow
        if workflow is None:
            return
        try:
            workflow.note_from_reaction(item["channel"], item["ts"], reactor)
        except Exception:  # an event handler must not take the backend's event loop down
            self.log.exception("Adding a pinned message to the timeline failed")
