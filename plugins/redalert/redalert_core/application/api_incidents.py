"""The HTTP API's use cases on incidents: open (waiting a little for the channel), list, show, update, change the
severity, close. A mixin of RedAlertApp (app.py); the rules are the chat commands' own, reached through the same
services, with the token as the requester.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import api_tokens, timeline
from ..domain.api_requests import FieldErrors, ListQuery, OpenFields
from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.requester import Requester
from ..observability import log_context
from ..services.incidents import IncidentService, OpenRequest, StepReport
from ..services.response import ResponseService
from ..slack.gateway import SlackError
from ..store import Store
from .errors import Forbidden, ServiceError

CHANNEL_WAIT_SECONDS = 2.0  # how long POST /incidents waits for Slack's channel before answering "pending"
PRIVATE_SCOPE_NEEDED = "Opening a private incident needs a token with the private scope."
_pool_guard = threading.Lock()


@dataclass
class ApiIncident:
    """An incident as the API shows it: the incident, the team's status ("closed" once closed) and, for one
    incident, its timeline."""

    incident: Incident
    status: str
    timeline: list[tuple[datetime, str]] | None = None
    warnings: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # custom field values by name, as stored


@dataclass
class ApiOpened:
    view: ApiIncident
    created: bool  # False: an open incident had the same dedup key (or the same request was racing)


@dataclass
class IncidentPage:
    items: list[ApiIncident]
    next_cursor: str | None


class ApiIncidentUseCases:
    store: Store
    incidents: IncidentService
    response: ResponseService
    _api_pool: ThreadPoolExecutor | None = None
    _api_opens: frozenset[Future] | set[Future] = frozenset()  # replaced, never mutated in place

    if TYPE_CHECKING:  # RedAlertApp's own

        def open_incident(
            self, request: OpenRequest, recorded: StepReport | None = None, *, wait: float | None = None
        ) -> StepReport: ...

        def current_status(self, number: int) -> str: ...

        def typed_open(self, request: OpenRequest) -> OpenRequest: ...

        def set_fields(self, requester: Requester, number: int | None, values: Mapping[str, str]) -> Incident: ...

        def refuse_close_without_fields(
            self, requester: Requester, number: int | None, channel_id: str | None
        ) -> None: ...

    def api_view(
        self, incident: Incident, with_timeline: bool = False, fields: dict[str, str] | None = None
    ) -> ApiIncident:
        status = "closed" if incident.is_closed else self.current_status(incident.number)
        lines = None
        if with_timeline:
            events = self.store.events.list(incident.number)
            lines = timeline.entries(events, _plain_person, str)
        if fields is None:
            fields = self.store.incident_fields.values(incident.number)
        return ApiIncident(incident, status, lines, fields=fields)

    # --- open -----------------------------------------------------------------------------------------------
    def open_from_api(
        self, requester: Requester, fields: OpenFields, wait_seconds: float = CHANNEL_WAIT_SECONDS
    ) -> ApiOpened:
        """Open an incident for an API token: recorded at once, its channel awaited up to `wait_seconds`.

        An open incident with the same `dedup_key` comes back as it is (`created` False). Emails are looked up in
        Slack; an unknown one refuses the request (FieldErrors on `people`). The type and fields are shaped by
        `typed_open`, as for chat and the modal (FieldsRefused keyed `type` / `fields.<name>`); a type that is
        private by default needs the private scope like `private: true`.
        """
        typed = self.typed_open(
            OpenRequest(
                severity=fields.severity,
                description=fields.description,
                opened_by=requester.user,
                is_private=fields.private,
                incident_type=fields.incident_type,
                fields=fields.fields,
            )
        )
        if typed.is_private and not requester.sees_private:
            raise Forbidden(PRIVATE_SCOPE_NEEDED)
        prefix = f"{requester.user}:{fields.dedup_key}#" if fields.dedup_key else None
        if prefix is not None:
            existing = self._open_keyed(prefix)
            if existing is not None:
                return ApiOpened(self.api_view(existing), created=False)
        users, warnings = self._people(fields)
        request = replace(
            typed,
            mentions=Mentions(
                users=list(dict.fromkeys([*users, *typed.mentions.users])), groups=list(typed.mentions.groups)
            ),
            dedup_key=f"{prefix}{len(self.store.api_queries.keyed(prefix))}" if prefix else None,
            catch_repeats=False,
        )
        recorded = self.incidents.record(request)
        if recorded.duplicate:  # the same key raced in: one incident, answered to both
            return ApiOpened(self.api_view(recorded.incident), created=False)
        try:  # Slack slow or down: "pending" after `wait_seconds`, outside systems told at once (open_incident)
            warnings += self.open_incident(request, recorded, wait=wait_seconds).warnings
        except (ServiceError, SlackError) as exc:
            warnings.append(str(exc))
        incident = self.store.incidents.get(recorded.incident.number) or recorded.incident
        view = self.api_view(incident)
        view.warnings = warnings
        return ApiOpened(view, created=True)

    def _open_keyed(self, prefix: str) -> Incident | None:
        return next((i for i in self.store.api_queries.keyed(prefix) if not i.is_closed), None)

    def _people(self, fields: OpenFields) -> tuple[list[str], list[str]]:
        users = list(fields.user_ids)
        warnings: list[str] = []
        for email in fields.emails:
            try:
                found = self.incidents.gateway.user_id_by_email(email)
            except SlackError as exc:
                warnings.append(f"I could not look up {email}: {exc.describe()}; they were not invited.")
                continue
            if found is None:
                raise FieldErrors({"people": f"There is no Slack user with the email {email}."})
            if found not in users:
                users.append(found)
        return users, warnings

    def _background(self, work) -> Future:
        with _pool_guard:
            if self._api_pool is None:
                self._api_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="redalert-api")
            future = self._api_pool.submit(log_context.carry(work))
            self._api_opens = {f for f in self._api_opens if not f.done()} | {future}
        return future

    def drain_api_opens(self, timeout: float = 30.0) -> None:
        """Wait for the opens running in the background (their Slack steps); stop_api_opens drops them instead."""
        with _pool_guard:
            running = set(self._api_opens)
        wait(running, timeout=timeout)

    def stop_api_opens(self) -> None:
        """On stop: opens not started yet are dropped (the recorded incidents are finished by the next start's
        recovery), so a stop never waits for a queue of Slack work; the pool is made anew on the next open."""
        with _pool_guard:
            pool, self._api_pool = self._api_pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # --- reads ----------------------------------------------------------------------------------------------
    def list_api_incidents(self, requester: Requester, query: ListQuery) -> IncidentPage:
        """A page of the incidents the token may see, newest first; `next_cursor` None on the last page."""
        found = self.store.api_queries.page(
            viewer=requester.person(),
            state=query.state,
            severity=query.severity,
            before=query.before,
            limit=query.limit + 1,
        )
        more = len(found) > query.limit
        shown = found[: query.limit]
        values = self.store.incident_fields.values_for([incident.number for incident in shown])
        items = [self.api_view(incident, fields=values.get(incident.number, {})) for incident in shown]
        return IncidentPage(items, str(items[-1].incident.number) if more else None)

    def api_incident(self, requester: Requester, number: int) -> ApiIncident:
        """One incident with its timeline (a hidden one answers as an unused number)."""
        incident = self.response.find(number, requester, "show", open_only=False, shown=True)
        return self.api_view(incident, with_timeline=True)

    # --- changes --------------------------------------------------------------------------------------------
    def api_update(self, requester: Requester, number: int, text: str, status: str | None) -> ApiIncident:
        """Post an update (and first set the team's status, if given), as the Update form does."""
        incident = self.response.find(number, requester, "update", needs_channel=False)  # posts wait for Slack
        warnings: list[str] = []
        if status:
            warnings += self.response.set_status(incident.number, requester, status, None).warnings
        warnings += self.response.post_update(incident.number, requester, text).warnings
        return self._after(incident.number, warnings)

    def api_change_severity(self, requester: Requester, number: int, severity: str) -> ApiIncident:
        outcome = self.response.change_severity(number, requester, severity)
        return self._after(outcome.incident.number, outcome.warnings)

    def api_set_fields(self, requester: Requester, number: int, values: dict[str, str]) -> ApiIncident:
        """Set custom fields as `!incident set` does (set_fields: all checked before any is stored); each change
        is on the timeline, naming the token."""
        incident = self.set_fields(requester, number, values)
        return self._after(incident.number, [])

    def api_close(self, requester: Requester, number: int, resolution: str | None) -> ApiIncident:
        self.refuse_close_without_fields(requester, number, None)
        incident, warnings = self.incidents.close(
            number=number,
            channel_id=None,
            here=None,
            actor=requester.user,
            resolution=resolution,
            actor_is_admin=requester.is_admin,
            viewer=requester.person(),
        )
        view = self.api_view(incident)
        view.warnings = warnings
        return view

    def _after(self, number: int, warnings: list[str]) -> ApiIncident:
        incident = self.store.incidents.get(number)
        assert incident is not None
        view = self.api_view(incident)
        view.warnings = warnings
        return view


def _plain_person(user_id: str) -> str:
    """People in an API timeline: their Slack id as it is, a token by its name."""
    return api_tokens.describe_actor(user_id) if api_tokens.token_name(user_id) else user_id
