"""The incident service: open, list, invite and close, written against the store and the Slack gateway.

Opening is a recorded sequence of steps (incident.OPEN_STEPS). The record exists before the channel does and every
step is stored as it completes, so a Slack failure or a crash leaves an incident that shows what is missing and can
be finished later (`resume`). Steps that do not depend on each other run concurrently once the channel exists.
"""

from __future__ import annotations

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

from ..domain import naming
from ..domain import text as texts
from ..domain.commands import Mentions
from ..domain.incident import EventKind, Incident, OpenStep
from ..domain.replica import ReplicaIdentity
from ..domain.settings import GROUP_ID, Settings
from ..slack import messages
from ..slack.gateway import Channel, InviteOutcome, SlackError, SlackGateway
from ..store import AlreadyClosed, DuplicateCommand, RepeatedCommand, Store

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 30
# Codes that say nothing about the request itself: running the step again may well succeed.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "http_error",
        "connection_error",
        "request_timeout",
    }
)
CLOSING_POSTED = "closing_posted"  # event kind: the closing message is in the channel
# The same person sending the same open within this window means it was sent twice, not two incidents.
REPEAT_WINDOW = timedelta(seconds=30)


class ServiceError(Exception):
    """A request that cannot be done; the message is the reply."""


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class OpenRequest:
    severity: str
    description: str
    opened_by: str
    origin_channel: str | None = None
    mentions: Mentions = field(default_factory=Mentions)
    dedup_key: str | None = None
    is_private: bool = False


