"""What the use cases take and return, for front ends (which import nothing below the application layer)."""

from __future__ import annotations

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
from ..store.command_inbox import APPLIED, InboxCommand
from .app import Closed, Invited, Retried

__all__ = [
    "APPLIED",  # an inbox command whose change happened (its answer may have been lost)
    "PIN_REACTION",  # the reaction that puts a message on the timeline
    "WEB_COOKIE",  # the web report's session cookie
    "ActiveWorkflows",  # the workflows file in force (show, reload)
    "Closed",
    "InboxCommand",
    "IncidentView",
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
    "WebSettings",
    "WorkflowsRefused",  # a workflows file with faults: `.faults`, each with its line and column
    "identify",  # this process among the replicas (AppConfig.replica)
]
