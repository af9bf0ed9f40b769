"""The incident service: open, list, invite and close, written against the store and the Slack gateway.

Opening is a recorded sequence of steps (incident.OPEN_STEPS). The record exists before the channel does and every
step is stored as it completes, so a Slack failure or a crash leaves an incident that shows what is missing and can
be finished later (`resume`). Steps that do not depend on each other run concurrently once the channel exists.
"""

from __future__ import annotations

import builtins  # `list` names a method of IncidentService; its annotations need the type
import contextlib
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..domain import api_tokens, naming, visibility
from ..domain import text as texts
from ..domain.commands import Mentions, check_group_count
from ..domain.events import CloseStarted, Invited, InviteFailed, Mentioned, SlackPending, payload_as
from ..domain.incident import Event, EventKind, Incident, OpenStep, Phase
from ..domain.replica import ReplicaIdentity
from ..domain.settings import GROUP_ID, Settings
from ..domain.visibility import Viewer
from ..domain.workflow_model import IncidentType
from ..observability import log_context
from ..slack import messages
from ..slack.gateway import TRANSIENT_ERRORS, Channel, InviteOutcome, SlackError, SlackGateway
from ..store import AlreadyClosed, DuplicateCommand, RepeatedCommand, Store
from .group_members import GroupMembersCache

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 30
CLOSING_POSTED = EventKind.CLOSING_POSTED  # the closing message is in the channel
# The same person sending the same open within this window means it was sent twice, not two incidents.
REPEAT_WINDOW = timedelta(seconds=30)


class ServiceError(Exception):
    """A request that cannot be done; the message is the reply."""


class NoSuchIncident(ServiceError):
    """A number nobody used, or a private incident the asker may not see (the same words for both)."""


