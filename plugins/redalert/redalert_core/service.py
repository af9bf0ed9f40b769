"""The incident service: open, list, invite and close, written against the store and the Slack gateway.

Opening is a recorded sequence of steps (incident.OPEN_STEPS). The record exists before the channel does and every
step is stored as it completes, so a Slack failure or a crash leaves an incident that shows what is missing and can
be finished later (`resume`). Steps that do not depend on each other run concurrently once the channel exists.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import messages, naming
from .commands import Mentions
from .incident import EventKind, Incident, OpenStep
from .settings import GROUP_ID, Settings
from .slack_gateway import InviteOutcome, SlackError, SlackGateway
from .store import AlreadyClosed, DuplicateCommand, IncidentStore

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 30


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
        store: IncidentStore,
        gateway: SlackGateway,
        settings: Callable[[], Settings],
        clock: Callable[[], datetime] = utcnow,
        workers: int = 8,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self._settings = settings
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert")
        # Slack lets two simultaneous creates with one name both succeed: serialise creation in the bot.
        self._create_lock = threading.Lock()
        self._incident_locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _lock_for(self, number: int) -> threading.Lock:
        with self._locks_guard:
            return self._incident_locks.setdefault(number, threading.Lock())

    # --- open -----------------------------------------------------------------------------------------------
    def open(self, request: OpenRequest) -> StepReport:
        settings = self.settings
        if settings.severity(request.severity) is None:
            raise ServiceError(
                f'"{request.severity}" is not a severity. Use one of: {", ".join(settings.severity_values)}.'
            )
        try:
            incident = self.store.create_incident(
                severity=request.severity,
                description=request.description,
                opened_by=request.opened_by,
                opened_at=self._clock(),
                origin_channel=request.origin_channel,
                is_private=request.is_private,
                dedup_key=request.dedup_key,
            )
        except DuplicateCommand as dup:
            return StepReport(incident=dup.incident, duplicate=True)
        if request.mentions:  # kept so that a resumed open still invites the people who were mentioned
            mentioned = {"users": request.mentions.users, "groups": request.mentions.groups}
            self.store.add_event(incident.number, EventKind.MENTIONS, actor=request.opened_by, data=mentioned)
        # Who to invite is worked out while the channel is being created: it needs no channel.
        invitees = self._pool.submit(self._resolve_invitees, incident, request.mentions, settings)
        return self._run_steps(incident, settings, invitees.result)

    def resume(self, number: int) -> StepReport:
        """Run whatever steps of opening are still missing (after a Slack failure or a crash)."""
        incident = self._get(number)
        if not incident.pending_steps():
            return StepReport(incident=incident)
        settings = self.settings
        mentioned = Mentions()
        for event in self.store.events(number):
            if event.kind == EventKind.MENTIONS:
                mentioned = Mentions(users=event.data.get("users", []), groups=event.data.get("groups", []))
        return self._run_steps(incident, settings, lambda: self._resolve_invitees(incident, mentioned, settings))

    def _run_steps(self, incident: Incident, settings: Settings, invitees: Callable[[], Invitees]) -> StepReport:
        report = StepReport(incident=incident)
        with self._lock_for(incident.number):
            if not incident.has_done(OpenStep.CHANNEL):
                try:
                    incident = self._create_channel(incident, settings)
                except SlackError as exc:
                    self.store.mark_step_failed(incident.number, OpenStep.CHANNEL, exc.code)
                    report.warnings.append(f"I could not create the channel: {exc.describe()}.")
                    report.incident = self.store.get(incident.number) or incident
                    return report
            people = invitees()
            report.warnings.extend(people.warnings)
            steps = {
                OpenStep.TOPIC: lambda: self.gateway.set_topic(incident.channel_id, messages.topic(incident, settings)),
                OpenStep.PURPOSE: lambda: self.gateway.set_purpose(
                    incident.channel_id, messages.purpose(incident, settings)
                ),
                OpenStep.INVITES: lambda: self._invite(incident, people, report),
                OpenStep.SUMMARY: lambda: self._post_summary(incident, settings, people.users),
            }
            futures = {step: self._pool.submit(action) for step, action in steps.items() if not incident.has_done(step)}
            for step, future in futures.items():
                try:
                    future.result()
                except SlackError as exc:
                    self.store.mark_step_failed(incident.number, step, exc.code)
                    report.warnings.append(f"Step {step.value} failed: {exc.describe()}.")
                    continue
                self.store.mark_step_done(incident.number, step)
            report.incident = self.store.get(incident.number) or incident
        return report

    def mark_replied(self, number: int) -> Incident:
        return self.store.mark_step_done(number, OpenStep.REPLY)

    def _create_channel(self, incident: Incident, settings: Settings) -> Incident:
        base = naming.channel_name(
            settings.channel_name_template,
            severity=incident.severity,
            opened_at=incident.opened_at,
            description=incident.description,
            number=incident.number,
        )
        with self._create_lock:
            for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
                name = naming.with_suffix(base, attempt)
                try:
                    channel = self.gateway.create_channel(name, is_private=incident.is_private)
                except SlackError as exc:
                    if exc.code == "name_taken":
                        continue  # archived channels keep their names too: never reuse or unarchive them
                    raise
                return self.store.set_channel(incident.number, channel.id, channel.name)
        raise SlackError("conversations.create", "name_taken")

    def _resolve_invitees(self, incident: Incident, mentions: Mentions, settings: Settings) -> Invitees:
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
        self._record_invites(incident.number, outcome, people.sources)
        report.failed_invites.update(outcome.failed)

    def _record_invites(self, number: int, outcome: InviteOutcome, sources: dict[str, str]) -> None:
        by_source: dict[str, list[str]] = {}
        for user_id in outcome.invited:
            by_source.setdefault(sources.get(user_id, "invite"), []).append(user_id)
        for source, users in by_source.items():
            self.store.add_participants(number, users, source=source)
        if outcome.invited:
            self.store.add_event(number, EventKind.INVITED, data={"users": outcome.invited})
        if outcome.failed:
            self.store.add_event(number, EventKind.INVITE_FAILED, data={"failed": outcome.failed})

    def _post_summary(self, incident: Incident, settings: Settings, invited: list[str]) -> None:
        text, blocks = messages.summary(incident, settings, invited)
        ts = self.gateway.post_message(incident.channel_id, text, blocks=blocks)
        self.store.set_summary_ts(incident.number, ts)
        try:
            self.gateway.pin(incident.channel_id, ts)
        except SlackError as exc:  # the summary is there; a missing pin is not worth failing the step
            log.warning("Could not pin the summary of incident %s: %s", incident.number, exc)

    # --- list -----------------------------------------------------------------------------------------------
    def list(self, *, include_closed: bool) -> tuple[list[Incident], int]:
        return self.store.list_incidents(include_closed=include_closed, limit=self.settings.list_limit)

    # --- lookups --------------------------------------------------------------------------------------------
    def _get(self, number: int) -> Incident:
        incident = self.store.get(number)
        if incident is None:
            raise ServiceError(f"There is no incident {number}. See !incident list all.")
        return incident

    def find(self, *, number: int | None, channel_id: str | None, here: str | None, verb: str) -> Incident:
        """The incident a command is about: by number, by channel mention, or the channel it was typed in."""
        if number is not None:
            return self._get(number)
        target = channel_id or here
        incident = self.store.get_by_channel(target) if target else None
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
        self._record_invites(incident.number, outcome, people)
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
                try:
                    self.gateway.post_message(
                        incident.channel_id, messages.closing(incident, actor, closed_at, resolution)
                    )
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
                closed = self.store.close_incident(
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
        when = messages.when(incident.closed_at) if incident.closed_at else "earlier"
        by = f" by {messages.user(incident.closed_by)}" if incident.closed_by else ""
        return f"Incident {incident.number} was already closed {when}{by}."
