"""Opens that wait for Slack: finished by the leader once Slack answers again, each exactly once.

While Slack's Web API fails, an open is stored and numbered and its outside systems are told (the outbox), but its
channel, invites and summary cannot be made. Such an open has a failed step with a transient code and stays
unfinished. The owner process is alive, so
`recovery.finish_orphaned` leaves it alone; this module retries it.

Each round (the leader's `resume` job, every REDALERT_RESUME_INTERVAL) first asks Slack with one short call
whether it answers. While it does not, the rounds back off: the pause doubles from the job's interval up to
REDALERT_SLACK_RETRY_MAX (20 s), so Slack's return is seen within that pause plus one interval, and the waiting
opens are finished right after, well inside a minute. An open is taken over only once its log has been quiet for
that long (its own process may still be at work on it). The incident's lock and the re-read under it
(recovery.finish_interrupted) make sure no open gets a second channel, even when its owner finishes it at the
same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain.incident import Event, EventKind, Incident, OpenStep
from ..slack.gateway import TRANSIENT_ERRORS
from . import recovery
from .incidents import IncidentService

log = logging.getLogger(__name__)

DEFAULT_MAX_PAUSE_SECONDS = 20.0


def waits_for_slack(events: list[Event]) -> bool:
    """Whether an unfinished open is stuck on Slack: its last failed step failed for a reason that says nothing
    about the request (Slack down, slow or limiting). An open handed back before Slack finished (SLACK_PENDING) is
    still being run by its process: it counts only once that attempt has failed."""
    failures = [str(e.data.get("error", "")) for e in events if e.kind == EventKind.STEP_FAILED]
    return bool(failures) and failures[-1] in TRANSIENT_ERRORS


def pause_after(failures: int, first: float, most: float) -> float:
    """Seconds to wait after `failures` rounds in a row found Slack still failing: doubling, at most `most`."""
    return min(first * 2 ** max(0, failures - 1), most)


class WaitingOpens:
    def __init__(
        self,
        incidents: IncidentService,
        clock: Callable[[], datetime],
        *,
        first_pause: float = 10.0,
        max_pause: float = DEFAULT_MAX_PAUSE_SECONDS,
    ) -> None:
        self.incidents = incidents
        self.clock = clock
        self.first_pause = first_pause
        self.max_pause = max_pause
        self._failures = 0
        self._next_round: datetime | None = None

    def waiting(self) -> list[Incident]:
        """Unfinished opens stuck on Slack, oldest first. An open whose log moved within the longest pause is left
        to its process a little longer: it may still be at work (a pin queued behind Slack's rate limits), and a
        second runner would repeat its calls."""
        store = self.incidents.store
        quiet_since = self.clock() - timedelta(seconds=self.max_pause)
        found = []
        for incident in store.incidents.unfinished():
            if incident.is_closing_or_closed or set(incident.pending_steps()) <= {OpenStep.REPLY}:
                continue
            events = store.events.list(incident.number)
            if waits_for_slack(events) and events[-1].at <= quiet_since:
                found.append(incident)
        return found

    def run(self) -> list[recovery.Recovered]:
        """One round: if opens wait and Slack answers, finish them; otherwise back off."""
        now = self.clock()
        if self._next_round is not None and now < self._next_round:
            return []
        waiting = {incident.number for incident in self.waiting()}
        if not waiting:
            self._failures, self._next_round = 0, None
            return []
        if not self.incidents.gateway.answers():
            self._back_off(now, f"Slack does not answer; {len(waiting)} open(s) wait for it")
            return []
        recovered = recovery.finish_interrupted(self.incidents, lambda number: number in waiting, closes=False)
        if waiting & {incident.number for incident in self.waiting()}:
            self._back_off(now, "some opens still fail in Slack")
        else:
            self._failures, self._next_round = 0, None
        for result in recovered:
            number, complete = result.incident.number, result.complete
            log.info("Incident %s finished after Slack came back (complete: %s)", number, complete)
        return recovered

    def _back_off(self, now: datetime, why: str) -> None:
        self._failures += 1
        pause = pause_after(self._failures, self.first_pause, self.max_pause)
        self._next_round = now + timedelta(seconds=pause)
        log.warning("%s; next try in %.0f s", why, pause)
