"""RedAlert's database: one module per aggregate, bundled by `Store`.

Each repository runs its own short transaction; `Store.transaction()` makes several repository calls one commit
(a change, its events and its outbox rows). A new table gets its own module and an attribute here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from .alert_groups import AlertGroups
from .analytics import Analytics
from .api_queries import ApiQueries
from .api_tokens import ApiTokens
from .cache_invalidations import CacheInvalidations
from .command_claims import CommandClaims, SentOnce
from .command_inbox import CommandInbox
from .database import Database, normalise_database_url
from .errors import (
    AlreadyClosed,
    DuplicateCommand,
    IncidentInAnotherProblem,
    IncidentNotFound,
    ProblemNotFound,
    RepeatedCommand,
    TaskNotFound,
)
from .events import EventLog
from .incident_fields import IncidentFields
from .incident_history import IncidentHistory
from .incidents import IncidentRepository
from .interactions import InteractionLog
from .kv import KeyValueStore
from .links import LinkRepository
from .locks import LeaderLock, NamedLocks
from .open_steps import OpenSteps
from .outbox import Outbox
from .participants import ParticipantRepository
from .problems import ProblemRepository
from .rate_buckets import SharedRateBuckets
from .remote_links import RemoteLinks
from .replicas import OpenOwners, ReplicaRegistry, ReplicaRow
from .response import ResponseRepository
from .status_page import PrivateIncident, StatusPageRepository
from .tasks import TaskRepository
from .web_links import WebLinkSalts
from .webhook_states import WebhookStates
from .workflow_files import WorkflowFiles
from .workflow_runs import WorkflowRuns

__all__ = [
    "AlreadyClosed",
    "DuplicateCommand",
    "IncidentInAnotherProblem",
    "IncidentNotFound",
    "LeaderLock",
    "PrivateIncident",
    "ProblemNotFound",
    "RepeatedCommand",
    "ReplicaRow",
    "Store",
    "TaskNotFound",
    "normalise_database_url",
]


class Store:
    """The repositories over one database (see database.py for `url` and `schema`)."""

    def __init__(self, url: str, *, schema: str | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.db = Database(url, schema=schema)
        self.dialect = self.db.dialect
        # `clock`: the application's (bootstrap.py); the time of the rows whose writers give none.
        self.events = EventLog(self.db, clock) if clock is not None else EventLog(self.db)
        self.incidents = IncidentRepository(self.db, self.events)
        self.incident_fields = IncidentFields(self.db, self.events)  # custom field values (issue 22)
        self.steps = OpenSteps(self.db, self.events)
        self.participants = ParticipantRepository(self.db, self.events)
        self.response = ResponseRepository(self.db, self.events)
        self.kv = KeyValueStore(self.db)
        self.outbox = Outbox(self.db)
        self.remote = RemoteLinks(self.db)
        self.webhook_states = WebhookStates(self.db)
        self.workflow_runs = WorkflowRuns(self.db)
        self.workflow_files = WorkflowFiles(self.db)
        self.analytics = Analytics(self.db)  # the figures
        self.history = IncidentHistory(self.db)  # the incident rows of exports and the web report
        self.links = LinkRepository(self.db, self.events)
        self.problems = ProblemRepository(self.db, self.events)
        self.tasks = TaskRepository(self.db, self.events)
        self.interactions = InteractionLog(self.db)
        self.status_page = StatusPageRepository(self.db, self.events)  # the public status page
        self.web_links = WebLinkSalts(self.db)
        self.alert_groups = AlertGroups(self.db)  # alert intake: a group's incident and its alerts
        self.api_tokens = ApiTokens(self.db)  # the HTTP API's tokens, hashed
        self.api_queries = ApiQueries(self.db)  # the HTTP API's pages of incidents
        # Several replicas on one database (PostgreSQL): heartbeats, open owners, claims, cross-process locks.
        self.replicas = ReplicaRegistry(self.db)
        self.open_owners = OpenOwners(self.db)
        self.command_claims = CommandClaims(self.db)
        self.commands = CommandInbox(self.db)  # every chat command from receipt to answer
        self.sent_once = SentOnce(self.db)
        self.cache_invalidations = CacheInvalidations(self.db)
        self.locks = NamedLocks(self.db)
        # Slack's rate budgets, shared by the replicas (PostgreSQL only; see slack/rate_pacing.py).
        self.rate_buckets = SharedRateBuckets(self.db) if self.dialect == "postgresql" else None

    def leader_lock(self) -> LeaderLock:
        """A new leadership lock with its own connection (one per process: see services/leadership.py)."""
        return LeaderLock(self.db)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One commit for every repository call made inside it on this thread."""
        with self.db.write() as connection:
            yield connection

    def migrate(self) -> None:
        self.db.migrate()

    def dispose(self) -> None:
        self.locks.dispose()
        if self.rate_buckets is not None:
            self.rate_buckets.dispose()
        self.db.dispose()
