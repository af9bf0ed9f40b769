"""What the use cases take and return, for front ends (which import nothing below the application layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.alerts import InvalidAlerts
from ..domain.incident import Incident
from ..domain.workflow_model import IncidentType
from ..services.alert_intake import AlertsReceived
from ..services.analysis import WebSettings
from ..services.incidents import OpenRequest, StepReport
from ..services.integrations import OutboxReport, Paged
from ..services.leadership import Timing, identify
from ..services.links import IncidentView, LinkOutcome
from ..services.problems import ProblemOutcome, ProblemView
from ..services.response import PIN_REACTION, Outcome
from ..services.status_page import Published
from ..services.status_site import StatusServer
from ..services.tasks import TaskListing, TaskOutcome
from ..services.web_report import COOKIE as WEB_COOKIE
from ..services.workflows import ActiveWorkflows, WorkflowsRefused
from ..slack.gateway import InviteOutcome
from ..store.command_inbox import APPLIED, InboxCommand
from .api_incidents import ApiIncident, ApiOpened, IncidentPage


@dataclass
class Invited:
    incident: Incident
    outcome: InviteOutcome
    warnings: list[str]


@dataclass
class TypeSet:
    """`!incident set type <name>`: the incident and its new type (None: it was that type already), and what the
    type's people, groups and on-call invite could not do."""

    incident: Incident
    kind: IncidentType | None
    warnings: list[str]


@dataclass
class Closed:
    incident: Incident
    warnings: list[str]

    @property
    def lasted(self) -> timedelta:
        """How long the incident was open."""
        closed_at = self.incident.closed_at
        assert closed_at is not None, "a closed incident has its closing time"
        return closed_at - self.incident.opened_at


@dataclass
class Retried:
    """`retry`: a failed close finished (`closed`), or the open's missing steps run again (`report`)."""

    closed: Closed | None = None
    report: StepReport | None = None


@dataclass
class UpdateSubmitted:
    """The Update form: the status set, the update posted and the status page published, each if asked."""

    incident: Incident
    status: Outcome | None = None
    update: Outcome | None = None
    published: Published | None = None
    warnings: list[str] = field(default_factory=list)


__all__ = [
    "APPLIED",  # an inbox command whose change happened (its answer may have been lost)
    "PIN_REACTION",  # the reaction that puts a message on the timeline
    "WEB_COOKIE",  # the web report's session cookie
    "ActiveWorkflows",  # the workflows file in force (show, reload)
    "AlertsReceived",
    "ApiIncident",  # an incident as the HTTP API shows it
    "ApiOpened",
    "Closed",
    "InboxCommand",
    "IncidentPage",
    "IncidentView",
    "InvalidAlerts",  # a payload that is no alert notification: one message per field
    "Invited",
    "LinkOutcome",
    "OpenRequest",
    "OutboxReport",
    "Outcome",
    "Paged",
    "ProblemOutcome",
    "ProblemView",
    "Published",
    "Retried",
    "StatusServer",  # serves app.status_site() on its own port
    "StepReport",
    "TaskListing",
    "TaskOutcome",
    "Timing",  # heartbeat and leadership timings (AppConfig.timing)
    "UpdateSubmitted",
    "WebSettings",
    "WorkflowsRefused",  # a workflows file with faults: `.faults`, each with its line and column
    "identify",  # this process among the replicas (AppConfig.replica)
]