@dataclass
class StepReport:
    """What happened while (re)running the steps of an incident."""

    incident: Incident
    warnings: list[str] = field(default_factory=list)
    failed_invites: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False
    repeated: bool = False  # a duplicate by content (same person, severity, description), not by Slack event

    @property
    def complete(self) -> bool:
        return not self.incident.pending_steps() or self.incident.pending_steps() == [OpenStep.REPLY]


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
        clock: Callable[[], datetime] = utcnow,
        workers: int = 8,
        replica: ReplicaIdentity | None = None,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self._settings = settings
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert")
        self._pending: set[Future] = set()
        self._locks_guard = threading.Lock()
        # The process running opens: recorded as each open's owner, so that if it dies another replica finishes
        # them (services/recovery.py). None: nobody else could (tests, tools).
        self.replica = replica
        # Run by close just before the channel is archived (the workflow's final summary and post-mortem).
        self.before_archive: list[Callable[[Incident, str, datetime, str | None], list[str]]] = []

    @property
    def settings(self) -> Settings:
        return self._settings()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _submit(self, fn: Callable, *args: Any) -> Future:
        """Run `fn` on the service's pool, remembered until done so that drain() can wait for it."""
        future = self._pool.submit(fn, *args)
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
        settings = self.settings
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
                repeat_since=opened_at - REPEAT_WINDOW,
                owner=self._owner(),
            )
        except RepeatedCommand as dup:
            return StepReport(incident=dup.incident, duplicate=True, repeated=True)
        except DuplicateCommand as dup:
            return StepReport(incident=dup.incident, duplicate=True)
        if request.mentions:  # kept so that a resumed open still invites the people who were mentioned
            mentioned = {"users": request.mentions.users, "groups": request.mentions.groups}
            self.store.events.add(incident.number, EventKind.MENTIONS, actor=request.opened_by, data=mentioned)
        # Who to invite is worked out while the channel is being created: it needs no channel.
        invitees = self._submit(self.resolve_invitees, incident, request.mentions, settings)
        return self._run_steps(incident, settings, invitees.result)

    def resume(self, number: int) -> StepReport:
        """Run whatever steps of opening are still missing (after a Slack failure or a crash)."""
        incident = self._get(number)
        if set(incident.pending_steps()) <= {OpenStep.REPLY}:
            return StepReport(incident=incident)  # only the answer is missing: the caller gives it
        settings = self.settings
        mentioned = Mentions()
        for event in self.store.events.list(number):
            if event.kind == EventKind.MENTIONS:
                mentioned = Mentions(users=event.data.get("users", []), groups=event.data.get("groups", []))
        invitees = lambda: self.resolve_invitees(incident, mentioned, settings)  # noqa: E731
        return self._run_steps(incident, settings, invitees, resuming=True)

    def _run_steps(
        self, incident: Incident, settings: Settings, invitees: Callable[[], Invitees], *, resuming: bool = False
    ) -> StepReport:
        report = StepReport(incident=incident)
        with self._lock_for(incident.number):
            # Re-read under the lock: another thread or replica may have run steps while this one waited.
            incident = self.store.incidents.get(incident.number) or incident
            report.incident = incident
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
            # Critical path: create, then one wave of everything that needs only the channel, then the reply.
            # Topic and purpose need nothing else, so they start before the invitee lookup is awaited.
            channel_only = {
                OpenStep.TOPIC: lambda: self.gateway.set_topic(incident.channel_id, messages.topic(incident, settings)),
                OpenStep.PURPOSE: lambda: self.gateway.set_purpose(
                    incident.channel_id, messages.purpose(incident, settings)
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
            for step, future in futures.items():
                try:
                    future.result()
                except SlackError as exc:
                    self.store.steps.failed(incident.number, step, exc.code)
                    report.warnings.append(f"Step {step.value} failed: {exc.describe()}.")
                    continue
                self.store.steps.done(incident.number, step)
            report.incident = self.store.incidents.get(incident.number) or incident
            if report.failed_invites and OpenStep.SUMMARY in futures and report.incident.summary_ts:
                # The summary went out with the invites, naming everyone; take out who could not be invited.
                joined = [u for u in people.users if u not in report.failed_invites]
                text, blocks = messages.summary(report.incident, settings, joined)
                try:
                    self.gateway.update_message(incident.channel_id, report.incident.summary_ts, text, blocks=blocks)
                except SlackError as exc:
                    report.warnings.append(f"I could not correct the summary's list of people: {exc.describe()}.")
        return report

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
        )
        candidates = [naming.with_suffix(base, attempt) for attempt in range(1, MAX_NAME_ATTEMPTS + 1)]
        if incident.channel_name:  # an earlier attempt may have created it: that name first
            candidates = [incident.channel_name, *(n for n in candidates if n != incident.channel_name)]
        with self._create_lock_for(base):
            for name in candidates:
                if self.store.incidents.channel_name_claimed(name, other_than=incident.number):
                    continue  # another incident has, or may be creating, this channel
                # Stored before Slack is asked, so no channel Slack creates is ever unknown to the database.
                incident = self.store.steps.set_intended_channel_name(incident.number, name)
                try:
                    channel = self.gateway.create_channel(name, is_private=incident.is_private)
                except SlackError as exc:
                    if exc.code != "name_taken":
                        raise
                    channel = self._our_lost_channel(name, incident)
                    if channel is None:
                        continue  # someone else's channel, or archived: never reuse or unarchive those
                return self.store.steps.set_channel(incident.number, channel.id, channel.name)
        raise SlackError("conversations.create", "name_taken")

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

        add(incident.opened_by, "opener")
        for user_id in mentions.users:
            add(user_id, "mention")
        for group in mentions.groups:
            for user_id in self._group_members(group, result.warnings):
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
            members = self.gateway.usergroup_members(group_id)
        except SlackError as exc:
            warnings.append(f"I could not read the members of <!subteam^{group_id}>: {exc.describe()}.")
            return []
        if not members:
            warnings.append(f"The user group <!subteam^{group_id}> has no members.")
        return members

    def _invite(self, incident: Incident, people: Invitees, report: StepReport) -> None:
        outcome = self.gateway.invite(incident.channel_id, people.users) if people.users else InviteOutcome()
        self.record_invites(incident.number, outcome, people.sources)
        report.failed_invites.update(outcome.failed)
        transient = sorted({code for code in outcome.failed.values() if code in TRANSIENT_ERRORS})
        if transient:  # Slack, not the people, failed: leave the step pending so a retry invites them after all
            raise SlackError("conversations.invite", transient[0])

    def record_invites(self, number: int, outcome: InviteOutcome, sources: dict[str, str]) -> None:
        by_source: dict[str, list[str]] = {}
        for user_id in outcome.invited:
            by_source.setdefault(sources.get(user_id, "invite"), []).append(user_id)
        joined: list[str] = []  # only people new to the incident make an "invited" entry in its timeline
        for source, users in by_source.items():
            joined += self.store.participants.add(number, users, source=source)
        if joined:
            self.store.events.add(number, EventKind.INVITED, data={"users": joined})
        if outcome.failed:
            self.store.events.add(number, EventKind.INVITE_FAILED, data={"failed": outcome.failed})

    def _post_summary(self, incident: Incident, settings: Settings, invited: list[str], resuming: bool) -> None:
        text, blocks = messages.summary(incident, settings, invited)
        # A crash between Slack's answer and storing the step leaves a summary we do not know about: look first.
        ts = self.gateway.find_own_message(incident.channel_id, f"Incident {incident.number} (") if resuming else None
        if ts is None:
            ts = self.gateway.post_message(incident.channel_id, text, blocks=blocks)
        self.store.incidents.set_summary_ts(incident.number, ts)
        # The pin needs the summary's ts but nothing waits for it: it runs alongside the reply, off the critical path.
        self._submit(self._pin_summary, incident, ts)

    def _pin_summary(self, incident: Incident, ts: str) -> None:
        try:
            self.gateway.pin(incident.channel_id, ts)
        except SlackError as exc:  # the summary is there; a missing pin is not worth failing the step
            log.warning("Could not pin the summary of incident %s: %s", incident.number, exc)

    # --- list -----------------------------------------------------------------------------------------------
    def list(
        self, *, include_closed: bool, viewer: str | None = None, viewer_is_admin: bool = False
    ) -> tuple[list[Incident], int]:
        """The newest incidents (LIST_LIMIT of them) and how many match; private ones only for their people."""
        return self.store.incidents.list(
            include_closed=include_closed,
            limit=self.settings.list_limit,
            viewer=viewer,
            viewer_is_admin=viewer_is_admin,
        )

    # --- lookups --------------------------------------------------------------------------------------------
    def _get(self, number: int) -> Incident:
        incident = self.store.incidents.get(number)
        if incident is None:
            raise ServiceError(f"There is no incident {number}. See !incident list all.")
        return incident

    def find(self, *, number: int | None, channel_id: str | None, here: str | None, verb: str) -> Incident:
        """The incident a command is about: by number, by channel mention, or the channel it was typed in."""
        if number is not None:
            return self._get(number)
        target = channel_id or here
        incident = self.store.incidents.get_by_channel(target) if target else None
        if incident is None:
            if channel_id:
                raise ServiceError(f"<#{channel_id}> is not a RedAlert incident channel; I only {verb} incidents.")
            raise ServiceError(
                "This is not an incident channel. Run it in the incident's channel "
                f"or name the incident: !incident {verb} <number>."
            )
        return incident

    # --- invite ---------------------------------------------------------------------------------------------
    def invite(
        self, *, number: int | None, here: str | None, mentions: Mentions, actor: str
    ) -> tuple[Incident, InviteOutcome, list[str]]:
        incident = self.find(number=number, channel_id=None, here=here, verb="invite")
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
    ) -> tuple[Incident, list[str]]:
        incident = self.find(number=number, channel_id=channel_id, here=here, verb="close")
        self._check_may_close(incident, actor, here, actor_is_admin)
        with self._lock_for(incident.number):
            incident = self._get(incident.number)
            if incident.is_closed:
                raise ServiceError(self._already_closed(incident))
            warnings: list[str] = []
            closed_at = self._clock()
            if incident.channel_id:
                for hook in self.before_archive:
                    warnings.extend(hook(incident, actor, closed_at, resolution))
                # A close repeated after a failed archive must not post the closing message a second time.
                if not any(e.kind == CLOSING_POSTED for e in self.store.events.list(incident.number)):
                    try:
                        self.gateway.post_message(
                            incident.channel_id, messages.closing(incident, actor, closed_at, resolution)
                        )
                        self.store.events.add(incident.number, CLOSING_POSTED, actor=actor)
                    except SlackError as exc:
                        warnings.append(f"I could not post the closing message: {exc.describe()}.")
                try:
                    self.gateway.archive(incident.channel_id)
                except SlackError as exc:
                    raise ServiceError(
                        f"I could not archive <#{incident.channel_id}>: {exc.describe()}. "
                        f"Incident {incident.number} stays open; try again."
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
