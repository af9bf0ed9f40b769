"""Carrying a team through an incident: roles, statuses, severity, updates, notes, timeline, reminders, post-mortem.

Written against the incident service (for finding incidents and inviting people), the store and the Slack gateway.
Every change is stored first (current state plus an event) and then shown in Slack: the pinned summary is updated,
updates go to the channel and to the severity's announcement thread. A failing Slack step becomes a warning; it
never undoes the stored change.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import naming, postmortem, timeline, visibility
from ..domain import text as texts
from ..domain.commands import USER_MENTION, Mentions, plain_text
from ..domain.events import NoteAdded, PostmortemUploaded, Reminded, UpdatePosted, payload_as
from ..domain.incident import EventKind, Incident, Phase
from ..domain.reminders import CLOSE, Reminder, due_reminders
from ..domain.requester import Requester
from ..domain.response_state import COMMANDER
from ..domain.settings import Settings
from ..domain.visibility import Viewer
from ..slack import messages
from ..slack.gateway import InviteOutcome, SlackError
from ..slack.rate_pacing import Priority
from . import visible_follow_up
from .channel_posts import ChannelPosts
from .incidents import MAX_NAME_ATTEMPTS, IncidentService, ServiceError, channel_of
from .summary_coalescing import SummaryCoalescer

log = logging.getLogger(__name__)

PIN_REACTION = "pushpin"
NOTED_REACTION = "white_check_mark"
MAX_TEXT = 3000
QUEUED = "Slack is not answering: it is recorded, and posted in the incident's channel as soon as Slack is back."


@dataclass
class Outcome:
    """What a workflow command did, for the reply."""

    incident: Incident
    previous: str | None = None
    invited: InviteOutcome = field(default_factory=InviteOutcome)
    warnings: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # channels a message or file went to


class ResponseService:
    def __init__(self, incidents: IncidentService, clock: Callable[[], datetime]) -> None:
        self.incidents = incidents
        self.store = incidents.store
        self.gateway = incidents.gateway
        self.clock = clock
        self._reminding = threading.Lock()
        # Summary refreshes of one incident run one at a time (across replicas), each reading the state it shows
        # inside the lock, so the last chat.update always shows the latest state; once the closing summary is out,
        # no other follows.
        self._summary_final: set[int] = set()
        # Called after a status change is stored: (incident, new status) -> warnings (the status page's prompt).
        self.after_status: list[Callable[[Incident, str], list[str]]] = []
        self.summaries = SummaryCoalescer(lambda: self.settings.summary_update_seconds)
        # Posts that wait for the channel or for Slack (services/channel_posts.py): updates and status changes.
        self.posts = ChannelPosts(self.store, lambda: self.gateway, lambda: self.clock())

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

    def _lock(self, number: int) -> AbstractContextManager[None]:
        """Announcements, severity changes and pinned notes of one incident take turns, across replicas too."""
        return self.store.locks.hold(f"workflow:{number}")

    # --- finding ------------------------------------------------------------------------------------------------
    def find(
        self,
        number: int | None,
        asker: Requester,
        verb: str,
        *,
        open_only: bool = True,
        shown: bool = False,
        needs_channel: bool = True,
    ) -> Incident:
        """The incident `asker` names, if they may see it (else: no such incident). `shown`: the answer shows the
        incident itself (show, timeline), so where it lands must be a place for it too. `needs_channel` False: an
        open incident whose channel Slack has not created yet will do (its posts wait, channel_posts.py)."""
        incident = self.incidents.find(asker.person(), number=number, here=asker.here, verb=verb)
        if shown and not self.incidents.may_see(incident, asker.audience()):
            raise ServiceError(
                f"Incident {incident.number} is private: ask in a DM with me or in its own channel "
                f"({messages.channel(incident.channel_id)})."
                if incident.channel_id
                else f"Incident {incident.number} is private: ask in a DM with me."
            )
        if open_only and incident.is_closed:
            raise ServiceError(f"Incident {incident.number} is closed; its channel is archived.")
        if open_only and needs_channel and not incident.channel_id:
            raise ServiceError(f"Incident {incident.number} has no channel yet; run !incident retry {incident.number}.")
        return incident

    # --- roles --------------------------------------------------------------------------------------------------
    def assign_role(self, number: int | None, asker: Requester, role: str, user_id: str) -> Outcome:
        role = COMMANDER if role == "lead" else role
        if role not in self.settings.roles:
            roles = ", ".join(self.settings.roles)
            raise ServiceError(f'"{role[:30]}" is not a role. Roles: {roles} (lead = commander).')
        incident = self.find(number, asker, "role")
        at = self.clock()
        previous = self.store.response.assign_role(incident.number, role=role, user_id=user_id, actor=asker.user, at=at)
        if previous is None and role == COMMANDER:
            previous = incident.opened_by
        outcome = Outcome(incident=incident, previous=previous)
        try:
            outcome.invited = self.gateway.invite(channel_of(incident), [user_id])
            self.incidents.record_invites(incident.number, outcome.invited, {user_id: "role"})
        except SlackError as exc:
            outcome.warnings.append(f"I could not invite {messages.user(user_id)}: {exc.describe()}.")
        if asker.private_reply:
            who, by = messages.user(user_id), messages.user(asker.user)
            text = f"{who} is now the {role} of incident {incident.number}, set by {by}."
            outcome.warnings += self._tell_channel(incident, text, asker)
        outcome.warnings += self.refresh_summary(incident.number)
        return outcome

    # --- status -------------------------------------------------------------------------------------------------
    def set_status(self, number: int | None, asker: Requester, status: str, note: str | None) -> Outcome:
        settings = self.settings
        wanted = status.strip().lower()
        if wanted not in settings.statuses:
            raise ServiceError(f'"{status[:30]}" is not a status. Statuses: {", ".join(settings.statuses)}.')
        incident = self.find(number, asker, "status", needs_channel=False)
        current = self.store.response.get(incident.number).current_status(settings.statuses)
        if wanted == current and not note:
            raise ServiceError(f"Incident {incident.number} is already {wanted}.")
        resolved = wanted == settings.resolved_status
        self.store.response.set_status(
            incident.number,
            status=wanted,
            resolved=resolved,
            actor=asker.user,
            note=note,
            at=self.clock(),
            implicit_previous=current,
        )
        outcome = Outcome(incident=incident, previous=current)
        text = f"Incident {incident.number} is now *{wanted}* (was {current}), set by {messages.user(asker.user)}."
        if note:
            text += f"\n{texts.escape(note)}"
        if resolved:
            text += "\nThe resolution time is recorded. Close the incident with `!incident close [resolution]`."
        outcome.warnings += self._tell_channel(incident, text, asker)
        outcome.warnings += self.refresh_summary(incident.number)
        for hook in self.after_status:
            outcome.warnings += hook(incident, wanted)
        return outcome

    # --- severity -----------------------------------------------------------------------------------------------
    def change_severity(self, number: int | None, asker: Requester, severity: str) -> Outcome:
        settings = self.settings
        target = settings.severity(severity)
        if target is None:
            known = ", ".join(settings.severity_values)
            raise ServiceError(f'"{severity[:30]}" is not a severity. Use one of: {known}.')
        incident = self.find(number, asker, "severity")
        if incident.severity == target.value:
            raise ServiceError(f"Incident {incident.number} is already {target.value}.")
        with self._lock(incident.number):
            changed = self.store.incidents.change_severity(
                incident.number, severity=target.value, actor=asker.user, at=self.clock()
            )
            outcome = Outcome(incident=changed, previous=incident.severity)
            outcome.warnings += self._rename(changed)
            changed = self.store.incidents.get(incident.number) or changed
            outcome.incident = changed
            for step, action in (
                ("topic", lambda: self.gateway.set_topic(channel_of(changed), messages.topic(changed, settings))),
                ("purpose", lambda: self.gateway.set_purpose(channel_of(changed), messages.purpose(changed, settings))),
            ):
                try:
                    action()
                except SlackError as exc:
                    outcome.warnings.append(f"I could not update the {step}: {exc.describe()}.")
            outcome.invited, warnings = self._invite_for_severity(changed, settings)
            outcome.warnings += warnings
            if not changed.is_private:
                outcome.warnings += self._ensure_announcement(changed)
        outcome.warnings += self.refresh_summary(incident.number)
        return outcome

    def _rename(self, incident: Incident) -> list[str]:
        """Follow the name template after a severity change; name_taken gets -2, -3, … like opening does."""
        base = naming.channel_name(
            self.settings.channel_name_template,
            severity=incident.severity,
            opened_at=incident.opened_at,
            description=incident.description,
            number=incident.number,
            prefix=self.incidents.channel_prefix(incident),
        )
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            name = naming.with_suffix(base, attempt)
            if name == incident.channel_name:
                return []
            try:
                channel = self.gateway.rename_channel(channel_of(incident), name)
            except SlackError as exc:
                if exc.code == "name_taken":
                    continue
                return [f"I could not rename the channel to {name}: {exc.describe()}."]
            self.store.incidents.rename_channel(incident.number, name=channel.name, at=self.clock())
            return []
        return [f"I could not rename the channel: every name from {base} to -{MAX_NAME_ATTEMPTS} is taken."]

    def _invite_for_severity(self, incident: Incident, settings: Settings) -> tuple[InviteOutcome, list[str]]:
        people = self.incidents.resolve_invitees(incident, Mentions(), settings)
        if not people.users:
            return InviteOutcome(), people.warnings
        try:
            outcome = self.gateway.invite(channel_of(incident), people.users)
        except SlackError as exc:
            return InviteOutcome(), [*people.warnings, f"I could not invite anyone: {exc.describe()}."]
        self.incidents.record_invites(incident.number, outcome, people.sources)
        return outcome, people.warnings

    # --- updates and announcements ------------------------------------------------------------------------------
    def post_update(self, number: int | None, asker: Requester, text: str) -> Outcome:
        incident = self.find(number, asker, "update", needs_channel=False)
        status = self.store.response.get(incident.number).current_status(self.settings.statuses)
        post = messages.status_update(incident, asker.user, text, status)
        try:
            ts = self.posts.try_now(incident, post)
        except SlackError as exc:
            raise ServiceError(f"I could not post the update: {exc.describe()}. Nothing was recorded.") from exc
        # Stored in the same transaction as its post is queued (when Slack cannot take it now): never one alone.
        with self.store.transaction():
            if ts is None:
                self.posts.queue(incident.number, post)
            self.store.events.add(incident.number, UpdatePosted(text=text, ts=ts), actor=asker.user, at=self.clock())
        if ts is None:
            return Outcome(incident=incident, warnings=[f"The update: {QUEUED}"])
        outcome = Outcome(incident=incident, where=[channel_of(incident)])
        if not incident.is_private and self.settings.announce_channels.get(incident.severity):
            with self._lock(incident.number):
                outcome.warnings += self._ensure_announcement(incident)
                state = self.store.response.get(incident.number)
            if state.announce_channel and state.announce_ts:  # set together (set_announcement)
                try:
                    self.gateway.post_reply(state.announce_channel, state.announce_ts, post)
                    outcome.where.append(state.announce_channel)
                except SlackError as exc:
                    outcome.warnings.append(
                        f"I could not post in {messages.channel(state.announce_channel)}: {exc.describe()}."
                    )
        outcome.warnings += self.refresh_summary(incident.number)
        return outcome

    def announce_opened(self, incident: Incident) -> list[str]:
        """After opening: the first announcement, if the severity has an announcement channel (never if private)."""
        if incident.is_private or not incident.channel_id:
            return []
        with self._lock(incident.number):
            return self._ensure_announcement(incident)

    def _ensure_announcement(self, incident: Incident) -> list[str]:
        """Post the root announcement in the severity's channel unless it is there already (caller holds the lock)."""
        channel_id = self.settings.announce_channels.get(incident.severity)
        state = self.store.response.get(incident.number)
        if not channel_id or (state.announce_channel == channel_id and state.announce_ts):
            return []
        try:
            ts = self.gateway.post_message(channel_id, messages.announcement(incident, self.settings))
        except SlackError as exc:
            return [f"I could not announce the incident in {messages.channel(channel_id)}: {exc.describe()}."]
        self.store.response.set_announcement(incident.number, channel_id=channel_id, ts=ts, at=self.clock())
        return []

    # --- notes and the timeline ---------------------------------------------------------------------------------
    def add_note(self, number: int | None, asker: Requester, text: str) -> Incident:
        incident = self.find(number, asker, "note")
        self.store.events.add(incident.number, NoteAdded(text=text), actor=asker.user, at=self.clock())
        return incident

    def note_from_reaction(self, channel_id: str, ts: str, reactor: str) -> Incident | None:
        """A 📌 on a message in an incident channel: the message joins the timeline (once). None if ignored."""
        incident = self.store.incidents.get_by_channel(channel_id)
        if incident is None or incident.is_closed:
            return None
        with self._lock(incident.number):
            log_ = self.store.events.list(incident.number)
            notes = [payload_as(e, NoteAdded) for e in log_]
            if any(note is not None and note.ts == ts for note in notes):
                return None
            try:
                message = self.gateway.message(channel_id, ts)
            except SlackError as exc:
                log.warning("Could not read the pinned message %s in %s: %s", ts, channel_id, exc)
                return None
            if message is None:
                return None
            text = readable(message.get("text") or "") or "(a message without text)"
            pinned = NoteAdded(text=text, ts=ts, author=message.get("user"))
            self.store.events.add(incident.number, pinned, actor=reactor, at=self.clock())
        try:
            self.gateway.add_reaction(channel_id, ts, NOTED_REACTION)
        except SlackError as exc:  # the note is stored; the tick is only a courtesy
            log.info("Could not acknowledge the note %s in %s: %s", ts, channel_id, exc)
        return incident

    def timeline(self, number: int | None, asker: Requester) -> tuple[Incident, list[tuple[datetime, str]]]:
        incident = self.find(number, asker, "timeline", open_only=False, shown=True)
        return incident, timeline.entries(self.store.events.list(incident.number), messages.user, texts.escape)

    # --- the pinned summary -------------------------------------------------------------------------------------
    def refresh_summary(self, number: int, incident: Incident | None = None) -> list[str]:
        """chat.update of the pinned summary with the current severity, status, roles and last update.

        `incident` (the closing one) makes this the final summary: refreshes still running from earlier changes
        (a click, an update) must not put an open incident's buttons back on it.
        """
        # Coalesced (summary_coalescing.py): at most one edit every SUMMARY_UPDATE_SECONDS, the last state always.
        if incident is not None:
            return self.summaries.final(number, lambda: self._refresh_locked(number, incident))
        return self.summaries.request(number, lambda: self._refresh_locked(number, None))

    def _refresh_locked(self, number: int, incident: Incident | None) -> list[str]:
        # A database lock: a refresh on another replica takes its turn too. Whether the closing summary is out is
        # read from the incident itself (closing or closed), which every replica sees.
        with self.store.locks.hold(f"summary:{number}"):
            if incident is None:
                current = self.store.incidents.get(number)
                if current is None or current.is_closing_or_closed or number in self._summary_final:
                    return []
                return self._refresh_summary(number, current)
            if incident.is_closed:
                self._summary_final.add(number)
            return self._refresh_summary(number, incident)

    def _refresh_summary(self, number: int, incident: Incident | None) -> list[str]:
        incident = incident or self.store.incidents.get(number)
        if incident is None or not incident.summary_ts or not incident.channel_id:
            return []
        state = self.store.response.get(number)
        update = next(
            (e for e in reversed(self.store.events.list(number)) if e.kind == EventKind.UPDATE_POSTED),
            None,
        )
        posted = payload_as(update, UpdatePosted) if update else None
        text, blocks = messages.live_summary(
            incident,
            self.settings,
            status="closed" if incident.is_closed else state.current_status(self.settings.statuses),
            roles=state.roles,
            commander=state.commander(incident.opened_by),
            participants=self.store.participants.list(number),
            last_update=((update.at, update.actor or "", posted.text) if update and posted is not None else None),
            open_tasks=self.store.tasks.open_count(number),
            problem=self.store.problems.for_incident(number),
            fields=self.incidents.summary_fields(incident),
        )
        try:
            self.gateway.update_message(incident.channel_id, incident.summary_ts, text, blocks=blocks)
        except SlackError as exc:
            return [f"I could not update the pinned summary: {exc.describe()}."]
        return []

    def _tell_channel(self, incident: Incident, text: str, asker: Requester) -> list[str]:
        """Post in the incident channel unless the command's public reply there says it already."""
        if incident.channel_id and asker.here == incident.channel_id and not asker.private_reply:
            return []
        try:
            if self.posts.post(incident, text) is None:
                return [QUEUED]
        except SlackError as exc:
            return [f"I could not post in {messages.channel(incident.channel_id)}: {exc.describe()}."]
        return []

    def post_waiting(self, number: int) -> list[str]:
        """The incident's channel exists now: its posts that waited go out, and the summary shows what they say."""
        if not self.posts.hurry(number):
            return []
        return self.refresh_summary(number)

    # --- post-mortem --------------------------------------------------------------------------------------------
    def postmortem(self, number: int | None, asker: Requester) -> Outcome:
        incident = self.find(number, asker, "postmortem", open_only=False)
        target = incident.channel_id if not incident.is_closed else asker.here
        if not target:
            raise ServiceError(f"Incident {incident.number} has no channel yet; run !incident retry {incident.number}.")
        if incident.is_private and target != incident.channel_id and not target.startswith("D"):
            raise ServiceError(f"Incident {incident.number} is private: ask for its post-mortem in a DM with me.")
        outcome = Outcome(incident=incident)
        try:
            readers = visibility.audience(asker.user, asker.is_admin, target)  # a file: whoever is in `target`
            self._upload_postmortem(incident, target, asker.user, readers)
        except SlackError as exc:
            raise ServiceError(f"I could not upload the post-mortem: {exc.describe()}.") from exc
        outcome.where.append(target)
        return outcome

    def _upload_postmortem(self, incident: Incident, channel_id: str, actor: str | None, readers: Viewer) -> None:
        """Upload the draft to `channel_id`; other incidents of its problem appear only if `readers` may see them."""
        number = incident.number

        def may_see(other: int) -> bool:
            found = self.store.incidents.get(other)
            return found is not None and self.incidents.may_see(found, readers)

        follow_up = visible_follow_up.follow_up(self.store, number, may_see)
        document = postmortem.render(
            incident,
            self.store.response.get(number),
            self.store.events.list(number),
            self.store.participants.list(number),
            self.settings,
            self.clock(),
            follow_up,
        )
        file_id = self.gateway.upload_file(
            channel_id,
            filename=postmortem.filename(incident),
            content=document,
            title=f"Post-mortem draft: incident {number}",
            comment=f"Post-mortem draft for incident {number}: fill in the impact, root cause and action items.",
        )
        closing = None
        if incident.is_closed and incident.closed_at:
            # Uploaded while closing, before the close is stored: the Confluence copy needs the same ending.
            closing = {
                "closed_at": incident.closed_at.isoformat(),
                "closed_by": incident.closed_by,
                "resolution": incident.resolution,
            }
        uploaded = PostmortemUploaded(file=file_id, closing=closing)
        self.store.events.add(number, uploaded, actor=actor, at=self.clock())

    def before_archive(self, incident: Incident, actor: str, closed_at: datetime, resolution: str | None) -> list[str]:
        """Called by close before archiving: final summary, and the post-mortem for the configured severities."""
        closing = dataclasses.replace(
            incident, phase=Phase.CLOSED, closed_at=closed_at, closed_by=actor, resolution=resolution
        )
        warnings = self.refresh_summary(incident.number, closing)
        if incident.severity in self.settings.postmortem_severities and incident.channel_id:
            try:
                readers = visibility.audience(actor, False, incident.channel_id)  # everyone in its channel
                self._upload_postmortem(closing, incident.channel_id, actor, readers)
            except SlackError as exc:
                warnings.append(
                    f"I could not upload the post-mortem: {exc.describe()}. "
                    f"Ask for it with `!incident postmortem {incident.number}` in a DM."
                )
        return warnings

    # --- reminders ----------------------------------------------------------------------------------------------
    def send_reminders(self) -> list[Reminder]:
        """Nudge commanders of quiet incidents and of resolved ones left open; each gap once (see reminders.py).

        Only the leading replica calls this; should two ever run it at once (a leadership change in mid-round),
        the recorded reminder's primary key still lets one of them post it. Returns the reminders posted.
        """
        if not self._reminding.acquire(blocking=False):
            return []  # the previous round is still running
        try:
            now = self.clock()
            incidents = self.store.incidents.not_closed()
            logs = {incident.number: self.store.events.list(incident.number) for incident in incidents}
            due = due_reminders(incidents, logs, now, self.settings)
            by_number = {incident.number: incident for incident in incidents}
            sent: list[Reminder] = []
            for reminder in due:
                incident = by_number[reminder.incident_number]
                # Recorded before posting: a crash in between loses one nudge rather than sending it twice.
                gap = reminder.gap_start.isoformat()
                reminded = Reminded(reminder=reminder.kind, gap_start=gap, to=reminder.commander)
                recorded = self.store.response.record_reminder(
                    incident.number, kind=reminder.kind, gap_start=reminder.gap_start, reminded=reminded, at=now
                )
                if not recorded:
                    continue  # another replica recorded (and posts) this one
                sent.append(reminder)
                text = (
                    messages.close_reminder(incident, reminder.commander, reminder.gap_start, now)
                    if reminder.kind == CLOSE
                    else messages.update_reminder(incident, reminder.commander, reminder.gap_start, now)
                )
                try:
                    self.gateway.post_message(channel_of(incident), text, priority=Priority.BULK)
                except SlackError as exc:
                    log.warning("Could not remind about incident %s: %s", incident.number, exc)
            return sent
        finally:
            self._reminding.release()


def readable(slack_text: str) -> str:
    """A message's text for the timeline: mentions as @U…, links as their label, entities decoded."""
    return plain_text(USER_MENTION.sub(lambda m: f" @{m.group(1)} ", slack_text))[:MAX_TEXT]
