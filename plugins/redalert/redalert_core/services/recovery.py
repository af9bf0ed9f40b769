"""Finishing incidents that a restart interrupted, and telling the channel where each was opened.

A crash or a deploy can stop an open between any two steps. Every step is stored as it completes, so the service
resumes whatever is missing; this module runs that for unfinished incidents and posts the outcome where the command
was typed, because the person who typed it never got an answer.

With several replicas, each open records the process that runs it (its owner). The leading replica finishes the
opens whose owner is dead (`finish_orphaned`): when it becomes the leader, and every few seconds after that, so an
open cut short by a killed replica is finished by a survivor without a second channel (the incident's lock and a
re-read under it make sure only one process runs its steps).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain import text as texts
from ..domain.incident import Incident, OpenStep
from ..slack import messages
from ..slack.gateway import SlackError
from .incidents import IncidentService, ServiceError, StepReport

log = logging.getLogger(__name__)


@dataclass
class Recovered:
    """One interrupted incident and what was said about it (None when there was nowhere or no way to say it)."""

    incident: Incident
    complete: bool
    notice: str | None


def notice_for(incident: Incident, report: StepReport, only_reply_missing: bool, label: str) -> str:
    """What to post in the origin channel once the missing steps have been run again."""
    where = messages.channel(incident.channel_id)
    if only_reply_missing:  # everything happened; only the answer was lost
        return f"Incident {incident.number} ({label}) is open in {where}."
    warnings = "".join(f"\n:warning: {w}" for w in report.warnings)
    if report.complete:
        return f"Incident {incident.number} was interrupted and is now complete: {where}.{warnings}"
    return (
        f"Incident {incident.number} was interrupted and some steps still fail ({where}).{warnings}\n"
        f"Run `!incident retry {incident.number}` to try again."
    )


def finish_orphaned(service: IncidentService, live_instances: set[str], *, include_unowned: bool) -> list[Recovered]:
    """Resume the unfinished incidents whose owning process is not among `live_instances` (and, with
    `include_unowned`, those nobody owns: opened before replicas were recorded, or by a tool). With
    `include_unowned` (on becoming the leader) closes cut off by a restart are finished first, as at start-up."""

    def orphaned(number: int) -> bool:
        owner = service.store.open_owners.owners().get(number)
        return include_unowned if owner is None else owner not in live_instances

    return finish_interrupted(service, orphaned, closes=include_unowned)


def finish_interrupted_closes(service: IncidentService) -> list[Incident]:
    """Finish every close a restart cut off between CLOSING and CLOSED (archive again, then record it)."""
    closed: list[Incident] = []
    for stale in service.store.incidents.closing():
        try:
            finished = service.finish_close(stale.number)
        except (ServiceError, SlackError) as exc:  # the close stays failed; `!incident retry` finishes it later
            log.error("Could not finish closing incident %s: %s", stale.number, exc)
            continue
        if finished is not None:
            log.info("Finished closing incident %s after a restart", stale.number)
            closed.append(finished[0])
    return closed


def finish_interrupted(
    service: IncidentService, which: Callable[[int], bool] | None = None, *, closes: bool = True
) -> list[Recovered]:
    """Finish interrupted closes, then resume every unfinished open (that `which` accepts), oldest first, reporting
    each to its origin."""
    if closes:
        finish_interrupted_closes(service)
    recovered: list[Recovered] = []
    for candidate in service.store.incidents.unfinished():
        if which is not None and not which(candidate.number):
            continue
        # Under the incident's lock, decided again on fresh data: the owner may have finished it meanwhile.
        with service.store.locks.hold(f"incident:{candidate.number}"):
            stale = service.store.incidents.get(candidate.number)
            if stale is None or stale.is_closed or not stale.pending_steps():
                continue
            if which is not None and not which(stale.number):
                continue
            if service.unfinished_close(stale.number) is not None:
                continue  # someone asked to close it and was told the close failed: do not run its open steps again
            result = _finish(service, stale)
        if result is not None:
            recovered.append(result)
    return recovered


def _finish(service: IncidentService, stale: Incident) -> Recovered | None:
    only_reply_missing = stale.pending_steps() == [OpenStep.REPLY]
    answered = stale.has_done(OpenStep.REPLY)
    try:
        report = service.resume(stale.number)
    except (ServiceError, SlackError) as exc:
        log.error("Could not resume incident %s: %s", stale.number, exc)
        return None
    incident = report.incident
    if answered:  # e.g. only the pin was missing: the person got their answer; no notice needed
        log.info("Resumed incident %s (complete: %s)", incident.number, report.complete)
        return Recovered(incident, report.complete, None)
    label = texts.severity_label(service.settings, incident.severity)
    notice = notice_for(incident, report, only_reply_missing, label)
    origin = incident.origin_channel  # None: nowhere to answer, the open came from outside Slack
    if origin:
        try:
            service.gateway.post_message(origin, notice)
        except SlackError as exc:  # the reply step stays pending: the next start tries again
            log.error("Could not report incident %s to %s: %s", incident.number, origin, exc)
            return Recovered(incident, report.complete, None)
    incident = service.mark_replied(incident.number)
    log.info("Resumed interrupted incident %s (complete: %s)", incident.number, report.complete)
    return Recovered(incident, report.complete, notice if origin else None)