class _ClosedMeanwhile(Exception):
    """The incident was closed while its open was running: the open stops."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"incident {incident.number} was closed")
        self.incident = incident


# What a step's Slack work leaves to store: run inside the wave's one transaction (None: nothing beyond "done").
Recorder = Callable[[], None] | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def channel_of(incident: Incident) -> str:
    """The incident's channel, where the caller only gets incidents that have one (the open's steps after the
    channel, commands that `find` an open incident, reminders of incidents with a channel)."""
    assert incident.channel_id is not None, f"incident {incident.number} has no channel here"
    return incident.channel_id


@dataclass
class OpenRequest:
    severity: str
    description: str
    opened_by: str
    origin_channel: str | None = None
    mentions: Mentions = field(default_factory=Mentions)
    dedup_key: str | None = None
    is_private: bool = False
    catch_repeats: bool = True  # the same open moments later is the same request (the API has dedup keys instead)
    incident_type: str | None = None  # a type of REDALERT_WORKFLOWS_FILE (None without one)
    fields: dict[str, str] = field(default_factory=dict)  # its custom field values, checked


@dataclass
class StepReport:
    """What happened while (re)running the steps of an incident."""

    incident: Incident
    warnings: list[str] = field(default_factory=list)
    failed_invites: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False
    repeated: bool = False  # a duplicate by content (same person, severity, description), not by Slack event
    pin_running: bool = False  # the pin runs after the reply, off the critical path, and is recorded when done
    slack_pending: bool = False  # Slack had not finished within the caller's wait: the steps go on without it

    @property
    def complete(self) -> bool:
        left = set(self.incident.pending_steps()) - {OpenStep.REPLY}
        if self.pin_running:
            left.discard(OpenStep.PIN)
        return not left


@dataclass
class Invitees:
    users: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # user id -> why (opener, mention, always, severity…)
    warnings: list[str] = field(default_factory=list)


class IncidentService:
    def __init__(
        self,
        store: Store,
        gateway: SlackGateway,
        settings: Callable[[], Settings],
        clock: Callable[[], datetime],
        workers: int = 8,
        replica: ReplicaIdentity | None = None,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self._settings = settings
        self._clock = clock
        # Through lambdas: tests replace `_clock` and `gateway`, and the cache follows.
        self.group_members = GroupMembersCache(
            lambda group: self.gateway.usergroup_members(group), lambda: self._clock()
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert")
        self._pending: set[Future] = set()
        self._locks_guard = threading.Lock()
        # The process running opens: recorded as each open's owner, so that if it dies another replica finishes
        # them (services/recovery.py). None: nobody else could (tests, tools).
        self.replica = replica
        # Run by close just before the channel is archived (the workflow's final summary and post-mortem).
        self.before_archive: list[Callable[[Incident, str, datetime, str | None], list[str]]] = []
        # The incident's type in REDALERT_WORKFLOWS_FILE (its channel prefix); the workflows service sets it.
        self.kind_of: Callable[[Incident], IncidentType | None] = lambda incident: None
        # The type and custom fields the pinned summary shows, (name, mrkdwn value) each (services/workflows.py).
        self.summary_fields: Callable[[Incident], list[tuple[str, str]]] = lambda incident: []

    def channel_prefix(self, incident: Incident) -> str:
        kind = self.kind_of(incident)
        return (kind.channel_prefix or "") if kind is not None else ""

    @property
    def settings(self) -> Settings:
        return self._settings()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _submit(self, fn: Callable, *args: Any) -> Future:
        """Run `fn` on the service's pool, remembered until done so that drain() can wait for it."""
        future = self._pool.submit(log_context.carry(fn), *args)  # the pool's logs name the command's request
        with self._locks_guard:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._locks_guard:
            self._pending.discard(future)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for background work (e.g. a pin after the reply) to finish; True when none is left."""
        with self._locks_guard:
            pending = set(self._pending)
        return not wait(pending, timeout=timeout).not_done

    def _lock_for(self, number: int) -> AbstractContextManager[None]:
        """One incident's open steps and close run one at a time, across threads and replicas (store/locks.py)."""
        return self.store.locks.hold(f"incident:{number}")

    def _owner(self) -> dict[str, str] | None:
        if self.replica is None:
            return None
        return {"instance": self.replica.instance, "replica_id": self.replica.replica_id}

    # --- open -----------------------------------------------------------------------------------------------
    def open(self, request: OpenRequest) -> StepReport:
        report = self.record(request)
        if report.duplicate:
            return report
        return self.run_open_steps(report.incident, request.mentions)

    def record(self, request: OpenRequest) -> StepReport:
        """Store a new incident (no Slack call yet): from here on a crash cannot lose it, a restart finishes it.

        A duplicate (the same Slack event or form, or the same request repeated) returns the existing incident.
        """
        settings = self.settings
        check_group_count(request.mentions.groups, ServiceError)
        if settings.severity(request.severity) is None:
            raise ServiceError(
                f'"{request.severity}" is not a severity. Use one of: {", ".join(settings.severity_values)}.'
            )
        opened_at = self._clock()
        try:
            incident = self.store.incidents.create(
                severity=request.severity,
                description=request.description,
                opened_by=request.opened_by,
                opened_at=opened_at,
                origin_channel=request.origin_channel,
                is_private=request.is_private,
                dedup_key=request.dedup_key,
                repeat_since=opened_at - REPEAT_WINDOW if request.catch_repeats else None,
                owner=self._owner(),
                incident_type=request.incident_type,
                fields=request.fields,
            )
        except RepeatedCommand as dup:
            return StepReport(incident=dup.incident, duplicate=True, repeated=True)
        except DuplicateCommand as dup:
            return StepReport(incident=dup.incident, duplicate=True)
        log_context.bind_incident(incident.number)
        if request.mentions:  # kept so that a resumed open still invites the people who were mentioned
            mentioned = Mentioned(users=request.mentions.users, groups=request.mentions.groups)
            self.store.events.add(incident.number, mentioned, actor=request.opened_by)
        return StepReport(incident=incident)

    def run_open_steps(self, incident: Incident, mentions: Mentions) -> StepReport:
        """Create the channel of a recorded incident, invite, post the summary (see record)."""
        log_context.bind_incident(incident.number)
        settings = self.settings
        # Who to invite is worked out while the channel is being created: it needs no channel.
        invitees = self._submit(self.resolve_invitees, incident, mentions, settings)
        return self._run_steps(incident, settings, invitees.result)

    def resume(self, number: int) -> StepReport:
        """Run whatever steps of opening are still missing (after a Slack failure or a crash).

        A closed incident has none: ServiceError says when it was closed, and nothing is created.
        """
        incident = self._get(number)
        if incident.is_closing_or_closed:
            raise ServiceError(self._closed_nothing_to_retry(incident))
        if set(incident.pending_steps()) <= {OpenStep.REPLY}:
            return StepReport(incident=incident)  # only the answer is missing: the caller gives it
        settings = self.settings
        mentioned = Mentions()
        for event in self.store.events.list(number):
            kept = payload_as(event, Mentioned)
            if kept is not None:
                mentioned = Mentions(users=list(kept.users), groups=list(kept.groups))
        invitees = lambda: self.resolve_invitees(incident, mentioned, settings)  # noqa: E731
        return self._run_steps(incident, settings, invitees, resuming=True)

    def _run_steps(
        self, incident: Incident, settings: Settings, invitees: Callable[[], Invitees], *, resuming: bool = False
    ) -> StepReport:
        report = StepReport(incident=incident)
        with self._lock_for(incident.number):
            # Re-read under the lock: another thread or replica may have run steps, or closed it, meanwhile.
            incident = self.store.incidents.get(incident.number) or incident
            report.incident = incident
            if incident.is_closing_or_closed:
                report.warnings.append(self._closed_nothing_to_retry(incident))
                return report
            if self.replica is not None:
                self.store.open_owners.take(
                    incident.number,
                    instance=self.replica.instance,
                    replica_id=self.replica.replica_id,
                    at=self._clock(),
                )
            if not incident.has_done(OpenStep.CHANNEL):
                try:
                    incident = self._create_channel(incident, settings)
                except SlackError as exc:
                    self.store.steps.failed(incident.number, OpenStep.CHANNEL, exc.code)
                    report.warnings.append(f"I could not create the channel: {exc.describe()}.")
                    report.incident = self.store.incidents.get(incident.number) or incident
                    return report
                except _ClosedMeanwhile as closed:
                    report.warnings.append(self._closed_nothing_to_retry(closed.incident))
                    report.incident = closed.incident
                    return report
            self._run_wave(incident, settings, invitees, report, resuming)
            self._pin(report, resuming)
        return report

    def _run_wave(
        self,
        incident: Incident,
        settings: Settings,
        invitees: Callable[[], Invitees],
        report: StepReport,
        resuming: bool,
    ) -> None:
        """Everything that needs only the channel, concurrently; the outcomes stored in one transaction."""
        # Topic and purpose need nothing else, so they start before the invitee lookup is awaited.
        channel_only = {
            OpenStep.TOPIC: lambda: self.gateway.set_topic(channel_of(incident), messages.topic(incident, settings)),
            OpenStep.PURPOSE: lambda: self.gateway.set_purpose(
                channel_of(incident), messages.purpose(incident, settings)
            ),
        }
        futures = {s: self._submit(a) for s, a in channel_only.items() if not incident.has_done(s)}
        needs_people = not (incident.has_done(OpenStep.INVITES) and incident.has_done(OpenStep.SUMMARY))
        people = invitees() if needs_people else Invitees()
        report.warnings.extend(people.warnings)
        with_people = {
            OpenStep.INVITES: lambda: self._invite(incident, people, report),
            OpenStep.SUMMARY: lambda: self._post_summary(incident, settings, people.users, resuming),
        }
        futures.update({s: self._submit(a) for s, a in with_people.items() if not incident.has_done(s)})
        wait(futures.values())
        # One commit for the whole wave (not one per step), still before the reply: every completed step is stored.
        done: list[OpenStep] = []
        summary_ts: str | None = None
        with self.store.transaction():
            for step, future in futures.items():
                try:
                    result = future.result()
                    if step is OpenStep.SUMMARY:
                        summary_ts = result
                    elif result is not None:
                        result()  # a Recorder: what the step did beyond being done
                except SlackError as exc:
                    self.store.steps.failed(incident.number, step, exc.code)
                    report.warnings.append(f"Step {step.value} failed: {exc.describe()}.")
                    continue
                done.append(step)
            report.incident = self.store.steps.done_many(incident.number, done, summary_ts=summary_ts)
        if report.failed_invites and OpenStep.SUMMARY in futures and report.incident.summary_ts:
            # The summary went out with the invites, naming everyone; take out who could not be invited.
            joined = [u for u in people.users if u not in report.failed_invites]
            text, blocks = messages.summary(report.incident, settings, joined, self.summary_fields(report.incident))
            try:
                self.gateway.update_message(channel_of(incident), report.incident.summary_ts, text, blocks=blocks)
            except SlackError as exc:
                report.warnings.append(f"I could not correct the summary's list of people: {exc.describe()}.")

    def _pin(self, report: StepReport, resuming: bool) -> None:
        """Pin the summary: a recorded step. An open runs it after the reply; a resume (nobody waits) right away."""
        incident = report.incident
        if incident.has_done(OpenStep.PIN) or not incident.summary_ts or not incident.has_done(OpenStep.SUMMARY):
            return
        if not resuming:
            self._submit(self._pin_step, incident)
            report.pin_running = True
            return
        try:
            self._pin_step(incident)
        except SlackError as exc:
            report.warnings.append(f"Step pin failed: {exc.describe()}.")
        report.incident = self.store.incidents.get(incident.number) or incident

    def _pin_step(self, incident: Incident) -> None:
        assert incident.summary_ts is not None, "_pin runs this only once the summary is posted"
        try:
            self.gateway.pin(channel_of(incident), incident.summary_ts)
        except SlackError as exc:  # left pending: `!incident retry` or the next start pins it
            log.warning("Could not pin the summary of incident %s: %s", incident.number, exc)
            self.store.steps.failed(incident.number, OpenStep.PIN, exc.code)
            raise
        self.store.steps.done(incident.number, OpenStep.PIN)

    def note_slack_pending(self, number: int) -> Incident:
        """Slack has not finished the open in the time the caller waits: say so in the incident's log (outside
        systems are told now, services/outbox_feed.py) and let the steps finish when Slack answers."""
        self.store.events.add(number, SlackPending(), at=self._clock())
        return self._get(number)

    def mark_replied(self, number: int) -> Incident:
        """The opener has their answer: the open is nobody's unfinished business any more."""
        with self.store.transaction():
            incident = self.store.steps.done(number, OpenStep.REPLY)
            self.store.open_owners.release(number)
        return incident

    def _create_channel(self, incident: Incident, settings: Settings) -> Incident:
        base = naming.channel_name(
            settings.channel_name_template,
            severity=incident.severity,
            opened_at=incident.opened_at,
            description=incident.description,
            number=incident.number,
            prefix=self.channel_prefix(incident),
        )
        candidates = [naming.with_suffix(base, attempt) for attempt in range(1, MAX_NAME_ATTEMPTS + 1)]
        if incident.channel_name:  # an earlier attempt may have created it: that name first
            candidates = [incident.channel_name, *(n for n in candidates if n != incident.channel_name)]
        with self._create_lock_for(base):
            for name in candidates:
                if self.store.incidents.channel_name_claimed(name, other_than=incident.number):
                    continue  # another incident has, or may be creating, this channel
                # Stored before Slack is asked, so no channel Slack creates is ever unknown to the database; checked
                # under the row lock, so an incident closed meanwhile (in another thread or process) gets no channel.
                try:
                    incident = self.store.steps.set_intended_channel_name(incident.number, name)
                except AlreadyClosed as exc:
                    raise _ClosedMeanwhile(exc.incident) from None
                try:
                    channel = self.gateway.create_channel(name, is_private=incident.is_private)
                except SlackError as exc:
                    if exc.code != "name_taken":
                        raise
                    lost = self._our_lost_channel(name, incident)
                    if lost is None:
                        continue  # someone else's channel, or archived: never reuse or unarchive those
                    channel = lost
                incident = self.store.steps.set_channel(incident.number, channel.id, channel.name)
                if incident.is_closing_or_closed:
                    self._archive_late_channel(incident)
                    raise _ClosedMeanwhile(incident)
                return incident
        raise SlackError("conversations.create", "name_taken")

    def _archive_late_channel(self, incident: Incident) -> None:
        """The incident was closed while Slack created its channel: the channel must not outlive the close."""
        try:
            self.gateway.archive(channel_of(incident))
        except SlackError as exc:
            log.error(
                "Incident %s was closed meanwhile; could not archive #%s: %s",
                incident.number,
                incident.channel_name,
                exc,
            )
            self.store.steps.failed(incident.number, OpenStep.CHANNEL, f"closed_meanwhile_archive_{exc.code}")

    def _create_lock_for(self, base: str) -> AbstractContextManager[None]:
        """One lock per name family ("x", "x-2", "x-3" share one): unrelated opens do not wait for each other.

        Slack lets two simultaneous creates with one name both succeed, so creation is serialised per family,
        across replicas too.
        """
        family = re.sub(r"-\d+$", "", base)
        return self.store.locks.hold(f"channel-name:{family}")

    def _our_lost_channel(self, name: str, incident: Incident) -> Channel | None:
        """The channel called `name` if an earlier create for this incident made it but its id was never stored.

        That happens when the process died between Slack's answer and the database write, or when a dropped
        response made the SDK send the create again. The channel must be live, created by this bot, linked to no
        incident, and its purpose (if already set) must name this incident. A failed lookup raises: guessing
        would mean a second channel for the incident.
        """
        found = self.gateway.find_channel(name)
        if found is None or found.creator != self.gateway.bot_user_id():
            return None
        if self.store.incidents.get_by_channel(found.id) is not None or self.store.incidents.channel_name_claimed(
            name, other_than=incident.number
        ):
            return None
        if found.purpose and not found.purpose.startswith(f"RedAlert incident {incident.number} "):
            return None
        log.info("Adopting channel %s (%s) created for incident %s before a restart", name, found.id, incident.number)
        return found

    def resolve_invitees(self, incident: Incident, mentions: Mentions, settings: Settings) -> Invitees:
        """Opener, mentioned people and groups, then the configured always/severity lists; groups expanded."""
        result = Invitees()

        def add(user_id: str, source: str) -> None:
            if user_id not in result.sources:
                result.sources[user_id] = source
                result.users.append(user_id)

        if not api_tokens.token_name(incident.opened_by):  # an API token is nobody to invite
            add(incident.opened_by, "opener")
        for user_id in mentions.users:
            add(user_id, "mention")
        for group in mentions.groups:
            for user_id in self._mentioned_group(group, result.warnings):
                add(user_id, "mention")
        for entry in settings.include.get("always", ()):
            for user_id in self._expand(entry, result.warnings):
                add(user_id, "always")
        for entry in settings.include.get(incident.severity, ()):
            for user_id in self._expand(entry, result.warnings):
                add(user_id, "severity")
        try:
            bot = self.gateway.bot_user_id()
        except SlackError:
            bot = None
        if bot in result.sources:
            result.users.remove(bot)
            del result.sources[bot]
        return result

    def _mentioned_group(self, group: str, warnings: list[str]) -> list[str]:
        """Members of a mentioned group: an ID, or an @handle given in the /incident form."""
        if not group.startswith("@"):
            return self._group_members(group, warnings)
        try:
            group_id = self.gateway.usergroup_id(group)
        except SlackError as exc:
            warnings.append(f"I could not look up the user group {group}: {exc.describe()}.")
            return []
        if group_id is None:
            warnings.append(f"There is no user group {group}; nobody was invited for it.")
            return []
        return self._group_members(group_id, warnings)

    def _expand(self, entry: str, warnings: list[str]) -> list[str]:
        if entry.startswith("@"):
            try:
                group_id = self.gateway.usergroup_id(entry)
            except SlackError as exc:
                warnings.append(f"I could not look up the user group {entry}: {exc.describe()}.")
                return []
            if group_id is None:
                warnings.append(f"There is no user group {entry} (check INCLUDE_IN_INCIDENT).")
                return []
            return self._group_members(group_id, warnings)
        if GROUP_ID.match(entry):
            return self._group_members(entry, warnings)
        return [entry]

    def _group_members(self, group_id: str, warnings: list[str]) -> list[str]:
        try:
            members = self.group_members.members(group_id)
        except SlackError as exc:
            warnings.append(f"I could not read the members of the user group {group_id}: {exc.describe()}.")
            return []
        if not members:
            warnings.append(f"The user group {group_id} has no members.")
        return members

    def _invite(self, incident: Incident, people: Invitees, report: StepReport) -> Recorder:
        outcome = self.gateway.invite(channel_of(incident), people.users) if people.users else InviteOutcome()
        report.failed_invites.update(outcome.failed)

        def record() -> None:
            self.record_invites(incident.number, outcome, people.sources)
            transient = sorted({code for code in outcome.failed.values() if code in TRANSIENT_ERRORS})
            if transient:  # Slack, not the people, failed: leave the step pending so a retry invites them after all
                raise SlackError("conversations.invite", transient[0])

        return record

    def record_invites(self, number: int, outcome: InviteOutcome, sources: dict[str, str]) -> None:
        """The participants and their timeline events, in one commit: neither is ever stored without the other."""
        by_source: dict[str, list[str]] = {}
        for user_id in outcome.invited:
            by_source.setdefault(sources.get(user_id, "invite"), []).append(user_id)
        joined: list[str] = []  # only people new to the incident make an "invited" entry in its timeline
        with self.store.transaction():
            for source, users in by_source.items():
                joined += self.store.participants.add(number, users, source=source)
            if joined:
                self.store.events.add(number, Invited(users=joined))
            if outcome.failed:
                self.store.events.add(number, InviteFailed(failed=outcome.failed))

    def _post_summary(self, incident: Incident, settings: Settings, invited: list[str], resuming: bool) -> str:
        """Post (or, when resuming, find) the summary; returns its ts, stored with the wave."""
        text, blocks = messages.summary(incident, settings, invited, self.summary_fields(incident))
        # A crash between Slack's answer and storing the step leaves a summary we do not know about: look first.
        channel = channel_of(incident)
        ts = self.gateway.find_own_message(channel, f"Incident {incident.number} (") if resuming else None
        if ts is None:
            ts = self.gateway.post_message(channel, text, blocks=blocks)
        return ts

    # --- list -----------------------------------------------------------------------------------------------
    def list(self, *, include_closed: bool, viewer: Viewer) -> tuple[list[Incident], int]:
        """The newest incidents (LIST_LIMIT of them) and how many match: those `viewer` may see."""
        return self.store.incidents.list(include_closed=include_closed, limit=self.settings.list_limit, viewer=viewer)

    # --- lookups --------------------------------------------------------------------------------------------
    def _get(self, number: int) -> Incident:
        incident = self.store.incidents.get(number)
        if incident is None:
            raise NoSuchIncident(visibility.no_such_incident(number))
        log_context.bind_incident(number)
        return incident

    def may_see(self, incident: Incident, viewer: Viewer) -> bool:
        """domain/visibility.py's rule, with the incident's participants from the store."""
        participants = self.store.participants
        return visibility.may_see(incident, viewer, lambda user: participants.contains(incident.number, user))

    def find(
        self, viewer: Viewer, *, number: int | None, channel_id: str | None = None, here: str | None = None, verb: str
    ) -> Incident:
        """The incident a command is about (by number, by channel mention, or the channel it was typed in), as
        `viewer` may see it: a private incident it may not see is answered exactly as a number nobody used."""
        incident = self._locate(number=number, channel_id=channel_id, here=here, verb=verb)
        if not self.may_see(incident, viewer):
            if number is None and channel_id:
                raise ServiceError(self._not_incident_channel(channel_id, verb))
            raise NoSuchIncident(visibility.no_such_incident(incident.number))
        return incident

    @staticmethod
    def _not_incident_channel(channel_id: str, verb: str) -> str:
        return f"<#{channel_id}> is not a RedAlert incident channel; I only {verb} incidents."

    def _locate(self, *, number: int | None, channel_id: str | None, here: str | None, verb: str) -> Incident:
        if number is not None:
            return self._get(number)
        target = channel_id or here
        incident = self.store.incidents.get_by_channel(target) if target else None
        if incident is None:
            if channel_id:
                raise ServiceError(self._not_incident_channel(channel_id, verb))
            raise ServiceError(
                "This is not an incident channel. Run it in the incident's channel "
                f"or name the incident: !incident {verb} <number>."
            )
        log_context.bind_incident(incident.number)
        return incident

    # --- invite ---------------------------------------------------------------------------------------------
    def invite(
        self,
        *,
        number: int | None,
        here: str | None,
        mentions: Mentions,
        actor: str,
        actor_is_admin: bool = False,
        viewer: Viewer | None = None,
    ) -> tuple[Incident, InviteOutcome, builtins.list[str]]:
        """Invite people; `viewer` (default: the actor where they typed) must be able to see the incident."""
        check_group_count(mentions.groups, ServiceError)
        viewer = viewer or visibility.person(actor, actor_is_admin, here)
        incident = self.find(viewer, number=number, here=here, verb="invite")
        if incident.is_closed:
            raise ServiceError(f"Incident {incident.number} is closed; its channel is archived.")
        if not incident.channel_id:
            raise ServiceError(f"Incident {incident.number} has no channel yet; run !incident retry {incident.number}.")
        warnings: list[str] = []
        people: dict[str, str] = {}
        for user_id in mentions.users:
            people.setdefault(user_id, "invite")
        for group in mentions.groups:
            for user_id in self._group_members(group, warnings):
                people.setdefault(user_id, "invite")
        with contextlib.suppress(SlackError):
            people.pop(self.gateway.bot_user_id(), None)
        try:
            outcome = self.gateway.invite(incident.channel_id, list(people))
        except SlackError as exc:
            raise ServiceError(f"I could not invite anyone: {exc.describe()}.") from exc
        self.record_invites(incident.number, outcome, people)
        return incident, outcome, warnings

    # --- close ----------------------------------------------------------------------------------------------
    def close(
        self,
        *,
        number: int | None,
        channel_id: str | None,
        here: str | None,
        actor: str,
        resolution: str | None,
        actor_is_admin: bool = False,
        viewer: Viewer | None = None,
    ) -> tuple[Incident, builtins.list[str]]:
        """Close; `viewer` (default: the actor where they typed) must be able to see the incident, or it does not
        exist for them: not even its being closed already, or who may close it, is told."""
        viewer = viewer or visibility.person(actor, actor_is_admin, here)
        # Looked up first: the lock is per number, and visibility comes before any other answer.
        number = self.find(viewer, number=number, channel_id=channel_id, here=here, verb="close").number
        with self._lock_for(number):
            incident = self._get(number)  # read under the lock: a close that just finished is seen
            self._check_may_close(incident, actor, here, actor_is_admin)
            if incident.is_closed:
                raise ServiceError(self._already_closed(incident))
            return self._close(incident, actor, resolution, run_hooks=True)

    def unfinished_close(self, number: int) -> Event | None:
        """The start of a close that did not finish (its archive failed, or a restart cut it off), else None."""
        incident = self._get(number)
        if incident.is_closed:
            return None
        started: Event | None = None
        failed = incident.phase is Phase.CLOSING
        for event in self.store.events.list(number):
            if event.kind == EventKind.CLOSE_STARTED:
                started = event
            elif event.kind == EventKind.CLOSE_FAILED:
                failed = True
        return started if failed else None

    def finish_close(self, number: int) -> tuple[Incident, builtins.list[str]] | None:
        """Finish a close that failed half way (`!incident retry`, or at start); None when none is unfinished.

        The closing message is not posted twice, and the final summary and post-mortem (which the first attempt
        ran) are not run again.
        """
        with self._lock_for(number):
            incident = self._get(number)
            if incident.is_closed:
                raise ServiceError(self._closed_nothing_to_retry(incident))
            started = self.unfinished_close(number)
            if started is None:
                return None
            actor = started.actor or incident.opened_by
            close = payload_as(started, CloseStarted)
            resolution = close.resolution if close is not None else None
            return self._close(incident, actor, resolution, run_hooks=False)

    def _close(
        self, incident: Incident, actor: str, resolution: str | None, *, run_hooks: bool
    ) -> tuple[Incident, builtins.list[str]]:
        """Closing message, CLOSING, archive, CLOSED; a failed archive puts the incident back to open."""
        warnings: list[str] = []
        closed_at = self._clock()
        posted = False
        if incident.channel_id:
            if run_hooks:
                for hook in self.before_archive:
                    warnings.extend(hook(incident, actor, closed_at, resolution))
            # A close repeated after a failed archive must not post the closing message a second time.
            if not any(e.kind == CLOSING_POSTED for e in self.store.events.list(incident.number)):
                try:
                    self.gateway.post_message(
                        incident.channel_id,
                        messages.closing(
                            incident, actor, closed_at, resolution, self.store.tasks.for_incident_open(incident.number)
                        ),
                    )
                    posted = True
                except SlackError as exc:
                    if exc.code in TRANSIENT_ERRORS:  # worth another go: close nothing rather than close unannounced
                        raise ServiceError(
                            f"I could not post the closing message in <#{incident.channel_id}>: {exc.describe()}. "
                            f"Incident {incident.number} stays open; try again."
                        ) from exc
                    warnings.append(f"I could not post the closing message: {exc.describe()}.")
        try:
            # CLOSING before the archive: from here on nobody reads "open" for a channel that may be archived.
            incident = self.store.incidents.begin_close(
                incident.number, actor=actor, resolution=resolution, also_log=(CLOSING_POSTED,) if posted else ()
            )
        except AlreadyClosed as exc:
            raise ServiceError(self._already_closed(exc.incident)) from exc
        # Read under the row lock: a channel that an open in another process stored meanwhile is archived too.
        if incident.channel_id:
            try:
                self.gateway.archive(incident.channel_id)
            except SlackError as exc:
                self.store.incidents.abort_close(incident.number, error=exc.code)
                raise ServiceError(
                    f"I could not archive <#{incident.channel_id}>: {exc.describe()}. "
                    f"Incident {incident.number} stays open; `!incident retry {incident.number}` finishes the close."
                ) from exc
        try:
            closed = self.store.incidents.close(
                incident.number, closed_by=actor, closed_at=closed_at, resolution=resolution
            )
        except AlreadyClosed as exc:
            raise ServiceError(self._already_closed(exc.incident)) from exc
        return closed, warnings

    def _check_may_close(self, incident: Incident, actor: str, here: str | None, actor_is_admin: bool) -> None:
        policy = self.settings.close_allowed
        if policy == "anyone" or actor_is_admin or incident.is_closed:
            return
        if policy == "members" and not incident.channel_id and actor == incident.opened_by:
            return  # no channel, so no members yet: the opener (its first member) may close one opened by mistake
        if policy == "members" and incident.channel_id:
            # Typing in the incident channel proves membership; from elsewhere, ask Slack.
            if here == incident.channel_id:
                return
            try:
                if self.gateway.is_member(incident.channel_id, actor):
                    return
            except SlackError as exc:
                raise ServiceError(f"I could not check who is in the incident channel: {exc.describe()}.") from exc
        who = "admins" if policy == "admins" else "members of its channel and admins"
        raise ServiceError(f"Only {who} may close incident {incident.number}.")

    @staticmethod
    def _already_closed(incident: Incident) -> str:
        when = texts.when(incident.closed_at) if incident.closed_at else "earlier"
        by = f" by {messages.user(incident.closed_by)}" if incident.closed_by else ""
        return f"Incident {incident.number} was already closed {when}{by}."

    @staticmethod
    def _closed_nothing_to_retry(incident: Incident) -> str:
        if incident.phase is Phase.CLOSING:
            return f"Incident {incident.number} is being closed; its channel is being archived. Nothing to retry."
        when = texts.when(incident.closed_at) if incident.closed_at else "earlier"
        by = f" by {messages.user(incident.closed_by)}" if incident.closed_by else ""
        return f"Incident {incident.number} was closed {when}{by}; there is nothing to retry and nothing was created."
